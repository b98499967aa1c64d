"""Following through a campaign QR code is welcomed and its scene recorded; the custom menu is
data in content/menu.toml, checked and published by a command."""
from bot.cli.core import publish_menu
from bot.webhook import simulate
from content import menu as menu_data
from content.texts import text
from models import Resident, db


def resident(openid: str) -> Resident | None:
    db.session.expire_all()
    return db.session.execute(db.select(Resident).filter_by(openid=openid)).scalar()


def test_a_follow_through_a_campaign_qr_code_is_welcomed_and_its_scene_recorded(app, wechat):
    follow = simulate.message_xml("o-poster", "event", {"Event": "subscribe", "EventKey": "qrscene_street-220102001",
                                                        "Ticket": "gQH47joAAAAAAAAAASxodHRwOi8v"})
    assert wechat.reply(follow) == text("welcome")
    found = resident("o-poster")
    assert (found.follow_scene, found.window_kind, found.subscribed) == ("street-220102001", "interaction", True)
    # A follower scanning another code: welcomed again, the newer scene kept.
    scan = simulate.message_xml("o-poster", "event", {"Event": "SCAN", "EventKey": "activity-7",
                                                      "Ticket": "gQH47joAAAAAAAAAASxodHRwOi8v"})
    assert wechat.reply(scan) == text("welcome")
    assert resident("o-poster").follow_scene == "activity-7"
    # A plain follow records no scene.
    wechat.reply(simulate.event_xml("o-plain", "subscribe"))
    assert resident("o-plain").follow_scene is None


def test_the_menu_is_published_by_a_command_and_every_click_is_answered(app, wechat, fake_wechat):
    dry = app.test_cli_runner().invoke(publish_menu, ["--dry-run"])
    assert dry.exit_code == 0 and "checked, not published" in dry.output
    assert fake_wechat.calls("/cgi-bin/menu/create") == []
    published = app.test_cli_runner().invoke(publish_menu)
    assert published.exit_code == 0, published.output
    [call] = fake_wechat.calls("/cgi-bin/menu/create")
    assert call["errcode"] == 0
    from infra.wechat.send import Sender

    shown = Sender().menu()
    assert [b["name"] for b in shown["button"]] == ["垃圾分类", "无废城市", "参与活动"]
    assert shown["button"][2]["appid"] == app.config["WECHAT_MINIAPP_ID"]
    for key in menu_data.click_keys(shown):
        assert wechat.reply(simulate.event_xml("o-menu", "CLICK", key)), key


def test_a_menu_wechat_would_refuse_is_not_published(app):
    too_long = {"button": [{"type": "click", "name": "垃圾分类指南大全", "key": "SORTING_GUIDE"}]}
    assert menu_data.problems(too_long) == ["name '垃圾分类指南大全': 1 to 16 bytes"]
    four = {"button": [{"type": "click", "name": "a", "key": "k"}] * 4}
    assert menu_data.problems(four) == ["4 buttons: 1 to 3 allowed"]
    assert menu_data.problems(menu_data.menu("wxmini")) == []


def test_a_poster_code_naming_a_street_offers_to_bind_it_with_consent(region_tree, wechat):
    follow = simulate.message_xml("o-street-poster", "event", {
        "Event": "subscribe", "EventKey": "qrscene_area-220104004", "Ticket": "gQH47joAAAAAAAAAASxodHRwOi8v"})
    offered = wechat.reply(follow)
    assert offered.startswith(text("welcome")) and "朝阳区永昌街道" in offered
    assert resident("o-street-poster").region_code is None  # nothing bound without consent
    wechat.ask("o-street-poster", "同意")
    assert "已" in wechat.ask("o-street-poster", "0")  # "0" keeps the street the code named
    assert resident("o-street-poster").region_code == "220104004"
    assert "朝阳区永昌街道" in wechat.ask("o-street-poster", "我的小区")


def test_follows_are_counted_under_their_qr_code_on_the_dashboard(app, client, wechat):
    from tests.admin_support import CITY, Console, add_staff

    for n, scene in enumerate(["campaign-2026", "campaign-2026", "school-3"]):
        wechat.reply(simulate.message_xml(f"o-fan-{n}", "event", {
            "Event": "subscribe", "EventKey": f"qrscene_{scene}", "Ticket": "t"}))
    wechat.reply(simulate.event_xml("o-plain-fan", "subscribe"))
    add_staff("city", "city_admin", CITY)
    page = Console(client, "city").get("/admin/dashboard").get_data(as_text=True)
    assert "通过二维码关注或扫码的居民" in page
    assert "<td>campaign-2026</td><td class=\"num\">2</td>" in page
    assert "<td>school-3</td><td class=\"num\">1</td>" in page


def test_staff_make_permanent_qr_codes_for_their_area_and_download_them(app, client, wechat, fake_wechat):
    from tests.admin_support import CITY, STREET_A, STREET_B, Console, add_staff

    add_staff("nanling", "street_admin", STREET_A)
    console = Console(client, "nanling")
    assert console.get("/admin/qrcodes").status_code == 200
    console.post("/admin/qrcodes", {"kind": "area", "target": STREET_A})
    console.post("/admin/qrcodes", {"kind": "area", "target": STREET_A})  # the same code again
    console.post("/admin/qrcodes", {"kind": "area", "target": STREET_B})  # not their street
    [call] = fake_wechat.calls("/cgi-bin/qrcode/create")
    assert call["json"] == {"action_name": "QR_LIMIT_STR_SCENE",
                            "action_info": {"scene": {"scene_str": f"area-{STREET_A}"}}}
    from models import QrCode

    [code] = db.session.execute(db.select(QrCode)).scalars()
    image = console.get(f"/admin/qrcodes/{code.id}.svg")
    assert image.status_code == 200 and image.mimetype == "image/svg+xml" and b"<svg" in image.data
    assert "attachment" in image.headers["Content-Disposition"]
    # A follow through the poster: welcomed, offered the street, counted under the code's label.
    follow = simulate.message_xml("o-poster-fan", "event", {
        "Event": "subscribe", "EventKey": f"qrscene_{code.scene}", "Ticket": code.ticket})
    assert wechat.reply(follow).startswith(text("welcome"))
    add_staff("city", "city_admin", CITY)  # residents without a bound area count for the city
    page = Console(client, "city").get("/admin/dashboard").get_data(as_text=True)
    assert f"<td>{code.label}</td><td class=\"num\">1</td>" in page


