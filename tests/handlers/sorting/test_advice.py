"""Advice that fits the item (content/sorting/advice.toml); the bin's tip only as a fallback."""
import pytest

from handlers.sorting import format_reply, get_engine


@pytest.fixture(scope="module")
def engine():
    return get_engine()


def reply(engine, text: str) -> str:
    return format_reply(engine.classify(text))


def test_a_broken_mercury_thermometer_gets_safety_advice(engine):
    text = reply(engine, "打碎的水银温度计")
    assert "有害垃圾" in text and "开窗通风" in text and "吸尘器" in text


def test_a_mirror_is_wrapped_not_drained(engine):
    text = reply(engine, "镜子")
    assert "包好" in text and "沥干" not in text


def test_a_lead_acid_battery_is_not_flattened_and_folded(engine):
    text = reply(engine, "电动车的旧电瓶")
    assert "有害垃圾" in text and "压扁叠好" not in text and "电解液" in text


def test_a_takeaway_box_says_rinse_or_residual(engine):
    assert "冲洗干净" in reply(engine, "外卖盒")


def test_kitchen_waste_is_drained(engine):
    assert "沥干" in reply(engine, "剩菜")


def test_an_item_without_advice_keeps_its_bins_tip(engine):
    assert "保持清洁干燥" in reply(engine, "报纸")


def test_near_items_offered_for_a_guess_share_what_was_typed(engine):
    for answer in engine.classify("冻梨").answers:
        assert all(set(name) & set("冻梨") for name in answer.alternatives)
