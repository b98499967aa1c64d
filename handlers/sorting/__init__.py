"""Garbage-sorting answers: which bin an item goes in, for what residents really type.

Importing this package is cheap; the dictionary and jieba load on the first get_engine().
"""
from handlers.sorting.answer import CATEGORIES, Answer, Classification
from handlers.sorting.engine import Engine, get_engine
from handlers.sorting.reply import format_reply

__all__ = ["CATEGORIES", "Answer", "Classification", "Engine", "classify", "format_reply", "get_engine"]


def classify(text: str) -> Classification:
    return get_engine().classify(text)
