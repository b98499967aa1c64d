"""The authorisation matrix: every role, at its node, against every console URL, inside and outside
its subtree. Expectations are written out here, not derived from handlers/staff/scope.py, so a change of
rules shows up as a failing test."""
import io

import pytest
from openpyxl import load_workbook

from models import AuditEntry, ServiceRecord, TaughtItem, Volunteer, db
from models.staff import Staff
from tests.admin_support import (
    CITY,
    DISTRICT_A,
    DISTRICT_B,
    STREET_A,
    STREET_B,
    Console,
    add_staff,
    add_volunteer,
)

ACTORS = {  # name: (role, node)
    "city_admin": ("city_admin", CITY),
    "district_admin": ("district_admin", DISTRICT_A),
    "street_admin": ("street_admin", STREET_A),
    "school_admin": ("school_admin", STREET_A),
    "city_reviewer": ("reviewer", CITY),
    "district_reviewer": ("reviewer", DISTRICT_A),
}
PAGES = {  # URL: actors who may open it
    "/admin/dashboard": set(ACTORS),
    "/admin/password": set(ACTORS),
    "/admin/residents": {"city_admin", "district_admin", "street_admin", "city_reviewer", "district_reviewer"},
    "/admin/volunteers": {"city_admin", "district_admin", "street_admin", "city_reviewer", "district_reviewer"},
    "/admin/queries": {"city_admin", "city_reviewer"},
    "/admin/menu": {"city_admin"},  # one menu for the whole city
    "/admin/staff": {"city_admin", "district_admin", "street_admin"},
    "/admin/audit": {"city_admin", "district_admin", "street_admin"},
    "/admin/services": {"city_admin", "district_admin", "street_admin"},
    "/admin/services/import": {"city_admin", "district_admin", "street_admin"},
}
MANAGERS = {"city_admin", "district_admin", "street_admin"}
TARGETS = {  # an existing account at each node; who may manage it (strictly below their node)
    "district_a": (DISTRICT_A, {"city_admin"}),
    "street_a": (STREET_A, {"city_admin", "district_admin"}),
    "district_b": (DISTRICT_B, {"city_admin"}),
    "street_b": (STREET_B, {"city_admin"}),
}


@pytest.fixture
def people(app):
    for name, (role, node) in ACTORS.items():
        add_staff(name, role, node)
    for name, (node, _) in TARGETS.items():
        add_staff(f"target_{name}", "street_admin" if len(node) == 9 else "district_admin", node)


def account(username: str) -> Staff | None:
    db.session.expire_all()
    return db.session.execute(db.select(Staff).filter_by(username=username)).scalar_one_or_none()


@pytest.mark.parametrize("actor", ACTORS)
def test_pages_open_only_for_roles_that_may(people, client, actor):
    console = Console(client, actor)
    for url, allowed in PAGES.items():
        status = console.get(url).status_code
        assert status == (200 if actor in allowed else 403), (url, status)


@pytest.mark.parametrize("actor", ACTORS)
def test_staff_forms_act_only_on_accounts_strictly_below(people, client, actor):
    console = Console(client, actor)
    for name, (node, managers) in TARGETS.items():
        target = account(f"target_{name}")
        allowed = actor in managers
        expected = 302 if allowed else (404 if actor in MANAGERS else 403)
        response = console.post(f"/admin/staff/{target.id}/active", {"active": "0"})
        assert response.status_code == expected, (name, "active")
        assert account(target.username).active is not allowed
        response = console.post(f"/admin/staff/{target.id}/password", {"password": "Brand-new-pass9"})
        assert response.status_code == expected, (name, "password")
        assert (account(target.username).session_epoch == 2) is allowed
        response = console.post(f"/admin/staff/{target.id}/delete", {"confirm": "1"})
        assert response.status_code == expected, (name, "delete")
        assert (account(target.username) is None) is allowed


@pytest.mark.parametrize("actor", ACTORS)
def test_accounts_are_created_only_below_ones_own_node(people, client, actor):
    console = Console(client, actor)
    for node, role, allowed in [
        (STREET_A, "street_admin", {"city_admin", "district_admin"}),
        (STREET_B, "street_admin", {"city_admin"}),
        (DISTRICT_B, "district_admin", {"city_admin"}),
        (DISTRICT_A, "reviewer", {"city_admin", "district_admin"}),  # a reviewer may sit on one's own node
        (CITY, "reviewer", {"city_admin"}),
        (DISTRICT_A, "district_admin", {"city_admin"}),  # an admin only below: not the district itself
        (CITY, "city_admin", set()),
    ]:
        username = f"new_{actor}_{node}_{role}"
        response = console.post("/admin/staff", {"username": username, "password": "Brand-new-pass9",
                                                 "role": role, "region_code": node})
        assert response.status_code == (302 if actor in allowed else 400 if actor in MANAGERS else 403), (
            node, role, response.text[-600:])
        assert (account(username) is not None) is (actor in allowed), (node, role)


def test_staff_list_shows_only_accounts_below(people, client):
    page = Console(client, "district_admin").get("/admin/staff").text
    assert "target_street_a" in page
    for other in ("target_district_b", "target_street_b", "target_district_a", "city_admin"):
        assert other not in page


