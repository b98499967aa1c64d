"""Cutting a push's recipients into batches: one RQ job, one WeChat call or a run of calls each.

A mass send by openid list takes 2 to 10,000 openids; batches follow streets where they can, so the
batch's tracked link counts its clicks for that street. One-by-one channels go PUSH_BATCH_SIZE a job.
"""
from flask import current_app

from handlers.campaigns.push import channels
from handlers.campaigns.push.channels import Recipient


def cut(recipients: list[Recipient], sender_code: str) -> list[tuple[str, str, int | None, list]]:
    """Batches as (channel, region for the tracked link, tag id, recipients)."""
    config = current_app.config
    batches = []
    by_tag: dict[int, list] = {}
    for r in recipients:
        if r.channel == "mass_tag":
            by_tag.setdefault(r.tag_id, []).append(r)
    for tag_id, members in by_tag.items():
        batches.append(("mass_tag", members[0].region_code[:6], tag_id, members))
    everyone = [r for r in recipients if r.channel == "mass_all"]
    if everyone:
        batches.append(("mass_all", sender_code, None, everyone))
    batches += _mass_lists([r for r in recipients if r.channel == "mass_list"], config["PUSH_MASS_BATCH"])
    for channel in channels.PERSONAL:
        members = [r for r in recipients if r.channel == channel]
        size = config["PUSH_BATCH_SIZE"]
        batches += [(channel, "", None, members[i:i + size]) for i in range(0, len(members), size)]
    return batches


def _mass_lists(listed: list[Recipient], size: int) -> list:
    """Openid-list mass sends, one street per batch where it can (its clicks count for the street)."""
    by_street: dict[str, list] = {}
    for r in listed:
        by_street.setdefault(r.region_code[:9], []).append(r)
    batches, mixed = [], []
    for street, members in by_street.items():
        if len(members) < 2:
            mixed += members
            continue
        batches += [("mass_list", street, None, chunk) for chunk in _chunks(members, size)]
    if len(mixed) == 1 and batches:  # a lone recipient joins any batch with room (2 at least)
        roomy = next((b for b in batches if len(b[3]) < size), None)
        if roomy is not None:
            roomy[3].append(mixed.pop())
            batches = [(c, _common(m), t, m) for c, _, t, m in batches]
    if mixed:  # channels.plan made sure there are 2 or more listed in all
        batches += [("mass_list", _common(chunk), None, chunk) for chunk in _chunks(mixed, size)]
    return batches


def _chunks(rows: list, size: int) -> list[list]:
    chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
    if len(chunks) > 1 and len(chunks[-1]) == 1:  # never a batch of one: WeChat wants 2
        chunks[-1].insert(0, chunks[-2].pop())
    return chunks


def _common(members: list[Recipient]) -> str:
    codes = {r.region_code for r in members}
    for length in (9, 6, 4):
        if len({c[:length] for c in codes}) == 1 and all(len(c) >= length for c in codes):
            return next(iter(codes))[:length]
    return ""
