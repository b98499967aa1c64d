"""How residents really write: spelling variants, question words, and unknown items, as they read the answer."""
import json

import pytest

from content.sorting import load_knowledge
from handlers.sorting import CATEGORIES, Engine, classify, format_reply, get_engine
from handlers.sorting.build import read_cedict
from handlers.sorting.model import STORED, training_digest


def categories(text: str) -> list[str]:
    result = classify(text)
    assert not result.unrecognised, result
    return [answer.category for answer in result.answers]


# --- the way an item is written -----------------------------------------------------------------

@pytest.mark.parametrize("typed, item, category", [
    ("一个塑料瓶", "塑料瓶", "recyclable"),
    ("两节碱性电池", "碱性电池", "residual"),  # the quantity goes, the kind of battery still settles the bin
    ("这块砖头", "砖头", "special"),
    ("舊報紙", "旧报纸", "recyclable"),  # traditional characters
    ("雞骨頭", "鸡骨头", "kitchen"),
    ("纸 巾", "纸巾", "residual"),  # a stray space inside a name
    ("ＣＤ机", "CD机", "special"),  # full-width letters
    ("IPHONE", "iPhone", "special"),  # phones are e-waste in Changchun
    ("3.5英寸软盘", "3.5英寸软盘", "residual"),  # a point between digits is no full stop
])
def test_residents_spelling_finds_the_item(typed, item, category):
    answer = classify(typed).answers[0]
    assert (answer.item, answer.category) == (item, category)
    assert not answer.guess


def test_a_space_between_two_items_still_separates_them():
    assert categories("电池 剩饭") == ["hazardous", "kitchen"]


@pytest.mark.parametrize("text", ["电池🔋扔哪", "🔋电池", "【电池】扔哪个桶", "电池❤️", "电池👍🏻", "《电池》→哪个桶"])
def test_emoji_and_brackets_around_an_item_are_not_part_of_it(text):
    [answer] = classify(text).answers
    assert (answer.item, answer.guess) == ("电池", False)


def test_a_space_inside_one_name_joins_it_but_never_steals_from_a_known_word():
    assert [a.item for a in classify("海螺 壳 蚊香片").answers] == ["海螺壳", "蚊香片"]
    assert categories("西瓜皮 鞋子") == ["kitchen", "recyclable"]  # not 西瓜 + 皮鞋 + 子


def test_this_battery_gets_the_battery_distinction():
    reply = format_reply(classify("这个电池扔哪"))
    assert reply.startswith("电池：要看具体种类") and "纽扣电池" in reply


# --- question words -----------------------------------------------------------------------------

def test_a_bin_name_asked_alone_is_answered():
    assert format_reply(classify("干垃圾")).startswith("干垃圾：其他垃圾（灰色桶）")


def test_the_bin_names_in_a_question_are_never_items():
    assert classify("是干垃圾还是湿垃圾").answers == ()
    assert format_reply(classify("是干垃圾还是湿垃圾？")).startswith("请告诉我物品名称")
    assert categories("电池是干垃圾还是湿垃圾") == ["hazardous"]


@pytest.mark.parametrize("text, expected", [
    ("湿垃圾、凤梨酥分别属于什么垃圾", ["湿垃圾", "凤梨酥"]),  # a bin's name listed among items is one
    ("旧干拉圾 木质积木", ["干垃圾", "木质积木"]),
    ("电池是有害垃圾还是其他垃圾", ["电池"]),  # offered as a choice, it is the question
    ("剩饭属于厨余垃圾或者其他垃圾", ["剩饭"]),
    ("电池和旧的", ["电池"]),  # a state word with no item after it is no item
])
def test_a_bin_name_is_an_item_only_when_listed_as_one(text, expected):
    assert [answer.item for answer in classify(text).answers] == expected


@pytest.mark.parametrize("text, category", [
    ("西瓜皮是什么垃级", "kitchen"),
    ("烟头是什么拉圾", "residual"),
    ("沐浴乳属于哪一类", "residual"),
    ("橘子该怎么处理", "kitchen"),
    ("塑料瓶是什么垃圾额", "recyclable"),
    ("酸奶杯和报纸各是什么垃圾", None),
])
def test_typos_and_fillers_in_the_question_are_not_items(text, category):
    result = classify(text)
    assert not result.unrecognised
    if category is None:
        assert len(result.answers) == 2
    else:
        assert [a.category for a in result.answers] == [category]


def test_question_words_inside_an_item_name_stay_in_it():
    answer = classify("高附加值可回收物是什么垃圾").answers
    assert [a.item for a in answer] == ["高附加值可回收物"]


# --- not household waste ------------------------------------------------------------------------

@pytest.mark.parametrize("text, channel_word", [
    ("装修剩下的碎砖头和水泥块怎么处理", "装修垃圾堆放点"),
    ("一堆建筑垃圾", "装修垃圾堆放点"),
    ("坏了的旧冰箱扔哪", "以旧换新"),
    ("坏掉的小风扇", "以旧换新"),  # every product that runs on electricity, small ones too
    ("旧话筒和摄像头", "以旧换新"),
])
def test_rubble_and_old_fridges_get_their_channel(text, channel_word):
    reply = format_reply(classify(text))
    assert "不属于生活垃圾" in reply and channel_word in reply and "色桶" not in reply


