"""A chat page for trying the bot without an Official Account (embedded default only).

The page signs each message with the account's token in the browser and posts real XML to
/wechat, so it exercises exactly what WeChat's servers would. It exposes the token, which is
why it is only registered when SIMULATOR_ENABLED (by default: no DATABASE_URL, a local run).
"""
from flask import Blueprint, current_app, render_template

from content.texts import replies

simulator = Blueprint("simulator", __name__)


@simulator.get("/")
@simulator.get("/simulator")
def chat_page():
    return render_template(
        "simulator.html",
        token=current_app.config["WECHAT_TOKEN"],
        menu=replies()["menu_names"],
    )
