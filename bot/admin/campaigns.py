"""Campaigns in the console: author, adopt an upper tier's, add local items, see the reach."""
from flask import abort, g, render_template, request

from bot.admin import admin, require
from bot.admin.flow import done, record
from bot.admin.people import xlsx
from bot.admin.reach import charts_for
from content.staff_texts import staff_text
from handlers.campaigns import authoring as campaigns
from handlers.campaigns.authoring import CampaignError
from handlers.campaigns.push import report
from handlers.staff import scope
from models import Push, db


def campaign_or_404(campaign_id: int):
    campaign = campaigns.get_visible(g.staff, campaign_id)
    if campaign is None:  # out of scope looks like missing
        abort(404)
    return campaign


@admin.get("/campaigns")
@require("campaigns")
def campaign_list(error: str | None = None):
    rows = campaigns.visible(g.staff)
    names = scope.region_names([c.region_code for c in rows])
    adopted = {c.adopted_from_id for c in rows if c.region_code == g.staff.region_code}
    return render_template("admin/campaigns.html", rows=rows, names=names, adopted=adopted,
                           error=error), 400 if error else 200


@admin.post("/campaigns")
@require("campaigns")
def campaign_create():
    try:
        campaign = campaigns.create(g.staff, request.form.get("title", ""), request.form.get("summary", ""))
    except CampaignError as refusal:
        db.session.rollback()
        return campaign_list(error=str(refusal))
    return done(staff_text("campaigns.created", title=campaign.title), "admin.campaign_detail",
                campaign_id=campaign.id)


@admin.post("/campaigns/<int:campaign_id>/adopt")
@require("campaigns")
def campaign_adopt(campaign_id: int):
    original = campaign_or_404(campaign_id)
    try:
        adoption = campaigns.adopt(g.staff, original)
    except CampaignError as refusal:
        db.session.rollback()
        abort(400, str(refusal))
    return done(staff_text("campaigns.adopted", title=original.title), "admin.campaign_detail",
                campaign_id=adoption.id)


@admin.get("/campaigns/<int:campaign_id>")
@require("campaigns")
def campaign_detail(campaign_id: int, error: str | None = None):
    campaign = campaign_or_404(campaign_id)
    reach = report.for_campaign(g.staff, campaign)
    pushes = db.session.execute(db.select(Push).where(
        Push.campaign_id.in_(campaigns.family(campaign)),
        Push.region_code.startswith(g.staff.region_code, autoescape=True)).order_by(Push.id.desc())).scalars().all()
    return render_template("admin/campaign.html", campaign=campaign, items=campaigns.items_for(campaign),
                           kinds=campaigns.KIND_NAMES, reach=reach, charts=charts_for(reach, g.staff),
                           pushes=pushes, names=scope.region_names([campaign.region_code]),
                           own=campaign.region_code == g.staff.region_code,
                           reasons=report.reasons, error=error), 400 if error else 200


@admin.post("/campaigns/<int:campaign_id>/items")
@require("campaigns")
def campaign_item_add(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = request.form
    try:
        campaigns.add_item(g.staff, campaign, form.get("kind", ""), form.get("title", ""),
                           form.get("body", ""), form.get("url", ""), form.get("cover_url", ""),
                           form.get("page_path", ""), form.get("media_id", ""))
    except CampaignError as refusal:
        db.session.rollback()
        return campaign_detail(campaign_id, error=str(refusal))
    return done(staff_text("campaigns.item_added"), "admin.campaign_detail", campaign_id=campaign.id)


@admin.get("/campaigns/<int:campaign_id>/report.xlsx")
@require("push_report")
def campaign_report_export(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    content = report.workbook(report.for_campaign(g.staff, campaign), staff_text("campaigns.reach_sheet"))
    record("export", g.staff.region_code, f"campaign {campaign.id} reach")
    db.session.commit()
    return xlsx(f"campaign-{campaign.id}-reach", content)