# --- unknown items ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def engine_without():
    """An engine that never saw these items: it trains its own guesser on the rest."""
    held_out = {"酱汁", "香肠竹签", "塑料挂钩", "过期胃药", "虾头", "废矿物油", "蜜饯", "安全帽"}
    knowledge = load_knowledge()
    return Engine.from_items(item for item in knowledge.items if item.name not in held_out)


@pytest.mark.parametrize("text, category", [
    ("酱汁", "kitchen"),  # not 剪子, which only sounds alike
    ("塑料挂钩", "recyclable"),
    ("过期胃药", "hazardous"),
    ("蜜饯", "kitchen"),  # the dictionary says "preserved food"; its characters lean elsewhere
    ("安全帽", "recyclable"),  # "safety helmet", though 帽 and 安全 alone lean to other waste
])
def test_unknown_items_are_guessed_from_what_they_are(engine_without, text, category):
    answer = engine_without.classify(text).answers[0]
    assert answer.category == category


def test_the_meanings_come_from_cc_cedict_reduced_to_their_content_words():
    table = read_cedict()
    assert table["汤包"] == ("steamed", "dumpling")
    assert "noodle" in table["粉丝"] and "noodles" not in table["粉丝"]  # one feature for both numbers
    assert "ba" not in table["粉丝"]  # the classifier (CL:把[ba3]) is no meaning


def test_a_model_guess_is_never_dressed_as_a_dictionary_match(engine_without):
    answer = engine_without.classify("虾头").answers[0]
    assert (answer.item, answer.category) == ("虾头", "kitchen")
    assert 0 < answer.confidence <= 0.85  # guesses are capped below the dictionary paths


def test_the_stored_guesser_was_trained_on_the_shipped_item_list():
    """Rebuild with `python -m handlers.sorting.build` after changing items or training settings."""
    knowledge = load_knowledge()
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    assert stored["digest"] == training_digest(knowledge.items, CATEGORIES, knowledge.tuning["training"])
    assert get_engine().guesser.weights is not None


# --- the guesser's backoffs: lexicon, radicals, real words that only sound like an item ----------

def test_a_real_word_that_sounds_like_a_known_item_is_guessed_as_itself():
    knowledge = load_knowledge()
    engine = Engine.from_items(item for item in knowledge.items if item.name not in {"食品", "猪肝"})
    assert [a.category for a in engine.classify("食品").answers] == ["kitchen"]  # not 饰品 (residual)
    assert [a.category for a in engine.classify("猪肝").answers] == ["kitchen"]  # not 竹竿 (residual)
    assert [a.item for a in engine.classify("落花牲").answers] == ["落花生"]  # a typo is no word: still the item


def test_names_of_characters_the_list_never_shows_still_get_a_guess():
    engine = Engine.from_items([("菠菜", "kitchen"), ("芹菜", "kitchen"), ("铁锅", "recyclable"),
                                ("铝罐", "recyclable"), ("纸巾", "residual")])
    result = engine.classify("莴苣")  # 苣 carries 艹, like 菜
    assert not result.unrecognised and result.answers[0].category == "kitchen" and result.answers[0].guess


def test_the_lexicon_reads_the_head_noun_before_the_material():
    backoff = get_engine().guesser.backoff
    assert backoff.lexicon("塑料花盆") == ("residual", "head")
    assert backoff.lexicon("不锈钢勺") == ("recyclable", "material")
    assert backoff.lexicon("过期眼药") == ("hazardous", "head")
    assert backoff.lexicon("一次性勺") == ("residual", "material")
    assert backoff.lexicon("abc") is None


def test_a_real_word_is_not_read_as_the_item_it_only_sounds_like():
    knowledge = load_knowledge()
    engine = Engine.from_items(item for item in knowledge.items if item.name not in {"泡沫", "麻布"})
    foam = engine.classify("泡沫").answers[0]  # not 泡馍 (kitchen): a guess of its own
    assert foam.item == "泡沫" and foam.category != "kitchen" and foam.guess
    cloth = engine.classify("麻布").answers[0]  # not 抹布 (residual): linen is a textile
    assert (cloth.item, cloth.category) == ("麻布", "recyclable")
    assert [a.item for a in engine.classify("荔织核").answers] == ["荔枝核"]  # a typo keeps its item


def test_an_unknown_shell_or_bone_is_settled_by_changchuns_rule_for_it():
    knowledge = load_knowledge()
    unseen = {"花蛤壳", "甲鱼壳", "龙眼壳", "羊肉骨头"}
    engine = Engine.from_items(item for item in knowledge.items if item.name not in unseen)
    for text, category in (("花蛤壳", "residual"), ("甲鱼壳", "residual"), ("龙眼壳", "kitchen")):
        answer = engine.classify(text).answers[0]
        assert answer.category == category and not answer.guess
        assert "坚硬的壳" in answer.note  # the resident reads the distinction, not a bare verdict
    assert engine.classify("羊肉骨头").answers[0].category == "residual"  # a large bone


