"""GET /metrics: the counters of every process, and queue and push gauges read at scrape time.

The gauges come from Redis and the database, so every web process reports the same shared figures.
Only for Prometheus: with METRICS_TOKEN set, a scrape needs `Authorization: Bearer <token>`;
without it, only scrapers on this machine or the private network, calling a web process directly
(not through a proxy), are answered.
"""
import hmac
import ipaddress
import logging
import os

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)
metrics = Blueprint("metrics", __name__)


@metrics.before_request
def scrapers_only():
    token = current_app.config["METRICS_TOKEN"]
    if token:
        scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), token.encode()):
            abort(401)
    elif not internal_caller():
        abort(403)


def internal_caller() -> bool:
    """A direct call from loopback or a private address; a proxied one came from outside."""
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return address.is_loopback or address.is_private


@metrics.get("/metrics")
def exposition():
    shared = CollectorRegistry(auto_describe=False)
    shared.register(SharedState())
    return Response(generate_latest(registry()) + generate_latest(shared),
                    mimetype=CONTENT_TYPE_LATEST)


def registry():
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        from prometheus_client import REGISTRY

        return REGISTRY
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)
    return combined




class SharedState:
    """Queue depth per RQ queue and job state, and recipients per state of each running push.

    A source that is down is left out (and logged) rather than failing the scrape.
    """

    def collect(self):
        for read in (queue_depth, push_progress):
            try:
                family = read()
            except Exception as error:
                log.warning("metrics: %s unavailable: %s", read.__name__, error)
                continue
            yield family


def queue_depth() -> GaugeMetricFamily:
    from flask import current_app

    family = GaugeMetricFamily("wufei_queue_jobs", "Background jobs by queue and state",
                               labels=["queue", "state"])
    for name, queue in current_app.extensions["queues"].items():
        family.add_metric([name, "queued"], queue.count)
        for state, jobs in (("started", queue.started_job_registry),
                            ("scheduled", queue.scheduled_job_registry),
                            ("failed", queue.failed_job_registry)):
            family.add_metric([name, state], jobs.count)
    return family


def push_progress() -> GaugeMetricFamily:
    """Only pushes still sending: finished ones are in the console, and labels stay few."""
    from sqlalchemy import func

    from models import Delivery, Push, db

    family = GaugeMetricFamily("wufei_push_recipients", "Recipients of pushes still sending, by state",
                               labels=["push", "state"])
    rows = db.session.execute(
        db.select(Delivery.push_id, Delivery.status, func.count())
        .join(Push, Push.id == Delivery.push_id).where(Push.status == "sending")
        .group_by(Delivery.push_id, Delivery.status)).all()
    for push_id, state, count in rows:
        family.add_metric([str(push_id), state], count)
    return family
