"""Input no client should send, answered as a refusal (4xx), never as a server error."""
import re

import pytest

from tests.admin_support import CITY, Console, add_staff

HUGE_IDS = [2**31, 2**63, 10**30]


def id_rules(app, prefix: str):
    """(rule, methods) of every route under `prefix` that takes an integer id."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix) and "<int:" in rule.rule:
            yield rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"})


def with_id(rule: str, number: int) -> str:
    return re.sub(r"<int:[a-z_]+>", str(number), rule)


@pytest.mark.parametrize("number", HUGE_IDS)
def test_ids_beyond_the_databases_integers_are_not_found(app, client, mini_program, number):
    token = mini_program.login("resident-huge")
    console = Console(client, add_staff("city", "city_admin", CITY).username)
    csrf = console.token("/admin/dashboard")
    checked = 0
    for rule, methods in id_rules(app, "/api/v1/"):
        for method in methods:
            response = mini_program.call(method, with_id(rule, number)[len("/api/v1"):], token, json={})
            assert response.status_code == 404, (method, rule, response.status_code)
            checked += 1
    for rule, methods in id_rules(app, "/admin/"):
        for method in methods:
            response = client.open(with_id(rule, number), method=method, data={"csrf_token": csrf})
            assert response.status_code == 404, (method, rule, response.status_code)
            checked += 1
    assert checked > 40
