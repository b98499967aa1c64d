"""Zero-waste cells for units in the mini-program: apply, self-assess, upload evidence, submit, status.

The unit acts through its contact's mini-program login; only that account sees and changes its
applications. Reviews happen in the staff console (bot/admin/cells.py).
"""
from typing import Annotated, Any

from flask import g, jsonify, request
from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from bot.api import ApiError, api, json_body
from bot.api.login import personal
from bot.api.openapi import LINE, LINES, RESIDENT, Deleted, deleted, no_surrogates, responses, spec
from content import cells as catalogue
from content.api_texts import about, api_text
from handlers.cells import evidence as cell_evidence
from handlers.cells import workflow as cells
from handlers.cells.workflow import CellError
from models import db

# Lengths and choices are the workflow's to check (its own error codes); the schemas keep out what
# no database can store.
Text = Annotated[str, StringConstraints(pattern=LINE), AfterValidator(no_surrogates)]
Note = Annotated[str, StringConstraints(pattern=LINES), AfterValidator(no_surrogates)]


class IndicatorOut(BaseModel):
    code: str
    group: str
    title: str
    points: int = Field(description=about("IndicatorOut", "points"))
    evidence: str = Field(description=about("IndicatorOut", "evidence"))


class CellTypeOut(BaseModel):
    type: str
    name: str
    target_2025: int
    indicator_set: str
    pass_score: int
    indicators: list[IndicatorOut]


class CellTypes(BaseModel):
    types: list[CellTypeOut]
    commitment: str = Field(description=about("CellTypes", "commitment"))


class MissingOut(BaseModel):
    indicator: str
    kind: str = Field(description=about("MissingOut", "kind"))
    message: str


class CellOut(BaseModel):
    id: int
    unit_name: str
    type: str
    type_name: str
    region_code: str
    status: str
    status_label: str
    self_score: int | None
    review_score: int | None
    missing: list[MissingOut] = Field(description=about("CellOut", "missing"))


class IndicatorSetOut(BaseModel):
    key: str
    pass_score: int


class EvidenceFile(BaseModel):
    id: int
    filename: str
    size: int
    content_type: str


class CellIndicator(IndicatorOut):
    self_points: int | None
    note: str | None
    files: list[EvidenceFile]


class CellEvent(BaseModel):
    action: str
    action_label: str
    status: str
    by: str
    comment: str | None
    at: str


class CellDetail(CellOut):
    indicator_set: IndicatorSetOut
    indicators: list[CellIndicator]
    history: list[CellEvent]


class CellList(BaseModel):
    cells: list[CellOut]


class CellIn(BaseModel):
    unit_name: Text = Field("", description=about("CellIn", "unit_name"))
    type: Text = Field("", description=about("CellIn", "type"))
    region_code: Text = Field("", description=about("CellIn", "region_code"))
    contact_name: Text = Field("", description=about("CellIn", "contact_name"))
    contact_phone: Text | int = Field("", description=about("CellIn", "contact_phone"))
    commitment: bool | None = Field(None, description=about("CellIn", "commitment"))


class ScoreIn(BaseModel):
    points: int | None = Field(None, description=about("ScoreIn", "points"))
    note: Note = Field("", description=about("ScoreIn", "note"))


class AssessmentIn(BaseModel):
    scores: dict[Text, ScoreIn | int] = Field(default_factory=dict, description=about("AssessmentIn", "scores"))


class EvidenceIn(BaseModel):
    indicator: Text = Field("", description=about("EvidenceIn", "indicator"))
    file: Any = Field(None, description=about("EvidenceIn", "file"),
                      json_schema_extra={"type": "string", "format": "binary"})


class EvidenceOut(BaseModel):
    id: int
    filename: str
    size: int
    missing: list[MissingOut]


class EvidenceLeft(Deleted):
    missing: list[MissingOut]


def own_cell(cell_id: int):
    cell = cells.get(cell_id)
    if cell is None or cell.applicant_id != g.resident.id:  # another unit's is as good as none
        raise ApiError(404, "not_found", api_text("errors.cells.not_found"))
    return cell


def cell_json(cell, detail: bool = False) -> dict:
    body = {"id": cell.id, "unit_name": cell.unit_name, "type": cell.cell_type,
            "type_name": catalogue.cell_types()[cell.cell_type].name, "region_code": cell.region_code,
            "status": cell.status, "status_label": cells.status_label(cell.status),
            "self_score": cell.self_score, "review_score": cell.review_score,
            "missing": cells.missing(cell) if cell.status in cells.EDITABLE else []}
    if detail:
        scores = {s.indicator_code: s for s in cell.scores}
        files = {}
        for e in cell.evidence:
            files.setdefault(e.indicator_code, []).append(
                {"id": e.id, "filename": e.filename, "size": e.size, "content_type": e.content_type})
        indicator_set = cells.indicators(cell)
        body["indicator_set"] = {"key": indicator_set.key, "pass_score": indicator_set.pass_score}
        body["indicators"] = [
            {"code": i.code, "group": i.group, "title": i.title, "points": i.points, "evidence": i.evidence,
             "self_points": scores[i.code].self_points if i.code in scores else None,
             "note": scores[i.code].note if i.code in scores else "",
             "files": files.get(i.code, [])} for i in indicator_set.indicators]
        body["history"] = [{"action": e.action, "action_label": catalogue.label("action", e.action),
                            "status": e.to_status,
                            "by": catalogue.label("actor", "unit" if e.actor_role == "unit" else "staff"),
                            "comment": e.comment, "at": e.at.isoformat() + "Z"} for e in cell.events]
    return body


