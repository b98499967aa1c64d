"""Unrecognised queries, most frequent first; teaching the bot and undoing what was taught."""
from datetime import timedelta

from flask import abort, g, redirect, render_template, request, url_for

from bot.admin import admin, client_ip, notify, page_number, require
from content.sorting import read_toml
from content.staff_texts import staff_table, staff_text
from handlers.sorting import CATEGORIES, get_engine
from handlers.sorting.teaching import teach, untaught
from handlers.staff import audit
from handlers.understanding import get_understanding, noise
from handlers.understanding import teaching as phrasings
from models import TaughtItem, UnrecognisedQuery, db
from models.timeutil import utcnow

PAGE = 50
NOT_UNDERSTOOD_DAYS = timedelta(days=30)
NOISE_LISTS = (noise.QUERY, noise.MESSAGE)


def category_labels() -> dict[str, str]:
    labels = read_toml("categories.toml")
    return {code: labels[code]["label"] for code in CATEGORIES}


@admin.get("/queries")
@require("teach")
def queries():
    page = page_number()
    dismissed = request.args.get("noise") == "1"  # the entries dismissed as noise, to restore
    rows = db.session.execute(
        db.select(UnrecognisedQuery).where(noise.shown(noise.QUERY, dismissed))
        .order_by(UnrecognisedQuery.count.desc(), UnrecognisedQuery.id)
        .limit(PAGE + 1).offset((page - 1) * PAGE)).scalars().all()
    taught = db.session.execute(db.select(TaughtItem).order_by(TaughtItem.taught_at.desc()).limit(200)).scalars()
    return render_template("admin/queries.html", rows=rows[:PAGE], more=len(rows) > PAGE, page=page,
                           taught=list(taught), categories=category_labels(), dismissed=dismissed,
                           noise_counts={kind: noise.count(kind) for kind in NOISE_LISTS},
                           not_understood=phrasings.not_understood(utcnow() - NOT_UNDERSTOOD_DAYS,
                                                                   dismissed=dismissed),
                           made_of=staff_table("not_understood"), intents=phrasings.teachable_intents(),
                           phrasings=phrasings.taught_list())


def noise_entries(kind: str) -> list[str]:
    """The texts a dismiss or restore form names: unrecognised queries by id, messages by content."""
    values = request.form.getlist("entry")[:PAGE]
    if kind == noise.QUERY:
        return noise.query_texts([int(v) for v in values if v.isdigit()])
    return [v for v in values if v.strip()]


@admin.post("/queries/noise")
@require("teach")
def dismiss_noise():
    """Mark one or several entries of an unrecognised list as noise (hidden; nothing is taught)."""
    kind = request.form.get("list", "")
    if kind not in NOISE_LISTS:
        abort(400)
    restoring = request.form.get("action") == "restore"
    texts = noise_entries(kind)
    changed = noise.restore(kind, texts) if restoring else noise.dismiss(kind, texts, g.staff.username)
    if changed:
        audit.record(g.staff, "restore_noise" if restoring else "dismiss_noise", g.staff.region_code,
                     target=staff_text("queries.separator").join(changed),
                     detail={"list": kind, "count": len(changed)}, ip=client_ip())
    db.session.commit()
    notify(staff_text("queries.noise_restored" if restoring else "queries.noise_dismissed", count=len(changed)))
    return redirect(url_for("admin.queries", noise="1" if restoring else None))


@admin.post("/queries/teach")
@require("teach")
def teach_query():
    query = request.form.get("query", "").strip()[:200]
    item = request.form.get("item", "").strip()[:100]
    category = request.form.get("category", "")
    if not query or not item or category not in CATEGORIES:
        abort(400, staff_text("queries.incomplete"))
    try:
        taught = teach(get_engine(), query, item, category, g.staff.username)
    except ValueError:
        abort(400, staff_text("queries.unrecognised"))
    audit.record(g.staff, "teach", g.staff.region_code, target=taught.query,
                 detail={"item": item, "category": category}, ip=client_ip())
    db.session.commit()
    notify(staff_text("queries.taught", query=query, item=item, category=category_labels()[category]))
    return redirect(url_for("admin.queries"))


@admin.post("/queries/untaught")
@require("teach")
def undo_query():
    query = request.form.get("query", "").strip()[:200]
    if not query:
        abort(400, staff_text("queries.nothing_to_undo"))
    removed = untaught(get_engine(), query)
    if removed:
        audit.record(g.staff, "untaught", g.staff.region_code, target=query, ip=client_ip())
        db.session.commit()
    notify(staff_text("queries.untaught", query=query) if removed else staff_text("queries.not_taught"))
    return redirect(url_for("admin.queries"))


@admin.post("/queries/phrasings")
@require("teach")
def teach_phrasing():
    """What a message the bot did not understand means: read so by every process at once."""
    text, intent = request.form.get("text", "").strip()[:200], request.form.get("intent", "")
    try:
        taught = phrasings.teach(get_understanding(), text, intent, g.staff.username)
    except phrasings.PhrasingError:
        abort(400, staff_text("queries.phrasing_refused"))
    audit.record(g.staff, "teach_phrasing", g.staff.region_code, target=taught.sample,
                 detail={"intent": intent}, ip=client_ip())
    db.session.commit()
    notify(staff_text("queries.phrasing_taught", text=taught.sample, intent=phrasings.teachable_intents()[intent]))
    return redirect(url_for("admin.queries"))


@admin.post("/queries/phrasings/untaught")
@require("teach")
def undo_phrasing():
    text = request.form.get("text", "").strip()[:200]
    if text and phrasings.untaught(get_understanding(), text):
        audit.record(g.staff, "untaught_phrasing", g.staff.region_code, target=text, ip=client_ip())
        db.session.commit()
    notify(staff_text("queries.phrasing_untaught", text=text))
    return redirect(url_for("admin.queries"))
