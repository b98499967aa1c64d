from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.statuses import PointKind, one_of
from models.timeutil import utcnow

# China's extent (the southern islands to Heilongjiang, Xinjiang to the Wusuli river), in degrees:
# a point outside it is a typo or swapped coordinates, never a real drop-off point.
LAT_RANGE = (3.0, 54.0)
LNG_RANGE = (73.0, 136.0)


class DropOffPoint(db.Model):
    """A place residents take what the kerbside bins do not: batteries, medicine, clothes, bulky waste.

    Coordinates are GCJ-02 (what WeChat's location messages and the mini-program's map give), so
    distances to a resident's location need no conversion.
    """

    __tablename__ = "drop_off_point"
    __table_args__ = (
        CheckConstraint(one_of("kind", PointKind), name="kind"),
        CheckConstraint(f"lat BETWEEN {LAT_RANGE[0]} AND {LAT_RANGE[1]} "
                        f"AND lng BETWEEN {LNG_RANGE[0]} AND {LNG_RANGE[1]}", name="within_china"),
        CheckConstraint("name <> ''", name="name_not_empty"),
        # The nearest-point search prefilters on a bounding box, by kind or over every kind; the
        # indexes cover it (id and active included), so a box over the dense city reads no rows.
        Index("ix_drop_off_point_kind_lat_lng", "kind", "lat", "lng", "active", "id"),
        Index("ix_drop_off_point_lat_lng", "lat", "lng", "active", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    hours: Mapped[str] = mapped_column(String(100), default="")  # as posted on site, e.g. 每天 8:00-18:00
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    kept_by: Mapped[str] = mapped_column(String(64))  # the staff username that answers for it
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
