"""Knowledge built ahead: built once per digest of its inputs, rebuilt when they change, and never
fatal when its file is damaged or cannot be written."""
import logging

import pytest

from infra import artefacts
from infra.packed import PackedTable, packed


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("KNOWLEDGE_CACHE_DIR", str(tmp_path))
    return tmp_path


def counting_build(calls: list):
    def build():
        calls.append(1)
        return {"built": len(calls)}
    return build


def test_built_once_then_loaded_until_an_input_changes(cache_dir):
    calls = []
    assert artefacts.pickled("thing", "a1", counting_build(calls)) == {"built": 1}
    assert artefacts.pickled("thing", "a1", counting_build(calls)) == {"built": 1}
    assert calls == [1]
    assert artefacts.pickled("thing", "b2", counting_build(calls)) == {"built": 2}


def test_the_digest_follows_the_contents_of_the_inputs(tmp_path):
    source = tmp_path / "items.csv"
    source.write_text("电池,hazardous\n", encoding="utf-8")
    before = artefacts.digest([source])
    assert artefacts.digest([source]) == before
    source.write_text("电池,residual\n", encoding="utf-8")
    assert artefacts.digest([source]) != before


def test_a_damaged_copy_is_built_again(cache_dir, caplog):
    calls = []
    artefacts.pickled("thing", "a1", counting_build(calls))
    artefacts.path("thing", "a1", ".pickle").write_bytes(b"\x80\x05truncated")
    with caplog.at_level(logging.WARNING):
        assert artefacts.pickled("thing", "a1", counting_build(calls)) == {"built": 2}
    assert "unreadable" in caplog.text
    assert artefacts.pickled("thing", "a1", counting_build(calls)) == {"built": 2}


def test_an_unwritable_directory_only_costs_the_building(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("")
    monkeypatch.setenv("KNOWLEDGE_CACHE_DIR", str(blocked / "below"))
    assert artefacts.pickled("thing", "a1", counting_build([])) == {"built": 1}
    table = packed("words", "a1", lambda: [("电池", 3, "battery")])
    assert table.number("电池") == 3 and table.path is None


def test_a_packed_table_finds_every_key_and_nothing_else(cache_dir):
    entries = [(f"词{index}", index, f"text {index}") for index in range(5000)] + [("", 7, ""), ("電池", 0, "")]
    table = packed("words", "k", lambda: entries)
    assert table.path is not None
    again = PackedTable.open(table.path)
    for key, number, text in entries:
        assert again.number(key) == number and again.text(key) == text
    assert again.number("词5000") is None and "电池" not in again and len(again) == 5002


def test_a_truncated_table_is_packed_again(cache_dir):
    table = packed("words", "k", lambda: [("电池", 1, "")])
    table.path.write_bytes(table.path.read_bytes()[:-3])
    assert packed("words", "k", lambda: [("电池", 2, "")]).number("电池") == 2


def test_old_versions_are_removed(cache_dir):
    for version in range(artefacts.KEPT + 3):
        artefacts.pickled("thing", f"v{version}", lambda: version)
    assert len(list(cache_dir.glob("thing-*.pickle"))) == artefacts.KEPT
    assert artefacts.path("thing", f"v{artefacts.KEPT + 2}", ".pickle").exists()


def test_what_processes_load_outlives_what_was_built_once(cache_dir):
    artefacts.pickled("thing", "product", lambda: "engine")
    for version in range(artefacts.KEPT + 3):
        artefacts.pickled("thing", f"v{version}", lambda: version)
        artefacts.pickled("thing", "product", lambda: "built again")
    assert artefacts.pickled("thing", "product", lambda: "built again") == "engine"
