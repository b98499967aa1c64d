"""Staff accounts: creation below one's own node, password login with lockout, server-side sessions.

Failed-login counters and sessions live in shared state (Redis in production), so every web
process agrees on who is locked out and who is logged in, and a logout or a password change ends
the session everywhere at once.
"""
import secrets
import time
from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

from handlers.errors import Refused
from handlers.staff import scope
from infra import state
from models import db
from models.staff import Staff

# Lockout (see authenticate): per account and address, per address, per account from anywhere.
MAX_FAILURES = 5                # one account from one address, then locked there for LOCK_SECONDS
MAX_FAILURES_PER_IP = 30        # one address guessing many accounts
MAX_FAILURES_PER_ACCOUNT = 100  # one account guessed from many addresses
LOCK_SECONDS = 15 * 60
KNOWN_ADDRESS_SECONDS = 90 * 24 * 3600  # an address an account logged in from is trusted this long
IDLE_SECONDS = 30 * 60      # a console left alone logs itself out
ABSOLUTE_SECONDS = 10 * 3600  # one working day, however active
MIN_PASSWORD = 10

@cache
def dummy_hash() -> str:
    """Checked when the username is unknown, so a wrong name takes as long as a wrong password.
    Made on first use: scrypt is slow on purpose, and every process imports this module."""
    return generate_password_hash("not-a-password", method="scrypt")


class StaffError(Refused):
    """A refusal with a message for the staff member, in Chinese."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def password_problem(password: str, username: str = "") -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"密码至少需要 {MIN_PASSWORD} 位"
    if password.isdigit() or password.isalpha():
        return "密码需要同时包含字母和数字（或符号）"
    if username and username.lower() in password.lower():
        return "密码不能包含用户名"
    return None


def create_staff(actor: Staff | None, username: str, display_name: str, password: str,
                 role: str, region_code: str) -> Staff:
    """A new account; `actor` None means the command line, which may only make a city admin."""
    username, display_name = username.strip(), display_name.strip() or username.strip()
    if not username or len(username) > 64 or not username.isascii() or " " in username:
        raise StaffError("用户名需为不含空格的英文字母、数字或符号，最多 64 位")
    if role not in scope.ROLE_NAMES:
        raise StaffError("未知的角色")
    if not scope.valid_code(region_code) or not scope.region_exists(region_code):
        raise StaffError("所属区域不存在")
    if actor is not None:
        if not scope.may(actor, "manage_staff") or not scope.manages_at(actor, role, region_code):
            raise StaffError("只能在本级以下的区域创建账号")
        if role not in scope.assignable_roles(actor):
            raise StaffError("无权分配该角色")
    elif role != "city_admin":
        raise StaffError("命令行只创建市级管理员")
    if not scope.role_fits_node(role, region_code):
        raise StaffError("角色与所属区域的层级不符")
    problem = password_problem(password, username)
    if problem:
        raise StaffError(problem)
    if db.session.execute(db.select(Staff.id).filter_by(username=username)).first():
        raise StaffError("该用户名已被使用")
    staff = Staff(username=username, display_name=display_name[:64], role=role,
                  region_code=region_code, password_hash=hash_password(password),
                  created_by_id=actor.id if actor else None)
    db.session.add(staff)
    db.session.flush()
    return staff


def manageable(actor: Staff, staff_id: int) -> Staff | None:
    """The account if `actor` may manage it (strictly below their node), else None."""
    staff = db.session.get(Staff, staff_id)
    if staff is None or not scope.may(actor, "manage_staff") or not scope.manages_at(
            actor, staff.role, staff.region_code) or staff.id == actor.id:
        return None
    return staff


def list_manageable(actor: Staff) -> list[Staff]:
    query = scope.scope_filter(db.select(Staff), Staff.region_code, actor)
    query = query.where((Staff.region_code != actor.region_code) | Staff.role.in_(scope.OWN_NODE_ROLES))
    query = query.where(Staff.id != actor.id).order_by(Staff.region_code, Staff.username)
    return list(db.session.execute(query).scalars())


def set_active(staff: Staff, active: bool) -> None:
    staff.active = active
    staff.session_epoch += 1


def set_password(staff: Staff, password: str) -> None:
    problem = password_problem(password, staff.username)
    if problem:
        raise StaffError(problem)
    staff.password_hash = hash_password(password)
    staff.session_epoch += 1
    # A reset is how a locked-out colleague gets back in: the account's failures are forgotten.
    _forget_failures(staff.username)


# --- login and lockout -------------------------------------------------------------------------

LOCKED_OUT = f"登录失败次数过多，请 {LOCK_SECONDS // 60} 分钟后再试"


def _attempt_keys(username: str, ip: str) -> dict[str, int]:
    """Each attempt counter and its limit."""
    name = username.lower()
    return {f"admin:login-attempts:pair:{name}:{ip}": MAX_FAILURES,
            f"admin:login-attempts:ip:{ip}": MAX_FAILURES_PER_IP,
            f"admin:login-attempts:user:{name}": MAX_FAILURES_PER_ACCOUNT}


def _forget_failures(username: str) -> None:
    """The account's own counters: account-wide and from each address (the addresses' stay)."""
    store, name = state.store(), username.lower()
    keys = [f"admin:login-attempts:user:{name}",
            *store.scan_iter(match=f"admin:login-attempts:pair:{name}:*", count=500)]
    store.delete(*keys)


def _known_key(username: str) -> str:
    return f"admin:login-known:{username.lower()}"


def _reserve_attempt(username: str, ip: str) -> bool:
    """Count this attempt before the password is checked; False when a limit is reached.

    Counting first, in one Redis transaction, means simultaneous attempts cannot all pass a
    check made before any of them is counted. Each window runs from its first attempt, so an
    attacker cannot keep a lock alive past LOCK_SECONDS without the attempts that earn it.
    """
    keys = _attempt_keys(username, ip)
    pipe = state.store().pipeline(transaction=True)
    pipe.sismember(_known_key(username), ip)
    for key in keys:
        pipe.set(key, 0, nx=True, ex=LOCK_SECONDS)
        pipe.incr(key)
    results = pipe.execute()
    known, counts = results[0], results[2::2]
    for (key, limit), count in zip(keys.items(), counts, strict=True):
        if count <= limit:
            continue
        # An address this account has logged in from is not held back by guessing elsewhere:
        # neither by the account's own limit nor by others behind the same address (an office).
        if known and ":pair:" not in key:
            continue
        return False
    return True


def _attempt_succeeded(username: str, ip: str) -> None:
    """A right password: the attempt was no failure; this address is now known for the account."""
    keys = list(_attempt_keys(username, ip))
    pipe = state.store().pipeline(transaction=True)
    pipe.delete(keys[0])
    for key in keys[1:]:
        pipe.decr(key)
        # Had the window just ended, DECR made a new key without one: give it one.
        pipe.expire(key, LOCK_SECONDS, nx=True)
    pipe.sadd(_known_key(username), ip)
    pipe.expire(_known_key(username), KNOWN_ADDRESS_SECONDS)
    pipe.execute()


def authenticate(username: str, password: str, ip: str) -> Staff:
    """The staff member with these credentials; StaffError when wrong or locked out.

    Three counters, each counted before the password is checked: one account from one address
    (MAX_FAILURES), one address (MAX_FAILURES_PER_IP), one account from anywhere
    (MAX_FAILURES_PER_ACCOUNT). Someone guessing a staff member's password therefore locks only
    their own address out; the account-wide limit stops guessing from many addresses, and does
    not hold back the addresses the account has logged in from before.
    """
    username = username.strip()
    if not _reserve_attempt(username, ip):
        raise StaffError(LOCKED_OUT)
    staff = db.session.execute(db.select(Staff).filter_by(username=username)).scalar_one_or_none()
    ok = check_password_hash(staff.password_hash if staff else dummy_hash(), password)
    if not ok or staff is None or not staff.active:
        raise StaffError("用户名或密码错误")
    _attempt_succeeded(username, ip)
    return staff


# --- the staff member's own WeChat (for push previews) -----------------------------------------

BIND_CODE_SECONDS = 10 * 60


def _bind_key(code: str) -> str:
    return f"admin:wechat-bind:{code}"


def wechat_binding_code(staff: Staff) -> str:
    """A one-time code, shown in the console, that the staff member sends from their own WeChat."""
    store = state.store()
    while True:
        code = f"{secrets.randbelow(10**8):08d}"  # eight digits: guessing one is hopeless
        if store.set(_bind_key(code), staff.id, nx=True, ex=BIND_CODE_SECONDS):
            return code


def bind_wechat(code: str, openid: str) -> Staff | None:
    """Bind the WeChat that sent a valid code to that code's account (the code is used up)."""
    code = code.strip()
    if not (len(code) == 8 and code.isdigit()):
        return None
    staff_id = state.store().getdel(_bind_key(code))
    staff = db.session.get(Staff, int(staff_id)) if staff_id else None
    if staff is None or not staff.active:
        return None
    # One WeChat, one account: binding it here unbinds it from any other account.
    db.session.execute(db.update(Staff).where(Staff.wechat_openid == openid, Staff.id != staff.id)
                       .values(wechat_openid=None))
    staff.wechat_openid = openid
    return staff


