"""POST /api/v1/reports: a resident's report (随手拍) with a photo; GET /api/v1/reports: theirs, with status."""
from typing import Literal

from flask import current_app, g, jsonify
from pydantic import BaseModel, Field
from spectree.model_adapter.pydantic_adapter import BaseFile

from bot.api import ApiError, api
from bot.api.login import personal
from bot.api.openapi import RESIDENT, Id, Lines, responses, spec
from content.api_texts import api_text
from handlers.reports import records
from models import db
from models.places import LAT_RANGE, LNG_RANGE
from models.statuses import ReportKind, ReportStatus

Kind = Literal[tuple(kind.value for kind in ReportKind)]
Status = Literal[tuple(status.value for status in ReportStatus)]


class ReportForm(BaseModel):
    """multipart/form-data; where: lat and lng, or region_code, or else the resident's bound area."""
    kind: Kind
    description: Lines(records.MAX_DESCRIPTION) = ""
    lat: float | None = Field(None, ge=LAT_RANGE[0], le=LAT_RANGE[1], allow_inf_nan=False,
                              description="latitude, GCJ-02 (wx.getLocation type 'gcj02')")
    lng: float | None = Field(None, ge=LNG_RANGE[0], le=LNG_RANGE[1], allow_inf_nan=False,
                              description="longitude, GCJ-02")
    region_code: str | None = Field(None, pattern=r"^\d{9,20}$",
                                    description="the street or community; default: the bound area")
    photo: BaseFile | None = Field(None, description="JPEG or PNG, at most REPORT_PHOTO_MAX_BYTES")


class ReportOut(BaseModel):
    id: Id
    kind: Kind
    kind_label: str
    description: str
    status: Status
    status_label: str
    region_code: str
    lat: float | None
    lng: float | None
    has_photo: bool
    resolution: str = Field(description="the street's note when resolved, or why it was rejected")
    created_at: str
    closed_at: str | None


class ReportList(BaseModel):
    reports: list[ReportOut]


def report_json(report) -> dict:
    return {"id": report.id, "kind": report.kind, "kind_label": records.kind_label(report.kind),
            "description": report.description, "status": report.status,
            "status_label": records.status_label(report.status), "region_code": report.region_code,
            "lat": report.lat, "lng": report.lng,
            "has_photo": bool(report.photo_type or report.photo_media_id),
            "resolution": report.resolution, "created_at": report.created_at.isoformat() + "Z",
            "closed_at": report.closed_at.isoformat() + "Z" if report.closed_at else None}


def read_photo(upload) -> bytes | None:
    """The upload's bytes, at most one byte past the limit (enough to refuse it)."""
    if upload is None:
        return None
    if not hasattr(upload, "stream"):  # `photo` sent as a text field, not a file
        raise ApiError(400, "photo_not_file", api_text("errors.reports.photo_not_file"))
    return upload.stream.read(current_app.config["REPORT_PHOTO_MAX_BYTES"] + 1)


@api.post("/reports")
@personal
@spec.validate(form=ReportForm, resp=responses({201: ReportOut}, 400, 401, 413, 415, 429),
               security=RESIDENT, tags=["reports"])
def file_report(form: ReportForm):
    """File a report (随手拍): what is wrong, where, and a photo.

    The street or community it belongs to handles it (assign, resolve, reject); the resident is told
    of each step within WeChat's reply window and sees the status with GET /api/v1/reports. A
    resident files at most REPORTS_PER_DAY a day (429); the photo is JPEG or PNG (415) within
    REPORT_PHOTO_MAX_BYTES (413).
    """
    report = records.file(g.resident, form.kind, form.region_code or g.resident.region_code,
                          form.description, form.lat, form.lng, photo=read_photo(form.photo), channel="api")
    db.session.commit()
    return jsonify(report_json(report)), 201


@api.get("/reports")
@personal
@spec.validate(resp=responses({200: ReportList}, 401), security=RESIDENT, tags=["reports"])
def my_reports():
    """The resident's reports, newest first, with their status.

    Each with its kind, where, when it was filed and the street's last step (assigned, resolved
    with its note, or rejected with its reason).
    """
    return jsonify(reports=[report_json(report) for report in records.of_resident(g.resident)])
