"""One error style for the mini-program: JSON, a stable code, a Chinese message a screen can show."""
import re

import pytest

from bot import create_app

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def client():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test", "WARM_UP": False})
    return app.test_client()


@pytest.mark.parametrize("method, path, status, code", [
    ("get", "/api/v1/no-such-thing", 404, "not_found"),
    ("delete", "/api/v1/regions", 405, "method_not_allowed"),
    ("put", "/api/v1/sorting", 405, "method_not_allowed"),
])
def test_routing_errors_answer_in_chinese_json(client, method, path, status, code):
    response = getattr(client, method)(path)
    assert response.status_code == status
    error = response.json["error"]
    assert error["code"] == code and CHINESE.search(error["message"])


def test_a_wrong_method_says_which_are_allowed(client):
    assert "GET" in client.delete("/api/v1/regions").headers["Allow"]


def test_a_body_over_the_limit_is_a_chinese_413(client):
    client.application.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/api/v1/login", data=b"x" * 4096, content_type="application/json")
    finally:
        client.application.config["MAX_CONTENT_LENGTH"] = None
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    assert CHINESE.search(response.json["error"]["message"])
