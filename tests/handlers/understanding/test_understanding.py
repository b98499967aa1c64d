"""The chat understands what residents mean: each intent in their words, the traps of issue 15,
numbered choices, and the 2,048-byte reply limit."""
import re

import pytest

from content.intents import load_intents, reply
from content.texts import lookup
from handlers.sorting import get_engine
from handlers.understanding import get_understanding

# (message, intent): real phrasings, none of them from the benchmark sets.
EXAMPLES = [
    ("电池扔哪个桶", "sorting"),
    ("用过的纸巾是啥垃圾", "sorting"),
    ("有害垃圾包括什么", "category_info"),
    ("我想报名当志愿者", "volunteer_register"),
    ("怎么加入志愿者", "volunteer_register"),
    ("我服务了多少小时", "volunteer_status"),
    ("我搬家了换个社区", "area_bind"),
    ("我绑的是哪个小区", "area_show"),
    ("把我的资料清掉", "delete_data"),
    ("来几道题考考我", "quiz"),
    ("有问卷吗", "survey"),
    ("周末有什么活动能报名", "activities"),
    ("无废细胞是什么", "campaign"),
    ("大件垃圾怎么预约", "service"),
    ("楼下有人乱倒垃圾", "report"),
    ("转人工", "human"),
    ("你能干啥", "help"),
    ("早上好", "greeting"),
    ("好的知道了", "thanks"),
    ("讲个笑话", "smalltalk"),
    ("嗯", "unclear"),
    # unconverted pinyin, gesture emoji, dialect and everyday chatter beside the campaign's matters
    ("zhiyuanzhe zenme baoming", "volunteer_register"),
    ("shanchu xinxi", "delete_data"),
    ("zhao ge rengong kefu", "human"),
    ("xiexie ni", "thanks"),
    ("🙏🙏", "thanks"),
    ("👋👋", "greeting"),
    ("俺家那旮旯的垃圾桶贼埋汰 好几天没人清", "report"),
    ("你咋这么磨叽呢", "smalltalk"),
    ("社区医院咋挂号", "smalltalk"),
    ("这玩意儿到底算啥啊", "unclear"),
    ("问问呗", "unclear"),
    ("可回收 有害 厨余 其他 这几样到底咋区分", "category_info"),
]

TRAPS = [
    ("我想报名当志愿者", "volunteer_register"),
    ("我想删除我的信息", "delete_data"),
    ("小区垃圾桶满了没人管", "report"),
    ("垃圾车几点来收垃圾", "service"),
    ("今天长春天气怎么样", "smalltalk"),
    ("人工客服", "human"),
    ("用完的电池扔哪疙瘩", "sorting"),
    ("这玩意儿咋整啊", "unclear"),
    ("厨余垃圾有哪些", "category_info"),
    ("谢谢", "thanks"),
]


@pytest.mark.parametrize("text, intent", EXAMPLES + TRAPS)
def test_reads_what_residents_mean(text, intent):
    assert get_understanding().read(text).intent == intent


def bin_named(answer: str) -> bool:
    return any(label in answer for label in ("可回收物", "有害垃圾", "厨余垃圾", "其他垃圾"))


def test_webhook_answers_each_intent(wechat):
    openid = "o-intents"
    assert "志愿者" in wechat.ask(openid, "我想报名当志愿者")
    wechat.ask(openid, "取消")
    confirm = wechat.ask(openid, "我想删除我的信息")
    assert "删除我的信息" in confirm and not bin_named(confirm)
    report = wechat.ask(openid, "小区垃圾桶满了没人管")
    assert "12345" in report and "随手拍" in report and not bin_named(report)
    wechat.ask(openid, "取消")  # the report dialog (随手拍) waits for its kind
    assert "12345" in wechat.ask(openid, "人工客服")
    times = wechat.ask(openid, "垃圾车几点来收垃圾")
    assert "时间" in times and "可回收物（蓝" not in times
    weather = wechat.ask(openid, "今天长春天气怎么样")
    assert weather.startswith(reply("smalltalk", can_do="").split("\n")[0]) and "最可能" not in weather
    unclear = wechat.ask(openid, "这玩意儿咋整啊")
    assert "没太明白" in unclear and "最可能" not in unclear
    battery = wechat.ask(openid, "用完的电池扔哪疙瘩")
    assert "电池" in battery and "疙瘩" not in battery
    kitchen = wechat.ask(openid, "厨余垃圾有哪些")
    assert "厨余垃圾（绿" in kitchen and "剩饭剩菜" in kitchen
    assert wechat.ask(openid, "谢谢") == reply("thanks")
    assert "2025" in wechat.ask(openid, "啥是无废城市") or "无废细胞" in wechat.ask(openid, "啥是无废城市")
    assert "小程序" in wechat.ask(openid, "学校有啥亲子活动")
    assert "大件垃圾" in wechat.ask(openid, "旧沙发找谁拉走")
    assert "答题" in wechat.ask(openid, "来几道题考考我") or "题" in wechat.ask(openid, "取消")


def test_deletion_in_other_words_works_mid_dialog(wechat):
    openid = "o-delete-mid"
    wechat.ask(openid, "志愿者报名")
    answer = wechat.ask(openid, "把我的资料都删了吧")
    assert answer == reply("delete_confirm")
    assert wechat.ask(openid, "删除我的信息").startswith("已删除您的个人信息")


def test_an_item_and_a_request_both_answered(wechat):
    answer = wechat.ask("o-mixed", "我想当志愿者，顺便问下废电池扔哪个桶")
    assert "有害垃圾" in answer and "志愿者" in answer


