"""School activities in the console: schools publish and run them; admins above see lists and figures."""
from datetime import datetime

import segno
from flask import Response, abort, g, redirect, render_template, request, url_for
from pydantic import ValidationError

from bot.admin import admin, form_id, notify, require
from bot.admin.flow import done, record
from bot.api.openapi import field_text
from bot.api.school import ActivityIn
from content.activity_texts import text
from handlers.schools import directory as schools
from handlers.schools import reminders
from handlers.schools.activities import (
    ActivityError,
    cancellation,
    catalogue,
    checkin,
    enrolment,
    figures,
    lists,
)
from handlers.schools.activities.cancellation import CancelError
from handlers.schools.activities.catalogue import ActivityForm
from handlers.schools.directory import SchoolError
from handlers.staff import scope
from infra import xlsx as exports
from infra.clock import label, local
from models import Enrolment, db


def own_school():
    school = schools.school_of(g.staff)
    if school is None:
        abort(403, text("errors.not_a_school_admin"))
    return school


def activity_or_404(activity_id: int):
    activity = lists.activity_for(g.staff, activity_id)  # out of scope looks exactly like missing
    if activity is None:
        abort(404)
    return activity


def helpers() -> dict:
    return {"label": label, "audiences": {"school": text("audience.school"), "area": text("audience.area")},
            "statuses": {k: text(f"status.{k}") for k in ("enrolled", "waitlisted", "cancelled")}}


@admin.get("/activities")
@require("activities")
def activities():
    node = g.staff.region_code
    school = schools.school_of(g.staff)
    total, areas = (figures.of_school(school.id), []) if school else figures.roll_up(node)
    rows = lists.activities_for(g.staff)
    return render_template("admin/activities.html", rows=rows, total=total, areas=areas, school=school,
                           by_school=[] if school else figures.by_school(node),
                           per_activity={a.id: figures.of_activity(a) for a in rows[:100]}, **helpers())


def form_values(activity=None) -> dict:
    if request.method == "POST":
        return request.form.to_dict()
    if activity is None:
        return {"audience": "school"}
    stamp = lambda value: local(value).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    return {"title": activity.title, "description": activity.description, "place": activity.place,
            "starts_at": stamp(activity.starts_at), "ends_at": stamp(activity.ends_at),
            "enrol_deadline": stamp(activity.enrol_deadline), "audience": activity.audience,
            "capacity_families": activity.capacity_families, "capacity_people": activity.capacity_people}


def parse_form() -> tuple[ActivityForm | None, dict]:
    """The same schema as the API's, so the console and the API accept exactly the same activities."""
    try:
        body = ActivityIn.model_validate({k: v for k, v in request.form.items() if k != "csrf_token"})
    except ValidationError as error:
        return None, {".".join(map(str, e["loc"])): field_text(e) for e in error.errors()}
    return ActivityForm(**body.model_dump()), {}


@admin.route("/activities/new", methods=["GET", "POST"])
@require("manage_activities")
def activity_new():
    school = own_school()
    errors = {}
    if request.method == "POST":
        form, errors = parse_form()
        if form:
            try:
                activity = catalogue.create(school, form, g.staff.username)
            except ActivityError as error:
                errors = error.fields or {"form": str(error)}
            else:
                db.session.commit()
                reminders.schedule_reminders(activity)
                notify(text("console.published"))
                return redirect(url_for("admin.activity_detail", activity_id=activity.id))
    return render_template("admin/activity_form.html", values=form_values(), errors=errors,
                           activity=None, school=school, **helpers()), (400 if errors else 200)


@admin.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@require("manage_activities")
def activity_edit(activity_id: int):
    own_school()
    activity = activity_or_404(activity_id)
    errors = {}
    if request.method == "POST":
        form, errors = parse_form()
        if form:
            try:
                promoted = enrolment.update_activity(activity.id, form)
            except ActivityError as error:
                db.session.rollback()
                errors = error.fields or {"form": str(error)}
            else:
                db.session.commit()
                reminders.schedule_reminders(activity)
                promoted_text = text("console.promoted", count=len(promoted)) if promoted else ""
                notify(text("console.saved") + promoted_text)
                return redirect(url_for("admin.activity_detail", activity_id=activity.id))
    return render_template("admin/activity_form.html", values=form_values(activity), errors=errors,
                           activity=activity, school=schools.get(activity.school_id), **helpers()), \
        (400 if errors else 200)


@admin.get("/activities/<int:activity_id>")
@require("activities")
def activity_detail(activity_id: int):
    activity = activity_or_404(activity_id)
    return render_template("admin/activity.html", activity=activity, rows=lists.rows(g.staff, activity),
                           numbers=figures.of_activity(activity), school=schools.get(activity.school_id),
                           manages=scope.may(g.staff, "manage_activities"), **helpers())


