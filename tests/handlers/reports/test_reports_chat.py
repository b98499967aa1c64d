"""Reports in the chat (随手拍): the dialog, the limit, the resident told of each step."""
from bot.webhook import simulate
from handlers.people import residents
from handlers.reports import figures, records
from infra import jobs
from models import db
from models.reports import Report
from models.statuses import ReportStatus
from tests.admin_support import STREET_A, Console, add_staff, seed_regions

NANLING = (43.8536, 125.3328)


def send(wechat, openid: str, kind: str, fields: dict) -> str:
    return wechat.reply(simulate.message_xml(openid, kind, fields))


def send_location(wechat, openid: str) -> str:
    return send(wechat, openid, "location", {"Location_X": NANLING[0], "Location_Y": NANLING[1], "Scale": 15,
                                            "Label": "长春市南关区", "MsgId": 880001})


def send_image(wechat, openid: str, media_id: str = "media-1") -> str:
    return send(wechat, openid, "image", {"PicUrl": "http://mmbiz.qpic.cn/pic-1", "MediaId": media_id,
                                         "MsgId": 880002})


def run_jobs(app) -> None:
    if app.config["REDIS_URL"]:
        jobs.run_worker(app, ["default"], burst=True)


def bind(openid: str, code: str = STREET_A) -> None:
    seed_regions()
    resident = residents.find_or_create(openid)
    resident.region_code = code
    db.session.commit()


def test_a_report_from_the_chat_to_its_resolution_with_the_resident_told(wechat, app, fake_wechat):
    wechat.ask("o-rep", "你好")
    street = add_staff("nanling", "street_admin", STREET_A)
    bind("o-rep")
    opening = wechat.ask("o-rep", "随手拍")
    assert "1. 垃圾桶满溢" in opening and "12345" in opening
    assert "照片" in wechat.ask("o-rep", "1 三号楼的桶满了")
    assert "发送位置" in send_image(wechat, "o-rep")
    saved = send_location(wechat, "o-rep")
    report = db.session.execute(db.select(Report)).scalar_one()
    assert saved.startswith(f"已收到，编号 {report.id}") and "南岭街道" in saved
    assert (report.kind, report.description, report.photo_media_id) == ("overflow", "三号楼的桶满了", "media-1")
    assert (round(report.lat, 4), report.region_code, report.status) == (NANLING[0], STREET_A, "new")

    before = len(fake_wechat.calls("/cgi-bin/message/custom/send"))
    records.step(street, report, ReportStatus.ASSIGNED, assignee="nanling")
    db.session.commit()
    records.step(street, report, ReportStatus.RESOLVED, note="已清运")
    db.session.commit()
    run_jobs(app)
    told = [c["json"]["text"]["content"] for c in fake_wechat.calls("/cgi-bin/message/custom/send")[before:]]
    assert len(told) == 2 and "已交给工作人员处理" in told[0] and "已处理：已清运" in told[1]
    assert "已处理，已清运" in wechat.ask("o-rep", "我的随手拍")
    db.session.expire_all()
    assert [e.notified for e in db.session.get(Report, report.id).events] == ["", "sent", "sent"]


def test_the_bound_area_answers_where_and_without_one_the_resident_is_asked_to_bind(wechat, app):
    wechat.ask("o-area", "你好")
    add_staff("nanling", "street_admin", STREET_A)
    for answer in ("随手拍", "2", "跳过"):
        reply = wechat.ask("o-area", answer)
    assert "绑定小区" in send_location(wechat, "o-area")
    bind("o-area")
    for answer in ("随手拍", "2", "跳过"):
        reply = wechat.ask("o-area", answer)
    assert "回复“0”" in reply
    assert wechat.ask("o-area", "0").startswith("已收到，编号")


def test_a_resident_files_at_most_reports_per_day(wechat, app):
    app.config["REPORTS_PER_DAY"] = 2
    wechat.ask("o-many", "你好")
    add_staff("nanling", "street_admin", STREET_A)
    bind("o-many")
    for _ in range(2):
        for answer in ("随手拍", "5", "跳过", "0"):
            reply = wechat.ask("o-many", answer)
        assert reply.startswith("已收到")
    assert "今天已经反映了 2 次" in wechat.ask("o-many", "随手拍")


def test_outside_the_window_the_step_is_recorded_not_sent(wechat, app, fake_wechat):
    wechat.ask("o-late", "你好")
    street = add_staff("nanling", "street_admin", STREET_A)
    bind("o-late")
    for answer in ("随手拍", "3", "跳过", "0"):
        wechat.ask("o-late", answer)
    resident = residents.find("o-late")
    resident.window_sent = 5  # the window's messages are used up
    db.session.commit()
    report = db.session.execute(db.select(Report)).scalar_one()
    before = len(fake_wechat.calls("/cgi-bin/message/custom/send"))
    records.step(street, report, ReportStatus.REJECTED, note="不属于本街道")
    db.session.commit()
    run_jobs(app)
    assert len(fake_wechat.calls("/cgi-bin/message/custom/send")) == before
    db.session.expire_all()
    assert db.session.get(Report, report.id).events[-1].notified == "outside_window"
    assert "未受理，不属于本街道" in wechat.ask("o-late", "我的随手拍")


