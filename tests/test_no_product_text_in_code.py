"""Chinese is for people and lives in content/ data files; the code under bot/, handlers/, infra/,
content/ and models/ holds none of it outside docstrings and comments.

A ratchet while the move goes on: WAITING lists the files that still hold Chinese string literals,
with how many. A file not listed may not gain one, and a listed file's count may not grow; when you
move a file's texts out, lower its number here (or drop the line).
"""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "infra", "content", "models")
SKIPPED = ("models/migrations",)
# CJK ideographs (with extension A), CJK punctuation such as 、。「」, and full-width forms such as （）：，
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")

# Files still waiting for their texts to move to content/, and their Chinese literals today.
WAITING = {
    "bot/admin/__init__.py": 6,
    "bot/admin/auth.py": 2,
    "bot/admin/pushes.py": 10,
    "bot/api/__init__.py": 2,
    "bot/api/login.py": 14,
    "bot/api/notices.py": 4,
    "bot/api/places.py": 6,
    "bot/api/quiz.py": 1,
    "bot/api/residents.py": 10,
    "bot/api/sorting.py": 3,
    "bot/cli/staff.py": 2,
    "content/place_texts.py": 1,
    "handlers/campaigns/push/channels.py": 11,
    "handlers/campaigns/push/deliver.py": 3,
    "handlers/campaigns/push/forgetting.py": 1,
    "handlers/campaigns/push/messages.py": 2,
    "handlers/campaigns/push/report.py": 39,
    "handlers/campaigns/surveys.py": 2,
    "handlers/cells/evidence.py": 2,
    "handlers/dialogs.py": 10,
    "handlers/figures/tiers.py": 1,
    "handlers/people/areas.py": 12,
    "handlers/people/privacy.py": 5,
    "handlers/people/regions.py": 1,
    "handlers/people/residents.py": 1,
    "handlers/places/importing.py": 3,
    "handlers/places/points.py": 2,
    "handlers/quiz/chat.py": 13,
    "handlers/quiz/rounds.py": 2,
    "handlers/router.py": 1,
    "handlers/schools/activities/catalogue.py": 2,
    "handlers/schools/activities/checkin.py": 1,
    "handlers/sorting/build.py": 1,
    "handlers/sorting/model.py": 2,
    "handlers/sorting/resolve.py": 2,
    "handlers/staff/accounts.py": 13,
    "handlers/understanding/__init__.py": 1,
    "handlers/understanding/chat.py": 3,
    "handlers/understanding/reader.py": 1,
    "handlers/volunteers/chat.py": 33,
    "handlers/welcome.py": 5,
    "infra/clock.py": 1,
}


def python_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if not name.startswith(SKIPPED):
                yield name, path


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def chinese_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string literal with Chinese in it; an f-string counts once."""
    tree = ast.parse(source)
    skip = docstrings(tree)
    found = []
    for node in ast.walk(tree):  # parents before children: an f-string is seen before its parts
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            parts = [part for part in ast.walk(node) if isinstance(part, ast.Constant)]
            skip.update(id(part) for part in parts)
            if any(isinstance(p.value, str) and CHINESE.search(p.value) for p in parts):
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and CHINESE.search(node.value):
            found.append((node.lineno, node.value))
    return found


def test_chinese_literals_are_found_but_not_docstrings():
    source = '''"""模块说明"""
def f(x):
    """函数说明"""
    # 注释
    return "中文" + f"{x}（{x}）" + "plain" + f"{x}"
'''
    assert [text for _, text in chinese_literals(source)] == ["中文", "f'{x}（{x}）'"]


def test_no_new_chinese_string_literals_in_code():
    grown = {}
    for name, path in python_files():
        found = chinese_literals(path.read_text(encoding="utf-8"))
        if len(found) > WAITING.get(name, 0):
            grown[name] = (WAITING.get(name, 0), found)
    report = "\n".join(
        f"{name}: {len(found)} Chinese literals (allowed {allowed}); move them to content/:\n"
        + "\n".join(f"    line {line}: {text!r}" for line, text in found)
        for name, (allowed, found) in grown.items())
    assert not grown, report


def test_waiting_files_exist():
    names = {name for name, _ in python_files()}
    assert set(WAITING) <= names, sorted(set(WAITING) - names)
