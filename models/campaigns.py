from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.statuses import ItemKind, one_of
from models.timeutil import utcnow


class Campaign(db.Model):
    """A publicity campaign authored at one tier (city, district or street) of the region tree.

    A lower tier adopts an upper tier's campaign: the adoption is a campaign of its own (its local
    items live there) that keeps `adopted_from_id`, so reach rolls up to the original.
    """

    __tablename__ = "campaign"
    __table_args__ = (
        # A node adopts a campaign once; adopting twice would split its figures.
        UniqueConstraint("adopted_from_id", "region_code"),
        CheckConstraint("title <> ''", name="title_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(Text, default="")
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    adopted_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="RESTRICT"), index=True)
    starts_on: Mapped[datetime | None]
    ends_on: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list["ContentItem"]] = relationship(
        back_populates="campaign", order_by="ContentItem.id", cascade="all, delete-orphan")


class ContentItem(db.Model):
    """One piece of a campaign's content: a text, an article (news) or a mini-program page."""

    __tablename__ = "content_item"
    __table_args__ = (
        CheckConstraint(one_of("kind", ItemKind), name="kind"),
        CheckConstraint("title <> ''", name="title_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    # The tier that added it: an adopting district's local items carry the district's code.
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text, default="")  # the text; the article's summary
    url: Mapped[str] = mapped_column(String(500), default="")  # the article's link (tracked when sent)
    cover_url: Mapped[str] = mapped_column(String(500), default="")
    # An mpnews material uploaded in WeChat's backend; without it a mass send carries a text + link.
    media_id: Mapped[str] = mapped_column(String(128), default="")
    page_path: Mapped[str] = mapped_column(String(200), default="")  # mini-program page
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="items")
