"""The campaign's figures are recomputed from records: awareness, participation, cells vs targets."""
import io
from datetime import date, timedelta
from decimal import Decimal

from openpyxl import load_workbook

from handlers.figures import tiers as figures
from handlers.quiz import rounds as quiz
from models import Resident, ServiceRecord, Volunteer, db
from models.cells import Cell, CellEvent, CellEvidence, CellScore
from models.quiz import KnowledgeAnswer
from models.timeutil import utcnow
from tests.admin_support import (
    CITY,
    DISTRICT_A,
    DISTRICT_B,
    STREET_A,
    STREET_A2,
    STREET_B,
    Console,
    add_staff,
    seed_regions,
)


def resident(openid: str, region: str | None, bound_days_ago: int = 30) -> Resident:
    seed_regions()
    person = Resident(openid=openid, region_code=region,
                      area_bound_at=utcnow() - timedelta(days=bound_days_ago) if region else None)
    db.session.add(person)
    db.session.flush()
    return person


def take_quiz(person: Resident, right: int, total: int = 3):
    """A quiz through the handlers, with `right` of `total` answered correctly."""
    attempt = quiz.start(person, "api", total)
    for position, question in enumerate(quiz.questions_of(attempt)):
        chosen = question.answer if position < right else (question.answer + 1) % len(question.options)
        quiz.answer(attempt, position, chosen)
    db.session.commit()
    return attempt


def week_range():
    now = utcnow()
    return now - timedelta(days=7), now + timedelta(minutes=1)


def test_awareness_is_the_share_of_residents_who_answer_right_with_its_sample(app, client):
    a1, a2, a3 = (resident(f"o-a{n}", STREET_A) for n in range(3))
    b1 = resident("o-b1", STREET_B)
    take_quiz(a1, 3)
    take_quiz(a2, 2)  # 2/3 ≥ 60 %: aware
    take_quiz(a3, 1)
    take_quiz(b1, 0)
    resident("o-silent", STREET_A)  # reached by nothing: not in the sample
    since, until = week_range()
    street = figures.awareness(STREET_A, since, until)
    assert (street.count, street.base, street.reached, street.rate) == (2, 3, 3, round(2 / 3, 4))
    assert figures.awareness(DISTRICT_B, since, until).rate == 0
    city = figures.awareness(CITY, since, until)
    assert (city.count, city.base) == (2, 4)

    # Recomputed from the answer rows themselves: the same figure by hand.
    rows = db.session.execute(db.select(KnowledgeAnswer.resident_id, KnowledgeAnswer.correct)).all()
    by_person = {}
    for rid, correct in rows:
        by_person.setdefault(rid, []).append(correct)
    aware = sum(1 for answers in by_person.values() if sum(answers) >= 0.6 * len(answers))
    assert (aware, len(by_person)) == (city.count, city.base)

    add_staff("dist-a", "district_admin", DISTRICT_A)
    page = Console(client, "dist-a").get(f"/admin/tiers/{DISTRICT_A}").text
    assert 'id="awareness">66.7%<' in page and "样本 3 人" in page
    assert f'id="child-{STREET_A}"' in page and "66.7%（3）" in page
    assert f'id="child-{STREET_A2}"' in page and "—（0）" in page
    assert "<svg" in page and "每周知晓率" in page


