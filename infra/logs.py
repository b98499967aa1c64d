"""Structured logs: one JSON object a line, with the request id and no personal data.

Openids are logged only as a short hash (`hashed`); phone numbers and names never.
"""
import hashlib
import logging
import os
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
        REQUEST_ID.set(request.headers.get("X-Request-Id") or os.urandom(8).hex())

    @app.after_request
    def echo_request_id(response):
        response.headers["X-Request-Id"] = REQUEST_ID.get()
        return response

    @app.teardown_request
    def clear_request_id(_error):
        REQUEST_ID.set("-")  # the thread serves other requests next

    root = logging.getLogger()
    if app.config["LOG_JSON"]:
        root.handlers[:] = [json_handler()]
    elif root.handlers:  # a test runner's capture: left as it is
        return
    else:  # a local run
        root.addHandler(text_handler())
    root.setLevel(app.config["LOG_LEVEL"])


def json_handler(stream=None) -> logging.Handler:
    """One JSON object a line (to stderr), with the request id; Chinese stays readable."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(
        "{asctime}{levelname}{name}{message}{request_id}", style="{", json_ensure_ascii=False,
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    handler.addFilter(RequestIdFilter())
    return handler


def hashed(openid: str) -> str:
    """A stable pseudonym for an openid: enough to follow one user's requests in the logs."""
    return hashlib.sha256(openid.encode()).hexdigest()[:12]


def text_handler(stream=None) -> logging.Handler:
    """A line a person reads: time, level, logger, request id, message."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s",
                                           "%H:%M:%S"))
    handler.addFilter(RequestIdFilter())
    return handler
