"""What a resident accepted in WeChat's subscribe-message pop-up, or turned off afterwards.

subscribe_msg_popup_event (the pop-up: accept or reject, per template) and
subscribe_msg_change_event (the notification settings: reject only) come from the Official
Account's webhook (its subscribe notifications) and from the mini-program's message push
(/wechat/miniapp). Each <List> names one template:
- the campaign template of the resident's own app (channels.campaign_template): an accept
  grants one campaign message (a one-time subscription is good for one send) when events are
  the app's record of accepts (channels.grants_from_events: else the mini-program's API call
  records it, and the event is only kept as a receipt); a reject ends the resident's grants,
  so the push planner stops counting on them;
- an activity template (the reminder, the promotion notice: content/activities.toml): a reject
  withdraws that notice from the family's enrolments not yet notified, so none is sent;
- any other template (the other app's campaign template included) is only kept as a receipt.
An accept status may carry a suffix (acceptWithAudio, acceptWithAlert); anything else is a refusal.
https://developers.weixin.qq.com/doc/service/guide/product/subscription_messages/push.html
https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/subscribe-message.html
"""
from handlers.campaigns.push import channels, receipts
from handlers.people import residents
from handlers.router import Message, router
from handlers.schools import reminders


@router.on_event("subscribe_msg_popup_event", "subscribe_msg_change_event")
def subscribe_choice(message: Message) -> None:
    """The user accepted or rejected templates: what we may send them follows."""
    resident = residents.find(message.openid)
    activity = reminders.template_kinds()
    for entry in message.details.get("entries", []):
        status, template = entry.get("SubscribeStatusString", ""), entry.get("TemplateId", "")
        receipts.keep_choice(message.openid, status, entry)
        if resident is None:  # a receipt never creates (or brings back) a resident
            continue
        accepted = status.startswith("accept")
        if template == channels.campaign_template(resident.app):
            if not accepted:
                channels.refused_subscribe([resident.id])
            elif channels.grants_from_events(resident.app):
                channels.opt_in(resident.id, "subscribe")
        elif template in activity and not accepted:
            reminders.withdraw(resident.id, activity[template])
    return None
