from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.timeutil import utcnow


class QuizAttempt(db.Model):
    """One run of 无废知识问答: the questions drawn for it (with their answers) and how it went."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (CheckConstraint("channel IN ('chat', 'api')", name="channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # SET NULL: a forgotten resident's answers stay in their area's figures, nameless.
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="SET NULL"),
                                                    index=True)
    # The resident's area when the quiz started, so figures do not move when they rebind.
    region_code: Mapped[str | None] = mapped_column(String(20), index=True)
    channel: Mapped[str] = mapped_column(String(4))
    # JSON list of {id, text, options, answer, explanation}: the questions as asked.
    questions: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]


class Survey(db.Model):
    """A one-question micro-survey a push can carry; with `answer` set it is a knowledge question."""

    __tablename__ = "survey"
    __table_args__ = (CheckConstraint("question <> ''", name="question_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(String(200))
    options: Mapped[str] = mapped_column(Text)  # JSON list of 2–5 option texts
    answer: Mapped[int | None] = mapped_column(SmallInteger)  # None: an opinion, never right or wrong
    explanation: Mapped[str] = mapped_column(Text, default="")
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)  # the author's node
    # The push content item that carries it (content_item.id; no foreign key, so a survey outlives its campaign).
    content_item_id: Mapped[int | None] = mapped_column(index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KnowledgeAnswer(db.Model):
    """One answer to a quiz question or a survey: the record awareness and participation count."""

    __tablename__ = "knowledge_answer"
    __table_args__ = (
        # However often WeChat or the mini-program repeats it, a question is answered once.
        UniqueConstraint("attempt_id", "position", name="uq_knowledge_answer_attempt"),
        UniqueConstraint("survey_id", "resident_id", name="uq_knowledge_answer_survey"),
        CheckConstraint("source IN ('quiz', 'survey')", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(6))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"))
    position: Mapped[int | None] = mapped_column(SmallInteger)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="SET NULL"),
                                                    index=True)
    region_code: Mapped[str | None] = mapped_column(String(20), index=True)
    question_id: Mapped[str] = mapped_column(String(64))  # 'cc-tiers', 'item:电池', 'survey:3'
    chosen: Mapped[int] = mapped_column(SmallInteger)
    correct: Mapped[bool | None]  # None for an opinion survey
    answered_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
