"""What volunteers can offer (content/volunteers.toml), loaded once per process."""
import tomllib
from functools import cache
from pathlib import Path

OPTIONS_FILE = Path(__file__).with_name("volunteers.toml")


@cache
def options(kind: str) -> dict[str, str]:
    """code → label for 'skills' or 'availability', in the file's order."""
    with OPTIONS_FILE.open("rb") as file:
        return {entry["code"]: entry["label"] for entry in tomllib.load(file)[kind]}
