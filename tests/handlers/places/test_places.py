"""Drop-off points: the nearest by kind and distance, staff keeping points within their subtree only,
the all-or-nothing Excel import, and the mini-program's GeoJSON."""
import io
import random

import pytest
from openpyxl import load_workbook

from bot.cli.demo import demo
from handlers.places import nearest
from handlers.places.nearby import distance_m
from models import AuditEntry, DropOffPoint, db
from tests.admin_support import (
    CITY,
    DISTRICT_A,
    STREET_A,
    STREET_A2,
    STREET_B,
    Console,
    add_staff,
    seed_regions,
)

HOME = (43.8536, 125.3328)  # 南岭, GCJ-02
METRES_PER_DEGREE_LAT = 111_195


def north_of(metres: float, east: float = 0.0) -> tuple[float, float]:
    """A coordinate `metres` north (and `east` metres east) of HOME."""
    import math
    return (HOME[0] + metres / METRES_PER_DEGREE_LAT,
            HOME[1] + east / (METRES_PER_DEGREE_LAT * math.cos(math.radians(HOME[0]))))


def add_point(kind: str, name: str, at: tuple[float, float], region_code: str = STREET_A,
              active: bool = True) -> DropOffPoint:
    seed_regions()
    point = DropOffPoint(kind=kind, name=name, address=f"{name}的地址", lat=at[0], lng=at[1],
                         hours="全天", region_code=region_code, kept_by="test", active=active)
    db.session.add(point)
    db.session.commit()
    return point


def names(found) -> list[str]:
    return [point.name for point in found]


# --- nearest -------------------------------------------------------------------------------------

def test_nearest_points_of_a_kind_come_nearest_first_with_their_distance(app):
    add_point("battery_box", "五百米电池箱", north_of(500))
    add_point("clothes", "两百米衣物箱", north_of(200))
    add_point("battery_box", "三公里电池箱", north_of(0, east=3000))
    add_point("battery_box", "三十公里电池箱", north_of(-30_000))
    add_point("battery_box", "停用的电池箱", north_of(100), active=False)
    add_point("battery_box", "六十公里电池箱", north_of(60_000))

    found = nearest(*HOME, kind="battery_box", limit=5)
    assert names(found) == ["五百米电池箱", "三公里电池箱", "三十公里电池箱"]  # none inactive, none past 50 km
    assert [round(p.distance_m, -1) for p in found] == [500, 3000, 30_000]
    assert found[0].kind_label == "废电池回收箱" and found[0].hours == "全天"

    assert names(nearest(*HOME, limit=2)) == ["两百米衣物箱", "五百米电池箱"]
    assert names(nearest(*HOME, kind="medicine")) == []


def test_nearest_agrees_with_measuring_every_point(app):
    """The widening box finds exactly what a full scan finds, in sparse and dense places alike."""
    seed_regions()
    rng = random.Random(20)
    kinds = ["battery_box", "clothes", "medicine"]
    rows = [{"kind": rng.choice(kinds), "name": f"点{n}", "address": "地址", "hours": "",
             "lat": round(rng.uniform(43.70, 44.05), 6), "lng": round(rng.uniform(125.10, 125.60), 6),
             "region_code": STREET_A, "kept_by": "test", "active": True} for n in range(400)]
    rows += [{**row, "name": f"密{n}", "lat": HOME[0] + rng.uniform(-0.002, 0.002),
              "lng": HOME[1] + rng.uniform(-0.002, 0.002)} for n, row in enumerate(rows[:100])]
    db.session.execute(db.insert(DropOffPoint), rows)
    db.session.commit()
    for _ in range(15):
        lat, lng = rng.uniform(43.6, 44.1), rng.uniform(125.0, 125.7)
        for kind in (None, "medicine"):
            expected = sorted((distance_m(lat, lng, r["lat"], r["lng"]), r["name"]) for r in rows
                              if kind in (None, r["kind"]))
            expected = [name for metres, name in expected if metres <= 50_000][:5]
            assert names(nearest(lat, lng, kind=kind, limit=5)) == expected


def test_nearest_from_far_off_a_dense_cluster_is_still_exact(app, monkeypatch):
    """Seen from 30 km, a cluster's 36 nearest are all about as far: the database's flat-earth
    shortlist cannot settle the order, and every point that might be nearer is read."""
    import handlers.places.nearby as nearby

    seed_regions()
    rng = random.Random(36)
    rows = [{"kind": "clothes", "name": f"簇{n}", "address": "地址", "hours": "", "region_code": STREET_A,
             "lat": HOME[0] + rng.uniform(-0.001, 0.001), "lng": HOME[1] + rng.uniform(-0.001, 0.001),
             "kept_by": "test", "active": True} for n in range(80)]
    db.session.execute(db.insert(DropOffPoint), rows)
    db.session.commit()
    shortlists = []
    real = nearby.candidates
    monkeypatch.setattr(nearby, "candidates", lambda *args, **kwargs: shortlists.append(kwargs) or real(
        *args, **kwargs))
    lat, lng = north_of(-20_000, east=22_000)
    expected = [name for _, name in sorted((distance_m(lat, lng, r["lat"], r["lng"]), r["name"]) for r in rows)]
    assert names(nearest(lat, lng, limit=5)) == expected[:5]
    assert "flat_within_m" in shortlists[-1]


