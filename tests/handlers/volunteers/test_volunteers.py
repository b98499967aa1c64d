"""Volunteer registration walked through the real webhook (signed XML), and what staff do with it."""
import json
from datetime import date

from openpyxl import load_workbook

from bot.cli.people import export_volunteers, record_service, review_volunteer
from bot.webhook import simulate
from handlers.volunteers import service
from infra import jobs
from models import InboundMessage, Volunteer, db
from tests.people_support import register_in_chat


def volunteers_of(openid: str) -> list[Volunteer]:
    from models import Resident

    return list(db.session.execute(db.select(Volunteer).join(Resident, Volunteer.resident_id == Resident.id)
                                   .where(Resident.openid == openid)).scalars())


def test_whole_dialog_registers_a_pending_volunteer(wechat, region_tree):
    openid = "o-volunteer"
    assert "会收集您的姓名、手机号" in wechat.ask(openid, "志愿者报名")  # consent before anything personal
    assert "请回复您的真实姓名" in wechat.ask(openid, "同意")
    assert "11位手机号" in wechat.ask(openid, "张三")
    assert "您想在哪里做志愿服务" in wechat.ask(openid, "138 1234 5678")
    assert "能做哪些志愿服务" in wechat.ask(openid, "南岭街道")
    assert "什么时间方便" in wechat.ask(openid, "1、3")
    summary = wechat.ask(openid, "周末")
    for shown in ("姓名：张三", "手机：13812345678", "南关区南岭街道", "垃圾分类督导", "活动组织", "周末"):
        assert shown in summary
    assert "等待南关区南岭街道的工作人员审核" in wechat.ask(openid, "确认")
    [volunteer] = volunteers_of(openid)
    assert (volunteer.name, volunteer.phone, volunteer.status) == ("张三", "13812345678", "pending")
    assert volunteer.skills == "sorting_guide,events" and volunteer.availability == "weekend"
    assert "待审核" in wechat.ask(openid, "我的志愿者")
    assert "已经登记过志愿者了" in wechat.ask(openid, "志愿者报名")


def test_invalid_phone_numbers_are_refused_with_a_reason(wechat, region_tree):
    openid = "o-bad-phone"
    for answer in ("志愿者报名", "同意", "李四"):
        wechat.ask(openid, answer)
    for bad in ("1381234", "23812345678", "138123456789", "12345678901", "1381234567a"):
        assert "不是有效的手机号" in wechat.ask(openid, bad)
    assert "请回复您的11位手机号" in wechat.ask(openid, "不知道")  # not a number at all: asked again
    assert "您想在哪里做志愿服务" in wechat.ask(openid, "+86 139-0000-1111")
    assert "13900001111" in register_rest(wechat, openid)


def register_rest(wechat, openid: str) -> str:
    wechat.ask(openid, "南岭")
    wechat.ask(openid, "2")
    return wechat.ask(openid, "1")


def test_back_and_correcting_a_field_from_the_summary(wechat, region_tree):
    openid = "o-corrector"
    for answer in ("志愿者报名", "同意", "王五", "13812345678"):
        wechat.ask(openid, answer)
    assert "11位手机号" in wechat.ask(openid, "上一步")
    assert "您想在哪里做志愿服务" in wechat.ask(openid, "13700002222")
    assert "南关区的街道" in wechat.ask(openid, "南关")
    assert "请选择您所在的区" in wechat.ask(openid, "返回")  # up one level in the chooser
    summary = register_rest(wechat, openid)
    assert "手机：13700002222" in summary
    assert "11位手机号" in wechat.ask(openid, "修改2")
    corrected = wechat.ask(openid, "13600003333")
    assert "请核对" in corrected and "手机：13600003333" in corrected  # straight back to the summary
    assert "真实姓名" in wechat.ask(openid, "修改姓名")
    assert "姓名：王小五" in wechat.ask(openid, "我叫王小五")
    wechat.ask(openid, "修改3")
    wechat.ask(openid, "朝阳")
    assert "朝阳区永昌街道" in wechat.ask(openid, "永昌")
    wechat.ask(openid, "确认")
    [volunteer] = volunteers_of(openid)
    assert (volunteer.name, volunteer.phone, volunteer.region_code) == ("王小五", "13600003333", "220104004")


