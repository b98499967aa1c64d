"""GET /api/v1/sorting: which bin each item in a question goes in."""
from dataclasses import asdict

from flask import jsonify
from pydantic import BaseModel, Field

from bot.api import ApiError, api
from bot.api.openapi import LINE, responses, spec
from handlers.sorting.answering import ask
from models import db

MAX_QUERY_CHARS = 200


class SortingQuery(BaseModel):
    # Empty and overlong questions get their own error codes below, so no length limits here.
    q: str = Field("", pattern=LINE, description="要查询的物品或问题，例如“废电池”“电池和剩饭分别扔哪”")


class SortingAnswer(BaseModel):
    mention: str
    item: str
    category: str = Field(description="recyclable / hazardous / kitchen / residual / special")
    label: str
    bin_colour: str
    confidence: float
    tip: str
    note: str
    guess: bool
    alternatives: list[str]


class SortingResult(BaseModel):
    query: str
    answers: list[SortingAnswer]
    unrecognised: list[str]
    suggestions: list[str]
    more: int = Field(0, description="items mentioned but left out (only the first few are answered)")


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
    result = ask(text)
    db.session.commit()  # the unrecognised-query log
    return jsonify(
        query=result.query,
        answers=[asdict(answer) for answer in result.answers],
        unrecognised=list(result.unrecognised),
        suggestions=list(result.suggestions),
        more=result.more,
    )
