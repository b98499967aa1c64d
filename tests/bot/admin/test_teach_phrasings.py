"""Staff see what the chat did not understand, and teach it what a message means, live."""
from models import AuditEntry, db
from tests.admin_support import CITY, Console, add_staff

SAID = "那个啥玩意儿嘎哈使的"


def test_a_message_not_understood_is_listed_and_taught_at_once(app, client, wechat):
    add_staff("city", "city_admin", CITY)
    before = wechat.ask("o-1", SAID)
    assert "使用说明" not in before and "色桶" not in before  # not understood, and no bin guess
    console = Console(client, "city")
    page = console.get("/admin/queries").text
    assert "没听懂的消息" in page and SAID in page and "没听懂" in page
    assert "<h2>" not in page.split("<title>")[1].split("</title>")[0]  # the page's title is a title

    response = console.post("/admin/queries/phrasings", {"text": SAID, "intent": "help"})
    assert response.status_code == 302
    assert "使用说明" in wechat.ask("o-2", SAID)  # every resident, at once
    assert SAID in console.get("/admin/queries").text.split("已教会的说法")[1]

    console.post("/admin/queries/phrasings/untaught", {"text": SAID})
    assert "使用说明" not in wechat.ask("o-3", SAID)
    actions = [row.action for row in db.session.execute(db.select(AuditEntry)).scalars()]
    assert "teach_phrasing" in actions and "untaught_phrasing" in actions


def test_a_phrasing_needs_a_known_intent(app, client):
    add_staff("city", "city_admin", CITY)
    response = Console(client, "city").post("/admin/queries/phrasings", {"text": SAID, "intent": "sorting"})
    assert response.status_code == 400 and "选择它的意思" in response.text