def test_codes_for_a_school_and_an_activity_say_which_and_count_each_follow_and_scan(app, client, wechat,
                                                                                     fake_wechat):
    from handlers.campaigns import qrcodes
    from models import QrCode
    from tests.activity_support import add_activity, add_school
    from tests.admin_support import STREET_A, STREET_B, Console, add_staff

    school = add_school("南岭小学", STREET_A)
    other = add_school("永昌小学", STREET_B)
    activity = add_activity(school, title="旧衣回收亲子日")
    add_staff("nanling", "street_admin", STREET_A)
    console = Console(client, "nanling")
    form = console.get("/admin/qrcodes").get_data(as_text=True)
    assert "南岭小学" in form and "旧衣回收亲子日" in form and "永昌小学" not in form
    console.post("/admin/qrcodes", {"kind": "school", "target": str(school.id)})
    console.post("/admin/qrcodes", {"kind": "activity", "target": str(activity.id)})
    refused = console.post("/admin/qrcodes", {"kind": "school", "target": str(other.id)})  # not theirs
    assert "找不到这所学校" in console.get(refused.headers["Location"]).get_data(as_text=True)
    codes = {c.scene: c for c in db.session.execute(db.select(QrCode)).scalars()}
    assert set(codes) == {f"school-{school.id}", f"activity-{activity.id}"}
    assert [c["json"]["action_info"]["scene"]["scene_str"] for c in fake_wechat.calls("/cgi-bin/qrcode/create")] == [
        f"school-{school.id}", f"activity-{activity.id}"]

    follow = simulate.message_xml("o-school-fan", "event", {
        "Event": "subscribe", "EventKey": f"qrscene_school-{school.id}", "Ticket": codes[f"school-{school.id}"].ticket})
    said = wechat.reply(follow)
    assert said.startswith(text("welcome")) and "南岭小学" in said
    scan = simulate.message_xml("o-school-fan", "event", {
        "Event": "SCAN", "EventKey": f"activity-{activity.id}", "Ticket": codes[f"activity-{activity.id}"].ticket})
    said = wechat.reply(scan)
    assert "旧衣回收亲子日" in said and "学校操场" in said and "小程序" in said
    assert resident("o-school-fan").follow_scene == f"activity-{activity.id}"
    wechat.post(scan)  # WeChat's retry of the same scan is not counted again
    counts = qrcodes.scan_counts(list(codes.values()))
    assert counts == {f"school-{school.id}": {"follow": 1, "scan": 0},
                      f"activity-{activity.id}": {"follow": 0, "scan": 1}}
    page = console.get("/admin/qrcodes").get_data(as_text=True)
    assert f"<td>activity-{activity.id}</td><td>0</td><td>1</td>" in page
    # A cancelled activity's code says so, and no new code is made for it.
    activity.cancelled = True
    db.session.commit()
    over = wechat.reply(simulate.message_xml("o-late-fan", "event", {
        "Event": "SCAN", "EventKey": f"activity-{activity.id}", "Ticket": "t"}))
    assert "已经结束或取消" in over


def test_city_admins_publish_the_menu_from_the_console_audited_and_wechats_refusal_in_chinese(app, client,
                                                                                              fake_wechat):
    from models import AuditEntry
    from tests.admin_support import CITY, DISTRICT_A, Console, add_staff

    add_staff("city", "city_admin", CITY)
    add_staff("district", "district_admin", DISTRICT_A)
    assert Console(client, "district").get("/admin/menu").status_code == 403
    console = Console(client, "city")
    page = console.get("/admin/menu").get_data(as_text=True)
    assert "分类指南" in page and "还没有发布过菜单" in page
    done = console.post("/admin/menu/publish", {})
    page = console.get(done.headers["Location"]).get_data(as_text=True)
    assert "菜单已发布" in page
    [call] = fake_wechat.calls("/cgi-bin/menu/create")
    assert call["errcode"] == 0 and call["app_id"] == app.config["WECHAT_APP_ID"]
    assert "公众号现在的菜单" in page and page.count("分类指南") == 2  # to publish, and published

    fake_wechat.set_fault("/cgi-bin/menu/create", 48001, times=1)
    refused = console.post("/admin/menu/publish", {})
    page = console.get(refused.headers["Location"]).get_data(as_text=True)
    assert "微信拒绝了菜单（错误 48001：公众号没有自定义菜单接口的权限（需认证））" in page
    entries = db.session.execute(db.select(AuditEntry).filter_by(action="menu_publish")
                                 .order_by(AuditEntry.id)).scalars().all()
    assert [e.detail for e in entries] == ['{"outcome": "ok"}', '{"outcome": "48001"}']
    assert "发布公众号菜单" in console.get("/admin/audit").get_data(as_text=True)
