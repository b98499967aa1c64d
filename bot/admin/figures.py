"""The campaign's figures in the console: cells vs 2025 targets (with Excel), and one page per tier.

Every number on these pages is computed by handlers/figures/tiers.py from records when the page loads.
"""

from flask import Response, abort, g, redirect, render_template, url_for

from bot.admin import admin, charts, client_ip, require
from content.staff_texts import staff_table, staff_text
from handlers.figures import tiers as figures
from handlers.staff import audit, scope
from infra import xlsx as exports
from infra.clock import local
from models import db
from models.timeutil import utcnow

CITY = "2201"
WEEKS = 8


def percent_points(label_values) -> list[tuple[str, int]]:
    """Chart points in whole percent; None (no sample) stays None: no bar and "—", as in the table."""
    return [(label, round(value * 100) if value is not None else None) for label, value in label_values]


@admin.get("/targets")
@require("figures")
def targets():
    node = g.staff.region_code
    rows = figures.targets(node)
    total = figures.totals(rows)
    districts = figures.targets_by_district() if scope.level(node) == "city" else {}
    names = scope.region_names([node, *districts])
    prefix = staff_text("figures.type_prefix")
    chart = charts.bars(percent_points((r.name.removeprefix(prefix), r.progress) for r in rows))
    return render_template("admin/targets.html", rows=rows, total=total, districts=districts,
                           totals=figures.totals, names=names, node=node, chart=chart,
                           is_city=scope.level(node) == "city")


@admin.get("/targets.xlsx")
@require("export_figures")
def targets_export():
    node = g.staff.region_code
    sections = {node: figures.targets(node)}
    if scope.level(node) == "city":
        sections.update(figures.targets_by_district())
    names = scope.region_names(sections)
    headers = staff_table("figures.headers")
    rows = [[names[code], row.name, row.target if code == CITY else "", row.created, row.in_review,
             row.applied, row.other, row.progress if code == CITY else "", row.mean_gap, len(row.gaps),
             row.completeness] for code, type_rows in sections.items() for row in type_rows]
    audit.record(g.staff, "export", node, target=staff_text("figures.sheet"), ip=client_ip())
    db.session.commit()
    return Response(exports.workbook(staff_text("figures.sheet"), headers, rows), mimetype=exports.XLSX,
                    headers={"Content-Disposition": "attachment; filename=cells-targets.xlsx"})


@admin.get("/tiers")
@require("figures")
def own_tier():
    return redirect(url_for("admin.tier", code=g.staff.region_code))


@admin.get("/tiers/<code>")
@require("figures")
def tier(code: str):
    if not scope.in_scope(g.staff, code) or not scope.region_exists(code):
        abort(404)
    now = utcnow()
    weeks = figures.recent_weeks(WEEKS, now)
    since = weeks[0]
    node = node_figures(code, since, now)
    kids = figures.children(code)
    side_by_side = [{"code": kid.code, "name": kid.name, **node_figures(kid.code, since, now)} for kid in kids]
    trend = figures.weekly(code, weeks)
    labels = [f"{w['week'].month}/{w['week'].day}" for w in trend]
    awareness_chart = charts.bars(percent_points(zip(labels, (w["awareness"].rate for w in trend))))
    participation_chart = charts.bars(percent_points(zip(labels, (w["participation"].rate for w in trend))))
    name = scope.region_names([code])[code]
    parent = code[:{6: 4, 9: 6}.get(len(code), 0)] if len(code) > 4 else None
    return render_template("admin/tier.html", code=code, name=name, node=node, children=side_by_side,
                           trend=trend, awareness_chart=awareness_chart,
                           participation_chart=participation_chart, since=local(since),
                           parent=parent if parent and scope.in_scope(g.staff, parent) else None)


def node_figures(code: str, since, until) -> dict:
    rows = figures.targets(code)
    return {"awareness": figures.awareness(code, since, until),
            "participation": figures.participation(code, since, until),
            "cells": figures.totals(rows), "rows": rows, "reach": figures.reach(code, since, until)}
