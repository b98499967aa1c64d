"""Texts about drop-off points (content/places.toml) and the demo points (content/demo_places.toml)."""
from content.texts import lookup, table


def text(key: str, **values) -> str:
    return lookup("places.toml", key, **values)


def kind_labels() -> dict[str, str]:
    """Each kind's label, in the order staff see them."""
    return dict(table("places.toml")["kinds"])


def columns() -> dict[str, str]:
    return dict(table("places.toml")["columns"])


def template_notes() -> list[str]:
    kinds = "、".join(kind_labels().values())
    return [note.format(kinds=kinds) for note in table("places.toml")["template"]["notes"]]


def demo_points() -> list[dict]:
    return list(table("demo_places.toml")["points"])
