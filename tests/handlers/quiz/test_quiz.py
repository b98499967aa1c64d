"""无废知识问答 and micro-surveys through the real webhook and the mini-program API."""
import random

from handlers.quiz import rounds as quiz
from handlers.sorting import get_engine
from models import Resident, db
from models.quiz import KnowledgeAnswer, QuizAttempt
from tests.admin_support import CITY, STREET_A, STREET_B, add_staff, seed_regions

LETTERS = "ABCDE"


def latest_attempt() -> QuizAttempt:
    db.session.expire_all()
    return db.session.execute(db.select(QuizAttempt).order_by(QuizAttempt.id.desc())).scalars().first()


def right_letter(attempt, position) -> str:
    return LETTERS[quiz.questions_of(attempt)[position].answer]


def wrong_letter(attempt, position) -> str:
    question = quiz.questions_of(attempt)[position]
    return LETTERS[(question.answer + 1) % len(question.options)]


def test_quiz_in_the_chat_asks_explains_each_answer_and_scores(app, wechat):
    first = wechat.ask("o-quiz", "答题")
    assert "无废知识问答" in first and "第1/3题" in first and "A." in first
    attempt = latest_attempt()
    assert attempt.channel == "chat" and len(quiz.questions_of(attempt)) == 3

    reply = wechat.ask("o-quiz", right_letter(attempt, 0).lower())  # a lower-case letter counts
    assert reply.startswith("✅") and quiz.questions_of(attempt)[0].explanation in reply and "第2/3题" in reply
    reply = wechat.ask("o-quiz", "废电池扔哪")  # a sorting question mid-quiz is answered, then the question again
    assert "有害垃圾" in reply or "其他垃圾" in reply
    assert "第2/3题" in reply
    reply = wechat.ask("o-quiz", "我不知道")  # neither a choice nor a question
    assert "请回复选项字母" in reply
    reply = wechat.ask("o-quiz", wrong_letter(attempt, 1))
    question = quiz.questions_of(attempt)[1]
    assert reply.startswith("❌") and question.options[question.answer] in reply and "第3/3题" in reply
    reply = wechat.ask("o-quiz", f"选{right_letter(attempt, 2)}")
    assert "问答结束" in reply and "2/3" in reply

    answers = db.session.execute(db.select(KnowledgeAnswer.position, KnowledgeAnswer.correct)
                                 .order_by(KnowledgeAnswer.position)).all()
    assert answers == [(0, True), (1, False), (2, True)]
    assert latest_attempt().finished_at is not None
    assert "可回收物" in wechat.ask("o-quiz", "旧报纸")  # the dialog is over: sorting again


def test_a_quiz_can_be_cancelled_and_a_retried_message_is_answered_once(app, wechat):
    wechat.ask("o-q2", "知识问答")
    attempt = latest_attempt()
    letter = right_letter(attempt, 0)
    first = wechat.ask("o-q2", letter, msg_id=777)
    again = wechat.ask("o-q2", letter, msg_id=777)  # WeChat's retry of the same message
    assert first == again
    assert db.session.execute(db.select(db.func.count()).select_from(KnowledgeAnswer)).scalar() == 1
    assert "已取消无废知识问答" in wechat.ask("o-q2", "取消")
    assert "可回收物" in wechat.ask("o-q2", "旧报纸")


def test_quiz_through_the_api_hides_the_key_until_answered(app, mini_program):
    token = mini_program.login("quizzer")
    started = mini_program.call("POST", "/quiz", token, json={"count": 5})
    assert started.status_code == 201
    body = started.json
    assert len(body["questions"]) == 5 and all("answer" not in q for q in body["questions"])
    attempt = db.session.get(QuizAttempt, body["id"])
    key = [q.answer for q in quiz.questions_of(attempt)]
    results = []
    for position in range(5):
        choice = key[position] if position % 2 == 0 else (key[position] + 1) % 4
        answered = mini_program.call("POST", f"/quiz/{body['id']}/answers", token,
                                     json={"position": position, "choice": choice}).json
        assert answered["answer"] == key[position] and answered["explanation"]
        results.append(answered["correct"])
    assert results == [True, False, True, False, True] and answered["finished"] and answered["right"] == 3
    repeat = mini_program.call("POST", f"/quiz/{body['id']}/answers", token, json={"position": 1, "choice": key[1]})
    assert repeat.json["correct"] is False  # the first answer stands
    shown = mini_program.call("GET", f"/quiz/{body['id']}", token).json
    assert shown["finished"] and shown["questions"][0]["explanation"]

    assert mini_program.call("POST", "/quiz", token, json={"count": 7}).json["error"]["code"] == "bad_count"
    assert mini_program.call("POST", "/quiz", token).status_code == 201  # three by default
    other = mini_program.login("someone-else")
    assert mini_program.call("GET", f"/quiz/{body['id']}", other).status_code == 404
    fresh = mini_program.call("POST", "/quiz", token, json={"count": 3}).json["id"]
    bad = mini_program.call("POST", f"/quiz/{fresh}/answers", token, json={"position": 0, "choice": 9})
    assert bad.status_code == 400 and bad.json["error"]["code"] == "bad_choice"
    assert mini_program.call("POST", "/quiz", None).status_code == 401


