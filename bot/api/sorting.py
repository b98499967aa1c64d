"""GET /api/v1/sorting: which bin each item in a question goes in."""
from dataclasses import replace
from typing import Literal

from flask import jsonify
from pydantic import BaseModel, Field

from bot.api import ApiError, api
from bot.api.openapi import LINE, responses, spec
from content.api_texts import about, api_text
from handlers.sorting.answer import Answer, Classification
from handlers.sorting.answering import ask
from handlers.sorting.reply import kinds
from handlers.understanding import understand
from models import db

MAX_QUERY_CHARS = 200
# What the whole answer is, for a screen to pick its layout: bins for named items, nothing
# recognised (with suggestions maybe), or a text that names no item at all (谢谢, 我想当志愿者).
KINDS = ("items", "unrecognised", "no_item")


class SortingQuery(BaseModel):
    # Empty and overlong questions get their own error codes below, so no length limits here.
    q: str = Field("", pattern=LINE, description="要查询的物品或问题，例如“废电池”“电池和剩饭分别扔哪”")


class KindOut(BaseModel):
    category: str
    label: str
    bin_colour: str
    when: str = Field(description=about("KindOut", "when"))


class SortingAnswer(BaseModel):
    mention: str
    item: str
    category: str = Field(description=about("SortingAnswer", "category"))
    label: str = Field(description=about("SortingAnswer", "label"))
    bin_colour: str = Field(description=about("SortingAnswer", "bin_colour"))
    confidence: float
    tip: str
    note: str = Field(description=about("SortingAnswer", "note"))
    guess: bool = Field(description=about("SortingAnswer", "guess"))
    alternatives: list[str]
    depends: bool = Field(description=about("SortingAnswer", "depends"))
    categories: list[str] = Field(description=about("SortingAnswer", "categories"))
    kinds: list[KindOut] = Field(description=about("SortingAnswer", "kinds"))


class SortingResult(BaseModel):
    query: str
    answers: list[SortingAnswer]
    unrecognised: list[str] = Field(description=about("SortingResult", "unrecognised"))
    suggestions: list[str] = Field(description=about("SortingResult", "suggestions"))
    more: int = Field(0, description=about("SortingResult", "more"))
    message: str = Field(description=about("SortingResult", "message"))
    kind: Literal[KINDS] = Field(description=about("SortingResult", "kind"))


def answer_json(answer: Answer) -> dict:
    """The engine's answer, and for an item whose bin depends on its kind, a label that says so."""
    # Its fields are flat: a shallow copy, not asdict's recursive one (about 5 % of the call).
    body = {**vars(answer), "depends": False, "categories": [answer.category], "kinds": []}
    choice = kinds(answer)
    if choice:
        body.update(category="depends", label=choice["label"], bin_colour="", depends=True,
                    categories=choice["categories"], kinds=choice["kinds"])
    return body



def kind_of(result: Classification) -> str:
    if result.answers:
        return "items"
    return "unrecognised" if result.unrecognised else "no_item"


# Readings of a text that are not a sorting question but still may be one: an unknown word is
# "unclear", or to the chat "smalltalk" (冻梨: nothing of waste in it), and typed into a sorting
# search its best guess is worth showing (marked guess: true). Requests and thanks are not.
ITEM_QUESTIONS = ("sorting", "unclear", "smalltalk")


def named_items(result: Classification) -> Classification:
    """Only what the text names as items: 谢谢, 我想当志愿者 are no sorting question, and the engine's
    guesses for their words (你 → special) are dropped, as the chat's understanding step does."""
    if not result.answers or understand(result.query).intent in ITEM_QUESTIONS:
        return result
    return replace(result, answers=tuple(answer for answer in result.answers if not answer.guess))


def message_for(result: Classification) -> str:
    """What a screen shows when not every item got a bin; "" when every one did."""
    joiner = api_text("sorting.joiner")
    if result.unrecognised:
        mentions = joiner.join(result.unrecognised)
        if result.suggestions:
            return api_text("sorting.suggestions", mentions=mentions, suggestions=joiner.join(result.suggestions))
        return api_text("sorting.unrecognised", mentions=mentions)
    if not result.answers:
        return api_text("sorting.no_item")
    if result.more:
        return api_text("sorting.more", count=result.more)
    return ""


@api.get("/sorting")
@spec.validate(query=SortingQuery, resp=responses({200: SortingResult}, 400), tags=["sorting"])
def sorting(query: SortingQuery):
    """Which bin each item in a question goes in.

    Answers every item named in q (a word or a sentence); items whose bin depends on their
    kind say so in their label, and a question that names no item gets a message saying what to ask.
    """
    text = query.q.strip()
    if not text:
        raise ApiError(400, "empty_query", "请输入要查询的物品，例如 ?q=废电池")
    if len(text) > MAX_QUERY_CHARS:
        raise ApiError(400, "query_too_long", f"查询内容太长了，请控制在 {MAX_QUERY_CHARS} 字以内")
    result = named_items(ask(text))
    # The unrecognised-query log counted a mention (most questions open no session at all).
    if db.session.registry.has() and db.session().in_transaction():
        db.session.commit()
    return jsonify(
        query=result.query,
        answers=[answer_json(answer) for answer in result.answers],
        unrecognised=list(result.unrecognised),
        suggestions=list(result.suggestions),
        more=result.more,
        message=message_for(result),
        kind=kind_of(result),
    )
