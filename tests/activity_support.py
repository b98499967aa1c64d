"""Factories for the school-activity tests: schools, school admins, activities, families with tokens."""
from datetime import datetime, timedelta
from itertools import count

from bot.api.login import issue_token
from fake_wechat import openid_for, unionid_for
from handlers.schools.activities import catalogue
from handlers.schools.activities.catalogue import ActivityForm
from models import Child, Family, Resident, School, SchoolStaff, db
from models.timeutil import utcnow
from tests.admin_support import (
    DISTRICT_A,
    DISTRICT_B,
    STREET_A,
    STREET_B,
    add_staff,
    seed_regions,
)

_names = count(1)
__all__ = ["DISTRICT_A", "DISTRICT_B", "STREET_A", "STREET_B"]


def add_school(name: str = "南岭小学", region_code: str = STREET_A) -> School:
    seed_regions()
    school = School(name=name, region_code=region_code)
    db.session.add(school)
    db.session.commit()
    return school


def add_school_admin(school: School, username: str | None = None):
    staff = add_staff(username or f"school{next(_names)}", "school_admin", school.region_code)
    db.session.add(SchoolStaff(staff_id=staff.id, school_id=school.id))
    db.session.commit()
    return staff


def add_activity(school: School, starts_in: timedelta = timedelta(days=3), hours: float = 2,
                 deadline_before: timedelta = timedelta(days=1), families: int = 50, people: int = 500,
                 audience: str = "school", title: str = "垃圾分类亲子挑战赛"):
    """An activity `starts_in` from now (times given as naive UTC turned to aware)."""
    from datetime import timezone

    starts = (utcnow() + starts_in).replace(tzinfo=timezone.utc)
    activity = catalogue.create(school, ActivityForm(
        title=title, place="学校操场", starts_at=starts, ends_at=starts + timedelta(hours=hours),
        enrol_deadline=starts - deadline_before, capacity_families=families, capacity_people=people,
        audience=audience, description="带上家里的可回收物"), "test")
    db.session.commit()
    return activity


def accepts_notice(app, fake_wechat, user: str, kind: str) -> None:
    """The family accepted the activity's reminder or promotion notice (wx.requestSubscribeMessage):
    WeChat keeps the grant and posts the event to the mini-program's message push."""
    from handlers.schools import reminders
    from tests.push_support import accept_in_wechat

    accept_in_wechat(app, fake_wechat, mini_openid(user), reminders.texts()["subscribe"][kind]["template_id"])


def mini_openid(user: str) -> str:
    """A fake user's mini-program openid (families enrol in the mini-program)."""
    from tests.conftest import MINI_APP_ID

    return openid_for(user, MINI_APP_ID)


def add_family(school: School, children: int = 1, user: str | None = None,
               region_code: str | None = None) -> tuple[Family, str]:
    """A guardian with children at `school` (a mini-program resident), and their API token."""
    n = next(_names)
    user = user or f"family-{n:05d}"
    resident = Resident(openid=mini_openid(user), unionid=unionid_for(user), app="miniapp",
                        region_code=region_code)
    db.session.add(resident)
    db.session.flush()
    family = Family(resident_id=resident.id, guardian_name=f"家长{n}", phone=f"139{n:08d}",
                    consent_version="family-2026-1")
    db.session.add(family)
    db.session.flush()
    for i in range(children):
        db.session.add(Child(family_id=family.id, name=f"孩子{n}-{i}", school_id=school.id, grade=3,
                             class_name="2班"))
    db.session.commit()
    return family, issue_token(resident)


def follows_too(user: str, official_app_id: str) -> str:
    """The family's guardian also follows the Official Account (linked by the unionid): their
    Official Account openid."""
    openid = openid_for(user, official_app_id)
    db.session.add(Resident(openid=openid, unionid=unionid_for(user), app="official"))
    db.session.commit()
    return openid


def child_ids(family: Family) -> list[int]:
    return [child.id for child in family.children]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def at(days: float = 0) -> datetime:
    return utcnow() + timedelta(days=days)
