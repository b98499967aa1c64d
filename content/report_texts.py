"""Texts about residents' reports, 随手拍 (content/reports.toml)."""
from content.texts import lookup, table


def text(key: str, **values) -> str:
    return lookup("reports.toml", key, **values)


def words(key: str) -> list[str]:
    return list(table("reports.toml")["chat"][key])


def kind_labels() -> dict[str, str]:
    """Each kind's label, in the order residents are offered them."""
    return dict(table("reports.toml")["kinds"])


def status_labels() -> dict[str, str]:
    return dict(table("reports.toml")["statuses"])
