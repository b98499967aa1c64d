"""Reports (随手拍) in the console: the subtree's queue and figures; the street assigns, resolves, rejects."""
from flask import Response, abort, g, render_template, request

from bot.admin import admin, require
from bot.admin.flow import done, record
from content.report_texts import kind_labels, status_labels, text
from handlers.reports import figures, photos, records
from handlers.staff import scope
from models.statuses import ReportStatus

ACTIONS = {"assign": ReportStatus.ASSIGNED, "resolve": ReportStatus.RESOLVED, "reject": ReportStatus.REJECTED}
MAX_PHOTO_READ = 64 * 1024 * 1024  # the setting decides; this only bounds the read


def report_or_404(report_id: int):
    report = records.scoped(g.staff, report_id)  # another street's looks exactly like missing
    if report is None:
        abort(404)
    return report


@admin.get("/reports")
@require("reports")
def reports():
    status = request.args.get("status", "") if request.args.get("status") in status_labels() else ""
    kind = request.args.get("kind", "") if request.args.get("kind") in kind_labels() else ""
    rows = records.queue(g.staff, status, kind)
    return render_template("admin/reports.html", rows=rows, status=status, kind=kind,
                           statuses=status_labels(), kinds=kind_labels(), figures=figures.rolled_up(g.staff),
                           names=scope.region_names(r.region_code for r in rows))


@admin.get("/reports/<int:report_id>")
@require("reports")
def report(report_id: int):
    found = report_or_404(report_id)
    handles = records.handles(g.staff, found)
    reporter = records.reporter(found) if handles else None
    return render_template("admin/report.html", report=found, handles=handles, reporter=reporter,
                           phone=records.reporter_phone(reporter), photo_problem=photos.fetch_problem(found),
                           assignees=records.assignees(found) if handles else [],
                           statuses=status_labels(), kinds=kind_labels(),
                           area=scope.region_names([found.region_code])[found.region_code])


@admin.post("/reports/<int:report_id>/<any(assign, resolve, reject):action>")
@require("reports")
def report_step(report_id: int, action: str):
    found = report_or_404(report_id)
    upload = request.files.get("photo")
    photo = upload.read(MAX_PHOTO_READ) if upload and upload.filename else None
    event = records.step(g.staff, found, ACTIONS[action], note=request.form.get("note", ""),
                         assignee=request.form.get("assignee", ""), photo=photo)
    record(f"report_{action}", found.region_code, f"report:{found.id}",
           {"from": event.from_status, "to": event.to_status, "note": event.note[:200]})
    notice = (text("admin.assigned", id=found.id, name=found.assigned_to) if action == "assign"
              else text(f"admin.{ACTIONS[action]}", id=found.id))
    return done(notice, "admin.report", report_id=found.id)


@admin.get("/reports/<int:report_id>/<any(photo, resolution):which>.img")
@require("reports")
def report_photo(report_id: int, which: str):
    found = report_or_404(report_id)
    data, content_type = ((found.photo, found.photo_type) if which == "photo"
                          else (found.resolution_photo, found.resolution_photo_type))
    if not data:
        abort(404)
    return Response(data, mimetype=content_type, headers={"X-Content-Type-Options": "nosniff"})
