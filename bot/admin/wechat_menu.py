"""The Official Account's custom menu in the console: what content/menu.toml holds, what WeChat
shows now, and publishing it (city admins; audited; WeChat's refusals in Chinese)."""
from flask import g, redirect, render_template, url_for

from bot.admin import admin, notify, require
from content.staff_texts import staff_table, staff_text
from handlers import menu
from models import db


def reason(code: str) -> str:
    errors = staff_table("menu.errors")
    return errors.get(code, errors["other"])


@admin.get("/menu")
@require("menu")
def wechat_menu():
    problems, data = "", None
    try:
        data = menu.build()
    except menu.MenuError as error:
        problems = str(error)
    current, unreadable = None, ""
    try:
        current = menu.published()
    except menu.MenuRefused as error:
        unreadable = staff_text("menu.unreadable", code=error.code)
    return render_template("admin/wechat_menu.html", data=data, problems=problems, current=current,
                           unreadable=unreadable)


@admin.post("/menu/publish")
@require("menu")
def publish_menu():
    try:
        menu.publish(g.staff)
        notify(staff_text("menu.published"))
    except menu.MenuError as error:
        notify(staff_text("menu.not_valid", problems=str(error)))
    except menu.MenuRefused as error:
        notify(staff_text("menu.refused", code=error.code, reason=reason(error.code)))
    db.session.commit()  # the audit entry, whatever WeChat said
    return redirect(url_for("admin.wechat_menu"))
