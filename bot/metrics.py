"""Prometheus metrics. Under gunicorn set PROMETHEUS_MULTIPROC_DIR so all workers are counted."""
import os

from flask import Blueprint, Response
from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram,
                               generate_latest, multiprocess)

MESSAGES = Counter("wufei_messages_total", "WeChat messages and events received", ["kind"])
ANSWER_SECONDS = Histogram(
    "wufei_answer_seconds", "Time to answer a webhook message",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 5))
SORTING_MENTIONS = Counter(
    "wufei_sorting_mentions_total", "Items asked about, by how well they were recognised",
    ["outcome"])  # recognised | guess | unrecognised
WECHAT_API_CALLS = Counter(
    "wufei_wechat_api_calls_total", "Calls to the WeChat API, by endpoint and errcode",
    ["endpoint", "errcode"])
PUSH_OUTCOMES = Counter(
    "wufei_push_deliveries_total", "Push recipients whose outcome was recorded, by outcome",
    ["status"])  # sent | failed | unconfirmed

metrics = Blueprint("metrics", __name__)


@metrics.get("/metrics")
def exposition():
    return Response(generate_latest(registry()), mimetype=CONTENT_TYPE_LATEST)


def registry():
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        from prometheus_client import REGISTRY

        return REGISTRY
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)
    return combined


def count_sorting(result) -> None:
    for answer in result.answers:
        SORTING_MENTIONS.labels("guess" if answer.guess else "recognised").inc()
    if result.unrecognised:
        SORTING_MENTIONS.labels("unrecognised").inc(len(result.unrecognised))
