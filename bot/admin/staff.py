"""Staff accounts: each staff member manages the accounts below their own node only."""
from flask import abort, g, render_template, request

from bot.admin import admin, require
from bot.admin.flow import done, record
from content.staff_texts import staff_text
from handlers.staff import accounts as staff_accounts
from handlers.staff import scope
from handlers.staff.accounts import StaffError
from models import db
from models.staff import Staff


def account_or_404(staff_id: int) -> Staff:
    # Out of scope looks exactly like missing: no probing which ids exist elsewhere.
    account = staff_accounts.manageable(g.staff, staff_id)
    if account is None:
        abort(404)
    return account


@admin.get("/staff")
@require("manage_staff")
def staff_list(error: str | None = None, form: dict | None = None):
    accounts = staff_accounts.list_manageable(g.staff)
    names = scope.region_names([a.region_code for a in accounts] + [g.staff.region_code])
    regions = scope.child_regions(g.staff)  # one's own node first: for a reviewer there
    return render_template("admin/staff.html", accounts=accounts, names=names, regions=regions,
                           roles=scope.assignable_roles(g.staff), error=error, form=form or {}), (
        400 if error else 200)


@admin.post("/staff")
@require("manage_staff")
def staff_create():
    form = request.form
    try:
        account = staff_accounts.create_staff(
            g.staff, form.get("username", ""), form.get("display_name", ""),
            form.get("password", ""), form.get("role", ""), form.get("region_code", "").strip())
    except StaffError as refusal:
        db.session.rollback()
        return staff_list(error=str(refusal), form={k: v for k, v in form.items() if k != "password"})
    record("staff_create", account.region_code, account.username, {"role": account.role})
    return done(staff_text("accounts.created", username=account.username), "admin.staff_list")


@admin.post("/staff/<int:staff_id>/active")
@require("manage_staff")
def staff_active(staff_id: int):
    account = account_or_404(staff_id)
    active = request.form.get("active") == "1"
    staff_accounts.set_active(account, active)
    record("staff_update", account.region_code, account.username, {"active": active})
    return done(staff_text("accounts.enabled" if active else "accounts.disabled", username=account.username),
                "admin.staff_list")


@admin.post("/staff/<int:staff_id>/password")
@require("manage_staff")
def staff_password(staff_id: int):
    account = account_or_404(staff_id)
    try:
        staff_accounts.set_password(account, request.form.get("password", ""))
    except StaffError as refusal:
        db.session.rollback()
        return staff_list(error=str(refusal))
    record("staff_update", account.region_code, account.username, {"password": "reset"})
    return done(staff_text("accounts.password_reset", username=account.username), "admin.staff_list")


@admin.get("/staff/<int:staff_id>/delete")
@require("manage_staff")
def staff_delete_confirm(staff_id: int, status: int = 200):
    account = account_or_404(staff_id)
    return render_template("admin/staff_delete.html", account=account), status


@admin.post("/staff/<int:staff_id>/delete")
@require("manage_staff")
def staff_delete(staff_id: int):
    account = account_or_404(staff_id)
    if request.form.get("confirm") != "1":  # deleting cannot be undone: the box must be ticked
        return staff_delete_confirm(staff_id, 400)
    record("staff_delete", account.region_code, account.username)
    db.session.delete(account)
    return done(staff_text("accounts.deleted", username=account.username), "admin.staff_list")
