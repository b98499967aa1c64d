"""Structured logs: one JSON object a line, with the request id and no personal data.

Openids are logged only as a short hash (`hashed`); phone numbers and names never.
"""
import hashlib
import logging
import uuid
from contextvars import ContextVar

from flask import Flask, request
from pythonjsonlogger.json import JsonFormatter

# A context variable rather than flask.g, so work a request hands to a thread
# (bot/webhook/retries.py runs answers in a pool) logs under the same id.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def init_app(app: Flask) -> None:
    @app.before_request
    def assign_request_id():
        REQUEST_ID.set(request.headers.get("X-Request-Id") or uuid.uuid4().hex[:16])

    @app.after_request
    def echo_request_id(response):
        response.headers["X-Request-Id"] = REQUEST_ID.get()
        return response

    @app.teardown_request
    def clear_request_id(_error):
        REQUEST_ID.set("-")  # the thread serves other requests next

    if app.config["LOG_JSON"]:
        root = logging.getLogger()
        root.handlers[:] = [json_handler()]
        root.setLevel(app.config["LOG_LEVEL"])


def json_handler(stream=None) -> logging.Handler:
    """One JSON object a line (to stderr), with the request id."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(
        "{asctime}{levelname}{name}{message}{request_id}", style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    handler.addFilter(RequestIdFilter())
    return handler


def hashed(openid: str) -> str:
    """A stable pseudonym for an openid: enough to follow one user's requests in the logs."""
    return hashlib.sha256(openid.encode()).hexdigest()[:12]