def test_an_item_asked_beside_another_request_is_answered_with_it(wechat):
    reading = get_understanding().read("帮我看看我服务了多少小时，还有旧灯泡扔哪")
    assert (reading.intent, reading.aside) == ("volunteer_status", ("灯泡",))
    answer = wechat.ask("o-mixed-status", "帮我看看我服务了多少小时，还有旧灯泡扔哪")
    assert answer.startswith("灯泡：") and "志愿者" in answer


def test_close_readings_ask_and_a_digit_answers(wechat, monkeypatch):
    from handlers.understanding import Reading, chat, understand
    text = "志愿者的事和电池"
    fake = Reading("volunteer_register", (), ("volunteer_register", "sorting"), 0.2)
    monkeypatch.setattr(chat, "understand", lambda t: fake if t == text else understand(t))
    asked = wechat.ask("o-choice", text)
    assert "1. 报名志愿者" in asked and "2. 查询物品分类" in asked
    assert "志愿者" in wechat.ask("o-choice", "1")
    wechat.ask("o-choice", "取消")
    assert "1. 报名志愿者" in wechat.ask("o-choice", text)
    assert "电池" in wechat.ask("o-choice", "2")


def test_a_very_long_message_gets_a_short_answer(wechat):
    items = ["电池", "剩饭", "纸巾", "塑料瓶", "玻璃瓶", "旧衣服", "易拉罐", "西瓜皮", "过期药品", "报纸"]
    text = "，".join(items * 10) + "都扔哪里？" + "我家东西特别多" * 30
    answer = wechat.ask("o-long", text)
    assert len(answer.encode()) <= 2048
    assert answer.count("电池：") == 1
    assert re.search(r"还有\d+个物品没有列出", answer)


def test_names_without_an_item_never_get_a_bin():
    for text, intent in TRAPS + EXAMPLES:
        if intent not in ("sorting",):
            reading = get_understanding().read(text)
            assert reading.intent != "sorting", text


def test_category_examples_are_in_the_item_list():
    items = {item.name: item.category for item in get_engine().knowledge.items}
    for code in ("recyclable", "hazardous", "kitchen", "residual"):
        for example in lookup("intents/replies.toml", f"category.{code}")["examples"]:
            assert items.get(example) == code, example


def test_every_intent_has_a_label_and_phrasings():
    intents = load_intents()
    assert len(intents) == 19
    for intent in intents.values():
        assert intent.phrasings and intent.label


def test_the_api_answers_a_long_list_in_part(client):
    items = ["电池", "剩饭", "纸巾", "塑料瓶", "玻璃瓶", "旧衣服", "易拉罐", "西瓜皮"]
    data = client.get("/api/v1/sorting", query_string={"q": "、".join(items * 3)}).get_json()
    assert len(data["answers"]) == 5 and data["more"] == 3
    assert len({answer["item"] for answer in data["answers"]}) == 5


@pytest.mark.parametrize("text, item, category", [
    ("小米电视坏了", "电视", "special"),
    ("苹果手机", "手机", "special"),
    ("华为充电器", "充电器", "special"),
    ("电动车的旧电瓶", "电瓶", "hazardous"),
])
def test_names_of_things_are_one_item(text, item, category):
    answers = get_engine().classify(text).answers
    assert [(a.item, a.category) for a in answers] == [(item, category)]


def test_food_sense_wins_in_a_food_context():
    answers = get_engine().classify("奶茶杯里还有珍珠").answers
    assert [a.category for a in answers] == ["residual", "kitchen"]
    assert get_engine().classify("珍珠").answers[0].category == "recyclable"


def test_no_request_through_the_webhook_gets_a_bin_guess(wechat):
    for number, (text, intent) in enumerate(EXAMPLES + TRAPS):
        openid = f"o-each-{number}"  # each on its own: a dialog one starts would take the next
        answer = wechat.ask(openid, text)
        assert answer, text
        if intent == "sorting":
            assert bin_named(answer), text
        else:
            assert "没有收录" not in answer and "最可能" not in answer, (text, answer)


def test_a_question_mid_dialog_is_answered_and_the_dialog_waits(wechat):
    openid = "o-aside"
    wechat.ask(openid, "志愿者报名")
    answer = wechat.ask(openid, "人工客服")
    assert "12345" in answer and "志愿者登记还没完成" in answer


@pytest.mark.parametrize("text, items", [
    ("老铁 电池扔哪", ["电池"]),
    ("老妹儿 问一下 电池扔哪嘎哒", ["电池"]),
    ("闹心 这旧衣服咋整", ["旧衣服"]),
    ("整不明白 这塑料袋扔哪", ["塑料袋"]),
    ("咋地 饭盒算啥垃圾", ["饭盒"]),
    ("这旧棉袄搁哪扔", ["棉袄"]),
    ("哎呀妈呀 这剩饭扔哪", ["剩饭"]),
    ("小编 玻璃瓶扔哪 在线等", ["玻璃瓶"]),
    ("这玩意儿 充电宝 扔哪噶", ["充电宝"]),
    ("大哥大", ["大哥大"]),  # an old mobile phone: a name that holds an address word stays whole
])
def test_address_words_interjections_and_dialect_are_never_items(text, items):
    assert [answer.item for answer in get_engine().classify(text).answers] == items


@pytest.mark.parametrize("name, label", [("铁锅", "可回收物"), ("粘豆包", "其他垃圾"), ("烧烤签子", "其他垃圾")])
def test_a_thing_nobody_listed_asked_by_its_name_alone_gets_its_bin(wechat, name, label):
    assert label in wechat.ask("o-bare-name", name)


@pytest.mark.parametrize("text, intent", [("怎么使用", "help"), ("你吃饭了吗", "smalltalk")])
def test_a_short_question_is_no_bare_name(text, intent):
    assert get_understanding().read(text).intent == intent
