"""无废知识问答 and micro-surveys in the chat: short dialogs on the shared dialog mechanism (handlers/dialogs.py).

"答题" starts a quiz (the attempt lives in the database, the dialog state only says which attempt
and which question); each reply is a letter, answered with right/wrong and the explanation, then
the next question. "调查" opens the newest survey of the resident's area they have not answered.
A text that is not a choice may be a sorting question: the dialog answers it and repeats the question.
"""
from content.quiz import text
from handlers import dialogs
from handlers.dialogs import DialogState, NotAnAnswer
from handlers.people import residents
from handlers.quiz import rounds as quiz
from handlers.router import Message, router
from models import db
from models.quiz import QuizAttempt


def current_attempt(state: DialogState) -> QuizAttempt | None:
    return db.session.get(QuizAttempt, state.data.get("attempt_id"))


def quiz_prompt(state: DialogState, openid: str) -> str:
    attempt = current_attempt(state)
    questions = quiz.questions_of(attempt)
    position = state.data["position"]
    return quiz.format_question(questions[position], position, len(questions))


def quiz_take(state: DialogState, message: Message) -> str:
    attempt = current_attempt(state)
    questions = quiz.questions_of(attempt)
    question = questions[state.data["position"]]
    chosen = quiz.parse_choice(message.text, question.options)
    if chosen is None:
        raise NotAnAnswer(text("quiz.pick", letters=quiz.letters(len(question.options))))
    row = quiz.answer(attempt, state.data["position"], chosen)
    reply = quiz.feedback(question, row)
    position = quiz.next_position(attempt)
    if position is None:
        dialogs.clear(message.openid)
        right, total = quiz.score(attempt)
        comment = text("quiz.all_right") if right == total else text("quiz.some_wrong")
        return reply + "\n\n" + text("quiz.finished", right=right, total=total, comment=comment)
    state.data["position"] = position
    dialogs.save(message.openid, state)
    return reply + "\n\n" + quiz_prompt(state, message.openid)


QUIZ = dialogs.register(dialogs.Dialog(
    name="quiz", title="无废知识问答", start_word="答题", take=quiz_take, prompt=quiz_prompt,
    back=lambda state: None))  # an answered question stays answered: "上一步" repeats the current one


@router.on_dialog("quiz")
def continue_quiz(message: Message) -> str:
    return dialogs.continue_dialog(QUIZ, message)


@router.on_keyword("答题", "知识问答", "无废知识问答", "问答", "测一测", "考考我")
@router.on_click("QUIZ")
@router.on_intent("quiz")
@dialogs.starter
def start_quiz(message: Message) -> str:
    current = dialogs.load(message.openid)
    if current is not None:  # resume, or say which dialog to finish first
        return dialogs.start(message.openid, QUIZ, "question")
    resident = residents.find_or_create(message.openid)
    attempt = quiz.start(resident, "chat")
    intro = text("quiz.intro", total=len(quiz.questions_of(attempt)))
    return intro + "\n\n" + dialogs.start(message.openid, QUIZ, "question",
                                          {"attempt_id": attempt.id, "position": 0})


# --- surveys --------------------------------------------------------------------------------------

def survey_prompt(state: DialogState, openid: str) -> str:
    survey = quiz.get_survey(state.data["survey_id"])
    options = quiz.survey_options(survey)
    listed = "\n".join(f"{quiz.LETTERS[i]}. {o}" for i, o in enumerate(options))
    return text("survey.intro", question=survey.question, options=listed)


def survey_take(state: DialogState, message: Message) -> str:
    survey = quiz.get_survey(state.data["survey_id"])
    options = quiz.survey_options(survey)
    chosen = quiz.parse_choice(message.text, options)
    if chosen is None:
        raise NotAnAnswer(text("quiz.pick", letters=quiz.letters(len(options))))
    dialogs.clear(message.openid)
    try:
        row = quiz.answer_survey(survey, residents.find_or_create(message.openid), chosen)
    except quiz.QuizError as error:
        return error.message
    return quiz.survey_feedback(survey, row)


SURVEY = dialogs.register(dialogs.Dialog(
    name="survey", title="小调查", start_word="调查", take=survey_take, prompt=survey_prompt,
    back=lambda state: None))


@router.on_dialog("survey")
def continue_survey(message: Message) -> str:
    return dialogs.continue_dialog(SURVEY, message)


@router.on_keyword("调查", "小调查", "参与调查")
@router.on_intent("survey")
@dialogs.starter
def start_survey(message: Message) -> str:
    if dialogs.load(message.openid) is not None:
        return dialogs.start(message.openid, SURVEY, "answer")
    open_ones = quiz.open_surveys(residents.find_or_create(message.openid))
    if not open_ones:
        return text("survey.none")
    return dialogs.start(message.openid, SURVEY, "answer", {"survey_id": open_ones[0].id})
