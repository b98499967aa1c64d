"""Service information per area: a resident's service question answered with their own area's entry
(community → street → district → city, else the city-wide text), the console where each tier keeps
its own subtree's entries, and GET /api/v1/services."""
import io
import json

import pytest
from openpyxl import load_workbook

from bot.cli.demo import demo
from content.intents import reply, settings
from content.service_texts import topic_labels
from handlers.people import residents
from handlers.places import services
from models import AreaService, AuditEntry, Region, db
from models.statuses import ServiceTopic
from tests.admin_support import Console, add_staff

NANGUAN, KUANCHENG, CHAOYANG = "220102", "220103", "220104"
NANLING, ZIQIANG, ZHANQIAN, GUILIN = "220102001", "220102002", "220103002", "220104002"


@pytest.fixture
def demo_data(region_tree):
    """The official region tree and `flask --app bot demo`: 南关区, 南岭街道, 自强街道 and 朝阳区 have entries."""
    region_tree.test_cli_runner().invoke(demo, catch_exceptions=False)
    return region_tree


def bind(wechat, openid: str, region_code: str | None) -> None:
    wechat.ask(openid, "你好")
    resident = residents.find(openid)
    resident.region_code = region_code
    db.session.commit()


def entry(region_code: str, topic: str) -> AreaService | None:
    db.session.expire_all()
    return db.session.execute(db.select(AreaService).filter_by(region_code=region_code, topic=topic)).scalar()


def first_community_of(street: str) -> str:
    return db.session.execute(db.select(Region.code).filter_by(parent_code=street).order_by(Region.code)).scalar()


def test_the_topics_are_the_same_everywhere():
    """The chat's topic words, the labels staff see, the database's check and the general texts agree."""
    topics = [topic.value for topic in ServiceTopic]
    assert list(settings()["service_topics"]) == topics == list(topic_labels())
    assert all(reply(f"service.{topic}") for topic in topics)


# --- the chat -------------------------------------------------------------------------------------

def test_a_bound_resident_gets_their_own_streets_answer(wechat, demo_data):
    bind(wechat, "o-nanling", NANLING)
    answer = wechat.ask("o-nanling", "过期药去哪交")
    assert answer.startswith("南岭街道：南岭街道的过期药品可以交到街道社区卫生服务中心的回收箱")
    assert "时间：周一至周五 8:30-16:30" in answer and "电话：0431-8888 1001" in answer
    assert "地点：南岭街道社区卫生服务中心一楼大厅" in answer
    assert reply("service.medicine").splitlines()[0] not in answer  # the area's answer, not the general one


def test_without_a_street_entry_the_districts_answers(wechat, demo_data):
    bind(wechat, "o-nanling-bulky", NANLING)
    answer = wechat.ask("o-nanling-bulky", "大件垃圾怎么预约")
    assert answer.startswith("南关区：南关区大件垃圾实行预约清运")
    assert "时间：每周二、周五 8:00-16:00 清运" in answer and "电话：0431-8888 0102" in answer


def test_a_community_resident_gets_their_streets_answer(wechat, demo_data):
    community = first_community_of(NANLING)
    assert community and community.startswith(NANLING)
    bind(wechat, "o-community", community)
    assert wechat.ask("o-community", "旧衣服回收箱在哪").startswith("南岭街道：南岭街道各社区服务站门口都有旧衣物回收箱")


def test_collection_times_differ_by_street(wechat, demo_data):
    bind(wechat, "o-ziqiang", ZIQIANG)
    bind(wechat, "o-nanling-times", NANLING)
    assert wechat.ask("o-ziqiang", "垃圾车几点来").startswith("自强街道：自强街道的小区垃圾车每天清晨和傍晚各来一次")
    assert wechat.ask("o-nanling-times", "垃圾车几点来").startswith("南关区：南关区生活垃圾早晚定时投放")


def test_another_district_gets_its_own_answer(wechat, demo_data):
    bind(wechat, "o-guilin", GUILIN)
    answer = wechat.ask("o-guilin", "旧冰箱谁回收")
    assert answer.startswith("朝阳区：朝阳区旧家电可以预约区再生资源回收站免费上门回收")
    assert "南关区" not in answer.splitlines()[0]


def test_without_any_entry_above_the_city_wide_text_answers(wechat, demo_data):
    bind(wechat, "o-zhanqian", ZHANQIAN)  # 宽城区: no entries
    bind(wechat, "o-unbound", None)
    general = reply("service.bulky")
    assert wechat.ask("o-zhanqian", "大件垃圾怎么预约").startswith(general)
    assert wechat.ask("o-unbound", "大件垃圾怎么预约").startswith(general)


