from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.timeutil import utcnow

ROLES = ("city_admin", "district_admin", "street_admin", "school_admin", "reviewer")
ROLE_CHECK = "role IN (" + ", ".join(f"'{role}'" for role in ROLES) + ")"


class Staff(db.Model):
    """A console account: one role, anchored at one node of the region tree (its subtree is its scope)."""

    __tablename__ = "staff"
    __table_args__ = (
        CheckConstraint(ROLE_CHECK, name="role"),
        # Region codes are the statistical codes (2201, 220102, 220102001 …): digits only, so a
        # prefix match is exactly a subtree and never a LIKE wildcard.
        CheckConstraint("region_code <> ''", name="region_code_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    # A node of the region tree (regions are retired, never deleted, so this never dangles).
    region_code: Mapped[str] = mapped_column(String(16), ForeignKey("region.code"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Bumped on password change or deactivation: sessions made before it stop working.
    session_epoch: Mapped[int] = mapped_column(default=0)
    # The staff member's own WeChat, bound with a one-time code from the console: push previews go
    # here and nowhere else.
    wechat_openid: Mapped[str | None] = mapped_column(String(64), unique=True)


class AuditEntry(db.Model):
    """Who did what in the console: logins, sends, exports, approvals, deletions, teaching."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    # Kept as text too, so the entry still names the actor after the account is deleted.
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    # The region the action touched: audit entries are themselves scoped by subtree.
    region_code: Mapped[str] = mapped_column(String(16), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str] = mapped_column(String(64), default="")
