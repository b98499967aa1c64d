"""Campaigns and their content, authored at any tier; lower tiers adopt and add local items.

An adoption is a campaign of the adopting node that keeps the link to the original
(`adopted_from_id`), so the original's reach report includes every tier that took it up.
"""
from sqlalchemy.exc import IntegrityError

from content.staff_texts import staff_table, staff_text
from handlers.errors import Refused
from handlers.staff import scope
from models import Campaign, ContentItem, db

KIND_NAMES = dict(staff_table("campaigns.kinds"))


class CampaignError(Refused):
    """A campaign form the console refuses; the message is for staff, in Chinese."""


def create(staff, title: str, summary: str = "") -> Campaign:
    title = (title or "").strip()
    if not 1 <= len(title) <= 60:
        raise CampaignError(staff_text("campaigns.errors.title"))
    campaign = Campaign(title=title, summary=(summary or "").strip()[:2000],
                        region_code=staff.region_code, created_by=staff.username)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def add_item(staff, campaign: Campaign, kind: str, title: str, body: str = "", url: str = "",
             cover_url: str = "", page_path: str = "", media_id: str = "") -> ContentItem:
    """A content item; only the campaign's own node adds to it (an adopting tier adopts first)."""
    if campaign.region_code != staff.region_code:
        raise CampaignError(staff_text("campaigns.errors.own_tier_only"))
    title, body, url = (title or "").strip(), (body or "").strip(), (url or "").strip()
    if kind not in KIND_NAMES:
        raise CampaignError(staff_text("campaigns.errors.kind"))
    if not 1 <= len(title) <= 64:
        raise CampaignError(staff_text("campaigns.errors.item_title"))
    if kind == "text" and not body:
        raise CampaignError(staff_text("campaigns.errors.text_empty"))
    if kind == "text" and len(body.encode()) > 1800:  # WeChat's text limit is 2048 bytes
        raise CampaignError(staff_text("campaigns.errors.text_too_long"))
    if kind == "news" and not url.startswith(("https://", "http://")):
        raise CampaignError(staff_text("campaigns.errors.news_url"))
    if kind == "miniprogram" and not (page_path or "").strip():
        raise CampaignError(staff_text("campaigns.errors.page_path"))
    item = ContentItem(campaign_id=campaign.id, region_code=staff.region_code, kind=kind,
                       title=title, body=body, url=url[:500], cover_url=(cover_url or "")[:500],
                       page_path=(page_path or "").strip()[:200], media_id=(media_id or "")[:128],
                       created_by=staff.username)
    db.session.add(item)
    db.session.flush()
    return item


def adopt(staff, original: Campaign) -> Campaign:
    """The staff member's node takes up an upper tier's campaign (once; again returns the same)."""
    if not staff.region_code.startswith(original.region_code) or staff.region_code == original.region_code:
        raise CampaignError(staff_text("campaigns.errors.adopt_upper_only"))
    existing = adoption(original, staff.region_code)
    if existing is not None:
        return existing
    campaign = Campaign(title=original.title, summary=original.summary,
                        region_code=staff.region_code, adopted_from_id=original.id,
                        created_by=staff.username)
    try:
        with db.session.begin_nested():
            db.session.add(campaign)
    except IntegrityError:  # adopted at the same moment in another tab
        return adoption(original, staff.region_code)
    return campaign


def adoption(original: Campaign, region_code: str) -> Campaign | None:
    return db.session.execute(db.select(Campaign).filter_by(
        adopted_from_id=original.id, region_code=region_code)).scalar_one_or_none()


def visible(staff) -> list[Campaign]:
    """Campaigns of the staff member's subtree and of the nodes above it (to adopt or follow)."""
    above = [staff.region_code[:n] for n in (4, 6, 9) if n < len(staff.region_code)]
    query = db.select(Campaign).where(
        Campaign.region_code.startswith(staff.region_code, autoescape=True)
        | Campaign.region_code.in_(above))
    return list(db.session.execute(query.order_by(Campaign.id.desc())).scalars())


def get_visible(staff, campaign_id: int) -> Campaign | None:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    if scope.in_scope(staff, campaign.region_code) or staff.region_code.startswith(campaign.region_code):
        return campaign
    return None


def items_for(campaign: Campaign) -> list[ContentItem]:
    """What a push of this campaign may send: its own items and those of what it adopted."""
    items, current = [], campaign
    while current is not None:
        items += current.items
        current = db.session.get(Campaign, current.adopted_from_id) if current.adopted_from_id else None
    return items


def family(campaign: Campaign) -> list[int]:
    """The campaign and every adoption below it, at any depth: its reach report covers them all."""
    ids, frontier = [campaign.id], [campaign.id]
    while frontier:
        frontier = list(db.session.execute(
            db.select(Campaign.id).where(Campaign.adopted_from_id.in_(frontier))).scalars())
        ids += frontier
    return ids
