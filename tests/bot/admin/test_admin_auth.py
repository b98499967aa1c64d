"""Console login: strong hashes, lockout shared by all processes, expiring sessions, CSRF, headers."""
import time

from bot import create_app
from handlers.staff import accounts as staff_accounts
from models import db
from models.staff import AuditEntry, Staff
from tests.admin_support import (
    CITY,
    DISTRICT_A,
    PASSWORD,
    TOKEN,
    Console,
    add_staff,
    seed_regions,
)


def actions() -> list[str]:
    return db.session.execute(db.select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()


def test_create_admin_command_makes_a_city_admin_with_a_scrypt_hash(app):
    seed_regions()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--username", "city", "--name", "市管理员"],
                           env={"ADMIN_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    staff = db.session.execute(db.select(Staff)).scalar_one()
    assert (staff.role, staff.region_code) == ("city_admin", CITY)
    assert staff.password_hash.startswith("scrypt:") and PASSWORD not in staff.password_hash
    weak = runner.invoke(args=["create-admin", "--username", "c2"], env={"ADMIN_PASSWORD": "123456"})
    assert weak.exit_code != 0 and "密码至少" in weak.output


def test_login_opens_the_dashboard_and_is_audited(app, client):
    add_staff("nanguan", "district_admin", DISTRICT_A)
    assert client.get("/admin/dashboard").status_code == 302
    console = Console(client, "nanguan")
    page = console.get("/admin/dashboard")
    assert page.status_code == 200 and "概览" in page.text
    assert actions() == ["login"]


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(app, client):
    add_staff("nanguan", "district_admin", DISTRICT_A)
    console = Console(client)
    wrong = console.login("nanguan", "Wrong-password-1")
    unknown = console.login("nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码错误" in wrong.text and "用户名或密码错误" in unknown.text
    assert actions() == ["login_failed"]


def test_lockout_after_five_failures_holds_even_for_the_right_password(app, client):
    add_staff("nanguan", "district_admin", DISTRICT_A)
    console = Console(client)
    for _ in range(staff_accounts.MAX_FAILURES):
        assert console.login("nanguan", "Wrong-password-1").status_code == 401
    locked = console.login("nanguan", PASSWORD)
    assert locked.status_code == 401 and "登录失败次数过多" in locked.text


def test_lockout_is_shared_by_every_web_process(pg_app):
    add_staff("nanguan", "district_admin", DISTRICT_A)
    for _ in range(staff_accounts.MAX_FAILURES):
        Console(pg_app.test_client()).login("nanguan", "Wrong-password-1")
    other = create_app({**pg_app.config, "WARM_UP": False})  # a second process on the same Redis
    with other.app_context():
        response = Console(other.test_client()).login("nanguan", PASSWORD)
        db.session.remove()
    assert response.status_code == 401 and "登录失败次数过多" in response.text


def test_session_ends_after_idle_time_and_on_logout(app, client):
    add_staff("nanguan", "district_admin", DISTRICT_A)
    console = Console(client, "nanguan")
    sid = client.get_cookie("wufei_admin", path="/admin").value
    store = app.extensions["state"]
    assert 0 < store.ttl(f"admin:session:{sid}") <= staff_accounts.IDLE_SECONDS
    store.hset(f"admin:session:{sid}", "started", int(time.time()) - staff_accounts.ABSOLUTE_SECONDS - 1)
    assert console.get("/admin/dashboard").status_code == 302  # past the working day: log in again
    console.login("nanguan")
    console.post("/admin/logout")
    assert console.get("/admin/dashboard").status_code == 302


def test_password_reset_ends_the_accounts_open_sessions(app, client):
    add_staff("nanguan", "district_admin", DISTRICT_A)
    victim = Console(app.test_client(), "nanguan")
    member = db.session.execute(db.select(Staff)).scalar_one()
    staff_accounts.set_password(member, "Another-pass-22")
    db.session.commit()
    assert victim.get("/admin/dashboard").status_code == 302


def test_forms_without_a_valid_csrf_token_are_refused(app, client):
    add_staff("city", "city_admin", CITY)
    console = Console(client, "city")
    no_token = client.post("/admin/staff", data={"username": "x", "password": PASSWORD,
                                                 "role": "district_admin", "region_code": DISTRICT_A})
    forged = client.post("/admin/staff", data={"csrf_token": "0" * 64, "username": "x"})
    login_token = TOKEN.search(Console(app.test_client()).client.get("/admin/login").text).group(1)
    other_browser = client.post("/admin/staff", data={"csrf_token": login_token, "username": "x"})
    cross_site = client.post("/admin/staff", headers={"Origin": "https://evil.example"},
                             data={"csrf_token": console.token("/admin/dashboard"), "username": "x"})
    assert [r.status_code for r in (no_token, forged, other_browser, cross_site)] == [400, 400, 400, 403]
    assert db.session.execute(db.select(db.func.count(Staff.id))).scalar_one() == 1


def test_console_pages_carry_security_headers_and_strict_cookies(app, client):
    add_staff("city", "city_admin", CITY)
    page = client.get("/admin/login")
    headers = page.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none': no scripts
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    remote = app.test_client()
    response = remote.get("/admin/login", base_url="https://wufei.example.cn")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


def test_login_never_redirects_off_the_console(app, client):
    add_staff("city", "city_admin", CITY)
    console = Console(client)
    response = client.post("/admin/login?next=//evil.example/x", data={
        "csrf_token": console.token(), "username": "city", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/dashboard"


def test_changing_ones_own_password_keeps_this_browser_and_ends_the_others(app, client):
    add_staff("nanguan", "district_admin", DISTRICT_A)
    other = Console(app.test_client(), "nanguan")
    console = Console(client, "nanguan")
    wrong = console.post("/admin/password", {"current": "nope", "password": "Another-pass-22"})
    weak = console.post("/admin/password", {"current": PASSWORD, "password": "short"})
    assert (wrong.status_code, weak.status_code) == (400, 400) and "当前密码不正确" in wrong.text
    done = console.post("/admin/password", {"current": PASSWORD, "password": "Another-pass-22"})
    assert done.status_code == 302
    assert "密码已修改" in console.get("/admin/dashboard").text
    assert other.get("/admin/dashboard").status_code == 302
    assert Console(app.test_client()).login("nanguan", "Another-pass-22").status_code == 302


def test_simultaneous_wrong_logins_check_no_more_passwords_than_the_limit(app, monkeypatch):
    import threading

    from handlers.staff.accounts import StaffError

    add_staff("nanguan", "district_admin", DISTRICT_A)
    checked, lock = [], threading.Lock()
    real_check = staff_accounts.check_password_hash

    def counting_check(*args):
        with lock:
            checked.append(1)
        return real_check(*args)

    monkeypatch.setattr(staff_accounts, "check_password_hash", counting_check)
    start = threading.Barrier(40)
    outcomes = []

    def attempt(password: str) -> None:
        with app.app_context():
            start.wait()
            try:
                staff_accounts.authenticate("nanguan", password, "198.51.100.7")
                outcomes.append("in")
            except StaffError:
                outcomes.append("refused")
            finally:
                db.session.remove()

    # 39 wrong passwords and the right one, all at once from one address.
    threads = [threading.Thread(target=attempt, args=("Wrong-password-1",)) for _ in range(39)]
    threads.append(threading.Thread(target=attempt, args=(PASSWORD,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 40
    assert len(checked) <= staff_accounts.MAX_FAILURES


def test_a_lockout_from_one_address_does_not_keep_the_owner_out(app):
    import pytest

    from handlers.staff.accounts import StaffError

    add_staff("nanguan", "district_admin", DISTRICT_A)
    staff_accounts.authenticate("nanguan", PASSWORD, "203.0.113.5")  # the owner's office
    for _ in range(staff_accounts.MAX_FAILURES):
        with pytest.raises(StaffError):
            staff_accounts.authenticate("nanguan", "Wrong-password-1", "198.51.100.7")
    with pytest.raises(StaffError, match="登录失败次数过多"):
        staff_accounts.authenticate("nanguan", PASSWORD, "198.51.100.7")
    # The owner, from another address, is not locked out by someone else's guessing.
    assert staff_accounts.authenticate("nanguan", PASSWORD, "192.0.2.44").username == "nanguan"
    # Guessing from many addresses at once stops at the account's own limit, except from an
    # address the account has logged in from before.
    for n in range(staff_accounts.MAX_FAILURES_PER_ACCOUNT):
        with pytest.raises(StaffError):
            staff_accounts.authenticate("nanguan", "Wrong-password-1", f"10.9.{n // 200}.{n % 200}")
    with pytest.raises(StaffError, match="登录失败次数过多"):
        staff_accounts.authenticate("nanguan", PASSWORD, "192.0.2.99")
    assert staff_accounts.authenticate("nanguan", PASSWORD, "203.0.113.5").username == "nanguan"
