"""Liveness and readiness for the load balancer and the orchestrator."""
import redis
from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from infra import state
from models import db

health = Blueprint("health", __name__)


@health.get("/healthz")
def alive():
    """The process serves requests; says nothing of its dependencies."""
    return jsonify(status="ok")


@health.get("/readyz")
def ready():
    """Ready for traffic only when the database and Redis answer."""
    checks = {"database": database_ok(), "state": state_ok()}
    ready = all(checks.values())
    return jsonify(status="ok" if ready else "unavailable",
                   checks={name: "ok" if ok else "down" for name, ok in checks.items()}
                   ), 200 if ready else 503


def database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False


def state_ok() -> bool:
    try:
        return bool(state.store().ping())
    except redis.RedisError:
        return False