def test_cancel_drops_the_dialog_and_nothing_is_saved(wechat, region_tree):
    openid = "o-canceller"
    for answer in ("志愿者报名", "同意", "赵六", "13812345678"):
        wechat.ask(openid, answer)
    assert "已取消志愿者登记" in wechat.ask(openid, "取消")
    assert volunteers_of(openid) == []
    assert "可回收物" in wechat.ask(openid, "塑料瓶")  # free text is a sorting question again
    assert "没有进行中的登记" in wechat.ask(openid, "取消")
    assert "请回复您的真实姓名" in wechat.ask(openid, "志愿者报名")  # consent is remembered


def test_resume_later_where_the_user_left(wechat, region_tree):
    openid = "o-resumer"
    for answer in ("志愿者报名", "同意", "钱七"):
        wechat.ask(openid, answer)
    resumed = wechat.ask(openid, "志愿者报名")
    assert "接着上次的志愿者登记" in resumed and "11位手机号" in resumed
    assert "11位手机号" in wechat.ask(openid, "继续")
    assert "您想在哪里做志愿服务" in wechat.ask(openid, "13812345678")


def test_sorting_questions_mid_dialog_are_answered_and_the_step_kept(wechat, region_tree):
    openid = "o-asker"
    wechat.ask(openid, "志愿者报名")
    wechat.ask(openid, "同意")
    answer = wechat.ask(openid, "废电池是什么垃圾")
    assert "有害垃圾" in answer and "志愿者登记还没完成" in answer and "真实姓名" in answer
    answer = wechat.ask(openid, "剩饭")  # an item alone, where a name is expected
    assert "厨余垃圾" in answer and "真实姓名" in answer
    wechat.ask(openid, "孙八")
    answer = wechat.ask(openid, "塑料瓶扔哪")
    assert "可回收物" in answer and "11位手机号" in answer
    assert "您想在哪里做志愿服务" in wechat.ask(openid, "13812345678")
    answer = wechat.ask(openid, "过期药品怎么扔")
    assert "有害垃圾" in answer and "请选择您所在的区" in answer
    assert "能做哪些志愿服务" in wechat.ask(openid, "南岭")


def test_help_and_other_keywords_mid_dialog_keep_the_dialog(wechat, region_tree):
    openid = "o-helper"
    for answer in ("志愿者报名", "同意", "周九"):
        wechat.ask(openid, answer)
    reply = wechat.ask(openid, "帮助")
    assert "使用说明" in reply and "11位手机号" in reply
    assert "先完成它" in wechat.ask(openid, "绑定小区")
    assert "您想在哪里做志愿服务" in wechat.ask(openid, "13812345678")


def test_retries_of_each_step_neither_skip_nor_repeat_it(wechat, region_tree, app, monkeypatch):
    import time

    from handlers import inbox

    openid = "o-retried"
    store = app.extensions["state"]
    steps = ["志愿者报名", "同意", "吴十", "13812345678", "南岭", "1", "3", "确认"]
    for number, answer in enumerate(steps, start=5000):
        xml = simulate.text_xml(openid, answer, msg_id=number)
        first = wechat.reply(xml)
        assert wechat.reply(xml) == first  # WeChat's retry: answered from the stored answer
        for stored in store.scan_iter("wx:*"):  # the retry cache lost: WeChat's next retry, 5 s
            store.delete(stored)              # on, is answered by the message log, masked
        with monkeypatch.context() as later:
            later.setattr(inbox, "now", lambda: time.time() + 5)
            assert wechat.reply(xml) == first.replace("13812345678", "138****5678").replace("吴十", "吴*")
    assert "等待南关区南岭街道的工作人员审核" in first
    assert len(volunteers_of(openid)) == 1
    logged = db.session.scalar(db.select(db.func.count()).select_from(InboundMessage)
                               .where(InboundMessage.openid == openid))
    assert logged == len(steps)


def test_a_second_registration_never_makes_a_second_volunteer(wechat, region_tree):
    openid = "o-twice"
    register_in_chat(wechat, openid)
    assert "已经登记过" in wechat.ask(openid, "志愿者报名")
    assert len(volunteers_of(openid)) == 1


def test_personal_answers_stay_out_of_the_message_log(wechat, region_tree):
    openid = "o-private"
    register_in_chat(wechat, openid, name="郑十一", phone="13811112222")
    logged = " ".join(f"{m.content} {m.reply}" for m in db.session.execute(
        db.select(InboundMessage).where(InboundMessage.openid == openid)).scalars())
    assert "郑十一" not in logged and "13811112222" not in logged


