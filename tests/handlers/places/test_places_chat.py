"""Where to take it, in the chat: a service question, the resident's area, a location message."""
import pytest

from bot.cli.demo import demo
from bot.webhook import simulate
from handlers.people import residents
from models import db

NANLING = (43.8536, 125.3328)  # GCJ-02, beside 南岭街道's demo battery box


@pytest.fixture
def demo_points(region_tree):
    region_tree.test_cli_runner().invoke(demo, catch_exceptions=False)
    return region_tree


def send_location(wechat, openid: str, lat: float, lng: float) -> str:
    return wechat.reply(simulate.message_xml(openid, "location", {
        "Location_X": lat, "Location_Y": lng, "Scale": 15, "Label": "长春市南关区", "MsgId": 770001}))


def test_a_where_question_asks_for_the_location_and_it_answers_with_the_nearest(wechat, demo_points):
    asked = wechat.ask("o-where", "废电池哪里有回收箱")
    assert "色桶）" not in asked.splitlines()[0]  # where to take it, not a bin answer
    assert "发送您的位置" in asked and "废电池回收箱" in asked
    answer = send_location(wechat, "o-where", *NANLING)
    assert answer.startswith("离您最近的废电池回收箱或有害垃圾回收箱")
    assert "南岭街道卫星路社区废电池回收箱" in answer and "米" in answer


def test_a_bound_resident_gets_the_points_of_their_street(wechat, demo_points):
    wechat.ask("o-bound", "你好")
    resident = residents.find("o-bound")
    resident.region_code = "220102001"  # 南岭街道
    db.session.commit()
    asked = wechat.ask("o-bound", "旧电池去哪交")
    assert "南岭街道的废电池回收箱或有害垃圾回收箱" in asked
    assert "南岭街道卫星路社区废电池回收箱" in asked


def test_a_location_alone_answers_with_points_of_any_kind(wechat, demo_points):
    answer = send_location(wechat, "o-just-location", *NANLING)
    assert answer.startswith("离您最近的回收点") and answer.count("·") == 3


def test_far_away_there_is_nothing_to_offer(wechat, demo_points):
    assert "50 公里内还没有登记" in send_location(wechat, "o-far", 39.9042, 116.4074)  # Beijing


def test_an_item_for_a_collection_point_offers_the_nearest_on_a_location(wechat, demo_points):
    answer = wechat.ask("o-item", "用完的充电电池")
    assert "有害垃圾" in answer and "发送您的位置" in answer
    assert "南岭街道卫星路社区废电池回收箱" in send_location(wechat, "o-item", *NANLING)


def test_an_ordinary_item_offers_no_points(wechat, demo_points):
    assert "发送您的位置" not in wechat.ask("o-peel", "香蕉皮")
