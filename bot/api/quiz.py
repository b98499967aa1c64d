"""无废知识问答 and micro-surveys in the mini-program: the same handlers the chat uses."""
from flask import g, jsonify, request

from bot.api import ApiError, api, json_body
from bot.api.login import personal
from handlers.quiz import rounds as quiz
from models import db


def attempt_json(attempt) -> dict:
    answered = quiz.answers_of(attempt)
    questions = []
    for position, question in enumerate(quiz.questions_of(attempt)):
        item = {"position": position, "text": question.text, "options": list(question.options)}
        if position in answered:  # the key and explanation only once the question is answered
            item.update(chosen=answered[position].chosen, correct=answered[position].correct,
                        answer=question.answer, explanation=question.explanation)
        questions.append(item)
    right, total = quiz.score(attempt)
    return {"id": attempt.id, "questions": questions, "finished": attempt.finished_at is not None,
            "right": right, "total": total}


@api.post("/quiz")
@personal
def start_quiz():
    body = json_body() if request.content_length else {}
    attempt = quiz.start(g.resident, "api", body.get("count", quiz.DEFAULT_QUESTIONS))
    db.session.commit()
    return jsonify(attempt_json(attempt)), 201


@api.get("/quiz/<int:attempt_id>")
@personal
def show_quiz(attempt_id: int):
    return jsonify(attempt_json(quiz.get_attempt(attempt_id, g.resident)))


@api.post("/quiz/<int:attempt_id>/answers")
@personal
def answer_quiz(attempt_id: int):
    """{"position": 0, "choice": 2}: the answer, whether it is right, and the explanation."""
    body = json_body()
    attempt = quiz.get_attempt(attempt_id, g.resident)
    row = quiz.answer(attempt, body.get("position"), body.get("choice"))
    db.session.commit()
    question = quiz.questions_of(attempt)[row.position]
    right, total = quiz.score(attempt)
    return jsonify(position=row.position, chosen=row.chosen, correct=row.correct, answer=question.answer,
                   explanation=question.explanation, finished=attempt.finished_at is not None,
                   right=right, total=total)


def survey_json(survey) -> dict:
    return {"id": survey.id, "question": survey.question, "options": list(quiz.survey_options(survey))}


@api.get("/surveys")
@personal
def my_surveys():
    return jsonify(surveys=[survey_json(s) for s in quiz.open_surveys(g.resident)])


@api.post("/surveys/<int:survey_id>/answer")
@personal
def answer_survey(survey_id: int):
    survey = quiz.get_survey(survey_id)
    if survey is None:
        raise ApiError(404, "not_found", "没有找到这项调查")
    row = quiz.answer_survey(survey, g.resident, json_body().get("choice"))
    db.session.commit()
    body = {"survey_id": survey.id, "chosen": row.chosen, "correct": row.correct}
    if survey.answer is not None:
        body.update(answer=survey.answer, explanation=survey.explanation)
    return jsonify(body)