@api.get("/cells/types")
@spec.validate(resp=responses({200: CellTypes}), tags=["cells"])
def cell_types():
    """The cell types, their 2025 targets and the indicators each is assessed on.

    Also the commitment text a unit signs when it applies (POST /cells with commitment: true).
    """
    types = []
    for cell_type in catalogue.cell_types().values():
        indicator_set = catalogue.current_set(cell_type.code)
        types.append({"type": cell_type.code, "name": cell_type.name, "target_2025": cell_type.target,
                      "indicator_set": indicator_set.key, "pass_score": indicator_set.pass_score,
                      "indicators": [vars(i) for i in indicator_set.indicators]})
    return jsonify(types=types, commitment=catalogue.workflow_texts()["commitment"])


@api.post("/cells")
@personal
@spec.validate(json=CellIn, resp=responses({201: CellDetail}, 400, 401, 409, 415), security=RESIDENT,
               tags=["cells"])
def apply_for_cell():
    """Apply for a zero-waste cell on behalf of a unit; the caller becomes its contact.

    Errors by code: unknown_type, unknown_region, unit_name, contact (the contact's name),
    invalid_fields (fields.contact_phone: not a mobile number), commitment (400), duplicate (409).
    """
    body = json_body()
    cell = cells.apply(g.resident, body.get("unit_name") or "", body.get("type") or "",
                       body.get("region_code") or "", body.get("contact_name") or "",
                       str(body.get("contact_phone") or ""), body.get("commitment"))
    db.session.commit()
    return jsonify(cell_json(cell, detail=True)), 201


@api.get("/cells")
@personal
@spec.validate(resp=responses({200: CellList}, 401), security=RESIDENT, tags=["cells"])
def my_cells():
    """The caller's cell applications, each with its status and what is still missing.

    Only applications the caller made as the unit's contact.
    """
    return jsonify(cells=[cell_json(cell) for cell in cells.of_resident(g.resident)])


@api.get("/cells/<int:cell_id>")
@personal
@spec.validate(resp=responses({200: CellDetail}, 401, 404), security=RESIDENT, tags=["cells"])
def my_cell(cell_id: int):
    """One application in full: indicators with the unit's points and files, and its history.

    404 not_found for another account's application.
    """
    return jsonify(cell_json(own_cell(cell_id), detail=True))


@api.put("/cells/<int:cell_id>/assessment")
@personal
@spec.validate(json=AssessmentIn, resp=responses({200: CellDetail}, 400, 401, 404, 409, 415),
               security=RESIDENT, tags=["cells"])
def self_assess(cell_id: int):
    """Set the unit's own points for some indicators, as often as needed before submitting.

    {"scores": {"S1": {"points": 8, "note": "..."}, ...}}: any subset. Errors: scores_required,
    unknown_indicator, points (400); not_editable (409) once the application is under review.
    """
    cell = own_cell(cell_id)
    scores = json_body().get("scores")
    if not isinstance(scores, dict) or not scores:
        raise ApiError(400, "scores_required", api_text("errors.cells.scores_required"))
    entries = {}
    for code, entry in scores.items():
        entry = entry if isinstance(entry, dict) else {"points": entry}
        entries[str(code)] = (entry.get("points"), str(entry.get("note") or ""))
    cells.self_assess(cell, g.resident, entries)
    db.session.commit()
    return jsonify(cell_json(cell, detail=True))


@api.post("/cells/<int:cell_id>/evidence")
@personal
@spec.validate(form=EvidenceIn, resp=responses({201: EvidenceOut}, 400, 401, 404, 409, 413, 415),
               security=RESIDENT, tags=["cells"])
def upload_evidence(cell_id: int):
    """Upload one evidence file (PDF, JPG or PNG) for an indicator.

    multipart/form-data: indicator=<code>, file=<the file>. Errors: file_required, unknown_indicator,
    file_empty (400); too_many_files, not_editable (409); file_size (413); file_type (415).
    """
    cell = own_cell(cell_id)
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, "file_required", api_text("errors.cells.file_required"))
    limit = cell_evidence.max_bytes()
    data = upload.stream.read(limit + 1)  # one byte more than allowed tells "too big" without reading all
    evidence = cell_evidence.add(cell, g.resident, request.form.get("indicator", ""),
                                 upload.filename or "", data)
    db.session.commit()
    return jsonify(id=evidence.id, filename=evidence.filename, size=evidence.size,
                   missing=cells.missing(cell)), 201


@api.delete("/cells/<int:cell_id>/evidence/<int:evidence_id>")
@personal
@spec.validate(resp=responses({200: EvidenceLeft}, 401, 404, 409), security=RESIDENT, tags=["cells"])
def delete_evidence(cell_id: int, evidence_id: int):
    """Delete one evidence file; answers {"deleted": ["evidence"]} and what is still missing.

    404 when the file or the application is not the caller's; 409 once it is under review.
    """
    cell = own_cell(cell_id)
    cell_evidence.remove(cell, g.resident, evidence_id)
    db.session.commit()
    return jsonify(**deleted(["evidence"]), missing=cells.missing(cell))


@api.post("/cells/<int:cell_id>/<any(submit, withdraw):action>")
@personal
@spec.validate(resp=responses({200: CellDetail}, 400, 401, 404, 409), security=RESIDENT, tags=["cells"])
def unit_step(cell_id: int, action: str):
    """Submit the application for review, or withdraw it.

    409 incomplete (fields.missing lists what is left) or when the step does not fit the status.
    """
    cell = own_cell(cell_id)
    try:
        cells.unit_step(cell, g.resident, action)
    except CellError as error:
        if error.code == "incomplete":
            raise ApiError(409, "incomplete", error.message, {"missing": cells.missing(cell)})
        raise
    db.session.commit()
    return jsonify(cell_json(cell, detail=True))
