"""Texts staff read in the console (content/staff.toml)."""
from content.texts import lookup, table


def staff_text(key: str, **values) -> str:
    return lookup("staff.toml", key, **values)


def staff_table(key: str):
    """The table or list under `key` (dotted), e.g. "roles" or "volunteers.headers"."""
    node = table("staff.toml")
    for part in key.split("."):
        node = node[part]
    return node
