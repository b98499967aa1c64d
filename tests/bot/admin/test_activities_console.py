"""School activities in the console: a school admin publishes and runs them; admins see figures above."""
import io
from datetime import timedelta

from openpyxl import load_workbook

from models import Activity, db
from tests.activity_support import (
    DISTRICT_A,
    STREET_A,
    add_activity,
    add_family,
    add_school,
    add_school_admin,
    bearer,
    child_ids,
)
from tests.admin_support import Console, add_staff

FORM = {"title": "回收集市", "description": "旧物交换", "place": "学校礼堂", "starts_at": "2030-06-01T09:00",
        "ends_at": "2030-06-01T11:00", "enrol_deadline": "2030-05-30T18:00", "capacity_families": "30",
        "capacity_people": "90", "audience": "school"}


def test_school_admin_publishes_with_the_apis_own_rules(client, app):
    school = add_school()
    admin = add_school_admin(school)
    console = Console(client, admin.username)
    bad = console.post("/admin/activities/new", {**FORM, "capacity_families": "0"})
    assert bad.status_code == 400 and "不能小于 1" in bad.text
    done = console.post("/admin/activities/new", FORM)
    assert done.status_code == 302
    activity = db.session.execute(db.select(Activity)).scalar_one()
    assert activity.school_id == school.id and activity.starts_at.hour == 1  # 09:00 Beijing = 01:00 UTC
    page = console.get(f"/admin/activities/{activity.id}")
    assert page.status_code == 200 and "回收集市" in page.text
    code = console.get(f"/admin/activities/{activity.id}/checkin")
    assert code.status_code == 200 and "<svg" in code.text and 'http-equiv="refresh"' in code.text


def test_lists_export_and_attendance_for_the_school_with_phones_masked(client, app):
    school = add_school()
    admin = add_school_admin(school)
    activity = add_activity(school, starts_in=timedelta(minutes=20), deadline_before=timedelta(minutes=5),
                            families=1)
    for _ in range(2):
        family, token = add_family(school)
        client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(token),
                    json={"child_ids": child_ids(family)})
    console = Console(client, admin.username)
    page = console.get(f"/admin/activities/{activity.id}")
    assert "候补中" in page.text and "139****" in page.text
    enrolled = activity.id and db.session.execute(db.text(
        "SELECT id FROM enrolment WHERE status = 'enrolled'")).scalar_one()
    marked = console.post(f"/admin/activities/{activity.id}/enrolments/{enrolled}/attendance", {"present": "1"})
    assert marked.status_code == 302
    export = console.get(f"/admin/activities/{activity.id}/export.xlsx")
    sheet = load_workbook(io.BytesIO(export.data)).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("序号", "状态", "家长", "手机号")
    assert [r[1] for r in rows[1:]] == ["已报名", "候补中"] and rows[1][7] == "已签到"
    assert all("****" in r[3] for r in rows[1:])


def test_other_schools_activities_are_out_of_reach(client, app):
    school, other = add_school(), add_school("自强小学")
    admin = add_school_admin(school)
    theirs = add_activity(other)
    console = Console(client, admin.username)
    assert console.get(f"/admin/activities/{theirs.id}").status_code == 404
    assert console.get(f"/admin/activities/{theirs.id}/export.xlsx").status_code == 404
    assert console.get("/admin/schools").status_code == 403


def test_figures_roll_up_from_schools_to_district_and_city(client, app):
    school = add_school()
    activity = add_activity(school)
    for _ in range(3):
        family, token = add_family(school, children=2)
        client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(token),
                    json={"child_ids": child_ids(family)})
    add_staff("city", "city_admin", "2201")
    add_staff("district", "district_admin", DISTRICT_A)
    for username, area in (("city", "南关区"), ("district", "南岭街道")):
        page = Console(client, username).get("/admin/activities")
        assert page.status_code == 200 and area in page.text and "南岭小学" in page.text
    from handlers.schools.activities import figures

    total, rows = figures.roll_up("2201")
    assert (total.families, total.pupils) == (3, 6) and rows[0][0] == DISTRICT_A
    assert figures.roll_up(STREET_A)[0].families == 3


def test_district_admin_adds_a_school_and_names_its_admin(client, app):
    add_staff("district", "district_admin", DISTRICT_A)
    school_admin = add_staff("teacher", "school_admin", STREET_A)
    console = Console(client, "district")
    assert console.post("/admin/schools", {"name": "南岭小学", "region_code": STREET_A}).status_code == 302
    from handlers.schools import directory as schools

    school = schools.search(STREET_A)[0]
    assert console.post("/admin/schools", {"school_id": str(school.id), "username": "teacher"}).status_code == 302
    db.session.expire_all()
    assert schools.school_of(school_admin).id == school.id


def test_school_admin_uploads_a_cover_and_a_file_that_is_no_image_is_refused(client, app):
    school = add_school()
    admin = add_school_admin(school)
    activity = add_activity(school)
    console = Console(client, admin.username)
    path = f"/admin/activities/{activity.id}/cover"

    def upload(data: bytes):
        token = console.token("/admin/dashboard")
        return client.post(path, data={"csrf_token": token, "cover": (io.BytesIO(data), "cover.png")},
                           content_type="multipart/form-data")

    assert upload(b"%PDF-1.7 not an image").status_code == 302
    assert "封面图片需为 JPEG、PNG 或 WebP 格式" in console.get(f"/admin/activities/{activity.id}").text
    assert upload(b"\x89PNG\r\n\x1a\n" + b"\0" * 64).status_code == 302
    page = console.get(f"/admin/activities/{activity.id}").text
    assert "封面已更新" in page and "已上传封面" in page


def test_a_cover_up_to_its_limit_is_taken_and_an_oversized_form_gets_a_chinese_page(client, app):
    school = add_school()
    admin = add_school_admin(school)
    activity = add_activity(school)
    console = Console(client, admin.username)
    token = console.token("/admin/dashboard")
    cover = b"\x89PNG\r\n\x1a\n" + b"\0" * (1536 * 1024)  # 1.5 MB: covers may have 2 MB
    response = client.post(f"/admin/activities/{activity.id}/cover", content_type="multipart/form-data",
                           data={"csrf_token": token, "cover": (io.BytesIO(cover), "cover.png")})
    assert response.status_code == 302
    assert "封面已更新" in console.get(f"/admin/activities/{activity.id}").text
    oversized = client.post("/admin/activities/new", data={"csrf_token": token, **FORM,
                                                           "description": "长" * (2 * 1024 * 1024)})
    assert oversized.status_code == 413 and oversized.mimetype == "text/html"
    assert "太大" in oversized.text and "Request Entity" not in oversized.text


def test_the_enrolment_export_works_whatever_the_school_and_activity_are_called(client, app):
    school = add_school("南岭小学/分校: [一部]")
    admin = add_school_admin(school)
    activity = add_activity(school, title="旧物*回收? 亲子\\活动' 第二期")
    console = Console(client, admin.username)
    export = console.get(f"/admin/activities/{activity.id}/export.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    assert sheet.title.startswith("南岭小学 分校") and not set(sheet.title) & set("/\\:[]?*")
    assert len(sheet.title) <= 31 and list(sheet.values)[0][0] == "序号"
