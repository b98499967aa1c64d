"""GET /api/v1/sorting: which bin each item in a question goes in."""
from dataclasses import asdict

from flask import jsonify, request

from bot.api import ApiError, api
from handlers.sorting.answering import ask
from models import db

MAX_QUERY_CHARS = 200


@api.get("/sorting")
def sorting():
    query = request.args.get("q", "").strip()
    if not query:
        raise ApiError(400, "empty_query", "请输入要查询的物品，例如 ?q=废电池")
    if len(query) > MAX_QUERY_CHARS:
        raise ApiError(400, "query_too_long", f"查询内容太长了，请控制在 {MAX_QUERY_CHARS} 字以内")
    result = ask(query)
    db.session.commit()  # the unrecognised-query log
    return jsonify(
        query=result.query,
        answers=[asdict(answer) for answer in result.answers],
        unrecognised=list(result.unrecognised),
        suggestions=list(result.suggestions),
    )
