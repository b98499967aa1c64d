"""GET /api/v1/sorting, as the mini-program and our evaluations use it."""
import pytest

from models import UnrecognisedQuery, db


def test_answers_each_item_in_the_order_mentioned(client):
    response = client.get("/api/v1/sorting", query_string={"q": "电池和剩饭分别扔哪"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["query"] == "电池和剩饭分别扔哪"
    assert [a["mention"] for a in body["answers"]] == ["电池", "剩饭"]
    assert body["answers"][1]["category"] == "kitchen"
    assert body["answers"][1]["label"] == "厨余垃圾"
    for answer in body["answers"]:
        assert 0 <= answer["confidence"] <= 1 and answer["tip"]
    assert body["unrecognised"] == []


def test_phrased_question_finds_the_item(client):
    body = client.get("/api/v1/sorting", query_string={"q": "请问用过的纸巾是什么垃圾？"}).get_json()
    assert [a["category"] for a in body["answers"]] == ["residual"]


def test_not_household_waste_names_a_channel_not_a_bin(client):
    body = client.get("/api/v1/sorting", query_string={"q": "旧冰箱"}).get_json()
    answer = body["answers"][0]
    assert answer["category"] == "special" and answer["bin_colour"] == ""
    assert answer["note"] or answer["tip"]


@pytest.mark.parametrize("q, code", [("", "empty_query"), ("   ", "empty_query"),
                                     ("纸" * 201, "query_too_long")])
def test_empty_or_overlong_query_is_a_json_400(client, q, code):
    response = client.get("/api/v1/sorting", query_string={"q": q})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_unrecognised_queries_are_counted_for_staff(client):
    for _ in range(2):
        client.get("/api/v1/sorting", query_string={"q": "xyzzy"})
    rows = db.session.execute(db.select(UnrecognisedQuery)).scalars().all()
    assert [(row.sample, row.count) for row in rows] == [("xyzzy", 2)]


def test_an_item_whose_bin_depends_on_its_kind_says_so_in_its_label(client):
    """电池 alone is not simply 有害垃圾: a screen showing the label must not send AA batteries to red."""
    answer = client.get("/api/v1/sorting", query_string={"q": "电池"}).get_json()["answers"][0]
    assert answer["depends"] is True and answer["category"] == "depends" and answer["bin_colour"] == ""
    assert answer["label"] == "有害垃圾或其他垃圾（看电池种类）"
    assert answer["categories"] == ["hazardous", "residual"] and "干电池" in answer["note"]
    settled = client.get("/api/v1/sorting", query_string={"q": "碱性电池"}).get_json()["answers"][0]
    assert settled["depends"] is False and settled["category"] == "residual" and settled["label"] == "其他垃圾"
    assert settled["categories"] == ["residual"] and settled["kinds"] == []


def test_the_kinds_of_an_item_come_as_options_a_screen_can_show(client):
    answer = client.get("/api/v1/sorting", query_string={"q": "电池"}).get_json()["answers"][0]
    assert answer["kinds"] == [
        {"category": "hazardous", "label": "有害垃圾", "bin_colour": "红色", "when": "充电电池、纽扣电池、蓄电池"},
        {"category": "residual", "label": "其他垃圾", "bin_colour": "灰色", "when": "普通干电池（无汞碱性）"}]


def test_every_item_that_depends_on_its_kind_says_when_for_each_bin():
    from content.sorting import load_knowledge

    for key, note in load_knowledge().notes.items():
        bins = {note["category"], *note.get("by_words", {})}
        assert set(note["when"]) == bins, key
        for when in note["when"].values():
            assert when in note["text"], (key, when)  # the screen's options say what the chat says


@pytest.mark.parametrize("q", ["谢谢", "你好", "谢谢你", "我想当志愿者"])
def test_a_question_without_an_item_says_what_to_do(client, q):
    """No bin guessed for the words of a thank-you or a request (谢谢你 is not 你 → 专项回收)."""
    body = client.get("/api/v1/sorting", query_string={"q": q}).get_json()
    assert body["answers"] == [] and "物品名称" in body["message"] and body["kind"] == "no_item"


def test_an_item_beside_a_request_and_an_unknown_word_are_still_answered(client):
    beside = client.get("/api/v1/sorting", query_string={"q": "我想当志愿者，顺便问下电池扔哪"}).get_json()
    assert [a["item"] for a in beside["answers"]] == ["电池"]
    guess = client.get("/api/v1/sorting", query_string={"q": "冻梨"}).get_json()["answers"]
    assert guess and guess[0]["guess"] is True


def test_unrecognised_items_and_full_answers_have_their_message(client):
    unknown = client.get("/api/v1/sorting", query_string={"q": "xyzzy"}).get_json()
    assert "xyzzy" in unknown["message"] and unknown["kind"] == "unrecognised"
    known = client.get("/api/v1/sorting", query_string={"q": "剩饭"}).get_json()
    assert known["message"] == "" and known["kind"] == "items"


def test_a_sorting_question_costs_one_redis_round_trip_and_no_sql(app, client, monkeypatch):
    from redis.connection import Connection
    from sqlalchemy import event

    client.get("/api/v1/sorting", query_string={"q": "塑料瓶"})  # the first loads what it needs
    trips, statements = [], []
    sent = Connection.send_packed_command
    monkeypatch.setattr(Connection, "send_packed_command",
                        lambda self, *a, **k: trips.append(1) or sent(self, *a, **k))
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        body = client.get("/api/v1/sorting", query_string={"q": "旧报纸"}).get_json()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert body["answers"][0]["label"] == "可回收物"
    if app.config["REDIS_URL"]:  # the embedded default's state has no connection to count
        assert len(trips) == 1
    assert statements == []


@pytest.mark.parametrize("q", ["电池和剩饭分别扔哪", "xyzzy", "纸" * 201])
def test_unchecked_answers_are_the_checked_ones(app, client, q):
    """API_CHECK_RESPONSES=0 (the Procfile's web process) skips only the check: the same
    status, headers that matter and body, success or error."""
    checked = client.get("/api/v1/sorting", query_string={"q": q})
    app.config["API_CHECK_RESPONSES"] = False
    unchecked = client.get("/api/v1/sorting", query_string={"q": q})
    assert (unchecked.status_code, unchecked.mimetype) == (checked.status_code, checked.mimetype)
    assert unchecked.get_json() == checked.get_json()
