"""Pushes in the console: choose a target in one's subtree, see the plan, preview, send, follow
the progress (the page refreshes itself; /progress.json for scripts), cancel, and the reach."""
from datetime import datetime, timedelta

from flask import abort, g, jsonify, redirect, render_template, request, url_for

from bot.admin import admin, form_id, notify, require
from bot.admin.flow import done, record
from bot.admin.people import xlsx
from bot.admin.reach import charts_for
from content.staff_texts import staff_text
from handlers.campaigns import authoring as campaigns
from handlers.campaigns.push import (
    PushError,
    channels,
    deliver,
    links,
    messages,
    report,
)
from handlers.campaigns.push.targeting import GROUP_NAMES, Target, check, describe
from handlers.staff import scope
from infra.clock import to_utc
from infra.wechat.send import Sender, SendError
from models import ContentItem, Push, School, db
from models.timeutil import utcnow


def push_or_404(push_id: int) -> Push:
    push = db.session.get(Push, push_id)
    if push is None or not scope.in_scope(g.staff, push.region_code):
        abort(404)
    return push


def schools() -> list[tuple[int, str]]:
    rows = scope.scope_filter(db.select(School.id, School.name), School.region_code, g.staff)
    return [tuple(r) for r in db.session.execute(rows.order_by(School.name))]


@admin.get("/campaigns/<int:campaign_id>/push")
@require("push")
def push_new(campaign_id: int, error: str | None = None):
    campaign = campaigns.get_visible(g.staff, campaign_id)
    if campaign is None or campaign.region_code != g.staff.region_code:
        abort(404)  # a tier pushes its own campaigns (an adoption of an upper tier's counts)
    own = (g.staff.region_code, scope.region_names([g.staff.region_code])[g.staff.region_code])
    children = [(c, n) for c, n in scope.child_regions(g.staff)
                if c != g.staff.region_code and len(c) <= len(g.staff.region_code) + 3]
    return render_template("admin/push_new.html", campaign=campaign, items=campaigns.items_for(campaign),
                           own=own, children=children, groups=GROUP_NAMES, schools=schools(),
                           chosen=request.form, error=error), 400 if error else 200


@admin.post("/campaigns/<int:campaign_id>/push")
@require("push")
def push_create(campaign_id: int):
    campaign = campaigns.get_visible(g.staff, campaign_id)
    if campaign is None or campaign.region_code != g.staff.region_code:
        abort(404)
    form = request.form
    try:
        item = db.session.get(ContentItem, form_id("item_id") or 0)
        if item is None:
            raise PushError("请选择要推送的内容")
        target = check(g.staff, form.getlist("codes"), form.get("group") or None,
                       form_id("school_id"))
        push = deliver.create(g.staff, campaign, item, target, send_time(form.get("send_at", "")))
    except PushError as refusal:
        db.session.rollback()
        return push_new(campaign_id, error=str(refusal))
    db.session.commit()
    return redirect(url_for("admin.push_detail", push_id=push.id))


# A scheduled push waits in Redis; a year covers any campaign calendar.
FURTHEST_SCHEDULE = timedelta(days=366)
# The form is filled in over minutes: a time that passed meanwhile still means "now".
SCHEDULE_GRACE = timedelta(minutes=10)


def send_time(text: str) -> datetime | None:
    """The form's Beijing time (datetime-local) as naive UTC; empty: now. A time long past or
    too far ahead (0001-01-01 would not even convert to UTC) is refused with a reason."""
    if not text.strip():
        return None
    try:
        when = to_utc(datetime.fromisoformat(text.strip()))
    except ValueError:
        raise PushError("发送时间格式无效") from None
    except OverflowError:  # the first hours of year 1 have no UTC: long past
        raise PushError(staff_text("pushes.errors.send_at_past")) from None
    now = utcnow()
    if when < now - SCHEDULE_GRACE:
        raise PushError(staff_text("pushes.errors.send_at_past"))
    if when > now + FURTHEST_SCHEDULE:
        raise PushError(staff_text("pushes.errors.send_at_far", days=FURTHEST_SCHEDULE.days))
    return when


