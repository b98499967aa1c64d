"""A volunteer's whole phone number, one at a time, for the street staff who call them.

Lists and Excel show numbers partly hidden, as the consent text volunteers accept promises; opening
one number is a deliberate, audited step.
"""
from flask import g, redirect, request, url_for

from bot.admin import admin, notify, require
from bot.admin.flow import record
from bot.admin.people import volunteer_or_404
from content.staff_texts import staff_text
from handlers.volunteers import roster
from models import db


@admin.post("/volunteers/<int:volunteer_id>/phone")
@require("full_phone")
def volunteer_phone(volunteer_id: int):
    volunteer = volunteer_or_404(volunteer_id)
    phone = roster.whole_phone(g.staff, volunteer)
    record("view_phone", volunteer.region_code, f"volunteer {volunteer.id}")
    db.session.commit()
    notify(staff_text("volunteers.phone_shown", name=volunteer.name, phone=phone))
    return redirect(url_for("admin.volunteers", **request.args))
