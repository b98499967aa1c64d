"""Capabilities shared by the webhook, the mini-program API and the console.

Importing a capability module registers its chat routes on `router`.
"""
from functools import cache

from handlers.router import Message, Router, router

__all__ = ["Message", "Router", "router", "load_routes"]


@cache  # once per process: every message asks for the router
def load_routes() -> Router:
    """Register every capability's routes and return the router."""
    from handlers import (
        dialogs,  # noqa: F401  the active dialog waits for its answer; 取消
        subscriptions,  # noqa: F401  subscribe-message pop-up and settings: what we may send
        welcome,  # noqa: F401  subscribe, unsubscribe, help, menu, other kinds
    )
    from handlers.campaigns.push import receipts  # noqa: F401  delivery receipts, subscribe events
    from handlers.people import (
        areas,  # noqa: F401  绑定小区, 我的小区
        privacy,  # noqa: F401  删除我的信息: works at any moment
        staff_wechat,  # noqa: F401  工作人员绑定: staff bind their own WeChat for previews
    )
    from handlers.places import chat as places_chat  # noqa: F401  where to take it; location messages
    from handlers.quiz import chat as quiz_chat  # noqa: F401  答题, 调查: short quiz and survey dialogs
    from handlers.reports import chat as reports_chat  # noqa: F401  随手拍, 我的随手拍: reports
    from handlers.schools.activities import chat as activities_chat  # noqa: F401  activities: the mini-program
    from handlers.sorting import answering  # noqa: F401  free text: the sorting fallback
    from handlers.understanding import chat  # noqa: F401  free text: its meaning first, then the rest
    from handlers.volunteers import chat as registration  # noqa: F401  志愿者报名, 我的志愿者
    from handlers.volunteers import service  # noqa: F401  我的服务时长

    return router
