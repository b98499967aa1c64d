"""Texts of the mini-program API (content/api.toml)."""
from content.texts import lookup, table


def api_text(key: str, **values) -> str:
    return lookup("api.toml", key, **values)


def about(schema: str, field: str) -> str:
    """A field's description in the OpenAPI document."""
    return table("api.toml")["fields"][schema][field]


def invalid_texts() -> dict[str, str]:
    """pydantic's error type → what the API says about the field (templates with {ctx} values)."""
    return table("api.toml")["invalid"]


def reference_texts() -> dict[str, str]:
    """The headings of the API reference page (GET /api/v1/docs)."""
    return table("api.toml")["reference"]


def consent_text(purpose: str) -> str:
    """What a screen shows before asking for consent to `purpose` (the chat has its own words)."""
    return api_text(f"consent.{purpose}")
