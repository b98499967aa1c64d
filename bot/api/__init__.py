"""The mini-program's JSON API, /api/v1. Errors are JSON: {"error": {"code", "message"}}."""
from functools import wraps

from flask import Blueprint, Flask, jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from content.texts import table
from handlers.errors import Refused
from models import db

api = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields
        self.headers = headers or {}


@api.errorhandler(Refused)
@api.errorhandler(ApiError)
def api_error(error: ApiError | Refused):
    """Every refusal, the capabilities' own too, as {"error": {"code", "message", "fields"}}."""
    if isinstance(error, Refused):
        db.session.rollback()  # nothing the refused request started is kept
    body = {"code": error.code, "message": error.message}
    if error.fields:  # which field is wrong and why, for the form to show beside each field
        body["fields"] = error.fields
    response = jsonify(error=body)
    response.headers.extend(getattr(error, "headers", {}))
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response, error.status


def http_error_text(status: int) -> dict:
    """{"code", "message"} for an HTTP status (content/http_errors.toml)."""
    texts = table("http_errors.toml")
    return texts.get(str(status)) or texts["500" if status >= 500 else "400"]


def too_many_requests(retry_after: int | None = None) -> ApiError:
    """429: the client or the user made more calls than allowed; `retry_after` seconds to wait."""
    text = http_error_text(429)
    return ApiError(429, text["code"], text["message"],
                    headers={"Retry-After": str(retry_after)} if retry_after else None)


def json_body() -> dict:
    """The request's JSON object, or a clear 400."""
    if not request.is_json:
        raise ApiError(415, "json_required", "请以 JSON 格式提交（Content-Type: application/json）")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", "请求内容不是有效的 JSON 对象")
    return body


def http_error(error: HTTPException):
    """JSON in Chinese for every HTTP error under /api/, including routing's 404 and 405."""
    if not request.path.startswith(api.url_prefix + "/"):
        return error
    default = http_error_text(error.code)
    # Werkzeug's own English description means nobody said more; a view's abort() text stays.
    message = default["message"] if error.description == type(error).description else error.description
    response = jsonify(error={"code": default["code"], "message": message})
    if isinstance(error, MethodNotAllowed):
        response.headers["Allow"] = ", ".join(error.valid_methods or [])
    return response, error.code


def once_more_after_a_race(view):
    """The view again, once, when its writes hit a unique constraint.

    Two identical calls at once (a double tap, a retrying network) both pass the view's "is it
    there yet?" check, and the later insert fails. Run again, the view sees the committed row and
    answers as to a second call made a moment later: the same result, or its own clear refusal.
    """
    @wraps(view)
    def once_more(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except IntegrityError:
            db.session.rollback()
            return view(*args, **kwargs)
    return once_more


def conflict(error: IntegrityError):
    """A write that collided twice: 409 in the API's shape, not a 500."""
    if not request.path.startswith(api.url_prefix + "/"):
        raise error
    db.session.rollback()
    return jsonify(error=http_error_text(409)), 409


def init_app(app: Flask) -> None:
    from bot.api import (  # noqa: F401  each module registers its routes
        activities,
        cells,
        families,
        gate,
        login,
        notices,
        openapi,
        places,
        quiz,
        reference,
        regions,
        reports,
        residents,
        school,
        services,
        sorting,
        volunteers,
    )

    app.register_blueprint(api)
    gate.init_app(app)
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith(api.name + "."):
            app.view_functions[endpoint] = gate.gated(once_more_after_a_race(view))
    app.register_error_handler(IntegrityError, conflict)
    app.register_error_handler(HTTPException, http_error)
    openapi.init_app(app)  # the OpenAPI document of every endpoint declared with spec.validate
