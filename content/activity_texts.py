"""Texts about school activities (content/activities.toml)."""
from content.texts import lookup, table


def text(key: str, **values) -> str:
    return lookup("activities.toml", key, **values)


def texts() -> dict:
    return table("activities.toml")