@pytest.mark.parametrize("actor", ACTORS)
def test_teaching_and_undoing_need_a_city_role(people, client, actor):
    console = Console(client, actor)
    allowed = actor in {"city_admin", "city_reviewer"}
    taught = console.post("/admin/queries/teach", {"query": "xyzzy", "item": "魔法石", "category": "residual"})
    assert taught.status_code == (302 if allowed else 403)
    count = db.session.execute(db.select(db.func.count(TaughtItem.id))).scalar_one()
    assert count == (1 if allowed else 0)
    if not allowed:
        db.session.add(TaughtItem(query="xyzzy", item="魔法石", category="residual", taught_by="x"))
        db.session.commit()
    undone = console.post("/admin/queries/untaught", {"query": "xyzzy"})
    assert undone.status_code == (302 if allowed else 403)
    left = db.session.execute(db.select(db.func.count(TaughtItem.id))).scalar_one()
    assert left == (0 if allowed else 1)


def test_audit_log_shows_only_the_own_subtree(people, client):
    for node, target in [(DISTRICT_A, "in-a"), (STREET_A, "in-a-street"), (DISTRICT_B, "in-b"),
                         (CITY, "at-city")]:
        db.session.add(AuditEntry(username="x", action="export", region_code=node, target=target))
    db.session.commit()
    page = Console(client, "district_admin").get("/admin/audit").text
    assert "in-a" in page and "in-a-street" in page
    assert "in-b" not in page and "at-city" not in page


def test_anonymous_visitors_reach_nothing_but_the_login_page(people, client):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login")
    target = account("target_street_b")
    assert client.post(f"/admin/staff/{target.id}/delete").status_code == 400  # no CSRF cookie
    assert account("target_street_b") is not None


REVIEWERS = {"city_admin", "district_admin", "street_admin", "city_reviewer", "district_reviewer"}
RECORDERS = {"city_admin", "district_admin", "street_admin"}
SUBTREE = {  # actor: which of the two volunteers (in street A, in street B) lie in its subtree
    "city_admin": {"a", "b"}, "city_reviewer": {"a", "b"}, "district_admin": {"a"},
    "district_reviewer": {"a"}, "street_admin": {"a"}, "school_admin": {"a"},
}


def volunteer(volunteer_id: int) -> Volunteer:
    db.session.expire_all()
    return db.session.get(Volunteer, volunteer_id)


@pytest.mark.parametrize("actor", ACTORS)
def test_volunteer_forms_act_only_inside_the_subtree(people, client, actor):
    targets = {"a": add_volunteer("张三", "13812345678", STREET_A).id,
               "b": add_volunteer("李四", "13987654321", STREET_B).id}
    console = Console(client, actor)
    for where, volunteer_id in targets.items():
        allowed = actor in REVIEWERS and where in SUBTREE[actor]
        expected = 302 if allowed else (404 if actor in REVIEWERS else 403)
        response = console.post(f"/admin/volunteers/{volunteer_id}/review", {"decision": "approve"})
        assert response.status_code == expected, (where, "review")
        assert (volunteer(volunteer_id).status == "approved") is allowed
        if not allowed:  # approved by someone who may, to try recording hours
            volunteer(volunteer_id).status = "approved"
            db.session.commit()
        allowed = actor in RECORDERS and where in SUBTREE[actor]
        expected = 302 if allowed else (404 if actor in RECORDERS else 403)
        response = console.post(f"/admin/volunteers/{volunteer_id}/service", {
            "activity": "桶边督导", "organiser": "南岭街道", "served_on": "2026-01-05", "hours": "2.5"})
        assert response.status_code == expected, (where, "service")
        recorded = db.session.execute(db.select(ServiceRecord).filter_by(volunteer_id=volunteer_id)).first()
        assert (recorded is not None) is allowed


@pytest.mark.parametrize("actor", ACTORS)
def test_volunteer_lists_and_exports_hold_only_the_subtree(people, client, actor):
    add_volunteer("张三", "13812345678", STREET_A)
    add_volunteer("李四", "13987654321", STREET_B)
    console = Console(client, actor)
    node = ACTORS[actor][1]
    for area in (None, DISTRICT_B, STREET_B):  # asking for another district's area changes nothing
        query = {"area": area} if area else {}
        shown = area if area and area.startswith(node) else node
        expected = {name for name, code in (("张三", STREET_A), ("李四", STREET_B)) if code.startswith(shown)}
        page = console.get("/admin/volunteers", query_string=query)
        if actor not in REVIEWERS:
            assert page.status_code == 403
            continue
        assert {name for name in ("张三", "李四") if name in page.text} == expected, area
        export = console.get("/admin/volunteers/export.xlsx", query_string=query)
        if actor not in RECORDERS:
            assert export.status_code == 403
            continue
        rows = list(load_workbook(io.BytesIO(export.data)).active.values)[1:]
        assert {row[1] for row in rows} == expected, area
        # Every list shows numbers partly hidden, as the consent text promises (street staff open one at a time)
        assert {row[2] for row in rows} <= {"138****5678", "139****4321"}


def test_residents_of_another_district_are_neither_listed_nor_exported(people, client):
    add_volunteer("张三", "13812345678", STREET_A)
    add_volunteer("李四", "13987654321", STREET_B)
    console = Console(client, "district_admin")
    for area in (None, DISTRICT_B, STREET_B):
        query = {"area": area} if area else {}
        page = console.get("/admin/residents", query_string=query).text
        assert "南岭街道" in page and "新发街道" not in page
        rows = list(load_workbook(io.BytesIO(
            console.get("/admin/residents/export.xlsx", query_string=query).data)).active.values)[1:]
        assert [row[1] for row in rows] == ["南岭街道"]
