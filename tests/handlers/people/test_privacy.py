"""删除我的信息 and unfollowing: nothing personal is left in any table or in the dialog state."""
from datetime import date

from sqlalchemy import select

from bot.webhook import simulate
from handlers.volunteers import service
from models import Base, ServiceRecord, Volunteer, db
from tests.people_support import register_in_chat

NAME, PHONE = "陈十二", "13855556666"


def everything_stored() -> str:
    """Every value of every row of every table, as one text to search."""
    values = []
    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            values += [str(value) for value in row]
    return " ".join(values)


def a_full_life(wechat, mini_program, user: str) -> str:
    """A resident who logged in to the mini-program, bound an area, registered and served."""
    openid = mini_program.openid(user)
    mini_program.login(user)  # stores the unionid too
    wechat.ask(openid, "绑定小区")
    wechat.ask(openid, "同意")
    wechat.ask(openid, "南岭街道")
    register_in_chat(wechat, openid, name=NAME, phone=PHONE)
    volunteer = db.session.execute(select(Volunteer)).scalar_one()
    volunteer.status = "approved"
    service.record(volunteer.id, "桶边督导", date(2026, 3, 1), 2, "南岭街道办事处", "staff1")
    db.session.commit()
    wechat.ask(openid, "绑定小区")  # an unfinished dialog in shared state
    return openid


def assert_nothing_personal_left(app, openid: str, unionid: str) -> None:
    stored = everything_stored()
    for personal in (openid, unionid, NAME, PHONE):
        assert personal not in stored
    assert app.extensions["state"].get(f"dialog:{openid}") is None
    [kept] = db.session.execute(select(ServiceRecord)).scalars()
    assert kept.volunteer_id is None and float(kept.hours) == 2.0  # the area's totals keep the hours


def test_delete_my_data_leaves_nothing_personal_in_any_table(app, wechat, mini_program, region_tree):
    from fake_wechat import unionid_for

    openid = a_full_life(wechat, mini_program, "judy")
    assert openid in everything_stored() and NAME in everything_stored()
    told = wechat.ask(openid, "删除我的信息")  # works even with a dialog waiting for an answer
    for item in ("未完成的登记内容", "志愿者登记", "1 条服务记录", "同意书记录", "绑定的小区", "关注记录", "条消息记录"):
        assert item in told
    db.session.expire_all()
    assert_nothing_personal_left(app, openid, unionid_for("judy"))
    assert "可回收物" in wechat.ask(openid, "旧报纸")  # and the bot still answers


def test_unfollowing_forgets_too(app, wechat, mini_program, region_tree):
    from fake_wechat import unionid_for

    openid = a_full_life(wechat, mini_program, "kim")
    assert wechat.reply(simulate.event_xml(openid, "unsubscribe")) is None
    db.session.expire_all()
    assert_nothing_personal_left(app, openid, unionid_for("kim"))