def test_sorting_questions_come_from_the_dictionary_and_agree_with_the_bot(app):
    rng = random.Random(8)
    engine = get_engine()
    drawn = [q for _ in range(40) for q in quiz.draw(5, rng) if q.id.startswith("item:")]
    assert len(drawn) == 120  # three of five from the dictionary
    for question in drawn:
        item = question.id.removeprefix("item:")
        answer = engine.classify(item).answers[0]
        assert quiz.BINS[question.answer] == answer.category, item
        assert item in question.text and item in question.explanation


def test_a_survey_is_answered_in_the_chat_and_the_api_once_per_resident(app, wechat, mini_program):
    seed_regions()
    staff = add_staff("street", "street_admin", STREET_A)
    knowledge = quiz.create_survey(staff, "厨余垃圾投放前要先做什么？", ["沥干水分去掉包装", "直接连袋扔"], 0,
                                   "厨余垃圾要沥干水分、去掉包装。")
    opinion = quiz.create_survey(add_staff("city", "city_admin", CITY), "您希望多举办哪类活动？",
                                 ["旧物交换", "分类讲座", "亲子活动"])
    db.session.commit()
    assert "回复“调查”参与" in quiz.survey_text(knowledge)

    openid = mini_program.openid("neighbour")
    wechat.ask(openid, "你好")
    db.session.execute(db.update(Resident).filter_by(openid=openid).values(region_code=STREET_A))
    db.session.commit()
    shown = wechat.ask(openid, "调查")
    assert "您希望多举办哪类活动" in shown  # the newest first
    assert "感谢您参与" in wechat.ask(openid, "B")
    shown = wechat.ask(openid, "调查")
    assert "厨余垃圾投放前" in shown
    assert wechat.ask(openid, "A").startswith("✅")
    assert "现在没有需要您参与的小调查" in wechat.ask(openid, "调查")

    token = mini_program.login("neighbour")  # the same person in the mini-program: nothing left to answer
    assert mini_program.call("GET", "/surveys", token).json["surveys"] == []
    elsewhere = mini_program.login("far-away")
    resident = db.session.execute(db.select(Resident).filter_by(openid=mini_program.openid("far-away"))).scalar_one()
    resident.region_code = STREET_B
    db.session.commit()
    listed = mini_program.call("GET", "/surveys", elsewhere).json["surveys"]
    assert [s["id"] for s in listed] == [opinion.id]  # a street's survey stays in its street
    answered = mini_program.call("POST", f"/surveys/{opinion.id}/answer", elsewhere, json={"choice": 2}).json
    assert answered["correct"] is None and answered["chosen"] == 2
    again = mini_program.call("POST", f"/surveys/{opinion.id}/answer", elsewhere, json={"choice": 0}).json
    assert again["chosen"] == 2
    rows = db.session.execute(db.select(KnowledgeAnswer.survey_id, KnowledgeAnswer.correct)
                              .where(KnowledgeAnswer.source == "survey").order_by(KnowledgeAnswer.id)).all()
    assert rows == [(opinion.id, None), (knowledge.id, True), (opinion.id, None)]


def test_the_menu_button_starts_a_quiz_and_help_mentions_it(app, wechat):
    from bot.webhook import simulate

    reply = wechat.reply(simulate.event_xml("o-menu", "CLICK", "QUIZ"))
    assert "无废知识问答" in reply and "第1/3题" in reply
    assert "答题" in wechat.ask("o-other", "帮助")


def test_a_resident_answers_only_surveys_of_their_own_area_or_the_city(app, mini_program):
    seed_regions()
    local = quiz.create_survey(add_staff("street", "street_admin", STREET_A), "南岭街道的桶站够用吗？",
                               ["够用", "不够"])
    citywide = quiz.create_survey(add_staff("city", "city_admin", CITY), "您希望多举办哪类活动？",
                                  ["旧物交换", "分类讲座"])
    db.session.commit()
    token = mini_program.login("across-town")
    resident = db.session.execute(db.select(Resident).filter_by(
        openid=mini_program.openid("across-town"))).scalar_one()
    resident.region_code = STREET_B
    db.session.commit()
    refused = mini_program.call("POST", f"/surveys/{local.id}/answer", token, json={"choice": 1})
    assert refused.status_code == 404 and refused.json["error"]["code"] == "not_found"
    assert mini_program.call("POST", f"/surveys/{citywide.id}/answer", token, json={"choice": 0}).status_code == 200
    counted = db.session.scalar(db.select(db.func.count()).select_from(KnowledgeAnswer)
                                .where(KnowledgeAnswer.survey_id == local.id))
    assert counted == 0
