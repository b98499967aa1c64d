"""Permanent parametric QR codes for posters, made by staff at each tier.

A code's scene names what it is for, in the staff member's subtree: an area ("area-<code>": a
follow through it is offered that area, see handlers/people/areas.py), a campaign they can see
("campaign-<id>"), a school ("school-<id>") or a school's activity ("activity-<id>"): the welcome
names the school or the activity (handlers/welcome.py).
WeChat sends the scene back with the follow (subscribe, EventKey "qrscene_<scene>") or the scan
(SCAN); each is counted under its code (QrScan, shown beside the code), and a follower's
follow_scene keeps the code they came by (the dashboard counts followers per code).
Permanent codes: at most 100,000 per account, scene_str 1–64 characters.
https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html
"""
import re

from sqlalchemy import func

from content.staff_texts import staff_text
from handlers.campaigns import authoring as campaigns
from handlers.people import regions
from handlers.staff import audit, scope
from infra.wechat.send import Sender, SendError
from models import Activity, QrCode, QrScan, School, db

SCENE = re.compile(r"^(area|campaign|school|activity)-(\w+)$")


class QrCodeError(ValueError):
    """Why a code cannot be made; the message is for staff, in Chinese."""


def create(staff, kind: str, target: str) -> QrCode:
    """The code for an area, a campaign, a school or an activity; the same scene gives back the
    code made before."""
    target = (target or "").strip()
    label = _label(staff, kind, target)
    scene = f"{kind}-{target}"
    found = db.session.execute(db.select(QrCode).filter_by(scene=scene)).scalar()
    if found is not None:
        return found
    try:
        made = Sender().permanent_qrcode(scene)
    except SendError as error:
        raise QrCodeError(staff_text("qrcodes.wechat_refused", code=error.code))
    code = QrCode(scene=scene, label=label[:60], region_code=staff.region_code, ticket=made["ticket"],
                  url=made["url"], created_by=staff.username)
    db.session.add(code)
    audit.record(staff, "qrcode_create", staff.region_code, scene)
    db.session.flush()
    return code


def _label(staff, kind: str, target: str) -> str:
    """What the code is for, as staff read it; refused outside the staff member's subtree."""
    if kind == "area":
        region = regions.get(target)
        if region is None or not scope.in_scope(staff, region.code):
            raise QrCodeError(staff_text("qrcodes.out_of_scope"))
        return regions.path_name(region.code)
    number = int(target) if target.isdigit() else None
    if kind == "campaign":
        campaign = campaigns.get_visible(staff, number) if number else None
        if campaign is None:
            raise QrCodeError(staff_text("qrcodes.no_campaign"))
        return campaign.title
    if kind == "school":
        school = db.session.get(School, number) if number else None
        if school is None or not scope.in_scope(staff, school.region_code):
            raise QrCodeError(staff_text("qrcodes.no_school"))
        return school.name
    if kind == "activity":
        activity = db.session.get(Activity, number) if number else None
        if activity is None or activity.cancelled or not scope.in_scope(staff, activity.region_code):
            raise QrCodeError(staff_text("qrcodes.no_activity"))
        return activity.title
    raise QrCodeError(staff_text("qrcodes.no_kind"))


def schools(staff) -> list[School]:
    """Schools in the staff member's subtree, for the form."""
    query = scope.scope_filter(db.select(School), School.region_code, staff).order_by(School.name)
    return list(db.session.execute(query).scalars())


def activities(staff) -> list[Activity]:
    """Activities not cancelled in the staff member's subtree, the latest first."""
    query = scope.scope_filter(db.select(Activity).where(Activity.cancelled.is_(False)),
                               Activity.region_code, staff).order_by(Activity.starts_at.desc())
    return list(db.session.execute(query.limit(200)).scalars())


def visible(staff) -> list[QrCode]:
    query = scope.scope_filter(db.select(QrCode), QrCode.region_code, staff).order_by(QrCode.id.desc())
    return list(db.session.execute(query).scalars())


def labels() -> dict[str, str]:
    return dict(db.session.execute(db.select(QrCode.scene, QrCode.label)).all())


def target(scene: str | None) -> tuple[str, int] | None:
    """("school" | "activity", id) for a school's or an activity's scene, else None."""
    found = SCENE.match(scene or "")
    if found and found.group(1) in ("school", "activity") and found.group(2).isdigit():
        return found.group(1), int(found.group(2))
    return None


def record_scan(scene: str, event: str) -> None:
    """Count a follow ('follow') or a follower's scan ('scan') under its code; a scene no code
    of ours made (someone else's poster, a typo) is not counted."""
    if db.session.execute(db.select(QrCode.id).filter_by(scene=scene[:64])).first() is not None:
        db.session.add(QrScan(scene=scene[:64], event=event))


def scan_counts(codes: list[QrCode]) -> dict[str, dict[str, int]]:
    """{scene: {"follow": n, "scan": n}} for these codes."""
    counts: dict[str, dict[str, int]] = {c.scene: {"follow": 0, "scan": 0} for c in codes}
    if counts:
        for scene, event, n in db.session.execute(
                db.select(QrScan.scene, QrScan.event, func.count()).where(QrScan.scene.in_(counts))
                .group_by(QrScan.scene, QrScan.event)):
            counts[scene][event] = n
    return counts
