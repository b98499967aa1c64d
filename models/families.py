from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.timeutil import utcnow


class Family(db.Model):
    """A guardian (a mini-program user) and the children they enrol; children have no account."""

    __tablename__ = "family"
    __table_args__ = (CheckConstraint("guardian_name <> ''", name="guardian_name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: one family per guardian, however often the form is sent.
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("resident.id", ondelete="CASCADE"), unique=True)
    guardian_name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(11))
    # The guardian's consent (PIPL art. 31: a minor's data needs the guardian's consent), with the
    # version of the text they agreed to.
    consent_version: Mapped[str] = mapped_column(String(16))
    consented_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    children: Mapped[list["Child"]] = relationship(
        back_populates="family", cascade="all, delete-orphan", order_by="Child.id")


class Child(db.Model):
    """A pupil: name, school, grade and class, and nothing more (data minimisation)."""

    __tablename__ = "child"
    __table_args__ = (
        CheckConstraint("grade BETWEEN 1 AND 12", name="grade"),
        CheckConstraint("name <> ''", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    grade: Mapped[int] = mapped_column(SmallInteger)
    class_name: Mapped[str] = mapped_column(String(20))

    family: Mapped[Family] = relationship(back_populates="children")
