"""One person, two apps: linking a follower's Official Account record to their mini-program record.

The Official Account's openid and the mini-program's differ; the unionid is the same in both when
both apps are bound to one Open Platform account. code2session gives it at login (bot/api/login.py);
for a follower, cgi-bin/user/info does, fetched by a job after the follow.
https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/union-id.html
"""
import logging

from sqlalchemy import update

from infra import jobs
from infra.wechat.send import Sender, SendError
from models import Resident, db

log = logging.getLogger(__name__)


def after_follow(openid: str) -> None:
    """After the follow is committed: a job asks WeChat for the unionid (never in the 5-s reply)."""
    try:
        jobs.enqueue(link_unionid, openid, job_id=f"unionid-{openid}")
    except Exception:  # linking can wait for the next follow; the answer must not fail
        log.warning("could not ask for a follower's unionid", exc_info=True)


def link_unionid(openid: str) -> str:
    """Job: store the follower's unionid; 'linked', 'no unionid' or WeChat's refusal code."""
    try:
        info = Sender().user_info(openid)
    except SendError as error:
        if error.kind == "permanent":
            return error.code
        raise
    unionid = info.get("unionid")
    if not unionid:  # not bound to an Open Platform account, or no longer following
        return "no unionid"
    db.session.execute(update(Resident).where(Resident.openid == openid).values(unionid=unionid))
    db.session.commit()
    return "linked"
