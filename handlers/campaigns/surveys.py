"""A micro-survey carried by a push: the survey becomes a text item of a campaign.

Staff push that item like any other; a resident who got it and replies "调查" is asked that survey
first, and awareness counts the push's recipients as reached (handlers/figures).
"""
from handlers.campaigns import authoring as campaigns
from handlers.campaigns.authoring import CampaignError
from handlers.quiz import rounds as quiz
from models.campaigns import ContentItem
from models.quiz import Survey


def carry(staff, survey: Survey, campaign_id: int) -> ContentItem:
    """Add the survey's text to one of the staff member's own campaigns and link the two."""
    campaign = campaigns.get_visible(staff, campaign_id)
    if campaign is None:
        raise CampaignError("没有找到这个宣传活动")
    item = campaigns.add_item(staff, campaign, "text", f"小调查：{survey.question}"[:64],
                              body=quiz.survey_text(survey))
    survey.content_item_id = item.id
    return item
