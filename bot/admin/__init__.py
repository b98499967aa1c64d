"""The staff console, /admin: server-rendered pages, scoped to each staff member's region subtree.

Every request passes through here: the session is loaded from shared state, every POST must carry
a valid CSRF token, and every response gets the console's security headers. Views call
`require(capability)`; what lies in whose subtree is decided in handlers/staff/scope.py alone.
"""
import hashlib
import hmac
import secrets
from functools import wraps

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from content.texts import table
from handlers.errors import Refused
from handlers.staff import accounts as staff_accounts
from handlers.staff import scope
from models import db

admin = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates",
                  static_folder="static")

SESSION_COOKIE = "wufei_admin"
CSRF_COOKIE = "wufei_admin_csrf"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


def client_ip() -> str:
    # Behind load balancers, ProxyFix (PROXY_HOPS) has already put the client's address here.
    return request.remote_addr or ""


def secure_cookies() -> bool:
    """Cookies are Secure everywhere but on the developer's own machine (plain http there)."""
    return request.host.split(":")[0] not in LOCAL_HOSTS and request.host not in LOCAL_HOSTS


def csrf_token() -> str:
    """The token forms carry: bound to this browser's CSRF cookie and to its login session."""
    nonce = g.get("csrf_nonce") or request.cookies.get(CSRF_COOKIE) or ""
    if not nonce:
        nonce = g.csrf_nonce = secrets.token_urlsafe(24)
    message = f"{nonce}|{g.get('sid') or ''}".encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()


def set_cookie(response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=admin.url_prefix, httponly=True,
                        samesite="Strict", secure=secure_cookies())


@admin.before_request
def load_staff_and_check_csrf():
    g.pop("csrf_nonce", None)  # tests share one app context (and `g`) across requests
    g.sid = request.cookies.get(SESSION_COOKIE)
    g.staff = staff_accounts.load_session(g.sid)
    if g.staff is None:
        g.sid = None
    if request.method == "POST":
        origin = request.headers.get("Origin")
        if origin and origin.split("://", 1)[-1] != request.host:
            abort(403, "跨站请求已拒绝")
        sent = request.form.get("csrf_token", "")
        if not request.cookies.get(CSRF_COOKIE) or not hmac.compare_digest(sent, csrf_token()):
            abort(400, "页面已过期，请刷新后重试")


@admin.after_request
def security_headers(response):
    if g.get("csrf_nonce"):
        set_cookie(response, CSRF_COOKIE, g.csrf_nonce)
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cache-Control"] = "no-store"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if secure_cookies():
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


# No list is this long; beyond it an offset would overflow the databases' 64-bit integers.
LAST_PAGE = 100_000


def page_number() -> int:
    """?page as a page that exists or may exist: 1 for junk, at most LAST_PAGE."""
    return min(max(request.args.get("page", 1, type=int), 1), LAST_PAGE)


def form_id(name: str) -> int | None:
    """A form field naming a row by id: None for junk, or for a number no id column can hold
    (the query would overflow: a server error rather than "not found")."""
    from bot import MAX_ID

    value = request.form.get(name, "").strip()
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else None


def notify(text: str) -> None:
    """Tell the staff member on the next page what their form did."""
    if g.get("sid"):
        staff_accounts.set_notice(g.sid, text)


@admin.context_processor
def template_helpers():
    return {"csrf_token": csrf_token, "staff": g.get("staff"), "may": scope.may,
            "role_names": scope.ROLE_NAMES, "notice": staff_accounts.pop_notice(g.get("sid"))}


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("staff") is None:
            return redirect(url_for("admin.login", next=request.full_path))
        return view(*args, **kwargs)
    return wrapped


def require(capability: str):
    """The view needs a logged-in staff member whose role has `capability`."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not scope.may(g.staff, capability):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


@admin.errorhandler(400)
@admin.errorhandler(403)
@admin.errorhandler(404)
@admin.errorhandler(405)
@admin.errorhandler(413)
def console_error(error):
    texts = table("http_errors.toml")[str(error.code)]
    said = error.description if error.description != type(error).description else ""
    message = said or texts["message"]
    return render_template("admin/error.html", title=texts["title"],
                           message=message if error.code != 404 else ""), error.code


def init_app(app: Flask) -> None:
    from bot.admin import (  # noqa: F401  each module registers its pages
        activities,
        audit,
        auth,
        campaigns,
        cells,
        communities,
        dashboard,
        figures,
        labels,
        people,
        phones,
        places,
        pushes,
        qrcodes,
        queries,
        reports,
        services,
        staff,
        surveys,
        trail,
        wechat_menu,
    )

    labels.register(app)
    trail.init()
    app.register_blueprint(admin)


@admin.errorhandler(Refused)
def refused(error: Refused):
    """A refusal no form shows beside its fields: the reason, on the console's error page."""
    db.session.rollback()
    return render_template("admin/error.html", title="无法完成", message=error.message), error.status
