"""Every status and kind a row can have, as enums; the database keeps their string values.

StrEnum members equal their strings, so rows read back compare equal to them, and the check
constraints are written from the same lists.
"""
from enum import StrEnum


class VolunteerStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class EnrolmentStatus(StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Audience(StrEnum):
    SCHOOL = "school"  # the school's own families only
    AREA = "area"  # every family of the school's area


class CellStatus(StrEnum):
    APPLIED = "applied"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    DISTRICT_PASSED = "district_passed"
    CITY_PASSED = "city_passed"
    NOT_PASSED = "not_passed"
    IN_NOTICE = "in_notice"
    NAMED = "named"
    REVOKED = "revoked"
    WITHDRAWN = "withdrawn"


class ItemKind(StrEnum):
    TEXT = "text"
    NEWS = "news"
    MINIPROGRAM = "miniprogram"


class PushStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class Channel(StrEnum):
    MASS_TAG = "mass_tag"
    MASS_ALL = "mass_all"
    MASS_LIST = "mass_list"
    CUSTOM = "custom"
    TEMPLATE = "template"
    SUBSCRIBE = "subscribe"
    NONE = "none"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    UNCONFIRMED = "unconfirmed"
    CANCELLED = "cancelled"


class PointKind(StrEnum):
    """What a drop-off point takes (labels in content/places.toml)."""
    HAZARDOUS_BOX = "hazardous_box"
    BATTERY_BOX = "battery_box"
    MEDICINE = "medicine"
    CLOTHES = "clothes"
    APPLIANCE = "appliance"
    BULKY = "bulky"
    RENOVATION = "renovation"
    RECYCLING_STATION = "recycling_station"


class ServiceTopic(StrEnum):
    """A service residents ask about (content/intents/settings.toml [service_topics]; labels in
    content/services.toml)."""
    BULKY = "bulky"
    RENOVATION = "renovation"
    APPLIANCE = "appliance"
    MEDICINE = "medicine"
    BATTERY = "battery"
    CLOTHES = "clothes"
    TIMES = "times"


class ReportKind(StrEnum):
    """What a resident reports (labels in content/reports.toml)."""
    OVERFLOW = "overflow"
    DUMPING = "dumping"
    BROKEN_BIN = "broken_bin"
    MISSED_COLLECTION = "missed_collection"
    OTHER = "other"


class ReportStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    REJECTED = "rejected"


def one_of(column: str, values: type[StrEnum]) -> str:
    """A check constraint's SQL: the column holds one of the enum's values."""
    return f"{column} IN (" + ", ".join(f"'{v.value}'" for v in values) + ")"
