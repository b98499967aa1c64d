"""Login and logout."""
from flask import g, redirect, render_template, request, url_for
from werkzeug.security import check_password_hash

from bot.admin import (
    SESSION_COOKIE,
    admin,
    client_ip,
    login_required,
    notify,
    set_cookie,
)
from handlers.staff import accounts as staff_accounts
from handlers.staff import audit
from handlers.staff.accounts import StaffError
from models import db
from models.staff import Staff
from models.timeutil import utcnow


def safe_next(target: str | None) -> str:
    """Only a path inside the console: a login link must not send staff to another site."""
    if target and target.startswith(admin.url_prefix + "/") and "//" not in target and "\\" not in target:
        return target
    return url_for("admin.dashboard")


@admin.route("/login", methods=["GET", "POST"])
def login():
    error = None
    username = request.form.get("username", "")
    if request.method == "POST":
        try:
            member = staff_accounts.authenticate(username, request.form.get("password", ""), client_ip())
        except StaffError as refusal:
            error = str(refusal)
            known = db.session.execute(db.select(Staff).filter_by(username=username.strip())).scalar_one_or_none()
            if known is not None:
                audit.record(known, "login_failed", known.region_code, ip=client_ip())
                db.session.commit()
        else:
            member.last_login_at = utcnow()
            audit.record(member, "login", member.region_code, ip=client_ip())
            db.session.commit()
            sid = staff_accounts.open_session(member)
            response = redirect(safe_next(request.args.get("next")))
            set_cookie(response, SESSION_COOKIE, sid)
            return response
    return render_template("admin/login.html", error=error, username=username), (401 if error else 200)


@admin.post("/logout")
def logout():
    if g.staff is not None:
        audit.record(g.staff, "logout", g.staff.region_code, ip=client_ip())
        db.session.commit()
    staff_accounts.close_session(g.sid)
    response = redirect(url_for("admin.login"))
    response.delete_cookie(SESSION_COOKIE, path=admin.url_prefix)
    return response


@admin.route("/password", methods=["GET", "POST"])
@login_required
def own_password():
    """Staff change their own password (the first one was set by whoever created the account)."""
    error = None
    if request.method == "POST":
        member = g.staff
        if not check_password_hash(member.password_hash, request.form.get("current", "")):
            error = "当前密码不正确"
        else:
            try:
                staff_accounts.set_password(member, request.form.get("password", ""))
            except StaffError as refusal:
                error = str(refusal)
        if error is None:
            audit.record(member, "staff_update", member.region_code, target=member.username,
                         detail={"password": "own"}, ip=client_ip())
            db.session.commit()
            # Every other session of this account has ended; this browser continues in a new one.
            staff_accounts.close_session(g.sid)
            g.sid = staff_accounts.open_session(member)
            notify("密码已修改，其他设备上的登录已失效")
            response = redirect(url_for("admin.dashboard"))
            set_cookie(response, SESSION_COOKIE, g.sid)
            return response
        db.session.rollback()
    return render_template("admin/password.html", error=error), (400 if error else 200)


@admin.route("/wechat", methods=["GET", "POST"])
@login_required
def own_wechat():
    """Staff bind their own WeChat (for push previews) with a one-time code sent in the chat."""
    code = staff_accounts.wechat_binding_code(g.staff) if request.method == "POST" else None
    return render_template("admin/wechat.html", code=code,
                           minutes=staff_accounts.BIND_CODE_SECONDS // 60)