def test_a_city_entry_answers_where_nothing_nearer_is_written(wechat, demo_data):
    db.session.add(AreaService(region_code="2201", topic="bulky", text="全市大件垃圾统一预约。", phone="12345",
                               kept_by="city"))
    db.session.commit()
    bind(wechat, "o-zhanqian-city", ZHANQIAN)
    bind(wechat, "o-nanling-city", NANLING)
    assert wechat.ask("o-zhanqian-city", "大件垃圾怎么预约").startswith("长春市：全市大件垃圾统一预约。\n电话：12345")
    assert wechat.ask("o-nanling-city", "大件垃圾怎么预约").startswith("南关区：")  # the district is nearer


def test_the_area_answer_still_offers_the_streets_points(wechat, demo_data):
    bind(wechat, "o-battery", GUILIN)
    answer = wechat.ask("o-battery", "旧电池去哪交")
    assert answer.startswith("朝阳区：朝阳区各街道办事处和大型超市设有废电池回收箱")
    assert "发送您的位置" in answer


# --- the console ----------------------------------------------------------------------------------

def form(**values) -> dict:
    return {"text": "南关区的旧家电请打电话预约上门回收。", "hours": "每天 9:00-17:00", "phone": "0431-1234 5678",
            "address": "南关区回收站", **values}


def test_a_district_admin_keeps_their_district_and_its_streets_but_no_other_district(client, demo_data):
    add_staff("nanguan", "district_admin", NANGUAN)
    console = Console(client, "nanguan")
    page = console.get("/admin/services").text
    assert "南关区的居民看到的说明" in page and "南关区大件垃圾实行预约清运" in page
    assert console.get(f"/admin/services?area={NANLING}").text.count("本级填写") == 2  # medicine, clothes

    assert console.post(f"/admin/services/{NANGUAN}/appliance", form()).status_code == 302
    assert entry(NANGUAN, "appliance").text == "南关区的旧家电请打电话预约上门回收。"
    assert console.post(f"/admin/services/{NANLING}/bulky", form(text="南岭街道大件垃圾周六上门。")).status_code == 302
    assert entry(NANLING, "bulky").kept_by == "nanguan"

    for code in (KUANCHENG, ZHANQIAN, CHAOYANG, "2201"):
        assert console.get(f"/admin/services/{code}/bulky").status_code == 404
        assert console.post(f"/admin/services/{code}/bulky", form()).status_code == 404
        assert console.post(f"/admin/services/{code}/bulky/clear").status_code == 404
        assert entry(code, "bulky") is None or entry(code, "bulky").kept_by == "demo"
    assert entry(CHAOYANG, "bulky").kept_by == "demo"  # 朝阳区's own, untouched
    other = console.get(f"/admin/services?area={CHAOYANG}").text  # out of scope: their own district instead
    assert "南关区的居民看到的说明" in other and "朝阳区大件垃圾" not in other


def test_a_street_admin_writes_their_street_and_sees_what_comes_from_above(client, demo_data):
    add_staff("nanling", "street_admin", NANLING)
    console = Console(client, "nanling")
    page = console.get("/admin/services").text
    assert "南岭街道的居民看到的说明" in page
    assert "南关区大件垃圾实行预约清运" in page and "<td>南关区</td>" in page  # inherited, shown as the district's
    assert "南岭街道的过期药品可以交到" in page and "本级填写（demo）" in page

    form_page = console.get(f"/admin/services/{NANLING}/bulky").text
    assert "现在居民看到的是南关区：南关区大件垃圾实行预约清运" in form_page
    assert console.post(f"/admin/services/{NANLING}/bulky", form(text="南岭街道大件垃圾每周六上门拉走。")).status_code == 302
    assert services.answer_for(NANLING, "bulky").text == "南岭街道大件垃圾每周六上门拉走。"
    community = first_community_of(NANLING)
    assert console.post(f"/admin/services/{community}/times", form(text="本社区垃圾车 7 点来。")).status_code == 302

    for code in (NANGUAN, ZIQIANG, ZHANQIAN, "2201"):  # the district above, a sibling street, elsewhere
        assert console.get(f"/admin/services/{code}/bulky").status_code == 404
        assert console.post(f"/admin/services/{code}/bulky", form(text="不该保存")).status_code == 404
    assert entry(NANGUAN, "bulky").kept_by == "demo"
    assert console.post(f"/admin/services/{NANGUAN}/bulky/clear").status_code == 404
    assert entry(NANGUAN, "bulky") is not None


