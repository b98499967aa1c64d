"""Texts of areas' own service answers (content/services.toml) and their demo entries
(content/demo_services.toml)."""
from content.texts import lookup, table


def text(key: str, **values) -> str:
    return lookup("services.toml", key, **values)


def topic_labels() -> dict[str, str]:
    """Each topic's label, in the order staff see them."""
    return dict(table("services.toml")["topics"])


def demo_services() -> list[dict]:
    return list(table("demo_services.toml")["services"])
