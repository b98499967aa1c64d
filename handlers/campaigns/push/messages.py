"""A content item as each WeChat channel carries it (plain dicts; infra/wechat/send.py posts them)."""
from flask import current_app

from models import ContentItem


def _miniprogram_anchor(item: ContentItem) -> str:
    app_id = current_app.config["WECHAT_MINIAPP_ID"]
    return (f'<a data-miniprogram-appid="{app_id}" data-miniprogram-path="{item.page_path}">'
            f"{item.title}</a>")


def mass(item: ContentItem, link: str) -> dict:
    """A mass send: text, or the mpnews material when one was uploaded in WeChat's backend."""
    if item.kind == "news" and item.media_id:
        return {"msgtype": "mpnews", "mpnews": {"media_id": item.media_id}}
    if item.kind == "news":
        content = f"【{item.title}】{item.body}\n阅读全文：{link}"
    elif item.kind == "miniprogram":
        content = f"{item.body}\n{_miniprogram_anchor(item)}".strip()
    else:
        content = item.body
    return {"msgtype": "text", "text": {"content": content}}


def custom(item: ContentItem, link: str) -> dict:
    if item.kind == "news":  # one article per customer-service news since 2018-10
        return {"msgtype": "news", "news": {"articles": [{
            "title": item.title, "description": item.body[:120], "url": link,
            "picurl": item.cover_url}]}}
    if item.kind == "miniprogram":
        return {"msgtype": "miniprogrampage", "miniprogrampage": {
            "title": item.title, "appid": current_app.config["WECHAT_MINIAPP_ID"],
            "pagepath": item.page_path}}
    return {"msgtype": "text", "text": {"content": item.body}}


def template_data(item: ContentItem, campaign_title: str) -> dict:
    return {"first": {"value": item.title}, "keyword1": {"value": campaign_title},
            "keyword2": {"value": "无废长春"}, "remark": {"value": item.body[:120]}}


def subscribe_data(item: ContentItem, campaign_title: str) -> dict:
    # Subscribe message "thing" fields hold at most 20 characters.
    return {"thing1": {"value": campaign_title[:20]}, "thing2": {"value": item.title[:20]}}
