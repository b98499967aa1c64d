"""A micro-survey carried by a real push: recipients are asked it first and count as reached."""
from datetime import timedelta

from handlers.campaigns import authoring as campaigns
from handlers.figures import tiers as figures
from models import db
from models.campaigns import ContentItem
from models.pushes import Delivery
from models.quiz import Survey
from models.timeutil import utcnow
from tests.admin_support import STREET_A, Console, add_staff
from tests.push_support import add_residents, follow, push


def test_a_pushed_survey_is_asked_first_answered_in_the_chat_and_counted_as_reach(
        app, client, wechat, fake_wechat):
    staff = add_staff("street", "street_admin", STREET_A)
    campaign = campaigns.create(staff, "分类宣传月")
    db.session.commit()
    people = add_residents(STREET_A, 3, active=True)
    follow(fake_wechat, people, active=True)
    console = Console(client, "street")
    console.post("/admin/surveys", {"question": "厨余垃圾投放前要先做什么？", "options": "沥干水分去掉包装\n连袋直接扔",
                                    "answer": "A", "explanation": "先沥干、去包装。", "campaign_id": str(campaign.id)})
    survey = db.session.execute(db.select(Survey)).scalar_one()
    item = db.session.get(ContentItem, survey.content_item_id)
    assert item.campaign_id == campaign.id and "回复“调查”参与" in item.body and "A. 沥干水分去掉包装" in item.body
    console.post("/admin/surveys", {"question": "您最想参加哪类活动？", "options": "讲座\n旧物交换"})  # newer, not pushed

    push(staff, [STREET_A], campaign, item)
    sent = db.session.execute(db.select(db.func.count()).select_from(Delivery).filter_by(status="sent")).scalar()
    assert sent == 3

    assert "厨余垃圾投放前" in wechat.ask(people[0].openid, "调查")  # the survey they were sent, first
    assert wechat.ask(people[0].openid, "A").startswith("✅")
    assert "您最想参加哪类活动" in wechat.ask(people[0].openid, "调查")

    now = utcnow()
    awareness = figures.awareness(STREET_A, now - timedelta(days=1), now + timedelta(minutes=1))
    assert (awareness.count, awareness.base, awareness.reached) == (1, 1, 3)
    page = console.get("/admin/surveys").text
    assert "共 1 人，答对 1 人" in page and "已加入宣传活动" in page
