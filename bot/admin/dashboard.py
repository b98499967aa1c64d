"""The dashboard: figures of the staff member's subtree and questions per day."""
from flask import g, redirect, render_template, url_for

from bot.admin import admin, charts, require
from handlers.figures import dashboard as figures
from handlers.staff import scope


@admin.get("/")
def home():
    return redirect(url_for("admin.dashboard"))


@admin.get("/dashboard")
@require("dashboard")
def dashboard():
    board = figures.build(g.staff)
    chart = charts.bars([(f"{day.month}/{day.day}", n) for day, n in board.per_day])
    region = scope.region_names([g.staff.region_code])[g.staff.region_code]
    return render_template("admin/dashboard.html", board=board, chart=chart, region=region)
