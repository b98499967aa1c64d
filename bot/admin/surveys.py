"""Micro-surveys in the console: write one question, see its answers; its text goes into a push."""
from flask import g, redirect, render_template, request, url_for
from sqlalchemy import func

from bot.admin import admin, form_id, notify, require
from bot.admin.flow import done
from content.staff_texts import staff_text
from handlers.campaigns import authoring as campaigns
from handlers.campaigns import surveys as survey_push
from handlers.campaigns.authoring import CampaignError
from handlers.quiz import rounds as quiz
from handlers.quiz.rounds import QuizError
from handlers.staff import scope
from models import db
from models.quiz import KnowledgeAnswer, Survey


@admin.get("/surveys")
@require("surveys")
def surveys():
    query = scope.scope_filter(db.select(Survey), Survey.region_code, g.staff).order_by(Survey.id.desc())
    found = list(db.session.execute(query.limit(100)).scalars())
    tallies = answer_tallies([s.id for s in found])
    own = [c for c in campaigns.visible(g.staff) if c.region_code == g.staff.region_code]
    return render_template("admin/surveys.html", surveys=found, tallies=tallies, options=quiz.survey_options,
                           push_text=quiz.survey_text, letters=quiz.LETTERS, campaigns=own)


def answer_tallies(ids: list[int]) -> dict[int, dict]:
    """survey id → {chosen index: answers} and how many were right."""
    tallies = {i: {"by_choice": {}, "right": 0, "total": 0} for i in ids}
    rows = db.session.execute(db.select(KnowledgeAnswer.survey_id, KnowledgeAnswer.chosen,
                                        KnowledgeAnswer.correct, func.count())
                              .where(KnowledgeAnswer.survey_id.in_(ids))
                              .group_by(KnowledgeAnswer.survey_id, KnowledgeAnswer.chosen,
                                        KnowledgeAnswer.correct))
    for survey_id, chosen, correct, n in rows:
        tally = tallies[survey_id]
        tally["by_choice"][chosen] = tally["by_choice"].get(chosen, 0) + n
        tally["total"] += n
        tally["right"] += n if correct else 0
    return tallies


@admin.post("/surveys")
@require("surveys")
def create_survey():
    form = request.form
    letter = form.get("answer", "").strip().upper()
    answer = quiz.LETTERS.index(letter) if letter and letter in quiz.LETTERS else None
    campaign = form.get("campaign_id", "").strip()
    try:
        survey = quiz.create_survey(g.staff, form.get("question", ""), form.get("options", "").splitlines(),
                                    answer, form.get("explanation", ""))
        if campaign.isdigit():  # carried by a push: a text item of that campaign (0: none such)
            survey_push.carry(g.staff, survey, form_id("campaign_id") or 0)
    except (QuizError, CampaignError) as error:
        db.session.rollback()
        notify(getattr(error, "message", str(error)))
        return redirect(url_for("admin.surveys"))
    carried = staff_text("surveys.carried") if survey.content_item_id else ""
    return done(staff_text("surveys.created") + carried + staff_text("surveys.how_to_answer"),
                "admin.surveys")


@admin.post("/surveys/<int:survey_id>/close")
@require("surveys")
def close_survey(survey_id: int):
    survey = db.session.get(Survey, survey_id)
    if survey is not None and scope.in_scope(g.staff, survey.region_code):
        survey.active = False
        db.session.commit()
        notify(staff_text("surveys.closed"))
    return redirect(url_for("admin.surveys"))
