"""GET /api/v1/docs: the API reference as one readable HTML page, made from the OpenAPI document.

Server-rendered from `spec.spec` (the same document as /api/v1/docs/openapi.json): no script, no
CDN, only the console's stylesheet, under the console's Content-Security-Policy.
"""
from dataclasses import dataclass, field

from flask import render_template

from bot.api import api
from bot.api.openapi import spec
from content.api_texts import reference_texts

CSP = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'"
METHODS = ("get", "post", "put", "patch", "delete")
REF = "#/components/schemas/"


@dataclass
class Row:
    name: str
    type: str
    required: bool
    description: str
    where: str = ""
    ref: str = ""  # the schema a field's type names, for a link


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    tag: str
    auth: list[str]
    parameters: list[Row]
    body_type: str = ""
    body_schema: str = ""
    body: list[Row] = field(default_factory=list)
    responses: list[Row] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"{self.method}-{self.path}".replace("/", "-").replace("{", "").replace("}", "")


def type_of(schema: dict) -> tuple[str, str]:
    """A schema's type as a reader writes it, and the component schema it names (if any)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(REF)
        return name, name
    if "anyOf" in schema or "oneOf" in schema:
        parts = [type_of(part) for part in schema.get("anyOf") or schema.get("oneOf")]
        return " | ".join(text for text, _ in parts), next((ref for _, ref in parts if ref), "")
    if "enum" in schema:
        return " | ".join(str(value) for value in schema["enum"]), ""
    kind = schema.get("type", "any")
    if kind == "array":
        inner, ref = type_of(schema.get("items", {}))
        return f"list[{inner}]", ref
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        inner, ref = type_of(schema["additionalProperties"])
        return f"dict[string, {inner}]", ref
    limits = []
    for key, word in (("format", ""), ("minLength", "min "), ("maxLength", "max "),
                      ("minimum", "≥ "), ("maximum", "≤ ")):
        if key in schema and not (key == "format" and schema[key] in ("int32", "int64")):
            limits.append(f"{word}{schema[key]}")
    return kind + (f" ({', '.join(limits)})" if limits else ""), ""


def fields_of(schema: dict, schemas: dict) -> list[Row]:
    if "$ref" in schema:
        schema = schemas.get(schema["$ref"].removeprefix(REF), {})
    required = set(schema.get("required", ()))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        kind, ref = type_of(prop)
        if "default" in prop and prop["default"] not in (None, ""):
            kind += f" = {prop['default']}"
        rows.append(Row(name, kind, name in required, prop.get("description", ""), ref=ref))
    return rows


def operations(document: dict) -> list[Operation]:
    schemas = document.get("components", {}).get("schemas", {})
    found = []
    for path, item in sorted(document.get("paths", {}).items()):
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = []
            for parameter in operation.get("parameters", []):
                kind, ref = type_of(parameter.get("schema", {}))
                parameters.append(Row(parameter["name"], kind, parameter.get("required", False),
                                      parameter.get("description", ""), parameter.get("in", ""), ref))
            entry = Operation(method.upper(), path, operation.get("summary", ""),
                              operation.get("description", ""), (operation.get("tags") or [""])[0],
                              [name for scheme in operation.get("security", []) for name in scheme],
                              parameters)
            for content_type, content in operation.get("requestBody", {}).get("content", {}).items():
                entry.body_type = content_type
                entry.body_schema = type_of(content.get("schema", {}))[1]
                entry.body = fields_of(content.get("schema", {}), schemas)
            for status, response in sorted(operation.get("responses", {}).items()):
                content = response.get("content", {})
                kind, ref = ("", "")
                for content_type in content:
                    kind, ref = type_of(content[content_type].get("schema", {}))
                entry.responses.append(Row(status, kind, False, response.get("description", ""), ref=ref))
            found.append(entry)
    return found


@api.get("/docs")
def reference():
    """The API reference for people: every endpoint, its parameters, body, answers and errors."""
    document = spec.spec
    schemas = document.get("components", {}).get("schemas", {})
    security = document.get("components", {}).get("securitySchemes", {})
    page = render_template(
        "api/reference.html", texts=reference_texts(), info=document.get("info", {}),
        operations=operations(document), security=security,
        schemas={name: fields_of(schema, schemas) for name, schema in sorted(schemas.items())},
        descriptions={name: schema.get("description", "") for name, schema in schemas.items()})
    return page, 200, {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP,
                       "X-Content-Type-Options": "nosniff"}
