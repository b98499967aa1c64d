"""Volunteers of a region subtree as an Excel workbook, phone numbers masked unless asked for."""
from decimal import Decimal

from sqlalchemy import func

from content.staff_texts import staff_table, staff_text
from handlers.people import regions
from handlers.volunteers import records as volunteers
from infra import xlsx as exports
from models import ServiceRecord, db

HEADERS = staff_table("volunteers.export_headers")


def workbook(region_code: str, full_phone: bool = False) -> tuple[bytes, int]:
    """The .xlsx bytes and how many volunteers it lists."""
    rows = volunteers.in_subtree(region_code)
    hours = dict(db.session.execute(
        db.select(ServiceRecord.volunteer_id, func.sum(ServiceRecord.hours))
        .where(ServiceRecord.volunteer_id.in_([v.id for v in rows]))
        .group_by(ServiceRecord.volunteer_id)).all()) if rows else {}
    names = {}

    def area(code):
        if code not in names:
            names[code] = regions.path_name(code)
        return names[code]

    content = exports.workbook(staff_text("volunteers.sheet"), HEADERS, (
        [v.id, v.name, v.phone if full_phone else exports.mask_phone(v.phone), area(v.region_code),
         volunteers.labels("skills", v.skills), volunteers.labels("availability", v.availability),
         volunteers.status_label(v), exports.beijing(v.created_at), float(hours.get(v.id) or Decimal("0"))]
        for v in rows))
    return content, len(rows)
