"""The mini-program's JSON API, /api/v1. Errors are JSON: {"error": {"code", "message"}}."""
from dataclasses import asdict

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from handlers.sorting.answering import ask
from models import db

api = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_QUERY_CHARS = 200


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@api.errorhandler(ApiError)
def api_error(error: ApiError):
    return jsonify(error={"code": error.code, "message": error.message}), error.status


@api.errorhandler(HTTPException)
def http_error(error: HTTPException):
    code = (error.name or "error").lower().replace(" ", "_")
    return jsonify(error={"code": code, "message": error.description}), error.code


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
