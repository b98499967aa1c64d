"""The audit log of the staff member's subtree."""
from flask import g, render_template

from bot.admin import admin, require
from handlers.staff import audit


@admin.get("/audit")
@require("audit_log")
def audit_log():
    return render_template("admin/audit.html", entries=audit.recent(g.staff),
                           actions=audit.ACTION_NAMES)
