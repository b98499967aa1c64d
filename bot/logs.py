"""Structured logs: one JSON object a line, with the request id and no personal data.

Openids are logged only as a short hash (`hashed`); phone numbers and names never.
"""
import hashlib
import logging
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def init_app(app: Flask) -> None:
    @app.before_request
    def assign_request_id():
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex[:16]

    @app.after_request
    def echo_request_id(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        return response

    if app.config["LOG_JSON"]:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter(
            "{asctime}{levelname}{name}{message}{request_id}", style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
        handler.addFilter(RequestIdFilter())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(app.config["LOG_LEVEL"])


def hashed(openid: str) -> str:
    """A stable pseudonym for an openid: enough to follow one user's requests in the logs."""
    return hashlib.sha256(openid.encode()).hexdigest()[:12]
