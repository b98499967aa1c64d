"""The README's command table and the commands' real options stay together."""
import re

import click
import pytest

from bot import create_app
from tests import ROOT

README = ROOT / "README.md"
# The commands Flask itself brings, documented by Flask.
FLASK_OWN = {"run", "shell", "routes", "limiter"}


@pytest.fixture(scope="module")
def app():
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test", "WARM_UP": False})


def documented() -> dict[str, list[str]]:
    rows = re.findall(r"^\| `flask --app bot ([a-z-]+)([^`]*)` \|", README.read_text(), re.MULTILINE)
    return {name: usage.replace("\\|", "|").split() for name, usage in rows}


def test_every_command_is_in_the_readme_and_every_row_is_a_command(app):
    commands = set(app.cli.list_commands(app.app_context())) - FLASK_OWN
    assert set(documented()) == commands


def test_each_rows_arguments_and_options_are_the_commands_own(app):
    for name, usage in documented().items():
        command = app.cli.get_command(app.app_context(), name)
        options = {opt for param in command.params if isinstance(param, click.Option) for opt in param.opts}
        arguments = [param for param in command.params if isinstance(param, click.Argument)]
        positional = 0
        for token in usage:
            word = token.strip("[]")
            if word.startswith("-"):
                assert word in options, f"{name}: README names {word}, the command has {sorted(options)}"
            elif re.fullmatch(r"[A-Z][A-Z_.\-]*…?|FILE\.xlsx|YYYY-MM-DD|N", word):
                if not token.startswith("[") and not usage[usage.index(token) - 1].startswith("-"):
                    positional += 1
            else:
                raise AssertionError(f"{name}: {token!r} is neither an option nor an argument")
        required = [a for a in arguments if a.required]
        assert len(required) <= positional <= len(arguments) or (arguments and arguments[-1].nargs == -1), \
            f"{name}: README gives {positional} arguments, the command takes {[a.name for a in arguments]}"
