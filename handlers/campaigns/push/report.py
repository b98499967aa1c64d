"""Reach of a push or a campaign (with every adoption below it), rolled up city → district → street.

Per node: targeted, sent (accepted by WeChat), of which confirmed by WeChat's delivery receipts
(receipts.py) and accepted but not yet confirmed, failed by reason (a receipt that reports a
failure turns a send into a failure: never counted as sent), out of reach by reason, opened (tracked link clicks),
and the participation that followed a delivery within 30 days (volunteer sign-ups, activity
enrolments, quiz and survey answers). Staff see the nodes of their own subtree only.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, join
from sqlalchemy import inspect as sa_inspect

from handlers.campaigns import authoring as campaigns
from handlers.staff import scope
from infra import xlsx as exports
from models import Delivery, LinkClick, Push, PushBatch, Volunteer, db
from models.activities import Enrolment
from models.families import Family
from models.quiz import KnowledgeAnswer

FOLLOW_UP = timedelta(days=30)  # participation counts for the campaign this long after delivery
LEVEL_LENGTHS = (("city", 4), ("district", 6), ("street", 9))
NO_AREA = ""


@dataclass
class Node:
    code: str
    level: str
    name: str = ""
    targeted: int = 0
    sent: int = 0  # accepted by WeChat and not reported failed since: confirmed + accepted
    confirmed: int = 0  # confirmed by WeChat's receipts
    failed: Counter = field(default_factory=Counter)
    unreachable: Counter = field(default_factory=Counter)
    unconfirmed: int = 0
    cancelled: int = 0
    pending: int = 0
    opened: int = 0
    volunteers: int = 0
    enrolments: int = 0
    quiz_answers: int = 0

    @property
    def accepted(self) -> int:
        """Accepted by WeChat, not yet confirmed by a receipt."""
        return self.sent - self.confirmed

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())

    @property
    def unreachable_total(self) -> int:
        return sum(self.unreachable.values())


@dataclass
class Report:
    nodes: dict[str, Node]
    push_ids: list[int]

    def tier(self, level: str) -> list[Node]:
        return sorted((n for n in self.nodes.values() if n.level == level), key=lambda n: n.code)

    def children(self, code: str) -> list[Node]:
        length = {4: 6, 6: 9}.get(len(code))
        return sorted((n for c, n in self.nodes.items() if length and len(c) == length
                       and c.startswith(code)), key=lambda n: n.code)


def for_pushes(staff, push_ids: list[int]) -> Report:
    nodes: dict[str, Node] = {}

    def each_level(region_code: str):
        if not region_code:  # residents without a bound area count for the city alone
            if scope.level(staff.region_code) == "city":
                yield _node(nodes, staff.region_code, "city")
            return
        for level, length in LEVEL_LENGTHS:
            part = region_code[:length]
            if len(region_code) >= length and part.startswith(staff.region_code):
                yield _node(nodes, part, level)

    if push_ids:
        scoped = _scoped(staff)
        confirmed = Delivery.confirmed_at.is_not(None)
        for region, status, error, is_confirmed, n in db.session.execute(
                db.select(Delivery.region_code, Delivery.status, Delivery.error, confirmed, func.count())
                .where(Delivery.push_id.in_(push_ids), scoped)
                .group_by(Delivery.region_code, Delivery.status, Delivery.error, confirmed)):
            for node in each_level(region):
                _add(node, status, error, n)
                if status == "sent" and is_confirmed:
                    node.confirmed += n
        for region, shortfall in _mass_shortfalls(push_ids, staff):
            for node in each_level(region):
                _correct(node, shortfall)
        for region, n in db.session.execute(
                db.select(LinkClick.region_code, func.count()).where(
                    LinkClick.push_id.in_(push_ids), _scoped(staff, LinkClick.region_code))
                .group_by(LinkClick.region_code)):
            for node in each_level(region):
                node.opened += n
        for region, n in _volunteers(push_ids, staff):
            for node in each_level(region):
                node.volunteers += n
        for region, n in _enrolments(push_ids, staff):
            for node in each_level(region):
                node.enrolments += n
        for region, n in _quiz_answers(push_ids, staff):
            for node in each_level(region):
                node.quiz_answers += n
    names = scope.region_names(nodes)
    for code, node in nodes.items():
        node.name = names.get(code, code)
    return Report(nodes, push_ids)


def for_campaign(staff, campaign) -> Report:
    family = campaigns.family(campaign)
    push_ids = list(db.session.execute(db.select(Push.id).where(Push.campaign_id.in_(family))).scalars())
    return for_pushes(staff, push_ids)


def _scoped(staff, column=Delivery.region_code):
    if scope.level(staff.region_code) == "city":
        return column.startswith(staff.region_code, autoescape=True) | (column == NO_AREA)
    return column.startswith(staff.region_code, autoescape=True)


def _node(nodes: dict, code: str, level: str) -> Node:
    if code not in nodes:
        nodes[code] = Node(code, level)
    return nodes[code]


def _add(node: Node, status: str, error: str, n: int) -> None:
    node.targeted += n
    if status == "sent":
        node.sent += n
    elif status == "failed":
        node.failed[error or "unknown"] += n
    elif status == "unreachable":
        node.unreachable[error or "unknown"] += n
    elif status == "unconfirmed":
        node.unconfirmed += n
    elif status == "cancelled":
        node.cancelled += n
    else:
        node.pending += n


def _mass_shortfalls(push_ids: list[int], staff):
    """(batch region, {reason: n}) for mass batches whose receipt confirmed fewer than we sent.

    MASSSENDJOBFINISH gives counts, not names: of a batch's recipients, TotalCount − FilterCount
    were filtered out by WeChat (4 a month, refusing users …) and of the rest ErrorCount failed.
    The shortfall is shown at the batch's area (a street for lists, a district for tags).
    """
    rows = db.session.execute(
        db.select(PushBatch.region_code, PushBatch.total_count, PushBatch.filter_count,
                  PushBatch.sent_count, func.count(Delivery.id))
        .join(Delivery, (Delivery.push_id == PushBatch.push_id) & (Delivery.batch_no == PushBatch.number))
        .where(PushBatch.push_id.in_(push_ids), PushBatch.sent_count.is_not(None),
               Delivery.status == "sent", Delivery.confirmed_at.is_not(None),
               _scoped(staff, PushBatch.region_code))
        .group_by(PushBatch.id, PushBatch.region_code, PushBatch.total_count,
                  PushBatch.filter_count, PushBatch.sent_count)).all()
    for region, total, kept, sent, ours in rows:
        shortfall = max(0, ours - (sent or 0))
        if shortfall:
            filtered = min(shortfall, max(0, (total or 0) - (kept or 0)))
            yield region, {"mass_filtered": filtered, "mass_error": shortfall - filtered}


def _correct(node: Node, shortfall: dict) -> None:
    for reason, n in shortfall.items():
        if n:
            node.sent -= n
            node.confirmed -= n
            node.failed[reason] += n


def _followed(created_at_column, resident_column, push_ids, staff, source, *conditions):
    """(region, count) of rows created within FOLLOW_UP after a delivery reached their resident."""
    first = (db.select(Delivery.resident_id, Delivery.region_code,
                       func.min(Delivery.sent_at).label("sent_at"))
             .where(Delivery.push_id.in_(push_ids), Delivery.status == "sent",
                    Delivery.resident_id.is_not(None), _scoped(staff))
             .group_by(Delivery.resident_id, Delivery.region_code).subquery())
    rows = db.session.execute(
        db.select(first.c.region_code, created_at_column, first.c.sent_at)
        .select_from(source).join(first, first.c.resident_id == resident_column)
        .where(created_at_column >= first.c.sent_at, *conditions)).all()
    counts = Counter(region for region, created, sent in rows if created - sent <= FOLLOW_UP)
    return counts.items()


def _volunteers(push_ids, staff):
    return _followed(Volunteer.created_at, Volunteer.resident_id, push_ids, staff, Volunteer)


def _enrolments(push_ids, staff):
    return _followed(Enrolment.created_at, Family.resident_id, push_ids, staff,
                     join(Enrolment, Family, Family.id == Enrolment.family_id),
                     Enrolment.status != "cancelled")


def _quiz_answers(push_ids, staff):
    """Quiz and survey answers (KnowledgeAnswer) that followed a delivery."""
    if not sa_inspect(db.engine).has_table(KnowledgeAnswer.__tablename__):  # not migrated yet
        return []
    return _followed(KnowledgeAnswer.answered_at, KnowledgeAnswer.resident_id, push_ids, staff,
                     KnowledgeAnswer)


LEVEL_NAMES = {"city": "市", "district": "区县", "street": "街道"}
REASONS = {"43004": "已取消关注", "40003": "openid 无效", "45015": "超出48小时", "45047": "客服消息条数超限",
           "43101": "用户拒收订阅消息", "45009": "模板消息当日额度已满", "forgotten": "用户已删除信息",
           "unsubscribed": "已取消关注", "monthly_limit": "本月群发次数已满", "mass_needs_two": "群发名单不足2人",
           "template_quota": "模板额度已满", "user_block": "用户拒收（微信回执）",
           "system_failed": "微信系统发送失败（回执）", "mass_filtered": "被微信过滤（本月群发已满或拒收）",
           "mass_error": "群发失败（微信回执）", "miniapp_only": "只用过小程序且未订阅"}


def reasons(counter: Counter) -> str:
    return "；".join(f"{REASONS.get(code, code)} {n}" for code, n in counter.most_common())


def workbook(report: Report, title: str) -> bytes:
    headers = ["层级", "区域代码", "区域", "目标人数", "已发送", "失败", "失败原因", "未能覆盖", "未覆盖原因",
               "未确认", "已取消", "待发送", "点击次数", "随后报名志愿者（人）", "随后报名活动（人次）",
               "随后答题（题）", "其中微信已确认", "已受理待确认"]  # the last two: delivery receipts
    rows = []
    for level, _ in LEVEL_LENGTHS:
        for n in report.tier(level):
            rows.append([LEVEL_NAMES[level], n.code, n.name, n.targeted, n.sent, n.failed_total,
                         reasons(n.failed), n.unreachable_total, reasons(n.unreachable), n.unconfirmed,
                         n.cancelled, n.pending, n.opened, n.volunteers, n.enrolments, n.quiz_answers,
                         n.confirmed, n.accepted])
    return exports.workbook(title or "触达报告", headers, rows)