@admin.get("/pushes/<int:push_id>")
@require("push_report")
def push_detail(push_id: int):
    push = push_or_404(push_id)
    item = db.session.get(ContentItem, push.item_id)
    plan = deliver.plan(push) if push.status == "draft" else None
    reach = report.for_pushes(g.staff, [push.id]) if push.status != "draft" else None
    return render_template(
        "admin/push.html", push=push, item=item, plan=plan, reach=reach,
        charts=charts_for(reach, g.staff) if reach else [], target=describe(Target.from_json(push.target)),
        progress=deliver.progress(push.id), channel_names=channels.CHANNEL_NAMES,
        reason_names=channels.REASON_NAMES, reasons=report.reasons,
        refresh=push.status in ("scheduled", "sending"))


@admin.get("/pushes/<int:push_id>/progress.json")
@require("push_report")
def push_progress(push_id: int):
    push_or_404(push_id)
    return jsonify(deliver.progress(push_id))


@admin.post("/pushes/<int:push_id>/preview")
@require("push")
def push_preview(push_id: int):
    push = push_or_404(push_id)
    # Only to the staff member's own WeChat, bound with a code (/admin/wechat): a form naming any
    # openid would let the console message anyone.
    openid = g.staff.wechat_openid
    if not openid:
        notify("请先绑定您的微信（右上角「绑定微信」），预览只发送到您本人的微信")
        return redirect(url_for("admin.push_detail", push_id=push.id))
    item = db.session.get(ContentItem, push.item_id)
    try:
        Sender().preview(openid, messages.mass(item, links.url(links.token_for_batch(push.id, 0))))
    except SendError as error:
        outcome = f"wechat error {error.code}"
        notify(f"预览未发出（微信错误 {error.code}）")
    else:
        outcome = "sent"
        notify("预览已发送到您的微信")
    record("push_preview", push.region_code, f"push {push.id}", {"outcome": outcome})
    db.session.commit()
    return redirect(url_for("admin.push_detail", push_id=push.id))


@admin.post("/pushes/<int:push_id>/send")
@require("push")
def push_send(push_id: int):
    push = push_or_404(push_id)
    if push.region_code != g.staff.region_code:
        abort(403)
    try:
        summary = deliver.plan(push).summary()
        record("send", push.region_code, f"push {push.id}", summary)
        deliver.start(push)  # commits
    except PushError as refusal:
        db.session.rollback()
        abort(400, str(refusal))
    notify("已开始推送" if not push.send_at else "已预约推送")
    return redirect(url_for("admin.push_detail", push_id=push.id))


@admin.get("/pushes/<int:push_id>/cancel")
@require("push")
def push_cancel_confirm(push_id: int):
    """Its own page: the progress page reloads itself, which would clear a ticked box."""
    push = push_or_404(push_id)
    if push.status not in ("scheduled", "sending"):
        return redirect(url_for("admin.push_detail", push_id=push.id))
    return render_template("admin/push_cancel.html", push=push, item=db.session.get(ContentItem, push.item_id),
                           progress=deliver.progress(push.id))


@admin.post("/pushes/<int:push_id>/cancel")
@require("push")
def push_cancel(push_id: int):
    push = push_or_404(push_id)
    if request.form.get("confirm") != "1":  # stopping a send cannot be undone
        abort(400, "请勾选“确认取消”后再取消推送")
    stopped = deliver.cancel(push, g.staff.username)
    record("send", push.region_code, f"push {push.id} cancelled", {"stopped": stopped})
    return done(f"推送已取消，{stopped} 人未再发送", "admin.push_detail", push_id=push.id)


@admin.get("/pushes/<int:push_id>/report.xlsx")
@require("push_report")
def push_report_export(push_id: int):
    push = push_or_404(push_id)
    content = report.workbook(report.for_pushes(g.staff, [push.id]), "推送触达")
    record("export", g.staff.region_code, f"push {push.id} reach")
    db.session.commit()
    return xlsx(f"push-{push.id}-reach", content)
