"""What staff read in the console: menu links to every page their role may use, one Chinese label for
each status, channel and region, Beijing time, confirmed deletions, and a paged, filtered audit log."""
import io
import re
from datetime import datetime, timedelta

from openpyxl import load_workbook

from models import AuditEntry, Resident, db
from models.staff import Staff
from tests.activity_support import add_school, add_school_admin
from tests.admin_support import CITY, DISTRICT_A, STREET_A, Console, add_staff, add_volunteer
from tests.push_support import add_residents, follow, push

NAV = re.compile(r"<nav>(.*?)</nav>", re.S)


def menu(console) -> str:
    return NAV.search(console.get("/admin/dashboard").text).group(1)


def test_the_menu_links_the_school_pages_for_every_role_that_may_use_them(app, client):
    add_staff("city", "city_admin", CITY)
    add_staff("street", "street_admin", STREET_A)
    add_staff("reviewer", "reviewer", CITY)
    add_school_admin(add_school(), "school")
    for username, activities, schools in [("city", True, True), ("street", True, True),
                                          ("school", True, False), ("reviewer", False, False)]:
        console = Console(app.test_client(), username)
        nav = menu(console)
        assert ('href="/admin/activities">学校活动</a>' in nav) is activities, username
        assert ('href="/admin/schools">学校</a>' in nav) is schools, username
        for link in re.findall(r'href="([^"]+)"', nav):  # every link opens for that role
            assert console.get(link, follow_redirects=True).status_code == 200, (username, link)


