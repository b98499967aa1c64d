"""The mini-program's JSON API, /api/v1. Errors are JSON: {"error": {"code", "message"}}."""
from flask import Blueprint, Flask, jsonify, request
from werkzeug.exceptions import HTTPException

api = Blueprint("api", __name__, url_prefix="/api/v1")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@api.errorhandler(ApiError)
def api_error(error: ApiError):
    return jsonify(error={"code": error.code, "message": error.message}), error.status


def http_error(error: HTTPException):
    """JSON for every HTTP error under /api/, including routing's 404 and 405."""
    if not request.path.startswith(api.url_prefix + "/"):
        return error
    code = (error.name or "error").lower().replace(" ", "_")
    return jsonify(error={"code": code, "message": error.description}), error.code


def init_app(app: Flask) -> None:
    from bot.api import sorting  # noqa: F401  each endpoint module adds its routes to `api`

    app.register_blueprint(api)
    app.register_error_handler(HTTPException, http_error)
