"""A micro-survey carried by a push (issue 6): the survey becomes a text item of a campaign.

Staff push that item like any other; a resident who got it and replies "调查" is asked that survey
first, and awareness counts the push's recipients as reached (handlers/figures.py).
"""
from handlers import campaigns, quiz
from handlers.campaigns import CampaignError
from models import db
from models.campaigns import ContentItem
from models.pushes import Delivery, Push
from models.quiz import KnowledgeAnswer, Survey


def carry(staff, survey: Survey, campaign_id: int) -> ContentItem:
    """Add the survey's text to one of the staff member's own campaigns and link the two."""
    campaign = campaigns.get_visible(staff, campaign_id)
    if campaign is None:
        raise CampaignError("没有找到这个宣传活动")
    item = campaigns.add_item(staff, campaign, "text", f"小调查：{survey.question}"[:64],
                              body=quiz.survey_text(survey))
    survey.content_item_id = item.id
    return item


def delivered_to(resident_id: int) -> list[int]:
    """Active surveys pushed to the resident and not yet answered, the latest push first."""
    answered = db.select(KnowledgeAnswer.survey_id).where(
        KnowledgeAnswer.resident_id == resident_id, KnowledgeAnswer.survey_id.is_not(None))
    rows = db.session.execute(
        db.select(Survey.id, Delivery.sent_at).join(Push, Push.item_id == Survey.content_item_id)
        .join(Delivery, Delivery.push_id == Push.id)
        .where(Delivery.resident_id == resident_id, Delivery.status == "sent", Survey.active.is_(True),
               Survey.id.not_in(answered))
        .order_by(Delivery.sent_at.desc(), Survey.id.desc()))
    return list(dict.fromkeys(survey_id for survey_id, _ in rows))
