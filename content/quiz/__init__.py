"""Quiz questions as data: the campaign's hand-written questions and the quiz's reply texts."""
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from content.texts import lookup

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    options: tuple[str, ...]
    answer: int  # index of the right option
    explanation: str


@cache
def campaign_questions() -> tuple[Question, ...]:
    with (HERE / "campaign.toml").open("rb") as file:
        rows = tomllib.load(file)["question"]
    questions = tuple(Question(r["id"], r["text"], tuple(r["options"]), int(r["answer"]), r["explanation"])
                      for r in rows)
    for question in questions:
        if not 0 <= question.answer < len(question.options):
            raise ValueError(f"{question.id}: answer out of range")
    return questions


def text(key: str, **values) -> str:
    """A quiz or survey reply text (content/quiz/replies.toml), placeholders filled in."""
    return lookup("quiz/replies.toml", key, **values)
