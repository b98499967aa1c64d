"""Zero-waste cells: a unit's way through the procedure, and reviewers refused outside their tier and area."""
from datetime import timedelta

import pytest

from content import cells as catalogue
from handlers.cells import workflow as cells
from handlers.cells.workflow import CellError, Forbidden
from models import Staff, db
from models.cells import Cell
from models.timeutil import utcnow
from tests.admin_support import (
    CITY,
    DISTRICT_A,
    DISTRICT_B,
    STREET_A,
    Console,
    add_staff,
    seed_regions,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n" + b"x" * 64
SCHOOL = catalogue.current_set("school")


def apply_as_unit(mini_program, user="unit-a", unit="南岭小学", region=STREET_A, cell_type="school"):
    seed_regions()
    token = mini_program.login(user)
    response = mini_program.call("POST", "/cells", token, json={
        "unit_name": unit, "type": cell_type, "region_code": region, "contact_name": "王老师",
        "contact_phone": "13800000001", "commitment": True})
    assert response.status_code == 201, response.json
    return token, response.json["id"]


def assess_and_prove(mini_program, token, cell_id, indicator_set=SCHOOL, zero=()):
    """Full points on every indicator but those in `zero`, each scored one proven by a file."""
    scores = {i.code: {"points": 0 if i.code in zero else i.points, "note": "见材料"}
              for i in indicator_set.indicators}
    response = mini_program.call("PUT", f"/cells/{cell_id}/assessment", token, json={"scores": scores})
    assert response.status_code == 200, response.json
    for indicator in indicator_set.indicators:
        if indicator.code not in zero:
            upload(mini_program, token, cell_id, indicator.code, PDF, "材料.pdf")


def upload(mini_program, token, cell_id, code, data, name):
    from io import BytesIO

    return mini_program.call("POST", f"/cells/{cell_id}/evidence", token,
                             data={"indicator": code, "file": (BytesIO(data), name)},
                             content_type="multipart/form-data")


def reviewers():
    return {"district_a": add_staff("rev-a", "reviewer", DISTRICT_A),
            "district_b": add_staff("rev-b", "reviewer", DISTRICT_B),
            "admin_b": add_staff("admin-b", "district_admin", DISTRICT_B),
            "city": add_staff("rev-city", "reviewer", CITY)}


def status(cell_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Cell, cell_id).status


def step(client, username: str, cell_id: int, action: str, **form):
    """A console step by `username` in a browser of their own; returns the HTTP status."""
    from flask import current_app

    console = Console(current_app.test_client(), username)
    return console.post(f"/admin/cells/{cell_id}/step", {"action": action, **form}).status_code


def assert_refused_by_handler(cell_id: int, staff: Staff, action: str, **kwargs):
    cell = db.session.get(Cell, cell_id)
    with pytest.raises(Forbidden):
        cells.staff_step(cell, staff, action, **kwargs)
    db.session.rollback()


def test_a_cell_goes_from_application_to_naming_and_annual_review_with_outsiders_refused(
        app, client, mini_program):
    token, cell_id = apply_as_unit(mini_program)
    staff = reviewers()
    detail = mini_program.call("GET", f"/cells/{cell_id}", token).json
    assert detail["status"] == "applied" and len(detail["missing"]) == len(SCHOOL.indicators)

    early = mini_program.call("POST", f"/cells/{cell_id}/submit", token)
    assert early.status_code == 409 and early.json["error"]["fields"]["missing"]
    assess_and_prove(mini_program, token, cell_id, zero=("S12",))
    assert mini_program.call("GET", f"/cells/{cell_id}", token).json["missing"] == []
    assert mini_program.call("POST", f"/cells/{cell_id}/submit", token).json["status"] == "submitted"

    # District review: another district's reviewer and admin, and the city, are all refused.
    for outsider in ("district_b", "admin_b", "city"):
        assert_refused_by_handler(cell_id, staff[outsider], "district_pass")
    assert step(client, "rev-b", cell_id, "district_pass") == 404  # not even visible to them
    assert step(client, "rev-city", cell_id, "district_pass") == 403
    assert status(cell_id) == "submitted"
    assert step(client, "rev-a", cell_id, "district_pass") == 302
    assert status(cell_id) == "district_passed"

    # City review and score: districts refused, the city scores every indicator.
    review = {i.code: i.points - (2 if i.code == "S1" else 0) for i in SCHOOL.indicators}
    form = {f"points_{code}": str(points) for code, points in review.items()}
    for outsider in ("district_a", "district_b"):
        assert_refused_by_handler(cell_id, staff[outsider], "city_score", review=review)
    assert step(client, "rev-a", cell_id, "city_score", **form) == 403
    assert step(client, "rev-city", cell_id, "city_score", **form) == 302
    cell = db.session.get(Cell, (db.session.expire_all(), cell_id)[1])
    assert cell.status == "city_passed" and cell.review_score == sum(review.values())
    assert cell.self_score - cell.review_score == 2 - SCHOOL.get("S12").points  # S12 self-scored 0

    # Public notice, then naming once the notice period is over.
    assert_refused_by_handler(cell_id, staff["district_a"], "publish_notice")
    assert step(client, "rev-city", cell_id, "publish_notice") == 302
    assert status(cell_id) == "in_notice"
    assert_refused_by_handler(cell_id, staff["district_b"], "name")
    with pytest.raises(CellError, match="公示期未满"):
        cells.staff_step(db.session.get(Cell, cell_id), staff["city"], "name")
    db.session.rollback()
    cell = db.session.get(Cell, cell_id)
    cell.notice_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert step(client, "rev-a", cell_id, "name") == 403
    assert step(client, "rev-city", cell_id, "name") == 302
    assert status(cell_id) == "named"

    # Annual re-review: the district renews, then revokes with a reason; outsiders refused.
    for action in ("renew", "revoke"):
        assert_refused_by_handler(cell_id, staff["district_b"], action, comment="抽查不合格")
        assert step(client, "rev-b", cell_id, action, comment="抽查不合格") == 404
    assert step(client, "rev-a", cell_id, "renew") == 302
    assert status(cell_id) == "named"
    assert step(client, "rev-a", cell_id, "revoke") == 400  # without a reason: told, not done
    assert status(cell_id) == "named"
    assert step(client, "rev-a", cell_id, "revoke", comment="年度复核发现分类设施缺失") == 302
    assert status(cell_id) == "revoked"

    events = db.session.get(Cell, cell_id).events
    steps = [(e.action, e.actor, e.to_status) for e in events if e.action not in ("self_assess", "upload")]
    assert steps == [("apply", "unit", "applied"), ("submit", "unit", "submitted"),
                     ("district_pass", "rev-a", "district_passed"), ("city_score", "rev-city", "city_passed"),
                     ("publish_notice", "rev-city", "in_notice"), ("name", "rev-city", "named"),
                     ("renew", "rev-a", "named"), ("revoke", "rev-a", "revoked")]
    assert all(e.at is not None for e in events)
    assert [e.comment for e in events][-1] == "年度复核发现分类设施缺失"
    history = mini_program.call("GET", f"/cells/{cell_id}", token).json["history"]
    assert history[-1]["action_label"] == "年度复核撤销命名" and history[-1]["by"] == "审核人员"


def test_a_returned_cell_can_be_corrected_and_resubmitted(app, client, mini_program):
    token, cell_id = apply_as_unit(mini_program)
    reviewers()
    assess_and_prove(mini_program, token, cell_id)
    mini_program.call("POST", f"/cells/{cell_id}/submit", token)
    refused = mini_program.call("PUT", f"/cells/{cell_id}/assessment", token, json={"scores": {"S1": 1}})
    assert refused.status_code == 409  # under review: the unit's answers are frozen
    assert step(client, "rev-a", cell_id, "district_return") == 400  # a return needs a reason
    assert status(cell_id) == "submitted"
    assert step(client, "rev-a", cell_id, "district_return", comment="S5 照片不清晰") == 302
    cell = mini_program.call("GET", f"/cells/{cell_id}", token).json
    assert cell["status"] == "returned" and cell["history"][-1]["comment"] == "S5 照片不清晰"
    assert upload(mini_program, token, cell_id, "S5", PNG, "新照片.png").status_code == 201
    assert mini_program.call("POST", f"/cells/{cell_id}/submit", token).json["status"] == "submitted"


def test_a_low_city_score_is_not_named(app, client, mini_program):
    token, cell_id = apply_as_unit(mini_program, cell_type="hospital", unit="市第一医院")
    reviewers()
    generic = catalogue.indicator_set(db.session.get(Cell, cell_id).indicator_set)
    assert generic.type == "generic"
    assess_and_prove(mini_program, token, cell_id, generic)
    mini_program.call("POST", f"/cells/{cell_id}/submit", token)
    step(client, "rev-a", cell_id, "district_pass")
    form = {f"points_{i.code}": "5" for i in generic.indicators}
    assert step(client, "rev-city", cell_id, "city_score", **form) == 302
    cell = db.session.get(Cell, (db.session.expire_all(), cell_id)[1])
    assert cell.status == "not_passed" and cell.review_score == 5 * len(generic.indicators)
    with pytest.raises(CellError):
        cells.staff_step(cell, Staff.query.filter_by(username="rev-city").one(), "publish_notice")


def test_units_see_only_their_own_cells_and_bad_applications_are_explained(app, mini_program):
    token, cell_id = apply_as_unit(mini_program)
    other = mini_program.login("unit-b")
    assert mini_program.call("GET", f"/cells/{cell_id}", other).status_code == 404
    assert mini_program.call("POST", f"/cells/{cell_id}/submit", other).status_code == 404
    assert upload(mini_program, other, cell_id, "S1", PNG, "x.png").status_code == 404
    assert mini_program.call("GET", "/cells", other).json["cells"] == []
    assert [c["id"] for c in mini_program.call("GET", "/cells", token).json["cells"]] == [cell_id]
    base = {"unit_name": "南岭小学", "type": "school", "region_code": STREET_A, "contact_name": "王老师",
            "contact_phone": "13800000001", "commitment": True}
    for change, code in (({"type": "spaceship"}, "unknown_type"), ({"region_code": "9999"}, "unknown_region"),
                         ({"commitment": False}, "commitment"), ({"contact_phone": "abc"}, "invalid_fields"), ({"contact_name": ""}, "contact"),
                         ({}, "duplicate")):
        response = mini_program.call("POST", "/cells", other, json={**base, **change})
        assert response.json["error"]["code"] == code
    types = mini_program.call("GET", "/cells/types").json["types"]
    assert len(types) == 11 and {t["indicator_set"] for t in types} >= {"school.v1", "community.v1",
                                                                           "government.v1", "generic.v1"}


def test_evidence_is_checked_by_content_and_size(app, mini_program):
    token, cell_id = apply_as_unit(mini_program)
    app.config["CELL_EVIDENCE_MAX_BYTES"] = 1024
    assert upload(mini_program, token, cell_id, "S1", b"MZ\x90\0 not a picture", "照片.png").status_code == 415
    assert upload(mini_program, token, cell_id, "S1", PNG + b"\0" * 2000, "big.png").status_code == 413
    assert upload(mini_program, token, cell_id, "S99", PNG, "a.png").json["error"]["code"] == "unknown_indicator"
    stored = upload(mini_program, token, cell_id, "S1", PNG, "../../etc/照片.png")
    assert stored.status_code == 201 and stored.json["filename"] == "照片.png"
    assert [e.data for e in db.session.get(Cell, cell_id).evidence] == [PNG]


def test_an_evidence_file_is_named_for_what_it_is_not_what_the_uploader_called_it(app, client, mini_program):
    from urllib.parse import quote

    token, cell_id = apply_as_unit(mini_program)
    named = {}
    for data, name in ((PDF, "报告.html"), (PNG, "照片.exe"), (PNG, "照片.PNG"), (b"\xff\xd8\xff\xe0" + b"\0" * 64, "a.jpeg"),
                       (PDF, "材料"), (PDF, "x.pdf.svg")):
        response = upload(mini_program, token, cell_id, "S1", data, name)
        assert response.status_code == 201, response.json
        named[name] = response.json["filename"]
    assert named == {"报告.html": "报告.pdf", "照片.exe": "照片.png", "照片.PNG": "照片.PNG", "a.jpeg": "a.jpeg",
                     "材料": "材料.pdf", "x.pdf.svg": "x.pdf.pdf"}
    add_staff("rev-a", "reviewer", DISTRICT_A)
    console = Console(client, "rev-a")
    evidence = db.session.get(Cell, cell_id).evidence[0]
    download = console.get(f"/admin/cells/{cell_id}/evidence/{evidence.id}")
    assert download.mimetype == "application/pdf"
    assert quote("报告.pdf") in download.headers["Content-Disposition"]


def test_school_admins_do_not_read_cell_applications(app, client, mini_program):
    from tests.activity_support import add_school, add_school_admin

    token, cell_id = apply_as_unit(mini_program)
    upload(mini_program, token, cell_id, "S1", PNG, "照片.png")
    evidence_id = db.session.get(Cell, cell_id).evidence[0].id
    school_admin = add_school_admin(add_school())  # the same street as the applicant
    console = Console(client, school_admin.username)
    for path in ("/admin/cells", f"/admin/cells/{cell_id}", f"/admin/cells/{cell_id}/evidence/{evidence_id}"):
        response = console.get(path)
        assert response.status_code == 403 and "王老师" not in response.text, path
    targets = console.get("/admin/targets")
    assert targets.status_code == 200 and "/admin/cells" not in targets.text
    street = Console(app.test_client(), add_staff("street-a", "street_admin", STREET_A).username)
    assert "王老师" in street.get(f"/admin/cells/{cell_id}").text


def test_console_lists_cells_in_scope_and_serves_evidence_as_a_download(app, client, mini_program):
    token, cell_id = apply_as_unit(mini_program)
    upload(mini_program, token, cell_id, "S1", PNG, "照片.png")
    reviewers()
    add_staff("street-b", "street_admin", "220103001")
    console = Console(client, "rev-a")
    assert "南岭小学" in console.get("/admin/cells").text
    page = console.get(f"/admin/cells/{cell_id}").text
    assert "已申报，待自评和上传佐证材料" in page and "照片.png" in page
    evidence_id = db.session.get(Cell, cell_id).evidence[0].id
    download = console.get(f"/admin/cells/{cell_id}/evidence/{evidence_id}")
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment")
    outsider = Console(app.test_client(), "street-b")
    assert "南岭小学" not in outsider.get("/admin/cells").text
    assert outsider.get(f"/admin/cells/{cell_id}").status_code == 404
    assert outsider.get(f"/admin/cells/{cell_id}/evidence/{evidence_id}").status_code == 404


def test_a_contact_who_is_forgotten_leaves_the_units_application_and_the_figures(app, wechat, mini_program):
    from handlers.figures import tiers as figures
    from handlers.quiz import rounds as quiz
    from models import Resident

    token, cell_id = apply_as_unit(mini_program)
    openid = mini_program.openid("unit-a")
    person = db.session.execute(db.select(Resident).filter_by(openid=openid)).scalar_one()
    person.region_code = STREET_A
    attempt = quiz.start(person, "api", 3)
    quiz.answer(attempt, 0, quiz.questions_of(attempt)[0].answer)
    db.session.commit()
    told = wechat.ask(openid, "删除我的信息")
    assert "无废细胞申报" in told and "答题记录" in told
    db.session.expire_all()
    cell = db.session.get(Cell, cell_id)
    assert cell.applicant_id is None and cell.contact_phone == "" and "王老师" not in cell.contact_name
    assert all(e.resident_id is None for e in cell.events)
    now = utcnow()
    city = figures.awareness(CITY, now - timedelta(days=1), now + timedelta(minutes=1))
    assert (city.count, city.base) == (1, 1)  # still counted, as nobody in particular
    assert figures.awareness(STREET_A, now - timedelta(days=1), now + timedelta(minutes=1)).base == 1


def test_only_reviewing_roles_review_and_every_step_is_in_the_audit_log(app, client, mini_program):
    from models import AuditEntry

    token, cell_id = apply_as_unit(mini_program)
    assess_and_prove(mini_program, token, cell_id)
    mini_program.call("POST", f"/cells/{cell_id}/submit", token)
    add_staff("street-a", "street_admin", STREET_A)
    add_staff("school-a", "school_admin", STREET_A)
    add_staff("admin-a", "district_admin", DISTRICT_A)
    for username in ("street-a", "school-a"):  # inside the area, but not reviewers
        assert step(client, username, cell_id, "district_pass") == 403
    assert status(cell_id) == "submitted"
    assert step(client, "admin-a", cell_id, "district_pass") == 302
    entry = db.session.execute(db.select(AuditEntry).filter_by(action="cell_district_pass")).scalar_one()
    assert entry.username == "admin-a" and entry.region_code == STREET_A and "南岭小学" in entry.target
    page = Console(app.test_client(), "admin-a").get("/admin/audit").text
    assert "无废细胞·区级审核通过" in page


def test_files_from_the_old_evidence_folder_move_into_the_database(app, mini_program, tmp_path, monkeypatch):
    from alembic import command as alembic_command
    from sqlalchemy import text as sql

    from bot.cli.core import alembic_config

    token, cell_id = apply_as_unit(mini_program)
    upload(mini_program, token, cell_id, "S1", PNG, "照片.png")
    db.session.remove()
    config = alembic_config()
    alembic_command.downgrade(config, "0012")  # as before: a name on disk, no bytes in the row
    with db.engine.begin() as conn:
        conn.execute(sql("UPDATE cell_evidence SET stored_name = 'old-1.png'"))
    (tmp_path / "old-1.png").write_bytes(PNG)
    monkeypatch.setenv("CELL_EVIDENCE_DIR", str(tmp_path))
    alembic_command.upgrade(config, "head")
    assert [e.data for e in db.session.get(Cell, cell_id).evidence] == [PNG]


def test_evidence_up_to_the_documented_size_is_taken_and_a_bigger_file_refused_in_chinese(app, mini_program):
    token, cell_id = apply_as_unit(mini_program)
    limit_mb = app.config["CELL_EVIDENCE_MAX_BYTES"] // (1024 * 1024)
    assert limit_mb == 10  # as documented
    stored = upload(mini_program, token, cell_id, "S1", PNG + b"\0" * (2 * 1024 * 1024), "scan.png")
    assert stored.status_code == 201, stored.json
    refused = upload(mini_program, token, cell_id, "S1", PNG + b"\0" * (11 * 1024 * 1024), "big.png")
    assert refused.status_code == 413
    assert refused.json["error"]["code"] == "file_size"
    assert f"{limit_mb} MB" in refused.json["error"]["message"] and "文件" in refused.json["error"]["message"]
    too_big_json = mini_program.call("POST", "/cells", token, data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                                     content_type="application/json")
    assert too_big_json.status_code == 413 and "太大" in too_big_json.json["error"]["message"]