def test_saving_and_clearing_are_audited_and_clearing_falls_back_to_the_level_above(client, demo_data):
    add_staff("nanling", "street_admin", NANLING)
    console = Console(client, "nanling")
    response = console.post(f"/admin/services/{NANLING}/medicine", form(text="改到街道办一楼。", phone=""))
    assert response.status_code == 302
    assert "已保存南岭街道的“过期药品回收”" in console.get(response.headers["Location"]).text
    saved = db.session.execute(db.select(AuditEntry).filter_by(action="area_service_save")).scalar_one()
    assert saved.username == "nanling" and saved.region_code == NANLING
    assert json.loads(saved.detail)["text"][1] == "改到街道办一楼。"
    assert json.loads(saved.detail)["phone"] == ["0431-8888 1001", ""]

    assert console.post(f"/admin/services/{NANLING}/medicine", form(text="改到街道办一楼。", phone="")
                        ).status_code == 302  # unchanged: nothing more in the log
    assert db.session.execute(db.select(db.func.count(AuditEntry.id)).filter_by(
        action="area_service_save")).scalar_one() == 1

    assert console.post(f"/admin/services/{NANLING}/medicine/clear").status_code == 302
    assert entry(NANLING, "medicine") is None
    cleared = db.session.execute(db.select(AuditEntry).filter_by(action="area_service_clear")).scalar_one()
    assert json.loads(cleared.detail)["text"] == "改到街道办一楼。"
    assert services.answer_for(NANLING, "medicine").region_code is None  # no district entry: the general text
    log = console.get("/admin/audit").text
    assert "修改服务信息" in log and "清除服务信息" in log


def test_a_form_without_a_text_or_too_long_is_refused_beside_its_fields(client, demo_data):
    add_staff("nanguan", "district_admin", NANGUAN)
    console = Console(client, "nanguan")
    empty = console.post(f"/admin/services/{NANGUAN}/medicine", form(text="  "))
    assert empty.status_code == 400 and "请填写说明，1 到 300 个字" in empty.text
    long = console.post(f"/admin/services/{NANGUAN}/medicine", form(text="药" * 301, phone="1" * 41))
    assert long.status_code == 400 and "电话最多 40 个字" in long.text
    assert entry(NANGUAN, "medicine") is None
    assert console.get(f"/admin/services/{NANGUAN}/nonsense").status_code == 404


@pytest.mark.parametrize("role", ["school_admin", "reviewer"])
def test_roles_without_an_area_to_keep_cannot_open_it(client, demo_data, role):
    add_staff("other", role, NANGUAN if role == "reviewer" else NANLING)
    console = Console(client, "other")
    assert console.get("/admin/services").status_code == 403
    assert console.post(f"/admin/services/{NANLING}/bulky", form()).status_code == 403
    assert entry(NANLING, "bulky") is None


def test_the_demo_is_safe_to_run_again_and_keeps_what_staff_changed(demo_data):
    kept = entry(NANLING, "medicine")
    kept.text = "街道改过的说明。"
    db.session.commit()
    output = demo_data.test_cli_runner().invoke(demo, catch_exceptions=False).output
    assert "demo service information: 0 added, 9 already there" in output
    assert entry(NANLING, "medicine").text == "街道改过的说明。"


# --- the mini-program -----------------------------------------------------------------------------

def test_the_api_answers_as_the_chat_does(client, demo_data):
    street = client.get(f"/api/v1/services?topic=medicine&region={NANLING}")
    assert street.status_code == 200
    assert street.json["region"]["name"] == "南岭街道"
    [medicine] = street.json["services"]
    assert medicine == {"topic": "medicine", "topic_label": "过期药品回收", "region_code": NANLING,
                        "area_name": "南岭街道", "text": entry(NANLING, "medicine").text,
                        "hours": "周一至周五 8:30-16:30", "phone": "0431-8888 1001",
                        "address": "南岭街道社区卫生服务中心一楼大厅"}

    everything = client.get(f"/api/v1/services?region={first_community_of(NANLING)}").json["services"]
    assert [s["topic"] for s in everything] == [topic.value for topic in ServiceTopic]
    assert {s["topic"]: s["area_name"] for s in everything} == {
        "bulky": "南关区", "renovation": "南关区", "appliance": "全市通用说明", "medicine": "南岭街道",
        "battery": "全市通用说明", "clothes": "南岭街道", "times": "南关区"}

    general = client.get("/api/v1/services?topic=bulky").json
    assert general["region"] is None
    assert general["services"][0]["region_code"] is None
    assert general["services"][0]["text"] == reply("service.bulky")
    assert client.get(f"/api/v1/services?topic=bulky&region={ZHANQIAN}").json["services"][0]["region_code"] is None


