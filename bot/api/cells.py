"""Zero-waste cells for units in the mini-program: apply, self-assess, upload evidence, submit, status.

The unit acts through its contact's mini-program login; only that account sees and changes its
applications. Reviews happen in the staff console (bot/admin/cells.py).
"""
from flask import g, jsonify, request

from bot.api import ApiError, api, json_body
from bot.api.login import personal
from content import cells as catalogue
from content.api_texts import api_text
from handlers.cells import evidence as cell_evidence
from handlers.cells import workflow as cells
from handlers.cells.workflow import CellError
from models import db


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
def cell_types():
    """The cell types, their 2025 targets and the indicators each is assessed on."""
    types = []
    for cell_type in catalogue.cell_types().values():
        indicator_set = catalogue.current_set(cell_type.code)
        types.append({"type": cell_type.code, "name": cell_type.name, "target_2025": cell_type.target,
                      "indicator_set": indicator_set.key, "pass_score": indicator_set.pass_score,
                      "indicators": [vars(i) for i in indicator_set.indicators]})
    return jsonify(types=types, commitment=catalogue.workflow_texts()["commitment"])


@api.post("/cells")
@personal
def apply_for_cell():
    body = json_body()
    cell = cells.apply(g.resident, body.get("unit_name") or "", body.get("type") or "",
                       body.get("region_code") or "", body.get("contact_name") or "",
                       str(body.get("contact_phone") or ""), body.get("commitment"))
    db.session.commit()
    return jsonify(cell_json(cell, detail=True)), 201


@api.get("/cells")
@personal
def my_cells():
    return jsonify(cells=[cell_json(cell) for cell in cells.of_resident(g.resident)])


@api.get("/cells/<int:cell_id>")
@personal
def my_cell(cell_id: int):
    return jsonify(cell_json(own_cell(cell_id), detail=True))


@api.put("/cells/<int:cell_id>/assessment")
@personal
def self_assess(cell_id: int):
    """{"scores": {"S1": {"points": 8, "note": "..."}, ...}}: any subset, as often as needed."""
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
def upload_evidence(cell_id: int):
    """multipart/form-data: indicator=<code>, file=<PDF/JPG/PNG>."""
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
def delete_evidence(cell_id: int, evidence_id: int):
    cell = own_cell(cell_id)
    cell_evidence.remove(cell, g.resident, evidence_id)
    db.session.commit()
    return jsonify(missing=cells.missing(cell))


@api.post("/cells/<int:cell_id>/<any(submit, withdraw):action>")
@personal
def unit_step(cell_id: int, action: str):
    cell = own_cell(cell_id)
    try:
        cells.unit_step(cell, g.resident, action)
    except CellError as error:
        if error.code == "incomplete":
            raise ApiError(409, "incomplete", error.message, {"missing": cells.missing(cell)})
        raise
    db.session.commit()
    return jsonify(cell_json(cell, detail=True))
