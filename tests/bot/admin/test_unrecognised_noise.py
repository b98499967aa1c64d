"""City staff dismiss noise from the unrecognised lists: hidden by default, one or many at a time,
audited, restorable, and nothing is taught or untaught by it."""
from models import AuditEntry, UnrecognisedQuery, db
from tests.admin_support import CITY, Console, add_staff

NOISE = ["啊啊啊啊啊", "asdfgh", "哈哈哈哈"]  # what people type that no one should teach
REAL = "那个啥玩意儿嘎哈使的"


def listed(page: str, heading: str) -> str:
    """The table under one heading of the queries page."""
    return page.split(heading, 1)[1].split("</table>", 1)[0]


def query_id(sample_word: str) -> int:
    return db.session.execute(db.select(UnrecognisedQuery.id).where(
        UnrecognisedQuery.sample.contains(sample_word))).scalar_one()


def test_messages_dismissed_as_noise_leave_the_list_and_come_back_on_request(app, client, wechat):
    add_staff("city", "city_admin", CITY)
    for n, said in enumerate([*NOISE, REAL]):
        wechat.ask(f"o-{n}", said)
    console = Console(client, "city")
    page = console.get("/admin/queries").text
    assert all(said in listed(page, "没听懂的消息") for said in [*NOISE, REAL])

    # one by its own button, two ticked and dismissed together
    assert console.post("/admin/queries/noise", {"list": "message", "entry": NOISE[0]}).status_code == 302
    assert console.post("/admin/queries/noise", {"list": "message", "entry": NOISE[1:]}).status_code == 302
    page = console.get("/admin/queries").text
    messages = listed(page, "没听懂的消息")
    assert REAL in messages and not any(said in messages for said in NOISE)
    assert "消息 3 条" in page  # the filter to see them says how many
    shown = listed(console.get("/admin/queries?noise=1").text, "没听懂的消息")
    assert all(said in shown for said in NOISE) and REAL not in shown

    audited = db.session.execute(db.select(AuditEntry.action, AuditEntry.target)
                                 .where(AuditEntry.action == "dismiss_noise")).all()
    assert audited == [("dismiss_noise", NOISE[0]), ("dismiss_noise", "、".join(NOISE[1:]))]
    assert "标为无关" in console.get("/admin/audit?action=dismiss_noise").text

    # the chat reads them as before, they are still counted, and teaching one still works
    wechat.ask("o-9", NOISE[0])
    assert NOISE[0] in listed(console.get("/admin/queries?noise=1").text, "没听懂的消息")
    assert console.post("/admin/queries/phrasings", {"text": NOISE[2], "intent": "help"}).status_code == 302
    assert "使用说明" in wechat.ask("o-10", NOISE[2])

    console.post("/admin/queries/noise", {"list": "message", "entry": NOISE[0], "action": "restore"})
    assert NOISE[0] in listed(console.get("/admin/queries").text, "没听懂的消息")
    assert db.session.execute(db.select(AuditEntry.target).filter_by(action="restore_noise")).scalar_one() == NOISE[0]


def test_unrecognised_questions_dismissed_as_noise_leave_the_list_and_the_dashboard(app, client, wechat):
    add_staff("city", "city_admin", CITY)
    for n, said in enumerate(["xyzzy扔哪个桶", "qwrtp扔哪个桶", "blorf扔哪个桶"]):
        wechat.ask(f"o-{n}", said)
    console = Console(client, "city")
    assert all(word in listed(console.get("/admin/queries").text, "未识别的问题</h1>")
               for word in ("xyzzy", "qwrtp", "blorf"))
    ids = [query_id("xyzzy"), query_id("qwrtp")]
    assert console.post("/admin/queries/noise", {"list": "query", "entry": [str(i) for i in ids]}).status_code == 302
    page = console.get("/admin/queries").text
    questions = listed(page, "未识别的问题</h1>")
    assert "blorf" in questions and "xyzzy" not in questions and "qwrtp" not in questions
    dashboard = listed(console.get("/admin/dashboard").text, "<h2>未识别的问题</h2>")
    assert "blorf" in dashboard and "xyzzy" not in dashboard
    # still counted while hidden, and teaching the word works as before
    wechat.ask("o-7", "xyzzy扔哪个桶")
    assert db.session.get(UnrecognisedQuery, ids[0]).count == 2
    console.post("/admin/queries/teach", {"query": "xyzzy", "item": "魔法石", "category": "residual"})
    assert "其他垃圾" in wechat.ask("o-8", "xyzzy扔哪个桶")
    shown = listed(console.get("/admin/queries?noise=1").text, "未识别的问题</h1>")
    assert "qwrtp" in shown and 'name="action" value="restore"' in shown


def test_only_staff_who_teach_dismiss_noise(app, client, wechat):
    from tests.admin_support import DISTRICT_A

    add_staff("nanguan", "district_admin", DISTRICT_A)
    wechat.ask("o-1", NOISE[0])
    response = Console(client, "nanguan").post("/admin/queries/noise", {"list": "message", "entry": NOISE[0]})
    assert response.status_code in (403, 404)
    assert not db.session.execute(db.select(AuditEntry).filter_by(action="dismiss_noise")).first()