def test_staff_approve_record_service_and_the_volunteer_asks_for_hours(wechat, region_tree, fake_wechat):
    openid = "o-server"
    register_in_chat(wechat, openid)
    [volunteer] = volunteers_of(openid)
    runner = region_tree.test_cli_runner()
    refused = runner.invoke(record_service, [str(volunteer.id), "--activity", "桶边督导", "--date",
                                             "2026-01-10", "--hours", "2", "--organiser", "南岭街道",
                                             "--by", "staff1"])
    assert refused.exit_code != 0 and "not an approved volunteer" in refused.output
    assert "还没有服务记录" in wechat.ask(openid, "我的服务时长")
    runner.invoke(review_volunteer, [str(volunteer.id), "--by", "staff1"], catch_exceptions=False)
    if region_tree.config["REDIS_URL"]:
        jobs.run_worker(region_tree, ["default"], burst=True)
    told = [c["json"]["text"]["content"] for c in fake_wechat.calls("/cgi-bin/message/custom/send")
            if c["json"]["touser"] == openid]
    assert len(told) == 1 and "通过" in told[0]  # the CLI's decision reaches WeChat as the console's does
    for day, hours in (("2026-01-10", "2"), ("2026-01-17", "1.5")):
        runner.invoke(record_service, [str(volunteer.id), "--activity", "桶边督导", "--date", day,
                                       "--hours", hours, "--organiser", "南岭街道办事处",
                                       "--by", "staff1"], catch_exceptions=False)
    reply = wechat.ask(openid, "我的服务时长")
    assert "累计志愿服务 3.5 小时，共 2 次" in reply
    assert "2026-01-17 桶边督导（南岭街道办事处）1.5 小时" in reply
    bad = runner.invoke(record_service, [str(volunteer.id), "--activity", "督导", "--date", "2026-01-10",
                                         "--hours", "30", "--organiser", "x", "--by", "staff1"])
    assert bad.exit_code != 0


def test_service_record_keeps_what_a_certificate_needs(region_tree, wechat):
    register_in_chat(wechat, "o-cert")
    [volunteer] = volunteers_of("o-cert")
    volunteer.status = "approved"
    entry = service.record(volunteer.id, "入户宣传", date(2026, 2, 1), 3, "南关区城管局", "staff2")
    db.session.commit()
    assert (entry.volunteer.name, entry.activity, float(entry.hours), entry.organiser,
            entry.served_on, entry.recorded_by) == ("张三", "入户宣传", 3.0, "南关区城管局",
                                                    date(2026, 2, 1), "staff2")


def test_export_of_a_subtree_masks_phones_unless_asked(wechat, region_tree, tmp_path):
    register_in_chat(wechat, "o-nanguan", name="南关人", phone="13812345678", area="南岭")
    register_in_chat(wechat, "o-chaoyang", name="朝阳人", phone="13987654321", area="朝阳区永昌街道")
    runner = region_tree.test_cli_runner()
    out = tmp_path / "v.xlsx"
    result = runner.invoke(export_volunteers, ["220102", "-o", str(out)], catch_exceptions=False)
    assert "1 volunteers" in result.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "姓名", "手机")
    assert [row[1:4] for row in rows[1:]] == [("南关人", "138****5678", "南关区南岭街道")]
    runner.invoke(export_volunteers, ["2201", "-o", str(out), "--full-phone"], catch_exceptions=False)
    phones = sorted(row[2] for row in load_workbook(out).active.iter_rows(min_row=2, values_only=True))
    assert phones == ["13812345678", "13987654321"]


def test_dialog_state_expires_in_shared_state(wechat, region_tree, app):
    openid = "o-expiring"
    wechat.ask(openid, "志愿者报名")
    wechat.ask(openid, "同意")
    store = app.extensions["state"]
    assert 6 * 24 * 3600 < store.ttl(f"dialog:{openid}") <= 7 * 24 * 3600
    store.delete(f"dialog:{openid}")  # what the expiry does a week later
    assert "厨余垃圾" in wechat.ask(openid, "剩饭")
    assert "没有进行中的登记" in wechat.ask(openid, "继续")


def test_console_approval_tells_the_volunteer_once_in_wechat(wechat, region_tree, client, fake_wechat):
    from handlers.volunteers import records as volunteers
    from tests.admin_support import Console, add_staff
    from tests.push_support import run_jobs

    register_in_chat(wechat, "o-approved", name="王芳")
    [volunteer] = volunteers_of("o-approved")
    add_staff("street", "street_admin", volunteer.region_code)
    console = Console(client, "street")
    for _ in range(2):  # a double click on 通过 is one decision
        assert console.post(f"/admin/volunteers/{volunteer.id}/review", {"decision": "approve"}).status_code == 302
        run_jobs()
    assert volunteers.send_review_notice(volunteer.id) == "skipped"  # a second run sends nothing
    assert fake_wechat.deliveries("custom", "o-approved")["total"] == 1
    told = fake_wechat.calls("/cgi-bin/message/custom/send")[-1]["json"]
    assert told["touser"] == "o-approved"
    assert told["text"]["content"].startswith("王芳您好！您的志愿者登记已通过南岭街道工作人员的审核")


