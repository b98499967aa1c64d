"""The console: campaigns, the plan before sending, send, progress JSON, cancel, tracked links,
the reach report with a chart per tier, and its Excel export."""
import io
import re

from openpyxl import load_workbook

from handlers.campaigns.push import deliver, links
from models import AuditEntry, Campaign, Delivery, LinkClick, Push, db
from models.staff import Staff
from tests.admin_support import Console
from tests.push_support import (
    CITY,
    DISTRICT_A,
    STREET_A,
    STREET_A2,
    STREET_B,
    add_residents,
    add_staff,
    follow,
    push,
    run_jobs,
    statuses,
)


def test_a_district_adopts_pushes_and_reads_its_reach(app, client, fake_wechat):
    add_staff("city", "city_admin", CITY)
    add_staff("nanguan", "district_admin", DISTRICT_A)
    people = add_residents(STREET_A, 3) + add_residents(STREET_A2, 2)
    follow(fake_wechat, people)
    city = Console(client, "city")
    assert city.post("/admin/campaigns", {"title": "无废城市宣传月", "summary": "全市"}).status_code == 302
    original = db.session.execute(db.select(Campaign)).scalar_one()
    city.post(f"/admin/campaigns/{original.id}/items", {
        "kind": "news", "title": "垃圾分类指南", "body": "四分类", "url": "https://example.org/guide"})
    city.post("/admin/logout")

    district = Console(client, "nanguan")
    assert "采用并添加本地内容" in district.get("/admin/campaigns").text
    adopted_at = district.post(f"/admin/campaigns/{original.id}/adopt").headers["Location"]
    adopted_id = int(adopted_at.rsplit("/", 1)[1])
    page = district.get(f"/admin/campaigns/{adopted_id}/push")
    assert page.status_code == 200 and "南岭街道" in page.text
    item_id = re.search(r'name="item_id" required><option value="(\d+)"', page.text).group(1)
    # Outside the district: refused with the reason, nothing created.
    refused = district.post(f"/admin/campaigns/{adopted_id}/push", {"item_id": item_id, "codes": STREET_B})
    assert refused.status_code == 400 and "超出您的管辖区域" in refused.text
    created = district.post(f"/admin/campaigns/{adopted_id}/push", {"item_id": item_id,
                                                                     "codes": [STREET_A, STREET_A2]})
    push_id = int(created.headers["Location"].rsplit("/", 1)[1])
    plan = district.get(f"/admin/pushes/{push_id}")
    assert "覆盖计划" in plan.text and "按名单群发" in plan.text
    assert district.post(f"/admin/pushes/{push_id}/send").status_code == 302
    run_jobs()
    progress = district.get(f"/admin/pushes/{push_id}/progress.json").get_json()
    assert progress["status"] == "done" and progress["counts"] == {"sent": 5} and progress["percent"] == 100.0
    report = district.get(f"/admin/pushes/{push_id}")
    assert "<svg" in report.text and "南岭街道" in report.text and "自强街道" in report.text
    assert db.session.execute(db.select(AuditEntry).filter_by(action="send")).scalar_one()

    # A resident opens the article: counted for their street, up to the city.
    mass = [c for c in fake_wechat.calls("/cgi-bin/message/mass/send")]
    link = re.search(r"/r/(\S+)", mass[0]["json"]["text"]["content"]).group(1)
    opened = client.get(f"/r/{link}")
    assert opened.status_code == 302 and opened.headers["Location"] == "https://example.org/guide"
    assert client.get(f"/r/{link[:-2]}xx").status_code == 404
    district.post("/admin/logout")
    city = Console(client, "city")
    export = city.get(f"/admin/campaigns/{original.id}/report.xlsx")
    sheet = load_workbook(io.BytesIO(export.data)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[CITY][4] == 5 and rows[DISTRICT_A][4] == 5 and rows[CITY][12] == 1  # sent, opened


def test_a_street_admin_sees_no_push_of_another_area(app, client, fake_wechat):
    add_staff("nanling", "street_admin", STREET_A)
    other = add_staff("xinfa", "street_admin", STREET_B)
    follow(fake_wechat, add_residents(STREET_B, 2))
    theirs = push(other, [STREET_B])
    console = Console(client, "nanling")
    assert console.get(f"/admin/pushes/{theirs.id}").status_code == 404
    assert console.get(f"/admin/pushes/{theirs.id}/progress.json").status_code == 404
    assert console.post(f"/admin/pushes/{theirs.id}/cancel").status_code == 404


def test_a_cancelled_push_sends_no_more(app, fake_wechat, monkeypatch):
    street = add_staff("nanling", "street_admin", STREET_A)
    people = add_residents(STREET_A, 6, active=True)
    follow(fake_wechat, people, active=True)
    app.config["PUSH_BATCH_SIZE"] = 3
    monkeypatch.setattr(deliver, "_enqueue_batch", lambda push, number: None)
    sent = push(street, [STREET_A])
    deliver.deliver_batch(sent.id, 1)  # the first half goes out
    assert deliver.cancel(db.session.get(Push, sent.id), "nanling") == 3
    deliver.deliver_batch(sent.id, 2)  # a job that was already queued does nothing
    assert statuses(sent.id) == {"sent": 3, "cancelled": 3}
    assert fake_wechat.deliveries()["total"] == 3
    assert deliver.progress(sent.id)["status"] == "cancelled"


def test_a_click_on_a_personal_message_counts_for_that_resident(app, client, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    [talker] = add_residents(STREET_A, 1, active=True)
    follow(fake_wechat, [talker], active=True)
    sent = push(street, [STREET_A])
    [call] = fake_wechat.calls("/cgi-bin/message/custom/send")
    url = call["json"]["news"]["articles"][0]["url"]
    delivery = db.session.execute(db.select(Delivery).filter_by(push_id=sent.id)).scalar_one()
    assert url.endswith(links.token_for_delivery(delivery.id))
    client.get(url.split("5000", 1)[1])
    click = db.session.execute(db.select(LinkClick)).scalar_one()
    assert (click.delivery_id, click.region_code) == (delivery.id, STREET_A)


def test_staff_preview_a_push_on_their_own_wechat_before_sending(app, client, fake_wechat, wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    follow(fake_wechat, add_residents(STREET_A, 2))
    draft = push(street, [STREET_A], run=False)
    fake_wechat.set_user("o-staff-phone", active=False)
    console = Console(client, "nanling")
    preview = f"/admin/pushes/{draft.id}/preview"
    # Not bound yet: nothing goes out, whichever openid a form names.
    assert console.post(preview, {"openid": "o-someone-else"}).status_code == 302
    assert "先绑定您的微信" in console.get(f"/admin/pushes/{draft.id}").text
    assert fake_wechat.deliveries("preview")["total"] == 0
    # The console gives a one-time code; the staff member sends it from their own WeChat.
    code = re.search(r"\b(\d{8})\b", console.post("/admin/wechat").text).group(1)
    assert "绑定码" in wechat.ask("o-staff-phone", "工作人员绑定")
    assert "已绑定" in wechat.ask("o-staff-phone", code)
    db.session.expire_all()  # the chat ran in a session of its own; the tests' one is shared
    assert "已绑定" in console.get("/admin/wechat").text
    assert console.post(preview, {"openid": "o-someone-else"}).status_code == 302
    assert fake_wechat.deliveries("preview", "o-staff-phone")["total"] == 1
    assert fake_wechat.deliveries("preview", "o-someone-else")["total"] == 0
    assert fake_wechat.deliveries("mass")["total"] == 0  # nobody else yet
    assert db.session.get(Push, draft.id).status == "draft"
    assert "push_preview" in db.session.execute(db.select(AuditEntry.action)).scalars().all()


def test_a_wrong_or_used_binding_code_binds_nobody(app, client, wechat):
    add_staff("nanling", "street_admin", STREET_A)
    console = Console(client, "nanling")
    code = re.search(r"\b(\d{8})\b", console.post("/admin/wechat").text).group(1)
    wechat.ask("o-guesser", "工作人员绑定")
    assert "不正确" in wechat.ask("o-guesser", "12345678" if code != "12345678" else "87654321")
    wechat.ask("o-staff-phone", "工作人员绑定")
    assert "已绑定" in wechat.ask("o-staff-phone", code)
    wechat.ask("o-guesser", "工作人员绑定")
    assert "不正确" in wechat.ask("o-guesser", code)  # used once, gone
    db.session.expire_all()  # the chat ran in a session of its own; the tests' one is shared
    bound = db.session.execute(db.select(Staff.wechat_openid).filter_by(username="nanling")).scalar_one()
    assert bound == "o-staff-phone"


def test_a_running_push_page_refreshes_itself_and_offers_cancel(app, client, fake_wechat, monkeypatch):
    street = add_staff("nanling", "street_admin", STREET_A)
    follow(fake_wechat, add_residents(STREET_A, 2))
    monkeypatch.setattr(deliver, "_enqueue_batch", lambda push, number: None)
    sent = push(street, [STREET_A])  # prepared, batches not run yet
    console = Console(client, "nanling")
    assert 'href="/admin/campaigns"' in console.get("/admin/dashboard").text
    page = console.get(f"/admin/pushes/{sent.id}")
    assert 'http-equiv="refresh"' in page.text and "取消推送" in page.text and "<progress" in page.text
    assert console.get(f"/admin/pushes/{sent.id}/progress.json").get_json()["pending"] == 2
    confirm = console.get(f"/admin/pushes/{sent.id}/cancel").text  # its own page: no reload clears the box
    assert 'http-equiv="refresh"' not in confirm and 'name="confirm"' in confirm and "不能撤销" in confirm
    assert console.post(f"/admin/pushes/{sent.id}/cancel").status_code == 400  # not confirmed
    assert console.post(f"/admin/pushes/{sent.id}/cancel", {"confirm": "1"}).status_code == 302
    done = console.get(f"/admin/pushes/{sent.id}")
    assert 'http-equiv="refresh"' not in done.text and "推送已取消" in done.text
    assert statuses(sent.id) == {"cancelled": 2}


def test_a_send_time_out_of_range_is_refused_with_the_reason_and_nothing_created(app, client):
    from tests.push_support import campaign_with_item

    staff = add_staff("nanguan", "district_admin", DISTRICT_A)
    campaign, item = campaign_with_item(staff)
    console = Console(client, "nanguan")
    for send_at, reason in (("0001-01-01", "已经过了"), ("0001-01-01T00:00", "已经过了"),
                            ("9999-12-31T23:59", "最多提前"), ("2020-01-01T09:00", "已经过了"),
                            ("2026-13-45", "格式无效"), ("tomorrow", "格式无效")):
        refused = console.post(f"/admin/campaigns/{campaign.id}/push",
                               {"item_id": item.id, "codes": STREET_A, "send_at": send_at})
        assert refused.status_code == 400 and reason in refused.text, (send_at, refused.status_code)
    assert db.session.scalar(db.select(db.func.count()).select_from(Push)) == 0
    scheduled = console.post(f"/admin/campaigns/{campaign.id}/push",
                             {"item_id": item.id, "codes": STREET_A, "send_at": "2099-01-01T09:00"})
    assert scheduled.status_code == 400  # still more than a year ahead
