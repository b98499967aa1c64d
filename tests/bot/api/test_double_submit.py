"""The same state-changing call twice at once (a double tap, a retrying network): one record, and
the second answer is the same result or a clear refusal in the API's error shape, never a 500.

Served on PostgreSQL and Redis in a thread pool, as production runs: the two calls really race.
"""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from werkzeug.serving import make_server

from models import Cell, Consent, Family, KnowledgeAnswer, MessageOptIn, Volunteer, db
from tests.admin_support import STREET_A, seed_regions
from tests.conftest import postgres_config, running_app

ROUNDS = 4  # new users each round: a race lost once in a while still shows
TWICE = 2


@pytest.fixture
def served(postgres_url, fake_wechat):
    config = {**postgres_config(postgres_url), "RATELIMIT_API": "100000/minute"}
    with running_app(config, fake_wechat) as app:
        seed_regions()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}/api/v1"
        server.shutdown()
        thread.join()


_users = iter(range(1, 10_000))


def login(base: str) -> str:
    response = requests.post(f"{base}/login", json={"code": f"double-{next(_users)}"}, timeout=30)
    return response.json()["token"]


def at_once(base: str, token: str, method: str, path: str, body: dict) -> list[requests.Response]:
    """`TWICE` identical calls released together."""
    start = threading.Barrier(TWICE)

    def one(_):
        start.wait()
        return requests.request(method, f"{base}{path}", json=body, timeout=60,
                                headers={"Authorization": f"Bearer {token}"})

    with ThreadPoolExecutor(TWICE) as pool:
        return list(pool.map(one, range(TWICE)))


def assert_one_success_and_clear_answers(responses, success: int):
    statuses = sorted(r.status_code for r in responses)
    assert all(status < 500 for status in statuses), [r.text for r in responses]
    assert success in statuses, [r.text for r in responses]
    for response in responses:
        if response.status_code >= 400:
            error = response.json()["error"]
            assert error["code"] and error["message"], response.text


def count(model, **where) -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count()).select_from(model).filter_by(**where))


def resident_id(token: str) -> int:
    from bot.api.login import serializer

    return serializer().loads(token)["rid"]


VOLUNTEER = {"name": "刘一", "phone": "13812345678", "region_code": STREET_A,
             "skills": ["publicity"], "availability": ["weekend"], "consent": True}
CELL = {"unit_name": "南岭小学", "type": "school", "region_code": STREET_A, "contact_name": "王老师",
        "contact_phone": "13800000001", "commitment": True}
FAMILY = {"guardian_name": "王芳", "phone": "13912345678", "consent": True}


# (what, method, path, body, the success status, the table and how many rows one user has)
CALLS = [
    ("volunteer registration", "POST", "/volunteers", VOLUNTEER, 201, Volunteer),
    ("family", "PUT", "/family", FAMILY, 200, Family),
    ("consent", "POST", "/me/consents", {"purpose": "area"}, 201, Consent),
    ("template notices", "POST", "/me/notices", {"kind": "template"}, 201, MessageOptIn),
]


@pytest.mark.parametrize("what, method, path, body, success, model", CALLS, ids=[c[0] for c in CALLS])
def test_a_double_submit_keeps_one_record(served, what, method, path, body, success, model):
    for _ in range(ROUNDS):
        token = login(served)
        assert_one_success_and_clear_answers(at_once(served, token, method, path, body), success)
        assert count(model, resident_id=resident_id(token)) == 1, what


def test_a_double_submitted_cell_application_is_one_cell(served):
    for round_ in range(ROUNDS):
        token = login(served)
        body = {**CELL, "unit_name": f"南岭小学{round_}"}
        assert_one_success_and_clear_answers(at_once(served, token, "POST", "/cells", body), 201)
        assert count(Cell, unit_name=body["unit_name"]) == 1


def test_a_double_submitted_quiz_answer_is_one_answer(served):
    for _ in range(ROUNDS):
        token = login(served)
        attempt = requests.post(f"{served}/quiz", json={"count": 3}, timeout=30,
                                headers={"Authorization": f"Bearer {token}"}).json()["id"]
        responses = at_once(served, token, "POST", f"/quiz/{attempt}/answers", {"position": 0, "choice": 1})
        assert_one_success_and_clear_answers(responses, 200)
        assert count(KnowledgeAnswer, attempt_id=attempt) == 1
        answered = [r.json() for r in responses if r.status_code == 200]
        assert len({(a["chosen"], a["correct"]) for a in answered}) == 1  # the first answer stands
