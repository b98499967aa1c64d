"""Many families enrolling in the same second, through a served app on PostgreSQL and Redis."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from werkzeug.serving import make_server

from models import Enrolment, db
from tests.activity_support import (
    add_activity,
    add_family,
    add_school,
    bearer,
    child_ids,
)
from tests.conftest import postgres_config, running_app


@pytest.fixture
def served_pg_app(postgres_url, fake_wechat):
    config = {**postgres_config(postgres_url), "RATELIMIT_API": "100000/minute",
              "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "max_overflow": 10}}
    with running_app(config, fake_wechat) as app:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield app, f"http://127.0.0.1:{server.server_port}/api/v1"
        server.shutdown()


def storm(base: str, activity_id: int, calls: list[tuple[list[int], str]]) -> list[requests.Response]:
    start = threading.Barrier(len(calls))

    def one(call):
        ids, token = call
        start.wait()
        return requests.post(f"{base}/activities/{activity_id}/enrolment", headers=bearer(token),
                             json={"child_ids": ids, "adults": 1}, timeout=60)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(one, calls))


def test_200_concurrent_enrolments_fill_50_places_and_queue_the_rest_in_order(served_pg_app):
    app, base = served_pg_app
    school = add_school()
    activity = add_activity(school, families=50, people=1000)
    families = [add_family(school) for _ in range(200)]
    calls = [(child_ids(f), token) for f, token in families]
    calls += calls[:20]  # twenty families press the button twice
    responses = storm(base, activity.id, calls)

    assert sorted(r.status_code for r in responses) == [201] * 200 + [409] * 20
    db.session.expire_all()
    rows = db.session.execute(db.select(Enrolment).filter_by(activity_id=activity.id)
                              .order_by(Enrolment.seq)).scalars().all()
    assert len(rows) == 200 and len({r.family_id for r in rows}) == 200
    assert [r.seq for r in rows] == list(range(1, 201))
    # First come, first served: the 50 places went to the 50 earliest, the rest wait behind them.
    assert [r.status for r in rows] == ["enrolled"] * 50 + ["waitlisted"] * 150
    positions = sorted(r.json()["position"] for r in responses if r.status_code == 201
                       and r.json()["status"] == "waitlisted")
    assert positions == list(range(1, 151))
    db.session.refresh(activity)
    assert (activity.enrolled_families, activity.enrolled_people) == (50, 100)

    # Ten of the enrolled cancel at once: the ten first in the queue move up, in order.
    by_family = {f.id: token for f, token in families}
    cancelling = [by_family[r.family_id] for r in rows[:10]]
    with ThreadPoolExecutor(10) as pool:
        done = list(pool.map(lambda t: requests.delete(f"{base}/activities/{activity.id}/enrolment",
                                                       headers=bearer(t), timeout=60), cancelling))
    assert [r.status_code for r in done] == [200] * 10
    db.session.expire_all()
    statuses = [r.status for r in db.session.execute(db.select(Enrolment).filter_by(
        activity_id=activity.id).order_by(Enrolment.seq)).scalars()]
    assert statuses == ["cancelled"] * 10 + ["enrolled"] * 50 + ["waitlisted"] * 140