def test_participation_counts_each_kind_of_record_once_per_bound_resident(app):
    volunteer_person = resident("o-v", STREET_A)
    quizzer = resident("o-q", STREET_A)
    unit_contact = resident("o-u", STREET_A2)
    resident("o-idle", STREET_A)
    resident("o-elsewhere", STREET_B)
    resident("o-unbound", None)
    volunteer = Volunteer(resident_id=volunteer_person.id, name="张三", phone="13800000000",
                          region_code=STREET_A, skills="publicity", availability="weekend", status="approved",
                          channel="chat")
    db.session.add(volunteer)
    db.session.flush()
    for days_ago in (1, 2):  # two services, one participant
        db.session.add(ServiceRecord(volunteer_id=volunteer.id, region_code=STREET_A, activity="桶边督导",
                                     served_on=date.today() - timedelta(days=days_ago), hours=Decimal("2"),
                                     organiser="南岭街道", recorded_by="street"))
    take_quiz(quizzer, 3)
    cell = Cell(unit_name="自强社区", cell_type="community", region_code=STREET_A2, indicator_set="community.v1",
                contact_name="李", contact_phone="13900000000", commitment_version="2025-1",
                applicant_id=unit_contact.id)
    db.session.add(cell)
    db.session.flush()
    db.session.add(CellEvent(cell_id=cell.id, action="apply", to_status="applied", actor="unit",
                             actor_role="unit", resident_id=unit_contact.id))
    db.session.commit()
    attend_an_activity(STREET_A)

    since, until = week_range()
    district = figures.participation(DISTRICT_A, since, until)
    assert (district.count, district.base) == (4, 5)
    street = figures.participation(STREET_A, since, until)
    assert (street.count, street.base, street.percent) == (3, 4, "75.0%")
    assert figures.participation(STREET_B, since, until).count == 0
    city = figures.participation(CITY, since, until)
    assert (city.count, city.base) == (4, 6)  # the unbound resident is in neither count

    weeks = figures.recent_weeks(3)
    trend = figures.weekly(DISTRICT_A, weeks)
    assert sum(w["participation"].count for w in trend) >= 3
    assert trend[-1]["participation"].base == 5
    long_ago = figures.participation(DISTRICT_A, since - timedelta(days=60), since - timedelta(days=50))
    assert long_ago.count == 0 and long_ago.base == 0  # nobody had bound their area yet


def attend_an_activity(region: str) -> None:
    """A family of `region` checked in at a school activity an hour ago (activity records)."""
    from models.activities import Enrolment
    from tests.activity_support import add_activity, add_family, add_school

    school = add_school()
    activity = add_activity(school)
    family, _ = add_family(school, region_code=region)
    db.session.add(Enrolment(activity_id=activity.id, family_id=family.id, status="enrolled", seq=1, adults=1,
                             children=1, checked_in_at=utcnow() - timedelta(hours=1), checked_in_by="code"))
    db.session.commit()


def add_cell(name: str, cell_type: str, region: str, status: str, self_score=None, review_score=None,
             claimed=(), proven=()) -> Cell:
    cell = Cell(unit_name=name, cell_type=cell_type, region_code=region, indicator_set=f"{cell_type}.v1",
                contact_name="联系人", contact_phone="13900000000", commitment_version="2025-1",
                status=status, self_score=self_score, review_score=review_score)
    db.session.add(cell)
    db.session.flush()
    for code in claimed:
        db.session.add(CellScore(cell_id=cell.id, indicator_code=code, self_points=5))
    for code in proven:
        db.session.add(CellEvidence(cell_id=cell.id, indicator_code=code, filename="a.pdf",
                                    content_type="application/pdf", size=9, sha256="0" * 64,
                                    data=b"%PDF-1.4\n"))
    return cell


