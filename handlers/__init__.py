"""Capabilities shared by the webhook, the mini-program API and the console.

Importing a capability module registers its chat routes on `router`.
"""
from handlers.router import Message, Router, router

__all__ = ["Message", "Router", "router", "load_routes"]


def load_routes() -> Router:
    """Register every capability's routes (idempotent) and return the router."""
    from handlers import welcome  # noqa: F401  subscribe, unsubscribe, help, menu, other kinds
    from handlers.sorting import answering  # noqa: F401  free text: the sorting fallback

    return router
