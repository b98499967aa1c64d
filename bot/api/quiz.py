"""无废知识问答 and micro-surveys in the mini-program: the same handlers the chat uses."""
from flask import g, jsonify, request
from pydantic import BaseModel, Field

from bot.api import ApiError, api, json_body
from bot.api.login import personal
from bot.api.openapi import RESIDENT, responses, spec
from content.api_texts import about
from handlers.quiz import rounds as quiz
from models import db


class QuizStartIn(BaseModel):
    count: int = Field(quiz.DEFAULT_QUESTIONS, description=about("QuizStartIn", "count"))


class QuizQuestion(BaseModel):
    position: int
    text: str
    options: list[str]
    chosen: int | None = Field(None, description=about("QuizQuestion", "chosen"))
    correct: bool | None = None
    answer: int | None = Field(None, description=about("QuizQuestion", "answer"))
    explanation: str | None = None


class QuizAttemptOut(BaseModel):
    id: int
    questions: list[QuizQuestion]
    finished: bool
    right: int = Field(description=about("QuizAttemptOut", "right"))
    total: int


class QuizAnswerIn(BaseModel):
    position: int = Field(description=about("QuizAnswerIn", "position"))
    choice: int = Field(description=about("QuizAnswerIn", "choice"))


class QuizAnswerOut(BaseModel):
    position: int
    chosen: int
    correct: bool
    answer: int
    explanation: str
    finished: bool
    right: int
    total: int


class SurveyOut(BaseModel):
    id: int
    question: str
    options: list[str]


class SurveyList(BaseModel):
    surveys: list[SurveyOut]


class SurveyAnswerIn(BaseModel):
    choice: int = Field(description=about("SurveyAnswerIn", "choice"))


class SurveyAnswerOut(BaseModel):
    survey_id: int
    chosen: int
    correct: bool | None = Field(description=about("SurveyAnswerOut", "correct"))
    answer: int | None = Field(None, description=about("SurveyAnswerOut", "answer"))
    explanation: str | None = None


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
@spec.validate(json=QuizStartIn, resp=responses({201: QuizAttemptOut}, 400, 401, 415), security=RESIDENT,
               tags=["quiz"])
def start_quiz():
    """Start a round of the zero-waste quiz: its questions, without their answers.

    The body is optional ({"count": 3..5}, 3 by default); 400 bad_count for another count.
    """
    body = json_body() if request.content_length else {}
    attempt = quiz.start(g.resident, "api", body.get("count", quiz.DEFAULT_QUESTIONS))
    db.session.commit()
    return jsonify(attempt_json(attempt)), 201


@api.get("/quiz/<int:attempt_id>")
@personal
@spec.validate(resp=responses({200: QuizAttemptOut}, 401, 404), security=RESIDENT, tags=["quiz"])
def show_quiz(attempt_id: int):
    """One round of the caller's quiz; answered questions show the key and the explanation.

    404 not_found for another account's round.
    """
    return jsonify(attempt_json(quiz.get_attempt(attempt_id, g.resident)))


@api.post("/quiz/<int:attempt_id>/answers")
@personal
@spec.validate(json=QuizAnswerIn, resp=responses({200: QuizAnswerOut}, 400, 401, 404, 415),
               security=RESIDENT, tags=["quiz"])
def answer_quiz(attempt_id: int):
    """Answer one question of a round: whether it is right, the key and the explanation.

    {"position": 0, "choice": 2}; a question answered again keeps its first answer. Errors:
    bad_position, bad_choice (400), not_found (404).
    """
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
@spec.validate(resp=responses({200: SurveyList}, 401), security=RESIDENT, tags=["quiz"])
def my_surveys():
    """The micro-surveys open to the caller that they have not answered yet.

    Each has a question and its options; answer with POST /surveys/{survey_id}/answer.
    """
    return jsonify(surveys=[survey_json(s) for s in quiz.open_surveys(g.resident)])


@api.post("/surveys/<int:survey_id>/answer")
@personal
@spec.validate(json=SurveyAnswerIn, resp=responses({200: SurveyAnswerOut}, 400, 401, 404, 409, 415),
               security=RESIDENT, tags=["quiz"])
def answer_survey(survey_id: int):
    """Answer a micro-survey; a knowledge question also says whether it is right and why.

    A second answer keeps the first. Errors: bad_choice (400), not_found (404), survey_closed (409).
    """
    survey = quiz.get_survey(survey_id)
    if survey is None:
        raise ApiError(404, "not_found", "没有找到这项调查")
    row = quiz.answer_survey(survey, g.resident, json_body().get("choice"))
    db.session.commit()
    body = {"survey_id": survey.id, "chosen": row.chosen, "correct": row.correct}
    if survey.answer is not None:
        body.update(answer=survey.answer, explanation=survey.explanation)
    return jsonify(body)
