"""The cell review form as a reviewer sees it after a refusal: the reason in a red box beside the form,
the chosen action and every typed score kept."""
import re

from content import cells as catalogue
from models import db
from models.cells import Cell
from tests.admin_support import Console
from tests.handlers.cells.test_cells import apply_as_unit, assess_and_prove, reviewers, status, step


def submitted_cell(mini_program, cell_type="school"):
    token, cell_id = apply_as_unit(mini_program, cell_type=cell_type)
    reviewers()
    indicator_set = catalogue.indicator_set(db.session.get(Cell, cell_id).indicator_set)
    assess_and_prove(mini_program, token, cell_id, indicator_set)
    mini_program.call("POST", f"/cells/{cell_id}/submit", token)
    return cell_id, indicator_set


def test_a_failed_return_shows_its_reason_and_keeps_the_action(app, client, mini_program):
    cell_id, _ = submitted_cell(mini_program)
    console = Console(client, "rev-a")
    page = console.post(f"/admin/cells/{cell_id}/step", {"action": "district_return"})
    assert page.status_code == 400 and status(cell_id) == "submitted"
    assert re.search(r'<p class="error" role="alert">[^<]+</p>', page.text)
    assert 'class="notice"' not in page.text
    assert '<option value="district_return" selected>' in page.text


def test_one_missing_score_keeps_the_other_typed_scores(app, client, mini_program):
    cell_id, indicator_set = submitted_cell(mini_program)
    assert step(client, "rev-a", cell_id, "district_pass") == 302
    codes = [i.code for i in indicator_set.indicators]
    typed = {f"points_{code}": "1" for code in codes[1:]}  # the first one forgotten
    console = Console(client, "rev-city")
    form = console.get(f"/admin/cells/{cell_id}").text
    assert "市级评审分" in form and all(f'name="points_{code}"' in form for code in codes)
    page = console.post(f"/admin/cells/{cell_id}/step", {"action": "city_score", "comment": "材料齐全", **typed})
    assert page.status_code == 400 and status(cell_id) == "district_passed"
    assert re.search(r'<p class="error" role="alert">[^<]+</p>', page.text)
    assert '<option value="city_score" selected>' in page.text and 'value="材料齐全"' in page.text
    for code in codes[1:]:
        assert re.search(rf'name="points_{code}" [^>]*value="1"', page.text), code
    assert re.search(rf'name="points_{codes[0]}" [^>]*value=""', page.text)
