"""Unrecognised queries, most frequent first; teaching the bot and undoing what was taught."""
from flask import abort, g, redirect, render_template, request, url_for

from bot.admin import admin, client_ip, notify, require
from content.sorting import read_toml
from handlers.sorting import CATEGORIES, get_engine
from handlers.sorting.teaching import teach, untaught
from handlers.staff import audit
from models import TaughtItem, UnrecognisedQuery, db

PAGE = 50


def category_labels() -> dict[str, str]:
    labels = read_toml("categories.toml")
    return {code: labels[code]["label"] for code in CATEGORIES}


@admin.get("/queries")
@require("teach")
def queries():
    page = max(request.args.get("page", 1, type=int), 1)
    rows = db.session.execute(
        db.select(UnrecognisedQuery).order_by(UnrecognisedQuery.count.desc(), UnrecognisedQuery.id)
        .limit(PAGE + 1).offset((page - 1) * PAGE)).scalars().all()
    taught = db.session.execute(db.select(TaughtItem).order_by(TaughtItem.taught_at.desc()).limit(200)).scalars()
    return render_template("admin/queries.html", rows=rows[:PAGE], more=len(rows) > PAGE, page=page,
                           taught=list(taught), categories=category_labels())


@admin.post("/queries/teach")
@require("teach")
def teach_query():
    query = request.form.get("query", "").strip()[:200]
    item = request.form.get("item", "").strip()[:100]
    category = request.form.get("category", "")
    if not query or not item or category not in CATEGORIES:
        abort(400, "请填写问题、物品名称并选择分类")
    try:
        taught = teach(get_engine(), query, item, category, g.staff.username)
    except ValueError:
        abort(400, "这个问题无法识别，请换一种写法")
    audit.record(g.staff, "teach", g.staff.region_code, target=taught.query,
                 detail={"item": item, "category": category}, ip=client_ip())
    db.session.commit()
    notify(f"已教会：{query} → {item}（{category_labels()[category]}），所有居民即刻生效")
    return redirect(url_for("admin.queries"))


@admin.post("/queries/untaught")
@require("teach")
def undo_query():
    query = request.form.get("query", "").strip()[:200]
    if not query:
        abort(400, "缺少要撤销的问题")
    removed = untaught(get_engine(), query)
    if removed:
        audit.record(g.staff, "untaught", g.staff.region_code, target=query, ip=client_ip())
        db.session.commit()
    notify(f"已撤销：{query}" if removed else "这个问题没有教过")
    return redirect(url_for("admin.queries"))