# --- the console: each staff member keeps their own subtree's points ------------------------------

def form(**values) -> dict:
    return {"kind": "battery_box", "name": "南岭电池箱", "address": "卫星路 1 号", "lat": "43.8536",
            "lng": "125.3328", "hours": "全天", "region_code": STREET_A, **values}


def test_street_staff_keep_only_their_own_streets_points(client, app):
    add_staff("street_a", "street_admin", STREET_A)
    elsewhere = add_point("clothes", "新发衣物箱", north_of(300), region_code=STREET_B)
    neighbour = add_point("clothes", "自强衣物箱", north_of(400), region_code=STREET_A2)
    console = Console(client, "street_a")

    assert console.post("/admin/places/new", form()).status_code == 302
    point = db.session.execute(db.select(DropOffPoint).filter_by(name="南岭电池箱")).scalar_one()
    assert (point.kept_by, point.region_code, point.active) == ("street_a", STREET_A, True)

    refused = console.post("/admin/places/new", form(name="越界的箱", region_code=STREET_B))
    assert refused.status_code == 403 and "管辖范围" in refused.text
    assert console.post("/admin/places/new", form(name="坏坐标", lat="95")).status_code == 400
    for path in (f"/admin/places/{elsewhere.id}/edit", f"/admin/places/{neighbour.id}/edit"):
        assert console.get(path).status_code == 404
        assert console.post(path, form(name="改了")).status_code == 404
    assert console.post(f"/admin/places/{elsewhere.id}/active", {"active": "0"}).status_code == 404
    moved = console.post(f"/admin/places/{point.id}/edit", form(region_code=STREET_B))
    assert moved.status_code == 403

    listing = console.get("/admin/places").text
    assert "南岭电池箱" in listing and "新发衣物箱" not in listing and "自强衣物箱" not in listing

    assert console.post(f"/admin/places/{point.id}/edit", form(hours="每天 8:00-18:00")).status_code == 302
    assert console.post(f"/admin/places/{point.id}/active", {"active": "0"}).status_code == 302
    db.session.expire_all()
    assert (point.hours, point.active) == ("每天 8:00-18:00", False)
    assert "<td>南岭电池箱" not in console.get("/admin/places").text
    assert "<td>南岭电池箱（已停用）" in console.get("/admin/places?inactive=1").text
    assert nearest(*HOME, kind="battery_box") == []
    actions = db.session.execute(db.select(AuditEntry.action).filter_by(username="street_a")
                                 .where(AuditEntry.action.like("place_%")).order_by(AuditEntry.id)).scalars()
    assert list(actions) == ["place_create", "place_update", "place_deactivate"]


def test_district_staff_see_their_district_the_city_sees_all_and_others_may_not_enter(client, app):
    add_point("clothes", "南岭衣物箱", north_of(300), region_code=STREET_A)
    add_point("clothes", "新发衣物箱", north_of(300), region_code=STREET_B)
    add_staff("district_a", "district_admin", DISTRICT_A)
    add_staff("city", "city_admin", CITY)
    add_staff("school", "school_admin", STREET_A)
    add_staff("reviewer", "reviewer", CITY)

    district = Console(client, "district_a").get("/admin/places?kind=clothes").text
    assert "南岭衣物箱" in district and "新发衣物箱" not in district and 'href="/admin/places"' in district
    city = Console(client, "city")
    assert "新发衣物箱" in city.get("/admin/places").text
    assert "新发衣物箱" not in city.get(f"/admin/places?area={STREET_A}").text
    assert "南岭衣物箱" not in city.get("/admin/places?kind=battery_box").text
    for username in ("school", "reviewer"):
        console = Console(client, username)
        assert console.get("/admin/places").status_code == 403
        assert 'href="/admin/places"' not in console.get("/admin/dashboard").text
        assert console.post("/admin/places/new", form()).status_code == 403


# --- the Excel import ----------------------------------------------------------------------------

def workbook(rows: list[list], template: bytes) -> bytes:
    book = load_workbook(io.BytesIO(template))
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(console: Console, content: bytes):
    return console.post("/admin/places/import", {"file": (io.BytesIO(content), "points.xlsx")})