def test_a_push_reads_in_chinese_with_region_names_and_beijing_time(app, client, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    follow(fake_wechat, add_residents(STREET_A, 3))
    sent = push(street, [STREET_A])
    console = Console(client, "nanling")
    page = console.get(f"/admin/pushes/{sent.id}").text
    assert '<b id="status">已完成</b>' in page and "已发送 3" in page
    assert ">done<" not in page and "sent 3" not in page and "UTC" not in page
    campaign = console.get(f"/admin/campaigns/{sent.campaign_id}").text
    assert "<td>南岭街道</td><td>已完成</td>" in campaign and f"<td>{STREET_A}</td>" not in campaign

    scheduled = push(street, [STREET_A], run=False)
    scheduled.status, scheduled.send_at = "scheduled", datetime(2026, 12, 5, 1, 0)  # 09:00 in Changchun
    db.session.commit()
    page = console.get(f"/admin/pushes/{scheduled.id}").text
    assert "已预约" in page and "预约发送（北京时间）" in page and "2026-12-05 09:00" in page


def test_the_residents_page_shows_beijing_time(app, client):
    add_staff("nanguan", "district_admin", DISTRICT_A)
    db.session.add(Resident(openid="o-late", region_code=STREET_A, first_seen_at=datetime(2026, 11, 30, 17, 0),
                            last_message_at=datetime(2026, 11, 30, 17, 5)))  # 01:05 on 1 Dec in Changchun
    db.session.commit()
    console = Console(client, "nanguan")
    page = console.get("/admin/residents").text
    assert "2026-12-01 01:05" in page and "<td>2026-12-01</td>" in page and "2026-11-30" not in page
    rows = list(load_workbook(io.BytesIO(console.get("/admin/residents/export.xlsx").data)).active.values)
    assert rows[0][3:] == ("首次出现（北京时间）", "最近消息（北京时间）")
    assert rows[1][4] == datetime(2026, 12, 1, 1, 5)  # the Excel cell reads as Beijing wall time


def test_deleting_an_account_needs_a_confirmation(app, client):
    add_staff("nanguan", "district_admin", DISTRICT_A)
    target = add_staff("nanling", "street_admin", STREET_A)
    console = Console(client, "nanguan")
    listing = console.get("/admin/staff").text
    assert f'href="/admin/staff/{target.id}/delete"' in listing  # a link to a page, not a one-click form
    confirm = console.get(f"/admin/staff/{target.id}/delete").text
    assert "不能撤销" in confirm and 'name="confirm"' in confirm and "南岭街道" in confirm
    assert console.post(f"/admin/staff/{target.id}/delete").status_code == 400
    assert db.session.get(Staff, target.id) is not None
    assert console.post(f"/admin/staff/{target.id}/delete", {"confirm": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Staff, target.id) is None


def test_the_audit_log_pages_and_filters(app, client):
    add_staff("nanguan", "district_admin", DISTRICT_A)
    start = datetime(2026, 11, 1, 2, 0)  # 10:00 Beijing time
    for i in range(120):
        db.session.add(AuditEntry(username="alice" if i % 2 else "bob", action="export" if i % 3 else "approve",
                                  region_code=STREET_A, target=f"t{i:03d}", at=start + timedelta(hours=12 * i)))
    db.session.commit()
    console = Console(client, "nanguan")
    first = console.get("/admin/audit").text
    assert first.count("<tr><td>") == 50  # 120 entries and the login and "下一页" in first and "上一页" not in first
    assert "南岭街道" in first and "时间（北京时间）" in first and "2026-11-01 10:00:00" not in first
    third = console.get("/admin/audit?page=3").text
    assert third.count("<tr><td>") == 21
    assert "上一页" in third and "下一页" not in third
    only = console.get("/admin/audit?action=approve&who=bob&since=2026-11-01&until=2026-11-10").text
    shown = [int(n) for n in re.findall(r"<td>t(\d{3})</td>", only)]
    # 12 h apart from 2026-11-01 10:00: entries 0..19 fall on 1–10 November (Beijing days)
    assert shown and all(n % 3 == 0 and n % 2 == 0 and n <= 19 for n in shown)
    assert sorted(shown) == [n for n in range(20) if n % 6 == 0]
    assert 'value="bob"' in only and '<option value="approve" selected>' in only


def test_a_city_admin_places_a_reviewer_at_the_city_node(app, client):
    add_staff("city", "city_admin", CITY)
    console = Console(client, "city")
    form = console.get("/admin/staff").text
    first = re.search(r'<select name="region_code"><option value="(\d+)"[^>]*>([^<]+)</option>', form)
    assert first.groups() == (CITY, "长春市（本级，仅可设审核员）")  # no longer silently 南关区
    created = console.post("/admin/staff", {"username": "rev-city", "password": "Brand-new-pass9",
                                            "role": "reviewer", "region_code": CITY})
    assert created.status_code == 302
    reviewer = db.session.execute(db.select(Staff).filter_by(username="rev-city")).scalar_one()
    assert reviewer.region_code == CITY
    assert "rev-city" in console.get("/admin/staff").text  # and the city admin manages them
    refused = console.post("/admin/staff", {"username": "second-city", "password": "Brand-new-pass9",
                                            "role": "district_admin", "region_code": CITY})
    assert refused.status_code == 400 and '<p class="error" role="alert">' in refused.text
    reviewer_console = Console(app.test_client(), "rev-city", "Brand-new-pass9")
    assert reviewer_console.get("/admin/queries").status_code == 200  # teaches for the whole city


def test_a_password_reset_lifts_a_lockout(app, client):
    from handlers.staff import accounts

    add_staff("nanguan", "district_admin", DISTRICT_A)
    target = add_staff("nanling", "street_admin", STREET_A)
    locked_out = Console(app.test_client())
    for _ in range(accounts.MAX_FAILURES):
        locked_out.login("nanling", "Wrong-password-1")
    assert "登录失败次数过多" in locked_out.login("nanling").text
    admin = Console(client, "nanguan")
    assert admin.post(f"/admin/staff/{target.id}/password", {"password": "Brand-new-pass9"}).status_code == 302
    assert locked_out.login("nanling", "Brand-new-pass9").status_code == 302


def test_street_staff_see_masked_numbers_and_open_one_at_a_time(app, client):
    add_staff("nanling", "street_admin", STREET_A)
    add_staff("nanguan", "district_admin", DISTRICT_A)
    volunteer = add_volunteer("张三", "13812345678", STREET_A, "approved")
    street = Console(client, "nanling")
    listing = street.get("/admin/volunteers").text
    assert "138****5678" in listing and "13812345678" not in listing
    rows = list(load_workbook(io.BytesIO(street.get("/admin/volunteers/export.xlsx").data)).active.values)
    assert rows[1][2] == "138****5678"
    opened = street.post(f"/admin/volunteers/{volunteer.id}/phone")
    assert opened.status_code == 302
    assert "张三 的手机号：13812345678" in street.get("/admin/volunteers").text  # once, in the notice
    assert "13812345678" not in street.get("/admin/volunteers").text
    entry = db.session.execute(db.select(AuditEntry).filter_by(action="view_phone")).scalar_one()
    assert entry.username == "nanling" and entry.target == f"volunteer {volunteer.id}"
    district = Console(app.test_client(), "nanguan")
    assert "查看完整号码" not in district.get("/admin/volunteers").text
    assert district.post(f"/admin/volunteers/{volunteer.id}/phone").status_code == 403


def test_campaign_school_and_survey_forms_are_in_the_audit_log(app, client):
    add_staff("nanguan", "district_admin", DISTRICT_A)
    console = Console(client, "nanguan")
    assert console.post("/admin/campaigns", {"title": "南关区宣传周", "summary": "区内"}).status_code == 302
    assert console.post("/admin/schools", {"name": "南岭小学", "region_code": STREET_A}).status_code == 302
    refused = console.post("/admin/campaigns", {"title": ""})  # a refused form changes nothing: no entry
    assert refused.status_code != 302
    entries = db.session.execute(db.select(AuditEntry.action, AuditEntry.target).where(
        AuditEntry.action != "login").order_by(AuditEntry.id)).all()
    assert entries == [("campaign_create", "/admin/campaigns"), ("school_list", "/admin/schools")]
    log = console.get("/admin/audit").text
    assert "创建宣传活动" in log and "添加学校或指定学校管理员" in log
    assert '<option value="campaign_create"' in log  # and the filter offers them


def test_every_status_and_channel_has_one_chinese_label():
    from content.texts import table
    from models import statuses

    labels = table("console_labels.toml")
    for kind, enum in [("push_status", statuses.PushStatus), ("delivery", statuses.DeliveryStatus),
                       ("channel", statuses.Channel), ("volunteer", statuses.VolunteerStatus),
                       ("enrolment", statuses.EnrolmentStatus), ("item_kind", statuses.ItemKind)]:
        assert set(labels[kind]) >= {member.value for member in enum}, kind
        assert all(re.search(r"[\u4e00-\u9fff]", text) for text in labels[kind].values()), kind
    assert table("activities.toml")["status"] == labels["enrolment"]  # families and staff read the same


def test_the_citys_reach_table_keeps_each_districts_streets_under_it(app, client, fake_wechat):
    from tests.admin_support import DISTRICT_B, STREET_A2, STREET_B

    city = add_staff("city", "city_admin", CITY)
    follow(fake_wechat, add_residents(STREET_A, 2) + add_residents(STREET_A2, 1) + add_residents(STREET_B, 1))
    sent = push(city, [CITY])
    page = Console(client, "city").get(f"/admin/pushes/{sent.id}").text
    order = re.findall(r'<tr data-code="(\d+)"', page)
    assert order == [CITY, DISTRICT_A, STREET_A, STREET_A2, DISTRICT_B, STREET_B]
    # its charts draw what their titles say: sent and clicked bars, on one scale
    assert page.count('<rect class="sent"') == page.count('<rect class="opened"') == 2 + 2 + 1
    assert "长春市 · 各区县已发送 / 点击次数" in page and "南关区 · 各街道已发送 / 点击次数" in page


def test_clicks_are_counted_and_labelled_as_clicks_wherever_they_are_shown(app, client, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    follow(fake_wechat, add_residents(STREET_A, 3))
    sent = push(street, [STREET_A])
    [mass] = fake_wechat.calls("/cgi-bin/message/mass/send")
    link = re.search(r"/r/(\S+)", mass["json"]["text"]["content"]).group(1)
    for _ in range(2):  # one reader opening the article twice: two clicks, not two people
        assert client.get(f"/r/{link}").status_code == 302
    console = Console(client, "nanling")
    page = console.get(f"/admin/pushes/{sent.id}").text
    headers = re.findall(r"<th[^>]*>([^<]+)</th>", page.split('<table class="reach">')[1].split("</thead>")[0])
    assert "点击次数" in headers and "打开" not in headers
    assert [h for h in headers if h.startswith("随后")] == ["随后报名志愿者（人）", "随后报名活动（人次）", "随后答题（题）"]
    row = re.search(rf'<tr data-code="{STREET_A}".*?</tr>', page, re.S).group(0)
    assert '<td class="num opened">2</td>' in row
    assert "打开" not in page.split("<main")[1]
    sheet = load_workbook(io.BytesIO(console.get(f"/admin/campaigns/{sent.campaign_id}/report.xlsx").data)).active
    header = [cell.value for cell in sheet[1]]
    assert header[12] == "点击次数" and sheet.cell(row=2, column=13).value == 2


def test_the_figures_page_explains_itself_and_draws_no_zero_for_weeks_without_data(app, client):
    add_staff("city", "city_admin", CITY)
    page = Console(client, "city").get(f"/admin/tiers/{CITY}").text
    assert "docs/figures.md" not in page and "这些数字怎么算" in page and "答对至少 60%" in page
    awareness = re.search(r'aria-label="每周知晓率">(.*?)</svg>', page, re.S).group(1)
    values = re.findall(r'fill="#333">([^<]*)</text>', awareness)
    assert len(values) == 8 and set(values) == {"—"}  # no answers yet: not "0%"


def test_the_attendance_rate_is_explained_where_it_is_shown(app, client):
    add_school_admin(add_school(), "school")
    page = Console(client, "school").get("/admin/activities").text
    assert "出勤率＝签到家庭 ÷ 已报名家庭" in page


def test_an_end_before_the_start_flags_only_the_end(app, client):
    add_school_admin(add_school(), "school")
    form = {"title": "回收集市", "description": "旧物交换", "place": "学校礼堂", "starts_at": "2030-06-01T09:00",
            "ends_at": "2030-06-01T08:00", "enrol_deadline": "2030-05-30T18:00", "capacity_families": "30",
            "capacity_people": "90", "audience": "school"}
    page = Console(client, "school").post("/admin/activities/new", form)
    assert page.status_code == 400 and "结束时间要晚于开始时间" in page.text
    assert "报名截止不能晚于开始时间" not in page.text
    assert 'value="2030-06-01T08:00"' in page.text  # what was typed stays, in Beijing time


def test_a_street_is_offered_one_adoption_of_a_campaign_its_district_adopted(app, client):
    add_staff("city", "city_admin", CITY)
    add_staff("nanguan", "district_admin", DISTRICT_A)
    add_staff("nanling", "street_admin", STREET_A)
    city = Console(client, "city")
    assert city.post("/admin/campaigns", {"title": "无废城市宣传月", "summary": "全市"}).status_code == 302
    original = re.search(r'/admin/campaigns/(\d+)', city.get("/admin/campaigns").text).group(1)
    district = Console(app.test_client(), "nanguan")
    assert district.post(f"/admin/campaigns/{original}/adopt").status_code == 302
    page = Console(app.test_client(), "nanling").get("/admin/campaigns").text
    assert page.count(">无废城市宣传月</a>") == 2 and page.count("采用并添加本地内容") == 1
    assert "南关区采用上级活动" in page and "请采用区县的版本" in page


def test_a_district_admin_adds_a_community_from_the_console(app, client):
    from models import Region

    add_staff("nanguan", "district_admin", DISTRICT_A)
    console = Console(client, "nanguan")
    assert 'href="/admin/communities">社区</a>' in menu(console)
    page = console.get("/admin/communities").text
    assert "南关区 · 南岭街道" in page and "新发街道" not in page  # another district's streets
    added = console.post("/admin/communities", {"street": STREET_A, "name": "南岭社区"})
    assert added.status_code == 302
    community = db.session.execute(db.select(Region).filter_by(name="南岭社区")).scalar_one()
    assert community.parent_code == STREET_A and community.code == STREET_A + "001"
    again = console.post("/admin/communities", {"street": STREET_A, "name": "南岭社区"})
    assert again.status_code == 400 and "南岭街道已有名为“南岭社区”的社区" in again.text
    outside = console.post("/admin/communities", {"street": "220103001", "name": "新发社区"})
    assert outside.status_code == 400 and "请选择您辖区内的街道" in outside.text
    assert "南岭社区" in console.get("/admin/communities").text.split("已有社区")[1]
    assert db.session.execute(db.select(AuditEntry).filter_by(action="community_add")).scalar_one()