def test_the_api_refuses_unknown_regions_and_topics(client, demo_data):
    # The API's rule for filters: malformed is 400 invalid_fields, well-formed but unknown is 404.
    for query in ("topic=bulky&region=220199999", "region=12"):
        unknown = client.get(f"/api/v1/services?{query}")
        assert unknown.status_code == 404 and unknown.json["error"]["code"] == "unknown_region"
    for query in ("topic=sofa", "region=abc"):
        response = client.get(f"/api/v1/services?{query}")
        assert response.status_code == 400 and response.json["error"]["code"] == "invalid_fields", query


def test_an_item_for_a_service_gets_the_areas_entry_after_its_bin(wechat, demo_data):
    bind(wechat, "o-sofa", NANLING)
    bind(wechat, "o-sofa-elsewhere", ZHANQIAN)
    answer = wechat.ask("o-sofa", "沙发不要了怎么办")
    assert answer.startswith("沙发：") and "南关区：南关区大件垃圾实行预约清运" in answer
    assert answer.index("南关区：") < answer.index("发送您的位置")
    elsewhere = wechat.ask("o-sofa-elsewhere", "沙发不要了怎么办")  # no entry above: the bin and the offer only
    assert elsewhere.startswith("沙发：") and "大件垃圾实行预约清运" not in elsewhere and "发送您的位置" in elsewhere


def test_binding_an_area_changes_the_next_answer_at_once(wechat, demo_data):
    # The webhook reads the resident's area from shared state; binding must not leave it stale.
    assert "大件垃圾实行预约清运" not in wechat.ask("o-sofa-later", "沙发不要了怎么办")
    for step in ("绑定小区", "同意", "南关区南岭街道", "0"):  # as a resident binds it, in the chat
        reply = wechat.ask("o-sofa-later", step)
    assert "已绑定：南关区南岭街道" in reply
    assert "南关区：南关区大件垃圾实行预约清运" in wechat.ask("o-sofa-later", "旧沙发扔哪")


# --- "有什么服务": the services of the resident's area ------------------------------------------------

@pytest.mark.parametrize("question", ["你们都有啥服务", "有什么服务", "我们这边都提供哪些服务啊"])
def test_asking_what_services_there_are_lists_the_residents_areas(wechat, demo_data, question):
    bind(wechat, "o-list", NANLING)
    answer = wechat.ask("o-list", question)
    lines = answer.splitlines()
    assert lines[0] == "南岭街道居民可以用到的服务："
    assert "· 大件垃圾清运：南关区大件垃圾实行预约清运" in answer  # the district's, inherited
    assert "· 过期药品回收：南岭街道的过期药品可以交到" in answer and "（电话 0431-8888 1001）" in answer
    assert "· 旧衣物回收箱：南岭街道各社区服务站门口都有旧衣物回收箱" in answer
    assert len([line for line in lines if line.startswith("· ")]) == len(services.area_answers(NANLING))
    assert "直接发它的名称" in lines[-1] and len(answer.encode()) <= 2048


def test_the_list_of_services_stays_within_one_message_whatever_staff_wrote(wechat, demo_data):
    db.session.execute(db.delete(AreaService).filter_by(region_code=ZIQIANG))
    for topic in services.TOPICS:
        db.session.add(AreaService(region_code=ZIQIANG, topic=topic, text="很长的说明" * 60, hours="全天",
                                     phone="0" * 40, address="地" * 120, kept_by="test"))
    db.session.commit()
    bind(wechat, "o-long", ZIQIANG)
    answer = wechat.ask("o-long", "有什么服务")
    assert answer.count("· ") == len(services.TOPICS) and len(answer.encode()) <= 2048


def test_asking_what_services_there_are_unbound_gives_the_overview_and_how_to_see_ones_own(wechat, demo_data):
    answer = wechat.ask("o-unbound", "你们都有啥服务")
    assert answer.startswith(reply("service.general").splitlines()[0])
    assert answer.endswith("可以看到您所在社区、街道的服务安排。")
    bind(wechat, "o-nothing-written", ZHANQIAN)  # bound, but nobody above wrote anything: the overview
    assert wechat.ask("o-nothing-written", "有什么服务") == reply("service.general")


# --- the Excel import of entries ---------------------------------------------------------------------

def workbook(rows: list[list], template: bytes) -> bytes:
    book = load_workbook(io.BytesIO(template))
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(console: Console, content: bytes):
    return console.post("/admin/services/import", {"file": (io.BytesIO(content), "services.xlsx")})