def test_an_import_with_bad_rows_imports_nothing_and_names_each_row(client, app):
    add_staff("district_a", "district_admin", DISTRICT_A)
    console = Console(client, "district_a")
    template = console.get("/admin/places/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    good = ["废电池回收箱", "卫星路电池箱", "卫星路 1 号", 43.8536, 125.3328, "全天", int(STREET_A)]
    bad = workbook([
        good,
        ["旧衣物回收箱", "自强衣物箱", "自强街 2 号", "43.879", "125.339", "", "自强街道"],
        ["废电池", "类型不对", "某路", 43.85, 125.33, "", STREET_A],                 # row 4
        ["旧衣物回收箱", "越界的箱", "某路", 43.85, 125.33, "", STREET_B],           # row 5
        ["旧衣物回收箱", "坐标反了", "某路", 125.33, 43.85, "", STREET_A],           # row 6
        good,                                                                      # row 7
        ["旧衣物回收箱", "", "某路", 43.85, 125.33, "", "没有这个街道"],              # row 8
    ], template.data)

    response = upload(console, bad)
    assert response.status_code == 400
    page = response.text
    for row, reason in ((4, "没有这个类型：废电池"), (5, f"“{STREET_B}”不在您的管辖范围内"), (6, "纬度需为"),
                        (7, "与第 2 行重复"), (8, "名称需为")):
        assert f"第 {row} 行</td><td>{reason}" in page, row
    assert "第 2 行</td>" not in page and "第 3 行</td>" not in page
    assert db.session.execute(db.select(db.func.count()).select_from(DropOffPoint)).scalar() == 0

    fixed = workbook([good, ["旧衣物回收箱", "自强衣物箱", "自强街 2 号", "43.879", "125.339", "", "南关区自强街道"]],
                     template.data)
    assert upload(console, fixed).status_code == 302
    imported = db.session.execute(db.select(DropOffPoint).order_by(DropOffPoint.id)).scalars().all()
    assert [(p.name, p.region_code, p.kept_by) for p in imported] == [
        ("卫星路电池箱", STREET_A, "district_a"), ("自强衣物箱", STREET_A2, "district_a")]
    entry = db.session.execute(db.select(AuditEntry).filter_by(action="place_import")).scalar_one()
    assert '"added": 2' in entry.detail

    again = upload(console, fixed)  # the same file twice: every row is already there
    assert again.status_code == 400 and again.text.count("与已有的回收点重复") == 2
    assert upload(console, b"not a workbook").status_code == 400


# --- the mini-program API ------------------------------------------------------------------------

def test_api_gives_nearby_points_as_geojson(client, app):
    near = add_point("medicine", "药品回收点", north_of(800))
    add_point("clothes", "衣物箱", north_of(100))
    response = client.get(f"/api/v1/places?lat={HOME[0]}&lng={HOME[1]}&kind=medicine&limit=3")
    assert response.status_code == 200
    body = response.json
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 1
    feature = body["features"][0]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [near.lng, near.lat]}
    assert feature["properties"] == {"id": near.id, "kind": "medicine", "kind_label": "过期药品回收点",
                                     "name": "药品回收点", "address": "药品回收点的地址", "hours": "全天",
                                     "distance_m": 800}
    every = client.get(f"/api/v1/places?lat={HOME[0]}&lng={HOME[1]}").json["features"]
    assert [f["properties"]["name"] for f in every] == ["衣物箱", "药品回收点"]


@pytest.mark.parametrize("query, field", [
    ("lat=91&lng=125.33", "lat"), ("lat=43.85&lng=200", "lng"), ("lat=43.85", "lng"),
    ("lat=abc&lng=125.33", "lat"), ("lat=nan&lng=125.33", "lat"), ("lat=43.85&lng=125.33&kind=sofa", "kind"),
    ("lat=43.85&lng=125.33&limit=0", "limit"), ("lat=43.85&lng=125.33&limit=21", "limit")])
def test_api_refuses_a_bad_query_with_the_field_at_fault(client, app, query, field):
    response = client.get(f"/api/v1/places?{query}")
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "invalid_fields" and field in error["fields"]


def test_api_is_public_and_in_the_openapi_document(client, app):
    operation = client.get("/api/v1/docs/openapi.json").json["paths"]["/api/v1/places"]["get"]
    assert "security" not in operation
    assert {p["name"] for p in operation["parameters"]} == {"lat", "lng", "kind", "limit"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/PlaceCollection")


def test_demo_points_load_once(region_tree):
    runner = region_tree.test_cli_runner()
    first = runner.invoke(demo, catch_exceptions=False)
    assert "10 added" in first.output
    assert "0 added, 10 already there" in runner.invoke(demo).output
    assert names(nearest(43.8536, 125.3328, kind="battery_box", limit=1)) == ["南岭街道卫星路社区废电池回收箱"]
