"""SQLAlchemy 2.0 models: the product's data, with its invariants as database constraints."""
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations stable across PostgreSQL and SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

from models.activities import Activity, ActivityCover, Enrolment, EnrolmentChild  # noqa: E402
from models.campaigns import Campaign, ContentItem  # noqa: E402
from models.cells import Cell, CellEvent, CellEvidence, CellScore  # noqa: E402
from models.consents import Consent  # noqa: E402
from models.families import Child, Family  # noqa: E402
from models.messages import InboundMessage  # noqa: E402
from models.places import DropOffPoint  # noqa: E402
from models.pushes import (  # noqa: E402
    Delivery,
    DistrictTag,
    LinkClick,
    MessageOptIn,
    Push,
    PushBatch,
    QrCode,
    QrScan,
    ResidentTag,
    WeChatReceipt,
)
from models.quiz import KnowledgeAnswer, QuizAttempt, Survey  # noqa: E402
from models.regions import Region  # noqa: E402
from models.reports import Report, ReportEvent  # noqa: E402
from models.residents import Resident  # noqa: E402
from models.schools import School, SchoolStaff  # noqa: E402
from models.services import AreaService  # noqa: E402
from models.sorting import DismissedNoise, TaughtItem, TaughtPhrasing, UnrecognisedQuery  # noqa: E402
from models.staff import AuditEntry, Staff  # noqa: E402
from models.volunteers import ServiceRecord, Volunteer  # noqa: E402

__all__ = ["AreaService", "Base", "db", "Consent", "DropOffPoint", "InboundMessage", "Region", "Resident",
           "ServiceRecord", "TaughtItem", "TaughtPhrasing", "UnrecognisedQuery", "Volunteer", "DismissedNoise"]
