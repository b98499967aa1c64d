"""Reports in the console: the street's queue, its steps audited, other streets' 404, the reporter's identity."""
from io import BytesIO

from handlers.people import residents
from handlers.reports import records
from models import db
from models.reports import Report
from models.staff import AuditEntry
from tests.admin_support import CITY, DISTRICT_A, STREET_A, STREET_B, Console, add_staff, add_volunteer

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


def filed(code: str = STREET_A, openid: str = "o-console-rep") -> Report:
    report = records.file(residents.find_or_create(openid), "broken_bin", code, "桶盖坏了")
    db.session.commit()
    return report


def test_the_street_assigns_and_resolves_with_a_photo_audited(app, client):
    add_staff("nanling", "street_admin", STREET_A)
    add_staff("nanling2", "street_admin", STREET_A)
    report = filed()
    console = Console(client, "nanling")
    queue = console.get("/admin/reports")
    assert queue.status_code == 200 and "桶盖坏了" in queue.text and "随手拍" in queue.text
    page = console.get(f"/admin/reports/{report.id}")
    assert "o-console-rep" in page.text and "nanling2" in page.text
    assert console.post(f"/admin/reports/{report.id}/assign", {"assignee": "nanling2"}).status_code == 302
    resolved = console.post(f"/admin/reports/{report.id}/resolve",
                            {"note": "换了新桶", "photo": (BytesIO(JPEG), "done.jpg")})
    assert resolved.status_code == 302
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    assert (report.status, report.assigned_to, report.resolution) == ("resolved", "nanling2", "换了新桶")
    assert report.resolution_photo_type == "image/jpeg"
    assert console.get(f"/admin/reports/{report.id}/resolution.img").data == JPEG
    actions = db.session.execute(db.select(AuditEntry.action).where(
        AuditEntry.action.like("report_%")).order_by(AuditEntry.id)).scalars().all()
    assert actions == ["report_assign", "report_resolve"]
    assert "已处理" in console.get("/admin/reports?status=resolved").text


def test_another_street_gets_404_and_higher_tiers_see_no_reporter(app, client):
    add_staff("xinfa", "street_admin", STREET_B)
    add_staff("nanguan", "district_admin", DISTRICT_A)
    add_staff("city", "city_admin", CITY)
    add_staff("nanling", "street_admin", STREET_A)
    add_volunteer("张三", "13812345678", STREET_A)
    report = filed(openid="o-13812345678")
    assert "13812345678" in Console(client, "nanling").get(f"/admin/reports/{report.id}").text
    other = Console(client, "xinfa")
    assert other.get(f"/admin/reports/{report.id}").status_code == 404
    assert other.post(f"/admin/reports/{report.id}/reject", {"note": "不归我们"}).status_code == 404
    assert "桶盖坏了" not in other.get("/admin/reports").text
    district = Console(client, "nanguan")
    page = district.get(f"/admin/reports/{report.id}")
    assert page.status_code == 200 and "13812345678" not in page.text
    assert district.post(f"/admin/reports/{report.id}/reject", {"note": "不归我们"}).status_code == 409
    db.session.expire_all()
    assert db.session.get(Report, report.id).status == "new"


def test_a_rejection_needs_a_reason(app, client):
    add_staff("nanling", "street_admin", STREET_A)
    report = filed()
    console = Console(client, "nanling")
    assert console.post(f"/admin/reports/{report.id}/reject", {"note": " "}).status_code == 400
    assert console.post(f"/admin/reports/{report.id}/reject", {"note": "重复反映"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Report, report.id).status == "rejected"