def test_targets_dashboard_counts_cells_by_stage_against_2025_and_exports_them(app, client):
    seed_regions()
    add_cell("一小", "school", STREET_A, "named", 95, 90, claimed=("S1", "S2"), proven=("S1", "S2"))
    add_cell("二小", "school", STREET_A2, "named", 88, 84, claimed=("S1", "S2"), proven=("S1",))
    add_cell("三小", "school", STREET_B, "district_passed", claimed=("S1",))
    add_cell("四小", "school", STREET_B, "applied")
    add_cell("五小", "school", STREET_B, "revoked", 90, 70)
    add_cell("南岭社区", "community", STREET_A, "in_notice", 85, 85)
    add_cell("区政府", "government", DISTRICT_A, "returned")
    db.session.commit()

    rows = {row.code: row for row in figures.targets(CITY)}
    school = rows["school"]
    assert (school.target, school.created, school.in_review, school.applied, school.other) == (70, 2, 1, 1, 1)
    assert school.gaps == [5, 4, 20] and school.mean_gap == round(29 / 3, 1)
    assert (school.proven, school.claimed) == (3, 5)
    assert (rows["community"].in_review, rows["government"].applied, rows["park"].created) == (1, 1, 0)
    by_district = figures.targets_by_district()
    assert figures.totals(by_district[DISTRICT_A]).created == 2
    assert figures.totals(by_district[DISTRICT_B]).in_review == 1

    add_staff("city", "city_admin", CITY)
    console = Console(client, "city")
    page = console.get("/admin/targets").text
    assert '<tr id="type-school"><td>无废学校</td><td class="num">70</td>' in page
    assert 'class="num created">2<' in page and "<svg" in page and "2.9%" in page
    assert f'id="district-{DISTRICT_A}"' in page
    export = console.get("/admin/targets.xlsx")
    sheet = load_workbook(io.BytesIO(export.data)).active
    table = [row for row in sheet.iter_rows(values_only=True)]
    assert table[0][:4] == ("地区", "细胞类型", "2025年目标", "已命名")
    school_row = next(r for r in table if r[0] == "长春市" and r[1] == "无废学校")
    assert school_row[2:7] == (70, 2, 1, 1, 1)
    district_rows = [r for r in table if r[0] == "南关区" and r[1] == "无废学校"]
    assert district_rows[0][3] == 2

    add_staff("dist-b", "district_admin", DISTRICT_B)
    district_page = Console(app.test_client(), "dist-b").get("/admin/targets").text
    assert "宽城区" in district_page and "一小" not in district_page
    assert '<tr id="type-school"><td>无废学校</td>\n<td class="num created">0<' in district_page


def test_a_tier_page_shows_its_node_and_children_and_refuses_other_districts(app, client):
    seed_regions()
    add_cell("一小", "school", STREET_A, "named")
    add_cell("二小", "school", STREET_A2, "submitted")
    add_staff("dist-a", "district_admin", DISTRICT_A)
    add_staff("street-a", "street_admin", STREET_A)
    db.session.commit()
    console = Console(client, "dist-a")
    assert console.get("/admin/tiers").headers["Location"].endswith(f"/admin/tiers/{DISTRICT_A}")
    page = console.get(f"/admin/tiers/{DISTRICT_A}").text
    assert 'id="cells-created">1<' in page and "南岭街道" in page and "自强街道" in page
    assert console.get(f"/admin/tiers/{DISTRICT_B}").status_code == 404
    assert console.get(f"/admin/tiers/{CITY}").status_code == 404
    street = Console(app.test_client(), "street-a")
    assert street.get(f"/admin/tiers/{STREET_A2}").status_code == 404
    assert street.get(f"/admin/tiers/{STREET_A}").status_code == 200


def test_reach_and_its_pushes_come_from_the_same_deliveries(app, client, fake_wechat):
    from tests.push_support import add_residents, follow, push

    city = add_staff("city", "city_admin", CITY)
    add_staff("street-a", "street_admin", STREET_A)
    follow(fake_wechat, add_residents(STREET_A, 2) + add_residents(STREET_B, 1))
    push(city, [CITY])  # the street sent nothing itself: a city push reached its residents
    now = utcnow()
    assert figures.reach(STREET_A, now - timedelta(days=1), now + timedelta(minutes=1)) == {
        "pushes": 1, "residents": 2}
    assert figures.reach(DISTRICT_B, now - timedelta(days=1), now + timedelta(minutes=1)) == {
        "pushes": 1, "residents": 1}
    assert figures.reach(STREET_A2, now - timedelta(days=1), now + timedelta(minutes=1)) == {
        "pushes": 0, "residents": 0}
    page = Console(client, "street-a").get(f"/admin/tiers/{STREET_A}").text
    assert 'id="reach">2<' in page and "来自 1 次推送" in page
