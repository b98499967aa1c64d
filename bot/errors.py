"""Answers for the whole web edge when a request cannot be served: a clear page or JSON error,
never a raw 500; and the size each request body may have.

A dependency that is down (Redis, the database unreachable or stalled past its time limits)
gets 503 with Retry-After: JSON under /api/, the console's own page under /admin/. The webhook
has its own degraded answers (bot/webhook/views.py) and never reaches these. Input no client
should send (a NUL, JSON nested past the parser's depth) is a 400 here, before any view.
"""
import logging

import redis
from flask import Flask, abort, current_app, g, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from content.texts import lookup
from handlers.schools.activities import catalogue
from models import db

log = logging.getLogger(__name__)

OUTAGES = (redis.RedisError, OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER = "30"
# A multipart body carries its file plus the form's other fields and boundaries.
MULTIPART_SLACK = 64 * 1024
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def text(key: str, **values) -> str:
    return lookup("web.toml", key, **values)


def upload_limits(app: Flask) -> dict[str, int]:
    """The endpoints that take a file, and the file size each one allows (MAX_CONTENT_LENGTH
    is for every other request)."""
    return {"api.upload_evidence": app.config["CELL_EVIDENCE_MAX_BYTES"],
            "api.school_activity_cover": catalogue.MAX_COVER_BYTES,
            "admin.activity_cover": catalogue.MAX_COVER_BYTES}


def allow_uploads() -> None:
    """An upload endpoint reads a body as large as its file may be, and no larger."""
    limit = upload_limits(current_app).get(request.endpoint or "")
    if limit is not None:
        request.max_content_length = limit + MULTIPART_SLACK


def refuse_nul() -> None:
    """A NUL in a query string or form field is a 400: PostgreSQL refuses it in any text (a
    server error deep in a query), and no person types one."""
    if not request.path.startswith(("/api/", "/admin/")):
        return
    fields = list(request.args.values())
    if request.path.startswith("/admin/") and request.mimetype in FORM_TYPES:
        fields += request.form.values()
    if any("\x00" in value for value in fields):
        abort(400)


def too_large(error: Exception):
    """413 in the caller's language: JSON for the API, the console's page, else plain text."""
    file_limit = upload_limits(current_app).get(request.endpoint or "")
    limit = file_limit or request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
    mb = f"{limit / (1024 * 1024):.1f}".removesuffix(".0")
    message = text("too_large.file" if file_limit else "too_large.message", mb=mb)
    if request.path.startswith("/api/"):
        code = "file_size" if file_limit else "too_large"
        response = jsonify(error={"code": code, "message": message})
    elif request.path.startswith("/admin/"):
        response = render_template("admin/error.html", title=text("too_large.title"), message=message)
    else:
        response = message
    response = current_app.make_response(response)
    response.status_code = 413
    return response


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


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, but a body nested too deeply to parse is invalid JSON (a 400), not a
    RecursionError (a 500); and keys keep the order they were built in, since sorting fails on
    keys that are not all strings (spectree's error body for a multipart field whose name does
    not decode has a None key)."""

    sort_keys = False

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def init_app(app: Flask) -> None:
    app.json = JSONProvider(app)
    app.before_request(allow_uploads)
    app.before_request(refuse_nul)
    app.register_error_handler(413, too_large)
    for outage in OUTAGES:
        app.register_error_handler(outage, unavailable)
