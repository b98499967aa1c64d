"""Chat text for a classification: item → category (bin colour) → one-line tip, a few lines in all."""
from handlers.sorting.answer import Answer, Classification
from handlers.sorting.engine import get_engine


def format_reply(result: Classification) -> str:
    texts = get_engine().knowledge.replies  # the engine's copy: one per process, shared after fork
    lines = [describe(answer, texts) for answer in result.answers]
    if result.unrecognised:
        lines.append(texts["unrecognised"].format(mentions=texts["list_joiner"].join(result.unrecognised)))
        if result.suggestions:
            lines.append(texts["suggestions"].format(suggestions=texts["list_joiner"].join(result.suggestions)))
    if result.more:
        lines.append(texts["more"].format(count=result.more))
    if not lines:
        return texts["empty"]
    return texts["separator"].join(lines)


def describe(answer: Answer, texts: dict) -> str:
    values = {**vars(answer), "alternatives": texts["list_joiner"].join(answer.alternatives)}
    if answer.guess:
        template = texts["guess_special"] if answer.category == "special" else texts["guess"]
        text = template.format(**values)
        if answer.alternatives:
            text += "\n" + texts["guess_alternatives"].format(**values)
        return text
    if answer.category == "special":
        return texts["special"].format(**values)
    if depends_on_kind(answer):
        return texts["distinction"].format(**values)
    if answer.note:
        return texts["settled"].format(**values)
    if same_name(answer.mention, answer.item):
        return texts["known"].format(**values)
    return texts["known_as"].format(**values)


def depends_on_kind(answer: Answer) -> bool:
    """The item's bin depends on a kind the question did not name ("电池", not "碱性电池")."""
    return (bool(answer.note) and not answer.guess and answer.category != "special"
            and same_name(answer.mention, answer.item))


def kinds(answer: Answer) -> dict | None:
    """For an answer that depends on the kind: its screen label and the bins it may go in, the
    safer first (content/sorting/changchun.toml, notes)."""
    if not depends_on_kind(answer):
        return None
    knowledge = get_engine().knowledge
    for note in knowledge.notes.values():
        if note["text"] == answer.note:
            bins = [note["category"], *(c for c in note.get("by_words", {}) if c != note["category"])]
            bins += [c for c in note.get("when", {}) if c not in bins]
            return {"label": note["label"], "categories": bins,
                    "kinds": [{"category": c, "label": knowledge.categories[c]["label"],
                               "bin_colour": knowledge.categories[c]["bin_colour"],
                               "when": note.get("when", {}).get(c, "")} for c in bins]}
    return None


def same_name(mention: str, item: str) -> bool:
    return mention.lower() == item.lower()
