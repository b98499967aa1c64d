"""The console's audit log: who did what, where; readable by staff for their own subtree only."""
import json

from handlers.staff import scope
from models import db
from models.staff import AuditEntry, Staff

ACTION_NAMES = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出",
    "export": "导出",
    "approve": "审核通过",
    "reject": "审核拒绝",
    "service": "记录服务时长",
    "teach": "教机器人",
    "untaught": "撤销教学",
    "staff_create": "创建账号",
    "staff_update": "修改账号",
    "staff_delete": "删除账号",
    "send": "推送",
    "activity_cancel": "取消活动",
    "qrcode_create": "制作二维码",
    "place_create": "添加回收点",
    "place_update": "修改回收点",
    "place_deactivate": "停用回收点",
    "place_activate": "恢复回收点",
    "place_import": "导入回收点",
}


def record(actor: Staff | None, action: str, region_code: str, target: str = "",
           detail: dict | None = None, ip: str = "", username: str = "") -> AuditEntry:
    """Add an entry to the session; it commits with the action it records."""
    entry = AuditEntry(
        staff_id=actor.id if actor else None,
        username=(actor.username if actor else username)[:64],
        action=action, region_code=region_code, target=target[:200], ip=ip[:64],
        detail=json.dumps(detail, ensure_ascii=False) if detail else None)
    db.session.add(entry)
    return entry


def recent(actor: Staff, limit: int = 200) -> list[AuditEntry]:
    query = scope.scope_filter(db.select(AuditEntry), AuditEntry.region_code, actor)
    return list(db.session.execute(query.order_by(AuditEntry.id.desc()).limit(limit)).scalars())
