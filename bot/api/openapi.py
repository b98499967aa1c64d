"""The API's schemas validate requests and make the OpenAPI 3 document: one source for both.

Views declare their query, body and responses with pydantic models through `spec.validate`
(spectree); the document is served at /api/v1/docs/openapi.json. A request that does not fit its
schema gets the API's usual error: 400 {"error": {"code": "invalid_fields", "message", "fields"}}.
"""
import re
from datetime import datetime
from typing import Annotated, Any

from flask import Flask, current_app, make_response
from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from spectree.plugins.flask_plugin import FlaskPlugin

from bot.api import ApiError, json_body
from content.api_texts import api_text, invalid_texts
from handlers.people import phones

DOC_PATH = "api/v1/docs"
# Control characters are refused in every text: PostgreSQL cannot store NUL, and none of them
# belongs in a name or a title. Multi-line texts may keep their line breaks.
LINE = r"^[^\x00-\x1f\x7f]*$"
LINES = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def no_surrogates(value: str) -> str:
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise ValueError(api_text("checks.surrogates"))
    return value


def Line(max_length: int, min_length: int = 1):
    """One line of text, trimmed, `min_length`..`max_length` characters."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length,
                                            max_length=max_length, pattern=LINE),
                     AfterValidator(no_surrogates)]


def Lines(max_length: int):
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=max_length, pattern=LINES),
                     AfterValidator(no_surrogates)]


def reasonable_time(value: datetime) -> datetime:
    if not 2000 <= value.year <= 2100:
        raise ValueError(api_text("checks.unreasonable_time"))
    return value


Time = Annotated[datetime, AfterValidator(reasonable_time)]


def mobile(value: str) -> str:
    phone = phones.clean(value)
    if phone is None:
        raise ValueError(phones.problem())
    return phone


# Every phone the API takes: the one check (handlers/people/phones.py) and its one message.
Phone = Annotated[str, StringConstraints(max_length=30, pattern=LINE), AfterValidator(mobile)]


def region_code_form(value: str) -> str:
    if value and not REGION_DIGITS.match(value):
        raise ValueError(api_text("errors.regions.malformed"))
    return value


# A region filter (?parent=, ?region=): its own words when malformed (400 invalid_fields); a
# well-formed code that names no active region is the view's 404 unknown_region.
CHINESE = re.compile(r"[\u4e00-\u9fff]")
REGION_DIGITS = re.compile(r"^\d{1,12}$")
RegionFilter = Annotated[str, AfterValidator(region_code_form), Field(json_schema_extra={"pattern": r"^\d{1,12}$"})]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Deleted(BaseModel):
    """The answer of every DELETE that removes data: what went, as codes."""
    deleted: list[str] = Field(description=api_text("fields.Deleted.deleted"))


def deleted(codes) -> dict:
    """The one body of a deletion: each code once, in the order removed."""
    return {"deleted": list(dict.fromkeys(codes))}


class ErrorDetail(BaseModel):
    code: str = Field(description=api_text("fields.ErrorDetail.code"))
    message: str = Field(description=api_text("fields.ErrorDetail.message"))
    fields: dict[str, str] | None = Field(None, description=api_text("fields.ErrorDetail.fields"))


class ErrorBody(BaseModel):
    """Every error of the API."""
    error: ErrorDetail


class JsonFirst(FlaskPlugin):
    """spectree for Flask, but an endpoint that takes a JSON body takes nothing else.

    spectree leaves `json` None for a form-encoded or multipart body, and the view would fail on
    it: such a body gets 415 json_required before the schema is checked. (Other bodies are read
    as JSON, as before: an endpoint whose fields all have defaults may be called without one.)
    """

    def request_validation(self, request, query, json, form, headers, cookies):
        if (json is not None and request.method not in ("GET", "DELETE")
                and request.mimetype in self.FORM_MIMETYPE):
            json_body()  # raises 415 json_required
        if request.is_json and request.get_data() and request.get_json(silent=True) is None:
            json_body()  # raises 400 bad_json: not JSON, or nested too deeply to read
        super().request_validation(request, query, json, form, headers, cookies)

    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        # API_CHECK_RESPONSES=0 (the Procfile's web process): the tests hold every answer to its
        # schema; production sends the view's own response, not decoded, checked and built again.
        if not current_app.config["API_CHECK_RESPONSES"]:
            return make_response(resp), None
        return super().validate_response(resp, resp_model, skip_validation, force_resp_serialize)


class SchemasOnRequest(SpecTree):
    """spectree, but a model's JSON schema is built when the OpenAPI document is, not when a view
    is decorated: schemas are for the document alone (requests are checked by the models), and
    building some eighty of them took a third of every process's start."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.waiting: list[tuple[Any, str]] = []

    def _add_model(self, model, mode="validation") -> str:
        self.waiting.append((model, mode))
        return self.naming_strategy(model)

    def _generate_spec(self) -> dict[str, Any]:
        for model, mode in self.waiting:
            super()._add_model(model, mode)
        self.waiting.clear()
        return super()._generate_spec()


spec = SchemasOnRequest(
    "flask", backend=JsonFirst, title=api_text("document.title"), version="1", path=DOC_PATH, mode="strict",
    page_templates={},  # no Swagger UI: it would load scripts from a CDN
    validation_error_status=400, validation_error_model=ErrorBody,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda parent, child: child,
    security_schemes=[
        SecurityScheme(name="resident", data=SecuritySchemeData(type="http", scheme="bearer",
                                              description=api_text("document.resident_token"))),
        SecurityScheme(name="staff", data=SecuritySchemeData(type="http", scheme="bearer",
                                           description=api_text("document.staff_token"))),
    ],
    before=lambda request, response, error, instance, adapter: refuse(error),
)

RESIDENT = {"resident": []}
STAFF = {"staff": []}
FIELD_TEXTS = dict(invalid_texts())


def choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as the list a person reads: a、b、c."""
    values = re.split(r", | or ", expected)
    return api_text("checks.joiner").join(value.strip().strip("'\"") for value in values)


def field_text(error: dict) -> str:
    """What the API says about one field, always in Chinese: pydantic's own English never shows."""
    kind, ctx = error.get("type", ""), dict(error.get("ctx") or {})
    if "expected" in ctx:
        ctx["choices"] = choices(str(ctx["expected"]))
    template = FIELD_TEXTS.get(kind)
    if template is None:
        # Our own validators raise ValueError with a Chinese text (content/); anything else is
        # pydantic's English, which a screen must not show.
        own = str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return own if kind in ("value_error", "assertion_error") and CHINESE.search(own) else (
            api_text("checks.fallback"))
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return api_text("checks.fallback")


def refuse(error: Exception | None) -> None:
    """spectree's hook after validation: a request that does not fit its schema is a 400 like any other."""
    if error is None:
        return
    fields = {}
    for detail in error.errors():
        # The request's own field or parameter: deeper parts of pydantic's location name union
        # branches and validators ("function-after[...]"), nothing a form can mark.
        where = str(next(iter(detail.get("loc", ())), "body"))
        fields.setdefault(where, field_text(detail))
    from content.activity_texts import text

    raise ApiError(400, "invalid_fields", text("errors.invalid_fields"), fields)


def responses(ok: dict[int, Any] | None = None, *errors: int) -> Response:
    """The documented answers: success models by status, and error statuses with the error body."""
    codes = {f"HTTP_{status}": model for status, model in (ok or {}).items()}
    codes.update({f"HTTP_{status}": ErrorBody for status in errors})
    return Response(**codes)


def init_app(app: Flask) -> None:
    spec.register(app)
