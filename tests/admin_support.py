"""Factories and a logged-in client for the console's tests."""
import re
from functools import cache

from handlers.staff.accounts import hash_password
from models import Region, Resident, Volunteer, db
from models.staff import Staff

PASSWORD = "Changchun-2201x"
CITY, DISTRICT_A, DISTRICT_B = "2201", "220102", "220103"
STREET_A, STREET_A2, STREET_B = "220102001", "220102002", "220103001"
REGIONS = {CITY: "长春市", DISTRICT_A: "南关区", DISTRICT_B: "宽城区",
           STREET_A: "南岭街道", STREET_A2: "自强街道", STREET_B: "新发街道"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@cache
def password_hash() -> str:
    # scrypt is slow on purpose; one hash serves every test account.
    return hash_password(PASSWORD)


def seed_regions() -> None:
    """The few nodes the console's tests use (the full tree is the official import)."""
    if db.session.get(Region, CITY) is not None:
        return
    for code in sorted(REGIONS, key=len):
        level = {4: 1, 6: 2, 9: 3}[len(code)]
        db.session.add(Region(code=code, name=REGIONS[code], level=level,
                              parent_code=None if level == 1 else code[:{2: 4, 3: 6}[level]],
                              kind=("city", "district", "street")[level - 1]))
        db.session.flush()
    db.session.commit()


def add_staff(username: str, role: str, region_code: str, active: bool = True) -> Staff:
    seed_regions()
    staff = Staff(username=username, display_name=username, role=role, region_code=region_code,
                  password_hash=password_hash(), active=active)
    db.session.add(staff)
    db.session.commit()
    return staff


class Console:
    """A test client logged in as one staff member, posting forms with their CSRF token."""

    def __init__(self, client, username: str | None = None, password: str = PASSWORD):
        self.client = client
        if username:
            response = self.login(username, password)
            assert response.status_code == 302, response.text

    def token(self, path: str = "/admin/login") -> str:
        page = self.client.get(path)
        return TOKEN.search(page.text).group(1)

    def login(self, username: str, password: str = PASSWORD):
        return self.client.post("/admin/login", data={
            "csrf_token": self.token(), "username": username, "password": password})

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None):
        token = self.token("/admin/dashboard")
        return self.client.post(path, data={"csrf_token": token, **(data or {})})


def add_volunteer(name: str, phone: str, region_code: str, status: str = "pending") -> Volunteer:
    seed_regions()
    resident = Resident(openid=f"o-{phone}", region_code=region_code)
    db.session.add(resident)
    db.session.flush()
    volunteer = Volunteer(resident_id=resident.id, name=name, phone=phone, region_code=region_code,
                          skills="publicity", availability="weekday_evening", status=status,
                          channel="chat")
    db.session.add(volunteer)
    db.session.commit()
    return volunteer
