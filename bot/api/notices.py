"""/api/v1/me/notices: the caller accepts campaign notices as template or subscribe messages.

The mini-program calls this after wx.requestSubscribeMessage (one subscribe message per
acceptance) or when the resident switches on campaign notices; pushes then reach them that way.
When the mini-program's message push is configured (WECHAT_MINIAPP_PUSH), WeChat's own event
records a subscribe accept and this call only reads back what is recorded: counting both would
make one accept two grants (channels.grants_from_events).
"""
from typing import Literal

from flask import g, jsonify
from pydantic import BaseModel, Field

from bot.api import api
from bot.api.login import json_hook, personal
from bot.api.openapi import RESIDENT, Deleted, deleted, responses, spec
from handlers.campaigns.push import channels
from models import MessageOptIn, db


class NoticeIn(BaseModel):
    kind: Literal["template", "subscribe"] = Field(description="template：模板消息；subscribe：订阅消息（一次一条）")
    grants: int = Field(1, ge=1, le=10, description="订阅消息：本次同意的条数")


class NoticesOut(BaseModel):
    template: bool = Field(description="是否接收模板消息通知")
    subscribe: int = Field(description="还可接收的订阅消息条数")


def notices() -> dict:
    rows = {row.kind: row.remaining for row in db.session.execute(
        db.select(MessageOptIn).filter_by(resident_id=g.resident.id)).scalars()}
    return {"template": rows.get("template", 0) > 0, "subscribe": rows.get("subscribe", 0)}


@api.get("/me/notices")
@personal
@spec.validate(resp=responses({200: NoticesOut}, 401), security=RESIDENT, tags=["residents"])
def my_notices():
    """Which campaign notices the caller accepts.

    Template notices on or off, and how many subscribe messages are left.
    """
    return jsonify(notices())


@api.post("/me/notices")
@personal
@spec.validate(json=NoticeIn, resp=responses({200: NoticesOut, 201: NoticesOut}, 400, 401, 415),
               security=RESIDENT, before=json_hook(), tags=["residents"])
def accept_notices(json: NoticeIn):
    """Accept campaign notices (template), or `grants` more subscribe messages.

    kind is template or subscribe; for subscribe, grants is how many the user accepted in
    wx.requestSubscribeMessage. 201: recorded. 200: WeChat's own subscribe event records the
    accept (the server's message push is configured), so nothing more is recorded and the
    answer is what is recorded so far (the event may come a moment later).
    """
    if json.kind == "subscribe" and channels.grants_from_events(g.resident.app):
        return jsonify(notices()), 200
    channels.opt_in(g.resident.id, json.kind, json.grants)
    db.session.commit()
    return jsonify(notices()), 201


@api.delete("/me/notices")
@personal
@spec.validate(resp=responses({200: Deleted}, 401), security=RESIDENT, tags=["residents"])
def stop_notices():
    """Stop every campaign notice by template or subscribe message.

    Answers {"deleted": [...]}: template_notices and/or subscribe_notices, the ones that were on.
    """
    stopped = [f"{kind}_notices" for kind, on in notices().items() if on]
    db.session.execute(db.delete(MessageOptIn).where(MessageOptIn.resident_id == g.resident.id))
    db.session.commit()
    return jsonify(deleted(stopped))
