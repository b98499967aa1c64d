"""Prometheus counters, kept by the processes that count.

Under gunicorn set PROMETHEUS_MULTIPROC_DIR so all workers are counted; /metrics (bot/site)
exposes them with the gauges read from shared state at scrape time.
"""
from prometheus_client import Counter, Histogram

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
WECHAT_UNKNOWN_ERRORS = Counter(
    "wufei_wechat_unknown_errcodes_total", "WeChat errcodes missing from our table (treated as permanent)",
    ["errcode"])


def count_sorting(result) -> None:
    for answer in result.answers:
        SORTING_MENTIONS.labels("guess" if answer.guess else "recognised").inc()
    if result.unrecognised:
        SORTING_MENTIONS.labels("unrecognised").inc(len(result.unrecognised))
