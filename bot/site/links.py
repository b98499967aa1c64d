"""Tracked links of campaign pushes: /r/<token> counts the click and redirects to the article."""
from flask import Blueprint, abort, redirect

from handlers.campaigns.push import links

tracked = Blueprint("tracked", __name__)


@tracked.get("/r/<token>")
def follow(token: str):
    target = links.follow(token)
    if target is None:
        abort(404)
    return redirect(target, code=302)