def test_console_rejection_tells_the_volunteer_and_a_later_approval_tells_again(wechat, region_tree, client,
                                                                               fake_wechat):
    from models import AuditEntry
    from tests.admin_support import Console, add_staff
    from tests.push_support import run_jobs

    register_in_chat(wechat, "o-rejected", name="赵强")
    [volunteer] = volunteers_of("o-rejected")
    add_staff("street", "street_admin", volunteer.region_code)
    console = Console(client, "street")
    assert 'name="reason"' in console.get("/admin/volunteers").text
    refused = console.post(f"/admin/volunteers/{volunteer.id}/review", {"decision": "reject", "reason": "  "})
    assert refused.status_code == 400 and "请填写不通过的原因" in refused.text
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id).status == "pending"  # no reason, no decision
    assert fake_wechat.deliveries("custom", "o-rejected")["total"] == 0
    reason = "服务区域不在本街道"
    console.post(f"/admin/volunteers/{volunteer.id}/review", {"decision": "reject", "reason": reason})
    run_jobs()
    rejected = fake_wechat.calls("/cgi-bin/message/custom/send")[-1]["json"]["text"]["content"]
    assert "很抱歉，您的志愿者登记这次没有通过南岭街道工作人员的审核，原因：服务区域不在本街道。" in rejected
    assert f"原因：{reason}" in console.get("/admin/volunteers?status=rejected").text
    entry = db.session.execute(db.select(AuditEntry).filter_by(action="reject")).scalar_one()
    assert json.loads(entry.detail) == {"reason": reason}
    assert reason in console.get("/admin/audit").text
    console.post(f"/admin/volunteers/{volunteer.id}/review", {"decision": "approve"})
    run_jobs()
    assert fake_wechat.deliveries("custom", "o-rejected")["total"] == 2
    assert "已通过" in fake_wechat.calls("/cgi-bin/message/custom/send")[-1]["json"]["text"]["content"]


def test_a_volunteer_outside_the_48_hour_window_is_not_retried(wechat, region_tree, client, fake_wechat):
    from handlers.volunteers import records as volunteers
    from tests.admin_support import Console, add_staff
    from tests.push_support import run_jobs

    register_in_chat(wechat, "o-silent-volunteer")
    [volunteer] = volunteers_of("o-silent-volunteer")
    fake_wechat.set_user("o-silent-volunteer", active=False)  # last wrote more than 48 h ago
    add_staff("street", "street_admin", volunteer.region_code)
    Console(client, "street").post(f"/admin/volunteers/{volunteer.id}/review", {"decision": "approve"})
    run_jobs()
    assert fake_wechat.deliveries("custom", "o-silent-volunteer")["total"] == 0
    assert volunteers.send_review_notice(volunteer.id) == "skipped"  # 45015 is final
    assert "已通过审核" in wechat.ask("o-silent-volunteer", "我的志愿者")


def test_a_rejection_from_the_cli_tells_the_volunteer_its_reason(wechat, region_tree, fake_wechat):
    openid = "o-cli-rejected"
    register_in_chat(wechat, openid, name="钱七")
    [volunteer] = volunteers_of(openid)
    runner = region_tree.test_cli_runner()
    runner.invoke(review_volunteer, [str(volunteer.id), "--reject", "--reason", "年龄未满十六周岁", "--by", "staff1"],
                  catch_exceptions=False)
    if region_tree.config["REDIS_URL"]:
        jobs.run_worker(region_tree, ["default"], burst=True)
    told = [c["json"]["text"]["content"] for c in fake_wechat.calls("/cgi-bin/message/custom/send")
            if c["json"]["touser"] == openid]
    assert len(told) == 1 and "没有通过" in told[0] and "原因：年龄未满十六周岁。" in told[0]
    mine = wechat.ask(openid, "我的志愿者")  # the notice may be lost (outside the window): the chat says it too
    assert "状态：未通过审核" in mine and "未通过的原因：年龄未满十六周岁" in mine
