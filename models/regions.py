from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models import db

LEVELS = {1: "city", 2: "district", 3: "street", 4: "community"}


class Region(db.Model):
    """A node of the three-tier region tree (city → district → street), plus communities staff add.

    Keyed by the statistical code, so a subtree is every code starting with its node's code
    (handlers/staff/scope.py relies on that).
    """

    __tablename__ = "region"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 4", name="level"),
        CheckConstraint("source IN ('official', 'staff')", name="source"),
    )

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    # RESTRICT: a node with children or people bound to it is retired, never deleted.
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("region.code", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))  # district, county, street, town, community …
    level: Mapped[int]
    # 'official': from content/regions (re-imported); 'staff': a community added by staff.
    source: Mapped[str] = mapped_column(String(8), default="official")
    # False when the official list no longer has it: hidden from choosers, kept for what refers to it.
    active: Mapped[bool] = mapped_column(default=True)
