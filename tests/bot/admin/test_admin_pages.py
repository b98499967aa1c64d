"""What the console's pages do: teaching changes the bot's answer, the dashboard counts questions."""
from datetime import date, timedelta

from handlers.figures import dashboard
from infra.clock import day_start
from models import AuditEntry, InboundMessage, db
from tests.admin_support import CITY, DISTRICT_A, Console, add_staff


def test_teaching_in_the_console_changes_the_answer_at_once_and_undo_restores_it(app, client, wechat):
    # Asked as a sorting question: a bare unknown word is not read as the name of a thing.
    add_staff("city", "city_admin", CITY)
    assert "其他垃圾" not in wechat.ask("o-1", "xyzzy扔哪个桶")
    console = Console(client, "city")
    page = console.get("/admin/queries").text
    assert "xyzzy" in page
    console.post("/admin/queries/teach", {"query": "xyzzy", "item": "魔法石", "category": "residual"})
    assert "其他垃圾" in wechat.ask("o-2", "xyzzy扔哪个桶")
    page = console.get("/admin/queries").text
    assert "已教会" in page and "魔法石" in page
    console.post("/admin/queries/untaught", {"query": "xyzzy"})
    assert "其他垃圾" not in wechat.ask("o-3", "xyzzy扔哪个桶")
    logged = db.session.execute(db.select(AuditEntry.action, AuditEntry.target)).all()
    assert [("teach", "xyzzy"), ("untaught", "xyzzy")] == [r for r in logged if r[0] != "login"]


def test_teach_form_refuses_an_unknown_category(app, client):
    add_staff("city", "city_admin", CITY)
    response = Console(client, "city").post("/admin/queries/teach", {
        "query": "xyzzy", "item": "魔法石", "category": "purple"})
    assert response.status_code == 400 and "选择分类" in response.text


def test_dashboard_counts_todays_sorting_questions_and_charts_them(app, client, wechat):
    add_staff("city", "city_admin", CITY)
    for n, text in enumerate(["废电池扔哪", "废电池扔哪", "剩饭", "xyzzy扔哪个桶"]):
        wechat.ask(f"o-{n}", text)
    console = Console(client, "city")
    page = console.get("/admin/dashboard").text
    assert 'id="questions-today">4<' in page and 'id="questions-week">4<' in page
    assert "<svg" in page and "<rect" in page and "4 次" in page
    assert "废电池扔哪" in page and "xyzzy" in page


def test_days_are_counted_in_changchun_time(app):
    staff = add_staff("city", "city_admin", CITY)
    today = date(2026, 3, 10)
    midnight = day_start(today)
    assert midnight.hour == 16  # 00:00 in Changchun is 16:00 UTC the day before
    for key, minutes in [("k1", 30), ("k2", -30)]:
        db.session.add(InboundMessage(dedup_key=key, openid="o", kind="text", content="电池",
                                      answered_by="answer_question",
                                      received_at=midnight + timedelta(minutes=minutes)))
    db.session.commit()
    board = dashboard.build(staff, today)
    assert board.today == 1 and board.per_day[-2][1] == 1


def test_below_the_city_questions_of_unbound_residents_are_not_counted(app, client, wechat):
    add_staff("nanguan", "district_admin", DISTRICT_A)
    wechat.ask("o-1", "废电池扔哪")
    page = Console(client, "nanguan").get("/admin/dashboard").text
    assert 'id="questions-today">0<' in page
