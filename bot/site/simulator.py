"""A chat page for trying the bot without an Official Account (embedded default only).

The page signs each message with the account's token in the browser and posts real XML to
/wechat, so it exercises exactly what WeChat's servers would. It exposes the token, which is
why it is only registered when SIMULATOR_ENABLED (by default: no DATABASE_URL, a local run).
"""
from flask import Blueprint, current_app, jsonify, render_template, request

from bot.webhook.simulate import late_answers
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


@simulator.get("/simulator/later")
def later():
    """Answers sent after the reply budget, as customer-service messages (from the local fake)."""
    openid = request.args.get("openid", "")
    return jsonify(texts=late_answers(current_app.config["WECHAT_API_BASE_URL"], openid))