def test_figures_roll_up_street_district_city(app):
    from tests.admin_support import CITY, DISTRICT_A, STREET_A2, STREET_B
    city = add_staff("city", "city_admin", CITY)
    resident = residents.find_or_create("o-fig")
    for code in (STREET_A, STREET_A, STREET_A2, STREET_B):
        records.file(resident, "overflow", code)
    db.session.commit()
    app.config["REPORTS_PER_DAY"] = 10
    reports = db.session.execute(db.select(Report).order_by(Report.id)).scalars().all()
    street = add_staff("nanling", "street_admin", STREET_A)
    records.step(street, reports[0], ReportStatus.RESOLVED, note="好了")
    db.session.commit()
    rows = {row.code: row for row in figures.rolled_up(city)}
    assert rows[CITY].total == 4 and rows[DISTRICT_A].total == 3 and rows[STREET_A].total == 2
    assert rows[STREET_A].counts["resolved"] == 1 and rows[DISTRICT_A].counts["new"] == 2
    assert rows[CITY].median_hours is not None and rows[STREET_B].median_hours is None
    assert [row.code for row in figures.rolled_up(street)] == [STREET_A]


def test_deleting_my_data_unlinks_my_reports_and_the_street_keeps_them(wechat, app):
    wechat.ask("o-forget", "你好")
    bind("o-forget")
    for answer in ("随手拍", "4", "跳过", "0"):
        last = wechat.ask("o-forget", answer)
    assert last.startswith("已收到"), last
    assert "随手拍" in wechat.ask("o-forget", "删除我的信息")
    report = db.session.execute(db.select(Report)).scalar_one()
    assert report.resident_id is None and report.status == "new"


def test_an_image_outside_the_dialog_is_not_taken_as_a_report(wechat, app):
    answer = send_image(wechat, "o-pic")
    assert not (answer or "").startswith("已收到") and db.session.execute(db.select(Report)).first() is None


JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 4


def report_with_photo(wechat, app, openid: str, media_id: str) -> Report:
    bind(openid)
    wechat.ask(openid, "随手拍")
    wechat.ask(openid, "2")
    send_image(wechat, openid, media_id)
    assert wechat.ask(openid, "0").startswith("已收到")
    run_jobs(app)
    db.session.expire_all()
    return db.session.execute(db.select(Report)).scalar_one()


def test_the_chat_photo_is_fetched_from_wechat_into_the_report(wechat, app, client, fake_wechat):
    add_staff("nanling", "street_admin", STREET_A)
    media_id = fake_wechat.add_media(app.config["WECHAT_APP_ID"], JPEG)  # the resident's image message
    report = report_with_photo(wechat, app, "o-photo", media_id)
    assert (report.photo, report.photo_type, report.photo_fetch_error) == (JPEG, "image/jpeg", "")
    [call] = fake_wechat.calls("/cgi-bin/media/get")
    assert call["params"]["media_id"] == media_id
    console = Console(client, "nanling")
    assert f"/admin/reports/{report.id}/photo.img" in console.get(f"/admin/reports/{report.id}").text
    assert console.get(f"/admin/reports/{report.id}/photo.img").data == JPEG


def test_a_photo_wechat_no_longer_has_keeps_the_report_and_staff_are_told(wechat, app, client, fake_wechat):
    add_staff("nanling", "street_admin", STREET_A)
    report = report_with_photo(wechat, app, "o-late", "media-older-than-3-days")
    assert (report.status, report.photo, report.photo_fetch_error) == ("new", None, "40007")
    assert [c["errcode"] for c in fake_wechat.calls("/cgi-bin/media/get")] == [40007]
    page = Console(client, "nanling").get(f"/admin/reports/{report.id}").text
    assert "微信图片未能取回：微信已不再保存这张图片（临时素材只保存 3 天）" in page
    assert "media-older-than-3-days" in page  # WeChat's link and media id stay for the record


def test_a_file_that_is_not_a_photo_is_not_kept(wechat, app, client, fake_wechat):
    add_staff("nanling", "street_admin", STREET_A)
    media_id = fake_wechat.add_media(app.config["WECHAT_APP_ID"], b"GIF89a" + b"\x00" * 64, "image/gif")
    report = report_with_photo(wechat, app, "o-gif", media_id)
    assert (report.photo, report.photo_fetch_error) == (None, "photo_type")
    assert "照片只收 JPG 或 PNG 图片" in Console(client, "nanling").get(f"/admin/reports/{report.id}").text
