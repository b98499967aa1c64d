"""Zero-waste cells in the console: the list of the staff member's subtree, one cell's file, review steps."""
import io

from flask import abort, g, redirect, render_template, request, send_file, url_for

from bot.admin import admin, notify, require
from content import cells as catalogue
from handlers.cells import workflow as cells
from handlers.cells.workflow import CellError
from handlers.staff import scope
from models import db
from models.statuses import CellStatus


@admin.get("/cells")
@require("cells")
def cell_list():
    status = request.args.get("status") if request.args.get("status") in list(CellStatus) else None
    cell_type = request.args.get("type") if request.args.get("type") in catalogue.cell_types() else None
    found = cells.in_scope(g.staff, status, cell_type)
    names = scope.region_names(c.region_code for c in found)
    return render_template("admin/cells.html", cells=found, names=names, status=status, cell_type=cell_type,
                           types=catalogue.cell_types(), statuses=list(CellStatus), label=catalogue.label,
                           actions_for=cells.actions_for)


def cell_in_scope(cell_id: int):
    cell = cells.get(cell_id)
    if cell is None or not scope.in_scope(g.staff, cell.region_code):
        abort(404)
    return cell


@admin.get("/cells/<int:cell_id>")
@require("cells")
def cell_detail(cell_id: int, error: str | None = None, form=None):
    cell = cell_in_scope(cell_id)
    indicator_set = cells.indicators(cell)
    scores = {s.indicator_code: s for s in cell.scores}
    files = {}
    for evidence in cell.evidence:
        files.setdefault(evidence.indicator_code, []).append(evidence)
    proven, claimed = cells.evidence_completeness(cell)
    return render_template("admin/cell.html", cell=cell, indicator_set=indicator_set, scores=scores,
                           files=files, proven=proven, claimed=claimed, missing=cells.missing(cell),
                           actions=cells.actions_for(cell, g.staff), label=catalogue.label,
                           type_name=catalogue.cell_types()[cell.cell_type].name,
                           region=scope.region_names([cell.region_code])[cell.region_code],
                           error=error, chosen=form or {}), 400 if error else 200


@admin.post("/cells/<int:cell_id>/step")
@require("review_cells")
def cell_step(cell_id: int):
    cell = cell_in_scope(cell_id)
    action = request.form.get("action", "")
    review = None
    if action == "city_score":
        review = {}
        for indicator in cells.indicators(cell).indicators:
            value = request.form.get(f"points_{indicator.code}", "").strip()
            if value.isdigit():
                review[indicator.code] = int(value)
    try:
        cells.staff_step(cell, g.staff, action, request.form.get("comment", ""), review)
    except CellError as error:
        db.session.rollback()
        if error.status == 403:
            abort(403, error.message)
        return cell_detail(cell_id, error.message, request.form)  # beside the form, as typed
    db.session.commit()
    notify(catalogue.label("console", "done", action=catalogue.label("action", action),
                           status=cells.status_label(cell.status)))
    return redirect(url_for("admin.cell_detail", cell_id=cell_id))


@admin.get("/cells/<int:cell_id>/evidence/<int:evidence_id>")
@require("cells")
def cell_evidence_file(cell_id: int, evidence_id: int):
    cell = cell_in_scope(cell_id)
    evidence = next((e for e in cell.evidence if e.id == evidence_id), None)
    if evidence is None or evidence.data is None:
        abort(404)
    # Sent as a download: a file from outside is never rendered inside the console's origin.
    return send_file(io.BytesIO(evidence.data), mimetype=evidence.content_type, as_attachment=True,
                     download_name=evidence.filename)
