"""无废知识问答 and micro-surveys: drawing questions, recording answers; shared by chat and API.

A quiz is 3–5 questions, about half drawn at run time from the sorting dictionary ("X属于哪一类？")
and the rest from the campaign's hand-written questions (content/quiz/campaign.toml). The questions
are stored with the attempt as they were asked, so the answer key never depends on what the
dictionary says later. Every answer is a KnowledgeAnswer row: the record awareness counts.
"""
import json
import random
import re
import unicodedata
from dataclasses import asdict

from content.quiz import Question, campaign_questions, text
from handlers.errors import Refused
from handlers.people import residents
from handlers.sorting import get_engine
from models import Resident, db
from models.pushes import Delivery, Push
from models.quiz import KnowledgeAnswer, QuizAttempt, Survey
from models.timeutil import utcnow

MIN_QUESTIONS, MAX_QUESTIONS, DEFAULT_QUESTIONS = 3, 5, 3
LETTERS = "ABCDE"
BINS = ("recyclable", "hazardous", "kitchen", "residual")
# Dictionary names fit for a question: plain Chinese words, no brackets or digits.
PLAIN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,6}$")


class QuizError(Refused):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message, code, status=status)


# --- drawing questions ----------------------------------------------------------------------------

def sorting_pool() -> list:
    """Items whose bin never depends on their state (no note), in the four household bins."""

    knowledge = get_engine().knowledge
    return [item for item in knowledge.items
            if item.category in BINS and not item.note and PLAIN_NAME.match(item.name)]


def sorting_question(item) -> Question:
    categories = get_engine().knowledge.categories
    labels = tuple(categories[code]["label"] for code in BINS)
    info = categories[item.category]
    explanation = text("quiz.sorting_explanation", item=item.name, label=info["label"],
                       colour=info["bin_colour"], tip=info["tip"])
    return Question(f"item:{item.name}", text("quiz.sorting_question", item=item.name), labels,
                    BINS.index(item.category), explanation)


def draw(count: int = DEFAULT_QUESTIONS, rng: random.Random | None = None) -> list[Question]:
    rng = rng or random.SystemRandom()
    from_dictionary = (count + 1) // 2
    items = rng.sample(sorting_pool(), from_dictionary)
    campaign = rng.sample(list(campaign_questions()), count - from_dictionary)
    questions = [sorting_question(item) for item in items] + campaign
    rng.shuffle(questions)
    return questions


# --- attempts -----------------------------------------------------------------------------------

def start(resident: Resident, channel: str, count: int = DEFAULT_QUESTIONS) -> QuizAttempt:
    if isinstance(count, bool) or not isinstance(count, int) or not MIN_QUESTIONS <= count <= MAX_QUESTIONS:
        raise QuizError("bad_count", text("quiz.bad_count"))
    attempt = QuizAttempt(resident_id=resident.id, region_code=resident.region_code, channel=channel,
                          questions=json.dumps([asdict(q) for q in draw(count)], ensure_ascii=False))
    db.session.add(attempt)
    db.session.flush()
    return attempt


def questions_of(attempt: QuizAttempt) -> list[Question]:
    return [Question(q["id"], q["text"], tuple(q["options"]), q["answer"], q["explanation"])
            for q in json.loads(attempt.questions)]


def answers_of(attempt: QuizAttempt) -> dict[int, KnowledgeAnswer]:
    rows = db.session.execute(db.select(KnowledgeAnswer).filter_by(attempt_id=attempt.id)).scalars()
    return {row.position: row for row in rows}


def next_position(attempt: QuizAttempt) -> int | None:
    answered = answers_of(attempt)
    return next((i for i in range(len(questions_of(attempt))) if i not in answered), None)


def answer(attempt: QuizAttempt, position: int, chosen: int) -> KnowledgeAnswer:
    """Record the answer to one question; answering it again returns the first answer."""
    questions = questions_of(attempt)
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < len(questions):
        raise QuizError("bad_position", text("quiz.bad_position"))
    question = questions[position]
    existing = answers_of(attempt).get(position)
    if existing is not None:
        return existing
    check_choice(chosen, len(question.options))
    row = KnowledgeAnswer(source="quiz", attempt_id=attempt.id, position=position,
                          resident_id=attempt.resident_id, region_code=attempt.region_code,
                          question_id=question.id, chosen=chosen, correct=chosen == question.answer)
    db.session.add(row)
    db.session.flush()
    if len(answers_of(attempt)) == len(questions):
        attempt.finished_at = utcnow()
    return row


def check_choice(chosen, options: int) -> None:
    if isinstance(chosen, bool) or not isinstance(chosen, int) or not 0 <= chosen < options:
        raise QuizError("bad_choice", text("quiz.bad_choice", letters=letters(options)))


def score(attempt: QuizAttempt) -> tuple[int, int]:
    """(right answers, questions)."""
    answered = answers_of(attempt).values()
    return sum(1 for a in answered if a.correct), len(questions_of(attempt))


def letters(options: int) -> str:
    return "/".join(LETTERS[:options])


def parse_choice(reply: str, options: tuple[str, ...]) -> int | None:
    """A, b, Ｃ, 1, "选B" or the option's own words → its index; None when it is no choice."""
    word = unicodedata.normalize("NFKC", reply).strip().strip("。.!！").upper()
    word = re.sub(r"^(选|答案是?|我选)\s*", "", word)
    if len(word) == 1 and word in LETTERS[:len(options)]:
        return LETTERS.index(word)
    if word.isdigit() and 1 <= int(word) <= len(options):
        return int(word) - 1
    matches = [i for i, option in enumerate(options) if word and word == option.upper()]
    return matches[0] if len(matches) == 1 else None