# --- sessions ----------------------------------------------------------------------------------

def _session_key(sid: str) -> str:
    return f"admin:session:{sid}"


def open_session(staff: Staff) -> str:
    sid = secrets.token_urlsafe(32)
    key = _session_key(sid)
    store = state.store()
    store.hset(key, mapping={"staff_id": staff.id, "epoch": staff.session_epoch,
                             "started": int(time.time())})
    store.expire(key, IDLE_SECONDS)
    return sid


def load_session(sid: str | None) -> Staff | None:
    """The logged-in staff member for this session id, extending its idle time; None if ended."""
    if not sid:
        return None
    key = _session_key(sid)
    store = state.store()
    data = store.hgetall(key)
    if "started" not in data or time.time() - int(data["started"]) > ABSOLUTE_SECONDS:
        store.delete(key)
        return None
    staff = db.session.get(Staff, int(data["staff_id"]))
    if staff is None or not staff.active or staff.session_epoch != int(data["epoch"]):
        store.delete(key)
        return None
    store.expire(key, IDLE_SECONDS)
    return staff


def close_session(sid: str | None) -> None:
    if sid:
        state.store().delete(_session_key(sid))


def set_notice(sid: str, text: str) -> None:
    """A one-time message shown on the next page (what a form did)."""
    key = _session_key(sid)
    pipe = state.store().pipeline()
    pipe.hset(key, "notice", text[:500])
    # A session that ended meanwhile must not come back as a notice without an expiry.
    pipe.expire(key, IDLE_SECONDS, nx=True)
    pipe.execute()


def pop_notice(sid: str | None) -> str | None:
    if not sid:
        return None
    pipe = state.store().pipeline()
    pipe.hget(_session_key(sid), "notice")
    pipe.hdel(_session_key(sid), "notice")
    return pipe.execute()[0]
