"""Every `flask --app bot` command, registered in one place."""
from flask import Flask

from bot.cli import activities, core, demo, people, push, staff


def init_app(app: Flask) -> None:
    for module in (core, people, push, activities, staff, demo):
        for command in module.COMMANDS:
            app.cli.add_command(command)
