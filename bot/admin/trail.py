"""Every state change in the audit log: a console form that succeeded (it redirects) and wrote no entry
of its own is recorded by its endpoint, with the path and ids it acted on.

The forms are listed, with what the log calls them, in content/console_labels.toml [audited_forms].
"""
from flask import g, request

from bot.admin import admin, client_ip
from content.texts import table
from handlers.staff import audit
from models import db


def audited_forms() -> dict[str, str]:
    return table("console_labels.toml")["audited_forms"]


@admin.after_request
def audit_form(response):
    endpoint = (request.endpoint or "").removeprefix("admin.")
    if (request.method != "POST" or not 300 <= response.status_code < 400 or g.get("staff") is None
            or endpoint not in audited_forms()):
        return response
    audit.record(g.staff, endpoint, g.staff.region_code, target=request.path,
                 detail=dict(request.view_args or {}) or None, ip=client_ip())
    db.session.commit()
    return response


def init() -> None:
    """The log's filter offers these actions too."""
    for endpoint, name in audited_forms().items():
        audit.ACTION_NAMES.setdefault(endpoint, name)