@pytest.mark.parametrize("text, category", [
    ("有油渍的外卖纸盒", "residual"),
    ("脏的快递盒", "residual"),
    ("被雨淋湿的纸箱", "residual"),
    ("包着猫屎的报纸", "residual"),
    ("干净的报纸", "recyclable"),
    ("未被污染的纸盒", "recyclable"),  # negated: still clean
    ("湿巾", "residual"),  # the word inside a name is no state
    ("加湿器", "special"),
])
def test_a_soiled_recyclable_goes_to_other_waste(text, category):
    answers = classify(text).answers
    assert [a.category for a in answers] == [category]


# --- items typed with no separator --------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("电池剩饭", [("电池", "hazardous"), ("剩饭", "kitchen")]),
    ("电池剩饭分别扔哪", [("电池", "hazardous"), ("剩饭", "kitchen")]),
    ("纸巾剩饭", [("纸巾", "residual"), ("剩饭", "kitchen")]),
    ("电池剩饭纸巾", [("电池", "hazardous"), ("剩饭", "kitchen"), ("纸巾", "residual")]),
])
def test_items_typed_together_get_one_answer_each_in_order(text, expected):
    result = classify(text)
    assert not result.unrecognised
    assert [(a.item, a.category) for a in result.answers] == expected


@pytest.mark.parametrize("text", ["塑料瓶盖", "电池盒", "剩饭盒", "香肠竹签", "手机电池", "塑料玩具", "剩菜剩饭"])
def test_a_compound_name_is_never_split_into_items(text):
    assert len(classify(text).answers) == 1


def test_an_unknown_compound_of_known_names_stays_one_thing():
    knowledge = load_knowledge()
    engine = Engine.from_items(item for item in knowledge.items if item.name not in {"奶茶塑料杯", "香肠竹签"})
    assert [a.item for a in engine.classify("奶茶塑料杯").answers] == ["塑料杯"]  # a cup, not 奶茶 + 塑料杯
    assert len(engine.classify("香肠竹签").answers) == 1


# --- extra words that change the bin ------------------------------------------------------------

@pytest.mark.parametrize("text, item, category", [
    ("装过农药的玻璃瓶", "玻璃瓶", "hazardous"),  # held pesticide: 有害垃圾, like 农药瓶
    ("安眠药瓶", "药瓶", "hazardous"),
    ("装牛奶的纸盒", "纸盒", "recyclable"),  # held food: the box keeps its own bin
    ("装剩饭的塑料袋", "塑料袋", "residual"),  # not 剩饭, which a substring lookup would find
    ("包过鸡骨头的餐巾纸", "餐巾纸", "residual"),
])
def test_the_head_not_the_words_before_it_decides_the_bin(text, item, category):
    result = classify(text)
    assert not result.unrecognised and len(result.answers) == 1
    answer = result.answers[0]
    assert (answer.item, answer.category) == (item, category)


def test_a_bin_asked_about_is_no_item_but_a_bucket_is():
    assert [a.item for a in classify("电池是哪个桶").answers] == ["电池"]
    assert [a.category for a in classify("装过油漆的桶").answers] == ["hazardous"]


def test_a_state_word_is_only_cut_off_before_a_word():
    knowledge = load_knowledge()
    engine = Engine.from_items(item for item in knowledge.items if item.name != "空气清新剂罐")
    answer = engine.classify("空气清新剂罐").answers[0]
    assert answer.item == "空气清新剂罐"  # 空 starts 空气 here, it is no "empty"
    assert [a.item for a in classify("空的塑料瓶").answers] == ["塑料瓶"]


def test_packaging_of_medicine_or_chemicals_is_hazardous():
    knowledge = load_knowledge()
    unseen = {"药品包装袋", "碘酒瓶", "指甲油瓶子"}
    engine = Engine.from_items(item for item in knowledge.items if item.name not in unseen)
    for text in ("药品包装袋", "碘酒瓶", "指甲油瓶子"):
        assert [a.category for a in engine.classify(text).answers] == ["hazardous"], text
    assert [a.category for a in engine.classify("酱油玻璃瓶").answers] == ["recyclable"]  # food: its own bin


def test_electrical_parts_are_recyclable_and_discs_are_other_waste_even_unseen():
    knowledge = load_knowledge()
    engine = Engine.from_items(item for item in knowledge.items if item.name not in {"电阻", "光盘"})
    assert [a.category for a in engine.classify("电阻").answers] == ["recyclable"]  # a part, no device
    assert [a.category for a in engine.classify("光盘").answers] == ["residual"]


def test_a_large_bone_stays_other_waste_whatever_the_guesser_thinks():
    knowledge = load_knowledge()
    engine = Engine.from_items(item for item in knowledge.items if item.name not in {"牛肉骨头", "猪骨头"})
    for text in ("牛肉骨头", "猪骨头"):
        answer = engine.classify(text).answers[0]
        assert answer.category == "residual" and "大骨头" in answer.note, text
