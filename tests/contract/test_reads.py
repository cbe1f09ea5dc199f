"""Read-sets as data: the file format, its JSON Schema, and which read path a finding touches."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from qase_contract.contract import ReadSet
from qase_contract.contract._reads import READSET_SCHEMA
from qase_contract.errors import ReadSetError

RUNS = ReadSet.of(
    {
        "run.*": ["/payload/id", "/payload/plan/id"],
        "run.started": ["/payload/cases/*/status", "/project_code"],
        "case.created": ["/payload/title"],
    }
)


def test_a_read_set_is_written_sorted_one_path_a_line_and_reads_back_equal(tmp_path: Path) -> None:
    read_set = ReadSet.of({"run.started": ["/payload/plan/id", "/payload/id", "/payload/id"], "case.*": []})
    read_set.write(tmp_path / "reads.json")
    text = (tmp_path / "reads.json").read_text(encoding="utf-8")
    assert text == (
        '{\n  "format": 1,\n  "events": {\n    "case.*": [],\n    "run.started": [\n'
        '      "/payload/id",\n      "/payload/plan/id"\n    ]\n  }\n}\n'
    )
    again = ReadSet.read(tmp_path / "reads.json")
    assert again == read_set
    assert again.source == str(tmp_path / "reads.json")
    assert again.dumps() == text


def test_merging_unites_the_paths_of_each_entry() -> None:
    first = ReadSet.of({"run.started": ["/payload/id"], "case.*": ["/payload/title"]})
    second = ReadSet.of({"run.started": ["/payload/plan/id", "/payload/id"], "suite.created": []})
    assert first.merged(second).to_data() == {
        "format": 1,
        "events": {
            "case.*": ["/payload/title"],
            "run.started": ["/payload/id", "/payload/plan/id"],
            "suite.created": [],
        },
    }


def test_a_read_set_crosses_to_worker_processes_unchanged() -> None:
    assert pickle.loads(pickle.dumps(RUNS)) == RUNS


#: Documents that are no read-set, with the place and reason the error must name.
BAD_DOCUMENTS = [
    pytest.param([], "a read-set is a JSON object, got array", id="not-an-object"),
    pytest.param({"events": {}}, 'expected "format": 1', id="no-format"),
    pytest.param({"format": 2, "events": {}}, 'expected "format": 1 (the read-set format', id="format-2"),
    pytest.param({"format": True, "events": {}}, 'expected "format": 1', id="format-true"),
    pytest.param({"format": 1}, "/events must be an object of events, got null", id="no-events"),
    pytest.param({"format": 1, "events": [], "x": 1}, "unknown key 'x'", id="unknown-key"),
    pytest.param({"format": 1, "events": {"": []}}, "cannot be empty", id="empty-pattern"),
    pytest.param(
        {"format": 1, "events": {"run/x": "/payload/id"}},
        "/events/run~1x must be a list of JSON Pointers, got string",
        id="paths-not-a-list",
    ),
    pytest.param(
        {"format": 1, "events": {"run.started": [3]}},
        "/events/run.started/0 must be a JSON Pointer string, got integer",
        id="path-not-a-string",
    ),
    pytest.param(
        {"format": 1, "events": {"run.started": ["/payload/id", "payload/id"]}},
        "/events/run.started/1: 'payload/id' is not a JSON Pointer",
        id="no-leading-slash",
    ),
    pytest.param(
        {"format": 1, "events": {"run.started": ["/payload/a~2b"]}},
        "'/payload/a~2b' is not a JSON Pointer",
        id="bad-escape",
    ),
]

GOOD_DOCUMENTS = [
    {"format": 1, "events": {}},
    {"format": 1, "events": {"run.started": ["", "/", "/payload/a~0b~1c", "/payload/cases/*/status"]}},
    {"format": 1, "events": {"*": ["/payload/id", "/payload/id"], "case.[cu]*": []}},
]


@pytest.mark.parametrize(("document", "reason"), BAD_DOCUMENTS)
def test_a_document_that_is_no_read_set_is_refused_naming_the_place(document: object, reason: str) -> None:
    with pytest.raises(ReadSetError) as refused:
        ReadSet.from_data(document, "reads.json")
    assert str(refused.value).startswith("reads.json: ")
    assert reason in str(refused.value)


@pytest.mark.parametrize("document", GOOD_DOCUMENTS)
def test_the_shipped_json_schema_accepts_what_the_loader_accepts(document: object) -> None:
    ReadSet.from_data(document)
    assert list(_schema_validator().iter_errors(document)) == []


@pytest.mark.parametrize(("document", "reason"), BAD_DOCUMENTS)
def test_the_shipped_json_schema_refuses_what_the_loader_refuses(document: object, reason: str) -> None:
    assert list(_schema_validator().iter_errors(document)) != [], reason


def test_the_shipped_json_schema_is_valid_2020_12_and_ships_in_the_package() -> None:
    schema = json.loads(READSET_SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert READSET_SCHEMA.parent.name == "contract"
    assert READSET_SCHEMA.parent.parent.name == "qase_contract"


def _schema_validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(READSET_SCHEMA.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b"{", "the read-set is not valid JSON", id="not-json"),
        pytest.param(b"[" * 5000 + b"]" * 5000, "the read-set is not valid JSON", id="nested-too-deep"),
        pytest.param(None, "no such read-set file", id="missing"),
    ],
)
def test_a_file_that_cannot_be_read_as_a_read_set_says_why(
    tmp_path: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "reads.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ReadSetError, match=reason):
        ReadSet.read(path)


def test_a_folder_is_not_a_read_set(tmp_path: Path) -> None:
    with pytest.raises(ReadSetError, match="a folder, not a read-set file"):
        ReadSet.read(tmp_path)


def test_an_event_gets_the_paths_of_its_own_entry_and_of_every_pattern_matching_it() -> None:
    assert RUNS.patterns_for("run.started") == ("run.*", "run.started")
    assert RUNS.paths_for("run.started") == (
        "/payload/cases/*/status",
        "/payload/id",
        "/payload/plan/id",
        "/project_code",
    )
    assert RUNS.paths_for("run.completed") == ("/payload/id", "/payload/plan/id")
    assert RUNS.paths_for("suite.created") == ()


def test_a_delivery_without_an_event_name_gets_the_paths_of_every_entry() -> None:
    assert len(RUNS.paths_for(None)) == 5


@pytest.mark.parametrize(
    ("event", "pointer", "kind", "touched"),
    [
        pytest.param("run.started", "/payload/id", "violation", "/payload/id", id="at-a-read-path"),
        pytest.param("run.started", "/payload/id", "drift", "/payload/id", id="drift-at-a-read-path"),
        pytest.param(
            "run.started", "/payload/plan/id/x", "drift", "/payload/plan/id", id="below-a-read-path"
        ),
        pytest.param("run.started", "/payload/plan", "violation", "/payload/plan/id", id="above-a-read-path"),
        pytest.param("run.started", "/payload/plan", "drift", None, id="drift-above-does-not-touch"),
        pytest.param("run.started", "", "violation", "/payload/cases/*/status", id="the-whole-body"),
        pytest.param(
            "run.started", "/payload/cases/7/status", "drift", "/payload/cases/*/status", id="star-any-key"
        ),
        pytest.param(
            "run.started", "/payload/cases/7", "violation", "/payload/cases/*/status", id="star-above"
        ),
        pytest.param("run.started", "/payload/cases/7/title", "violation", None, id="star-other-field"),
        pytest.param("run.started", "/payload/title", "violation", None, id="unread-sibling"),
        pytest.param("run.started", "/payload/identity", "violation", None, id="a-longer-key-is-another"),
        pytest.param("run.completed", "/project_code", "violation", None, id="read-by-another-event"),
        pytest.param("suite.created", "", "violation", None, id="event-without-entry"),
        pytest.param(None, "", "violation", "/payload/cases/*/status", id="no-event-name"),
        pytest.param("run.started", "/payload/cases/*", "drift", None, id="wildcard-finding-above"),
        pytest.param(
            "run.started", "/payload/cases/*/status", "drift", "/payload/cases/*/status", id="drift-path"
        ),
    ],
)
def test_the_read_path_a_finding_touches(
    event: str | None, pointer: str, kind: Any, touched: str | None
) -> None:
    assert RUNS.read_path_of(event, pointer, kind) == touched


def test_the_most_specific_read_path_is_named_when_several_hold_a_finding() -> None:
    read_set = ReadSet.of({"run.started": ["/payload", "/payload/plan", "/payload/plan/id"]})
    assert read_set.read_path_of("run.started", "/payload/plan/id", "drift") == "/payload/plan/id"
    assert read_set.read_path_of("run.started", "/payload/plan/title", "drift") == "/payload/plan"
