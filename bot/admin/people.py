"""Residents and volunteers of the staff member's subtree: lists, approval, service hours, export."""
from flask import g, render_template, request

from bot.admin import admin, require
from handlers import roster, scope


@admin.get("/residents")
@require("residents")
def residents():
    page = max(request.args.get("page", 1, type=int), 1)
    rows, more = roster.residents(g.staff, request.args.get("area"), page)
    return render_template("admin/residents.html", rows=rows, more=more, page=page,
                           regions=scope.child_regions(g.staff))


@admin.get("/volunteers")
@require("volunteers")
def volunteers():
    return render_template("admin/volunteers.html", available=roster.volunteer_model() is not None)
