"""Answers for the whole web edge when a request cannot be served: a clear page or JSON error,
never a raw 500.

A dependency that is down (Redis, the database unreachable or stalled past its time limits)
gets 503 with Retry-After: JSON under /api/, the console's own page under /admin/. The webhook
has its own degraded answers (bot/webhook/views.py) and never reaches these.
"""
import logging

import redis
from flask import Flask, current_app, g, jsonify, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from content.texts import lookup
from models import db

log = logging.getLogger(__name__)

OUTAGES = (redis.RedisError, OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER = "30"


def text(key: str) -> str:
    return lookup("web.toml", key)


def unavailable(error: Exception):
    log.warning("dependency unavailable for %s: %s", request.endpoint, type(error).__name__)
    try:
        db.session.remove()  # a broken connection goes back to the pool invalidated
    except Exception:  # the database is what failed; the session is dropped either way
        pass
    title, message = text("unavailable.title"), text("unavailable.message")
    if request.path.startswith("/api/"):
        response = jsonify(error={"code": "unavailable", "message": message})
    elif request.path.startswith("/admin/") or request.path == "/admin":
        # The page must render without the session store: no staff, no notice.
        g.staff, g.sid = None, None
        response = render_template("admin/error.html", title=title, message=message)
    else:
        response = message
    response = current_app.make_response(response)
    response.status_code = 503
    response.headers["Retry-After"] = RETRY_AFTER
    return response


def init_app(app: Flask) -> None:
    for outage in OUTAGES:
        app.register_error_handler(outage, unavailable)
