"""Every console form, posted with junk: never a server error, and nothing already saved is lost.

The forms are read from the console's own pages (their action and field names), so a new form is
fuzzed without a change here. Each field gets each junk value in turn, the others keeping the
page's own values; then every field junk at once, and no field at all.
"""
import re
from datetime import timedelta
from html.parser import HTMLParser

from handlers.campaigns.push import deliver
from handlers.campaigns.push.targeting import check
from models import (
    Activity,
    Campaign,
    Cell,
    ContentItem,
    DropOffPoint,
    Push,
    Region,
    Resident,
    School,
    Staff,
    Survey,
    Volunteer,
    db,
)
from tests.activity_support import add_activity, add_family, add_school, add_school_admin
from tests.admin_support import CITY, DISTRICT_A, STREET_A, Console, add_staff, add_volunteer
from tests.push_support import campaign_with_item

JUNK = [str(2**31), str(2**63), str(10**30), "-1", "abc", "1.5e308", "NaN", "长" * 5000, "", " ",
        "0001-01-01T00:00", "<script>alert(1)</script>", "'; DROP TABLE staff; --"]
NUL = "a\x00b"
# These exist to remove something: fuzzed with no fields only. Logging out is not fuzzed at all.
REMOVING = re.compile(r"/delete$|/cancel$|/active$|/untaught$")
LOGOUT = "/admin/logout"
KEPT = [Region, Resident, Volunteer, Staff, School, Activity, Campaign, ContentItem, Push, DropOffPoint,
        Survey, Cell]


class Forms(HTMLParser):
    """The POST forms of a page: (action, {field: the page's value})."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.current = {}
            self.forms.append((attrs.get("action") or "", self.current))
        elif self.current is not None and tag in ("input", "select", "textarea") and attrs.get("name"):
            if attrs.get("type") in ("file", "submit"):
                return
            self.current.setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def seed():
    """One of everything the city admin's forms act on."""
    city = add_staff("city", "city_admin", CITY)
    add_staff("nanguan", "district_admin", DISTRICT_A)
    add_volunteer("张三", "13800000009", STREET_A)
    add_volunteer("李四", "13800000008", STREET_A, status="approved")
    school = add_school()
    add_school_admin(school, "school-a")
    activity = add_activity(school, starts_in=timedelta(days=2))
    add_family(school)
    campaign, item = campaign_with_item(city)
    deliver.create(city, campaign, item, check(city, [STREET_A]))
    db.session.add(DropOffPoint(kind="hazardous_box", name="南岭电池回收点", address="南岭路1号", lat=43.85, lng=125.32,
                                hours="全天", region_code=STREET_A, kept_by="city", active=True))
    db.session.add(Cell(unit_name="南岭小学", cell_type="school", region_code=STREET_A, indicator_set="school.v1",
                        contact_name="王老师", contact_phone="13900000000", commitment_version="2025-1",
                        status="submitted"))
    db.session.commit()
    return activity


IDS = {"activity_id": Activity, "campaign_id": Campaign, "push_id": Push, "point_id": DropOffPoint,
       "cell_id": Cell, "staff_id": Staff, "volunteer_id": Volunteer, "survey_id": Survey}
# Fields for a POST route no page showed a form for (a step offered to other roles, a report …).
GENERIC = ["action", "comment", "note", "reason", "username", "text", "intent", "item", "query", "present",
           "points_S1", "confirm"]


def concrete(rule: str) -> str:
    """The rule with the seeded row's id for each <int:…> (1 where nothing was seeded), and the
    first of each <any(…)>."""
    for name in re.findall(r"<int:([a-z_]+)>", rule):
        model = IDS.get(name)
        number = db.session.scalar(db.select(db.func.max(model.id))) if model else 1
        rule = rule.replace(f"<int:{name}>", str(number or 1))
    return re.sub(r"<any\(([a-z_]+)[^>]*>", r"\1", rule)


def console_rules(client, method: str) -> list[str]:
    return [rule.rule for rule in client.application.url_map.iter_rules()
            if rule.rule.startswith("/admin/") and method in rule.methods and "<path:" not in rule.rule
            and "<code>" not in rule.rule and not rule.rule.endswith((".xlsx", ".json", ".svg", ".img"))]


def pages(client) -> list[str]:
    """Every GET page of the console, with the seeded rows' ids."""
    return [concrete(rule) for rule in console_rules(client, "GET")]


def with_unshown_routes(client, forms: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Every POST route of the console: those no page offered get the generic fields."""
    for rule in console_rules(client, "POST"):
        path = concrete(rule)
        if path != LOGOUT and not any(action.split("?")[0] == path for action in forms):
            forms[path] = dict.fromkeys(GENERIC, "1")
    return forms


def forms_of(console, paths) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for path in paths:
        page = console.get(path)
        assert page.status_code < 500, path
        parser = Forms()
        parser.feed(page.text)
        for action, fields in parser.forms:
            fields.pop("csrf_token", None)
            if action != LOGOUT:
                found.setdefault(action or path, fields)
    return found


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model)) for model in KEPT}


def variations(fields: dict[str, str]):
    yield {}
    yield dict.fromkeys(fields, NUL)
    for junk in JUNK:
        yield dict.fromkeys(fields, junk)
        for name in fields:
            yield {**fields, name: junk}


def fuzz(console, forms) -> int:
    token = console.token("/admin/password")  # one token serves the whole session
    posted = 0
    for action, fields in forms.items():
        for data in ([{}] if REMOVING.search(action) else variations(fields)):
            response = console.client.post(action, data={"csrf_token": token, **data})
            assert response.status_code < 500, (action, {k: v[:20] for k, v in data.items()})
            assert "页面已过期" not in response.text, action  # the session and its token still hold
            if response.status_code == 400 and "\x00" in "".join(data.values()):
                assert "请求无效" in response.text
            posted += 1
    return posted


def test_junk_in_every_console_form_is_refused_or_kept_never_a_server_error(app, client):
    seed()
    before = counts()
    console = Console(client, "city")
    forms = forms_of(console, pages(client))
    assert len(forms) >= 20, sorted(forms)
    forms = with_unshown_routes(client, forms)
    assert fuzz(console, forms) > 1000
    after = counts()
    assert all(after[name] >= before[name] for name in before), (before, after)
    assert console.get("/admin/dashboard").status_code == 200  # still logged in, still working


def test_junk_in_a_school_admins_activity_forms_is_never_a_server_error(app, client):
    activity = seed()
    before = counts()
    console = Console(client, "school-a")
    forms = forms_of(console, ["/admin/activities", "/admin/activities/new", f"/admin/activities/{activity.id}",
                               f"/admin/activities/{activity.id}/edit"])
    assert any(action.endswith("/edit") for action in forms), sorted(forms)
    fuzz(console, forms)
    after = counts()
    assert all(after[name] >= before[name] for name in before), (before, after)