def format_question(question: Question, position: int, total: int) -> str:
    options = "\n".join(f"{LETTERS[i]}. {option}" for i, option in enumerate(question.options))
    return text("quiz.question", number=position + 1, total=total, question=question.text, options=options)


def feedback(question: Question, row: KnowledgeAnswer) -> str:
    right = f"{LETTERS[question.answer]}. {question.options[question.answer]}"
    key = "quiz.right" if row.correct else "quiz.wrong"
    return text(key, answer=right, explanation=question.explanation)


def get_attempt(attempt_id, resident: Resident) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id) if isinstance(attempt_id, int) else None
    if attempt is None or attempt.resident_id != resident.id:  # someone else's is as good as none
        raise QuizError("not_found", text("quiz.not_found"), 404)
    return attempt


# --- surveys --------------------------------------------------------------------------------------

def create_survey(staff, question: str, options: list[str], answer: int | None = None,
                  explanation: str = "", content_item_id: int | None = None) -> Survey:
    question = (question or "").strip()
    options = [o.strip() for o in options if o and o.strip()]
    if not question or len(question) > 200 or not 2 <= len(options) <= 5 or any(len(o) > 60 for o in options):
        raise QuizError("bad_survey", text("survey.bad_survey"))
    if answer is not None:
        check_choice(answer, len(options))
    survey = Survey(question=question, options=json.dumps(options, ensure_ascii=False), answer=answer,
                    explanation=(explanation or "").strip()[:500], region_code=staff.region_code,
                    content_item_id=content_item_id, created_by=staff.username)
    db.session.add(survey)
    db.session.flush()
    return survey


def survey_options(survey: Survey) -> tuple[str, ...]:
    return tuple(json.loads(survey.options))


def survey_text(survey: Survey) -> str:
    """The text a push carries: the question, its options, and how to answer in the chat."""
    options = survey_options(survey)
    listed = "\n".join(f"{LETTERS[i]}. {option}" for i, option in enumerate(options))
    return text("survey.push_text", question=survey.question, options=listed)


def open_surveys(resident: Resident) -> list[Survey]:
    """Active surveys for the resident's area (or the whole city) they have not answered, newest first."""
    answered = db.select(KnowledgeAnswer.survey_id).where(
        KnowledgeAnswer.resident_id == resident.id, KnowledgeAnswer.survey_id.is_not(None))
    query = db.select(Survey).where(Survey.active.is_(True), Survey.id.not_in(answered))
    surveys = db.session.execute(query.order_by(Survey.id.desc())).scalars()
    local = [s for s in surveys if in_area(s, resident)]

    pushed = [get_survey(survey_id) for survey_id in delivered_to(resident.id)]  # what they were sent first
    return pushed + [s for s in local if s not in pushed]


def in_area(survey: Survey, resident: Resident) -> bool:
    """A survey of the whole city, or of a node above the resident's area."""
    return len(survey.region_code) == 4 or (resident.region_code or "").startswith(survey.region_code)


def may_answer(survey: Survey, resident: Resident) -> bool:
    """Its area's residents answer a survey, and whoever it was pushed to (who may have moved):
    another district's answers would skew that district's figures."""
    return in_area(survey, resident) or survey.id in delivered_to(resident.id)


def answer_survey(survey: Survey, resident: Resident, chosen: int) -> KnowledgeAnswer:
    """Record the resident's answer; a second answer to one survey returns the first."""
    existing = db.session.execute(db.select(KnowledgeAnswer).filter_by(
        survey_id=survey.id, resident_id=resident.id)).scalar_one_or_none()
    if existing is not None:
        return existing
    if not may_answer(survey, resident):
        raise QuizError("not_found", text("survey.not_found"), 404)
    if not survey.active:
        raise QuizError("survey_closed", text("survey.closed"), 409)
    check_choice(chosen, len(survey_options(survey)))
    correct = None if survey.answer is None else chosen == survey.answer
    row = KnowledgeAnswer(source="survey", survey_id=survey.id, resident_id=resident.id,
                          region_code=resident.region_code, question_id=f"survey:{survey.id}",
                          chosen=chosen, correct=correct)
    db.session.add(row)
    db.session.flush()
    return row


def survey_feedback(survey: Survey, row: KnowledgeAnswer) -> str:
    options = survey_options(survey)
    if row.correct is None:
        return text("survey.thanks")
    right = f"{LETTERS[survey.answer]}. {options[survey.answer]}"
    key = "quiz.right" if row.correct else "quiz.wrong"
    return text(key, answer=right, explanation=survey.explanation or "")


def get_survey(survey_id) -> Survey | None:
    return db.session.get(Survey, survey_id) if isinstance(survey_id, int) else None


@residents.forgets
def forget_answers(resident: Resident) -> list[residents.Removed]:
    """Answers stay in the area's awareness figures, no longer tied to the resident."""
    from sqlalchemy import update

    n = db.session.execute(update(KnowledgeAnswer).where(KnowledgeAnswer.resident_id == resident.id)
                           .values(resident_id=None)).rowcount
    db.session.execute(update(QuizAttempt).where(QuizAttempt.resident_id == resident.id)
                       .values(resident_id=None))
    return [residents.Removed("quiz_answers", text("quiz.forgotten", n=n))] if n else []


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
