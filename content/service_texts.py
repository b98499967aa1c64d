"""Texts of areas' own service answers (content/services.toml) and their demo entries
(content/demo_services.toml)."""
from content.texts import lookup, table


def text(key: str, **values) -> str:
    return lookup("services.toml", key, **values)


def topic_labels() -> dict[str, str]:
    """Each topic's label, in the order staff see them."""
    return dict(table("services.toml")["topics"])


def import_columns() -> dict[str, str]:
    """The Excel import's columns, in order (handlers/places/service_import.py)."""
    return dict(table("services.toml")["import_columns"])


def import_notes() -> list[str]:
    """The template's notes sheet, the topics it offers filled in."""
    texts = table("services.toml")["import"]
    topics = texts["list_joiner"].join(topic_labels().values())
    return [note.format(topics=topics) for note in texts["notes"]]


def demo_services() -> list[dict]:
    return list(table("demo_services.toml")["services"])
