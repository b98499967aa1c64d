"""One WeChat user tag per district, kept in step with residents' areas, for tag mass sends.

WeChat allows 100 tags per account and 50 openids per (un)tagging call; Changchun has about
fifteen districts and counties, so one tag each fits. A district without a tag (the account ran
out) is simply reached by openid list instead.
"""
import logging

from handlers.staff import scope
from infra import state
from infra.wechat.send import Sender, SendError
from models import DistrictTag, Resident, ResidentTag, db
from models.timeutil import utcnow

log = logging.getLogger(__name__)
PER_CALL = 50
# Remembered a day, so the plan staff see before the next push already names the fallback channel.
REFUSED_KEY, REFUSED_TTL = "push:tag-refused:{}", 86400
TOO_MANY_TAGS, NAME_TAKEN = "45056", "45157"


def tag_name(code: str) -> str:
    name = scope.region_names([code])[code]
    return f"{name}-{code}"[:30]


def tag_refused(district: str) -> bool:
    """WeChat refused this district a tag lately (no tag left on the account)."""
    return state.store().get(REFUSED_KEY.format(district)) is not None


def ensure_tag(api: Sender, district: str) -> DistrictTag | None:
    row = db.session.get(DistrictTag, district)
    if row is not None:
        return row
    name = tag_name(district)
    try:
        tag_id = api.create_tag(name)
    except SendError as error:
        if error.code == NAME_TAKEN:  # created before, by an earlier run that died
            tag_id = api.tags().get(name)
        elif error.code == TOO_MANY_TAGS:
            log.warning("no tag left for district %s: it will be reached by openid list", district)
            state.store().set(REFUSED_KEY.format(district), "1", ex=REFUSED_TTL)
            return None
        else:
            raise
    row = DistrictTag(district_code=district, tag_id=tag_id, name=name)
    db.session.add(row)
    db.session.commit()
    return row


def sync(districts: list[str], api: Sender | None = None) -> dict[str, int]:
    """Tag every subscribed resident of each district with its tag, untag who moved away.

    Safe to run again: tagging an openid twice is harmless at WeChat, and rows record progress.
    Returns openids (un)tagged per district.
    """
    api = api or Sender()
    changed = {}
    for district in districts:
        tag = ensure_tag(api, district)
        if tag is None:
            continue
        changed[district] = _sync_one(api, tag)
        tag.synced_at = utcnow()
        db.session.commit()
    return changed


def _sync_one(api: Sender, tag: DistrictTag) -> int:
    district = tag.district_code
    wanted = dict(db.session.execute(
        db.select(Resident.id, Resident.openid).where(
            Resident.subscribed.is_(True), Resident.region_code.startswith(district, autoescape=True))).all())
    current = dict(db.session.execute(
        db.select(ResidentTag.resident_id, ResidentTag.district_code)).all())
    old_tags = dict(db.session.execute(db.select(DistrictTag.district_code, DistrictTag.tag_id)).all())
    # Who carries this tag but should not (moved away, unfollowed): untag and forget.
    leaving = db.session.execute(
        db.select(Resident.id, Resident.openid).join(ResidentTag, ResidentTag.resident_id == Resident.id)
        .where(ResidentTag.district_code == district)).all()
    leaving = [(rid, openid) for rid, openid in leaving if rid not in wanted]
    count = _call(leaving, lambda ids: api.untag(tag.tag_id, ids), drop=True)
    # Who should carry it: first off their old district's tag, then on this one.
    moving = [(rid, wanted[rid]) for rid, code in current.items() if rid in wanted and code != district]
    for old in {current[rid] for rid, _ in moving}:
        if old in old_tags:
            _call([(rid, o) for rid, o in moving if current[rid] == old],
                  lambda ids, t=old_tags[old]: api.untag(t, ids), drop=True)
    joining = [(rid, openid) for rid, openid in wanted.items() if current.get(rid) != district]
    count += _call(joining, lambda ids: api.tag(tag.tag_id, ids), district=district)
    return count


def _call(rows: list[tuple[int, str]], send, drop: bool = False, district: str = "") -> int:
    for start in range(0, len(rows), PER_CALL):
        chunk = rows[start:start + PER_CALL]
        send([openid for _, openid in chunk])
        ids = [rid for rid, _ in chunk]
        db.session.execute(db.delete(ResidentTag).where(ResidentTag.resident_id.in_(ids)))
        if not drop:
            db.session.execute(db.insert(ResidentTag), [
                {"resident_id": rid, "district_code": district, "tagged_at": utcnow()} for rid in ids])
        db.session.commit()
    return len(rows)
