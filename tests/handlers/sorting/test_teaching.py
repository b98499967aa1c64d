"""Staff teach the bot; the answer changes at once for every process, and survives migrations."""
import os
import sys

from bot.cli.core import migrate, teach, unrecognised, untaught
from models import TaughtItem, UnrecognisedQuery, db
from tests import ROOT, processes

QUERY = "xyzzy"


def test_taught_query_is_answered_and_leaves_the_unrecognised_list(app, wechat):
    assert "其他垃圾" not in wechat.ask("o-1", QUERY)
    runner = app.test_cli_runner()
    result = runner.invoke(teach, [QUERY, "魔法石", "residual", "--by", "staff-1"])
    assert result.exit_code == 0, result.output
    assert "其他垃圾" in wechat.ask("o-1", QUERY)
    assert db.session.execute(db.select(UnrecognisedQuery)).first() is None
    assert "removed" in runner.invoke(untaught, [QUERY]).output
    assert "其他垃圾" not in wechat.ask("o-1", QUERY)


def test_teaching_in_another_process_changes_this_process_at_once(pg_app):
    client = pg_app.test_client()
    assert client.get("/api/v1/sorting", query_string={"q": QUERY}).get_json()["answers"] == []
    env = {**os.environ,
           "DATABASE_URL": pg_app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": pg_app.config["REDIS_URL"], "SECRET_KEY": pg_app.config["SECRET_KEY"]}
    processes.run([sys.executable, "-m", "flask", "--app", "bot", "teach", QUERY, "魔法石",
                   "hazardous"], env=env, cwd=ROOT, check=True, capture_output=True, timeout=60)
    answers = client.get("/api/v1/sorting", query_string={"q": QUERY}).get_json()["answers"]
    assert [(a["item"], a["category"]) for a in answers] == [("魔法石", "hazardous")]


def test_taught_entries_survive_running_migrations_again(app):
    runner = app.test_cli_runner()
    runner.invoke(teach, [QUERY, "魔法石", "kitchen"], catch_exceptions=False)
    runner.invoke(migrate, catch_exceptions=False)
    assert db.session.execute(db.select(TaughtItem.item)).scalars().all() == ["魔法石"]


def test_unrecognised_command_lists_most_frequent_first(app, client):
    for q in ["xyzzy", "plugh", "plugh"]:
        client.get("/api/v1/sorting", query_string={"q": q})
    lines = app.test_cli_runner().invoke(unrecognised).output.splitlines()
    assert [line.split()[1] for line in lines] == ["plugh", "xyzzy"]