def test_an_import_with_bad_rows_writes_nothing_and_names_each_row(client, demo_data):
    add_staff("nanguan", "district_admin", NANGUAN)
    console = Console(client, "nanguan")
    assert 'href="/admin/services/import"' in console.get("/admin/services").text
    template = console.get("/admin/services/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    notes = load_workbook(io.BytesIO(template.data)).worksheets[1]
    assert any("过期药品回收" in str(row[0].value) for row in notes.iter_rows())

    good = [int(NANLING), "大件垃圾清运", "南岭街道大件垃圾每周六上门拉走。", "周六 8:00-11:00", "0431-8888 2002", ""]
    bad = workbook([
        good,
        ["自强街道", "旧家电回收", "自强街道旧家电打电话预约上门。", "", "", ""],
        [NANLING, "大件垃圾", "类别不对", "", "", ""],                       # row 4
        [CHAOYANG, "过期药品回收", "越界", "", "", ""],                        # row 5
        [NANLING, "旧衣物回收箱", "", "", "", ""],                            # row 6
        good,                                                               # row 7
        ["没有这个街道", "过期药品回收", "地区不对", "", "1" * 41, ""],          # row 8
    ], template.data)
    response = upload(console, bad)
    assert response.status_code == 400
    page = response.text
    for row, reason in ((4, "没有这个服务类别：大件垃圾"), (5, f"“{CHAOYANG}”不在您的管辖范围内"),
                        (6, "请填写说明"), (7, "与第 2 行的地区和服务类别相同"),
                        (8, "没有这个地区：没有这个街道；电话最多 40 个字")):
        assert f"第 {row} 行</td><td>{reason}" in page, row
    assert "第 2 行</td>" not in page and "第 3 行</td>" not in page
    assert entry(NANLING, "bulky") is None and entry(ZIQIANG, "appliance") is None

    fixed = workbook([good, ["南关区自强街道", "旧家电回收", "自强街道旧家电打电话预约上门。", "", "", ""],
                      [NANLING, "过期药品回收", "南岭街道的过期药改到街道办一楼。", "", "", ""]], template.data)
    assert upload(console, fixed).status_code == 302
    assert entry(NANLING, "bulky").text == "南岭街道大件垃圾每周六上门拉走。"
    assert entry(NANLING, "bulky").kept_by == "nanguan" and entry(NANLING, "bulky").phone == "0431-8888 2002"
    assert entry(ZIQIANG, "appliance").text == "自强街道旧家电打电话预约上门。"
    assert entry(NANLING, "medicine").text == "南岭街道的过期药改到街道办一楼。"  # the demo's entry, replaced
    audit = db.session.execute(db.select(AuditEntry).filter_by(action="area_service_import")).scalar_one()
    detail = json.loads(audit.detail)
    assert audit.username == "nanguan" and detail["file"] == "services.xlsx" and len(detail["entries"]) == 3
    assert {"region": NANLING, "topic": "medicine",
            "text": ["南岭街道的过期药品可以交到街道社区卫生服务中心的回收箱，针头装进硬质瓶子封好再交。",
                     "南岭街道的过期药改到街道办一楼。"],
            "hours": ["周一至周五 8:30-16:30", ""], "phone": ["0431-8888 1001", ""],
            "address": ["南岭街道社区卫生服务中心一楼大厅", ""]} in detail["entries"]
    assert "导入服务信息" in console.get("/admin/audit").text
    assert upload(console, b"not a workbook").status_code == 400


def test_a_street_admin_imports_only_into_their_own_street(client, demo_data):
    add_staff("nanling", "street_admin", NANLING)
    console = Console(client, "nanling")
    template = console.get("/admin/services/template.xlsx").data
    refused = upload(console, workbook([[NANGUAN, "大件垃圾清运", "区里的不该改", "", "", ""],
                                        [ZIQIANG, "大件垃圾清运", "隔壁街道的不该改", "", "", ""]], template))
    assert refused.status_code == 400
    assert f"“{NANGUAN}”不在您的管辖范围内" in refused.text and f"“{ZIQIANG}”不在您的管辖范围内" in refused.text
    assert entry(NANGUAN, "bulky").kept_by == "demo" and entry(ZIQIANG, "bulky") is None
    community = first_community_of(NANLING)
    assert upload(console, workbook([[community, "垃圾投放与清运时间", "本社区垃圾车 7 点来。", "", "", ""]],
                                    template)).status_code == 302
    assert entry(community, "times").kept_by == "nanling"