@admin.post("/activities/<int:activity_id>/cancel")
@require("activities")
def activity_cancel(activity_id: int):
    """Cancel the whole activity: its school's admin, or an admin whose subtree it lies in."""
    if catalogue.get(activity_id) is None:
        abort(404)
    activity = lists.activity_for(g.staff, activity_id)
    if activity is None:
        abort(403, text("console.not_yours"))
    reason = request.form.get("reason", "")
    try:
        told = cancellation.cancel(activity.id, reason, g.staff.username)
    except CancelError as refusal:
        db.session.rollback()
        notify(str(refusal))
        return redirect(url_for("admin.activity_detail", activity_id=activity_id))
    record("activity_cancel", activity.region_code, f"activity:{activity.id}",
           {"title": activity.title, "reason": activity.cancel_reason, "families": len(told)})
    db.session.commit()
    notify(text("console.cancelled_notifying", count=len(told)) if told else text("console.cancelled"))
    return redirect(url_for("admin.activity_detail", activity_id=activity_id))


@admin.get("/activities/<int:activity_id>/checkin")
@require("manage_activities")
def activity_checkin(activity_id: int):
    """The page shown on a screen at the activity: the code and its QR, refreshed as they rotate."""
    activity = activity_or_404(activity_id)
    if activity.cancelled:
        notify(text("errors.activity_cancelled"))
        return redirect(url_for("admin.activity_detail", activity_id=activity.id))
    code = checkin.current(activity.id)
    return render_template("admin/checkin.html", activity=activity, code=code,
                           qr=segno.make(code.qr_text, error="m").svg_inline(scale=10))


@admin.post("/activities/<int:activity_id>/cover")
@require("manage_activities")
def activity_cover(activity_id: int):
    activity = activity_or_404(activity_id)
    upload = request.files.get("cover")
    try:
        catalogue.set_cover(activity, upload.read(catalogue.MAX_COVER_BYTES + 1) if upload else b"")
    except ActivityError as error:
        notify(str(error))
        return redirect(url_for("admin.activity_detail", activity_id=activity.id))
    return done(text("console.cover_updated"), "admin.activity_detail", activity_id=activity.id)


@admin.post("/activities/<int:activity_id>/enrolments/<int:enrolment_id>/attendance")
@require("manage_activities")
def activity_attendance(activity_id: int, enrolment_id: int):
    activity = activity_or_404(activity_id)
    entry = db.session.get(Enrolment, enrolment_id)
    if entry is None or entry.activity_id != activity.id or entry.status != "enrolled":
        abort(404)
    if request.form.get("present") == "1":
        checkin.mark_present(activity, entry, g.staff.username, checkin.guardian_of(entry))
    else:
        checkin.mark_absent(entry)
    db.session.commit()
    return redirect(url_for("admin.activity_detail", activity_id=activity.id))


@admin.get("/activities/<int:activity_id>/export.xlsx")
@require("export_enrolments")
def activity_export(activity_id: int):
    activity = activity_or_404(activity_id)
    content = lists.workbook(g.staff, activity)
    record("export", activity.region_code, f"activity:{activity.id}",
           {"full_phone": scope.may(g.staff, "full_phone")})
    db.session.commit()
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return Response(content, mimetype=exports.XLSX, headers={
        "Content-Disposition": f'attachment; filename="enrolments-{activity.id}-{stamp}.xlsx"'})


@admin.route("/schools", methods=["GET", "POST"])
@require("manage_schools")
def school_list():
    error = None
    if request.method == "POST":
        try:
            if request.form.get("school_id"):
                school = schools.get(form_id("school_id"))
                if school is None or not scope.in_scope(g.staff, school.region_code):
                    abort(404)
                member = schools.assign_admin(g.staff, school, request.form.get("username", ""))
                notify(text("console.school_admin_assigned", username=member.username, school=school.name))
            else:
                school = schools.create(g.staff, request.form.get("name", ""), request.form.get("region_code", ""))
                notify(text("console.school_added", school=school.name))
        except SchoolError as refusal:
            db.session.rollback()
            error = str(refusal)
        else:
            db.session.commit()
            return redirect(url_for("admin.school_list"))
    found = schools.in_scope(g.staff)
    return render_template("admin/schools.html", schools=found, error=error,
                           admins=schools.admins_of(s.id for s in found),
                           regions=scope.child_regions(g.staff),
                           names=scope.region_names(s.region_code for s in found)), (400 if error else 200)
