"""The audit log of the staff member's subtree: paged, filtered by action, person and Beijing dates."""
from datetime import date

from flask import g, render_template, request

from bot.admin import admin, page_number, require
from handlers.staff import audit

PER_PAGE = 50


def day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


@admin.get("/audit")
@require("audit_log")
def audit_log():
    args = request.args
    action = args.get("action", "")
    filters = audit.Filters(action=action if action in audit.ACTION_NAMES else "", who=args.get("who", "")[:64],
                            since=day(args.get("since")), until=day(args.get("until")))
    page = page_number()
    entries, more = audit.search(g.staff, filters, page, PER_PAGE)
    query = {"action": filters.action or None, "who": filters.who or None,
             "since": filters.since.isoformat() if filters.since else None,
             "until": filters.until.isoformat() if filters.until else None}
    return render_template("admin/audit.html", entries=entries, actions=audit.ACTION_NAMES, chosen=filters,
                           page=page, more=more, query=query, reason_of=audit.reason_of)
