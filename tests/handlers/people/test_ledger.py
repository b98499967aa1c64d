"""The message log written behind the answer (LEDGER_DRAIN=separate, as in production): nothing
lost, nothing doubled, and nothing a resident had deleted brought back by a late batch."""
import pytest
from sqlalchemy import event, select

from bot.webhook import simulate
from handlers.people import ledger, windows
from models import InboundMessage, Resident, db


@pytest.fixture
def behind(app):
    app.config["LEDGER_DRAIN"] = "separate"
    return app


def logged(openid: str) -> list[InboundMessage]:
    db.session.expire_all()
    return list(db.session.execute(select(InboundMessage).filter_by(openid=openid)
                                   .order_by(InboundMessage.id)).scalars())


def resident(openid: str) -> Resident | None:
    return db.session.execute(select(Resident).filter_by(openid=openid)).scalar_one_or_none()


def test_a_question_is_answered_first_and_logged_once_when_the_ledger_drains(behind, wechat):
    xml = simulate.text_xml("o-ledger", "废电池扔哪", msg_id=5001)
    first = wechat.reply(xml)
    assert "有害垃圾" in first and wechat.reply(xml) == first  # WeChat's retry: the same answer
    assert logged("o-ledger") == [] and ledger.waiting() == 1

    assert ledger.drain("test") == 1
    [row] = logged("o-ledger")
    assert (row.content, row.reply, row.answered_by) == ("废电池扔哪", first, "answer_question")
    assert windows.allows(resident("o-ledger")) == 5  # the message opened the 48-h window
    assert ledger.waiting() == 0


def test_a_question_costs_one_redis_round_trip_before_and_one_after_and_no_sql(behind, wechat,
                                                                                 monkeypatch):
    from redis.connection import Connection

    wechat.ask("o-warm", "塑料瓶")  # the first question of a process loads what it needs
    trips, statements = [], []
    sent = Connection.send_packed_command
    monkeypatch.setattr(Connection, "send_packed_command",
                        lambda self, *a, **k: trips.append(1) or sent(self, *a, **k))
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert "可回收物" in wechat.ask("o-counted", "旧报纸扔哪")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    if behind.config["REDIS_URL"]:  # the embedded default's state has no connection to count
        assert len(trips) == 2
    assert statements == []


def test_a_drainer_killed_mid_batch_loses_nothing_and_doubles_nothing(behind, wechat, monkeypatch):
    for n in range(6):
        wechat.ask(f"o-kill-{n % 2}", "塑料瓶", msg_id=6000 + n)
    store = behind.extensions["state"]
    ledger.ensure_group(store)
    # One drainer read three records and died before writing them; another read three, wrote
    # them and died before acknowledging.
    store.xreadgroup(ledger.GROUP, "died-reading", {ledger.STREAM: ">"}, count=3)
    [(_, unacknowledged)] = store.xreadgroup(ledger.GROUP, "died-acking", {ledger.STREAM: ">"}, count=3)
    ledger.write([ledger.Record(**fields) for _, fields in unacknowledged])

    monkeypatch.setattr(ledger, "CLAIM_IDLE_MS", 0)  # instead of waiting for them to look dead
    assert ledger.drain("survivor", reclaim=True) == 6
    rows = logged("o-kill-0") + logged("o-kill-1")
    assert len(rows) == 6 and len({row.dedup_key for row in rows}) == 6
    assert ledger.waiting() == 0 and store.xpending(ledger.STREAM, ledger.GROUP)["pending"] == 0


def test_forgetting_wins_over_a_batch_still_waiting(behind, wechat):
    wechat.ask("o-gone", "旧报纸", msg_id=7001)  # still in the stream
    wechat.ask("o-gone", "删除我的信息", msg_id=7002)
    assert resident("o-gone") is None
    wechat.ask("o-gone", "塑料瓶", msg_id=7003)  # afterwards: a new contact, kept

    ledger.drain("test")
    assert [row.content for row in logged("o-gone")] == ["塑料瓶"]
    assert resident("o-gone") is not None
    request = db.session.execute(select(InboundMessage).filter_by(answered_by="forget_me")).scalar()
    assert (request.openid, request.content) == (None, None)  # the request itself is logged unsigned


def test_a_retry_after_shared_state_lost_its_claim_is_answered_from_the_log(behind, wechat,
                                                                             monkeypatch):
    import time

    from handlers import inbox

    xml = simulate.text_xml("o-failover", "旧报纸", msg_id=7101)
    first = wechat.reply(xml)
    ledger.drain("test")
    for key in behind.extensions["state"].scan_iter("wx:*"):  # a Redis failover lost them
        behind.extensions["state"].delete(key)
    monkeypatch.setattr(inbox, "now", lambda: time.time() + 5)  # WeChat's retry comes 5 s on
    assert wechat.reply(xml) == first
    ledger.drain("test")
    assert len(logged("o-failover")) == 1


def test_a_drainer_that_keeps_up_gathers_a_trickle_into_one_batch(behind):
    """Messages arriving one by one are written many to a transaction, not one each: after a
    batch the drainer waits a moment (GATHER_SECONDS) before reading the next."""
    import threading
    import time

    from infra import state

    store = state.store()

    def record(n: int) -> ledger.Record:
        return ledger.Record(dedup_key=f"trickle-{n}", openid=f"o-trickle-{n}", kind="text", content="塑料瓶",
                             answered_by="answer_question", reply="可回收物", received_at="2026-12-01T08:00:00")

    def trickle() -> None:  # ten messages, 5 ms apart: well inside the pause
        for n in range(1, 11):
            store.xadd(ledger.STREAM, record(n).fields())
            time.sleep(0.005)

    store.xadd(ledger.STREAM, record(0).fields())
    batches = []

    def done(written: int) -> bool:
        batches.append(written)
        if len(batches) == 1:
            threading.Thread(target=trickle).start()
        return sum(batches) == 11

    ledger.drain_until(done)
    assert batches == [1, 10]
    assert len(db.session.execute(select(InboundMessage)).scalars().all()) == 11


def test_what_residents_type_is_logged_exactly_as_typed(behind, wechat):
    """A batch reaches the database as one statement on PostgreSQL (models/upserts.insert_rows):
    quotes, backslashes, line breaks and emoji come out as they went in."""
    typed = ['"旧报纸"\\纸箱', "旧报纸\n还有纸箱", "塑料瓶🥤扔哪", '{"rows": [1]}', "废电池'; --"]
    answers = [wechat.ask("o-typed", text, msg_id=7200 + n) for n, text in enumerate(typed)]
    assert ledger.drain("test") == len(typed)  # all answered without the database
    rows = logged("o-typed")
    assert [(row.content, row.reply) for row in rows] == list(zip(typed, answers))
    assert windows.allows(resident("o-typed")) == 5
