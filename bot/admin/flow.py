"""What a console form does once its action succeeded: the audit entry, commit, a notice, a redirect."""
from flask import g, redirect, url_for

from bot.admin import client_ip, notify
from handlers.staff import audit
from models import db


def record(action: str, region_code: str, target: str, detail: dict | None = None) -> None:
    """The audit entry for what the signed-in staff member did; it commits with the action."""
    audit.record(g.staff, action, region_code, target=target, detail=detail, ip=client_ip())


def done(notice: str, endpoint: str, /, **values):
    """Commit the action (and its audit entry), tell the staff member on the next page, go there."""
    db.session.commit()
    notify(notice)
    return redirect(url_for(endpoint, **values))
