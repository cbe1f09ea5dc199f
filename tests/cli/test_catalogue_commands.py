"""``qase-contract events``, ``schema`` and ``example``: the catalogue from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qase_contract import EVENTS, SchemaSet
from qase_contract.cli import main
from qase_contract.contract._bundle import bundled, opened
from qase_contract.contract._catalog import EVENTS_BY_NAME
from qase_contract.contract._provenance import contract_version, with_provenance
from tests.helpers.data import EXAMPLES, SCHEMAS, example_files, load_json
from tests.helpers.third_party import check_jsonschema

EVENT_NAMES = [event.name for event in EVENTS]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def write_overlay(folder: Path) -> Path:
    """An overlay adding result.created, with an example, and a second run.deleted example."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Qase webhook delivery: result.created",
        "type": "object",
        "properties": {
            "event_name": {"const": "result.created"},
            "timestamp": {"$ref": "../../common/defs.schema.json#/$defs/unixSeconds"},
            "payload": {"type": "object"},
        },
        "required": ["event_name", "payload"],
        "additionalProperties": False,
    }
    (folder / "events" / "result").mkdir(parents=True)
    (folder / "events" / "result" / "created.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    (folder / "examples" / "result.created").mkdir(parents=True)
    (folder / "examples" / "result.created" / "canonical.json").write_text(
        '{"event_name": "result.created", "payload": {}}\n', encoding="utf-8"
    )
    (folder / "examples" / "run.deleted").mkdir(parents=True)
    (folder / "examples" / "run.deleted" / "team.json").write_text("{}\n", encoding="utf-8")
    return folder


def test_events_lists_the_40_events_with_entity_label_and_schema() -> None:
    code, output = run("events")
    assert code == 0
    header, *rows = output.splitlines()
    assert header.split() == ["EVENT", "ENTITY", "UI", "LABEL", "SCHEMA"]
    assert [row.split()[0] for row in rows] == EVENT_NAMES
    assert rows[0].split("  ")[0] == "case.created"
    assert "Test run" in rows[EVENT_NAMES.index("run.updated")]
    assert "Test cases added to run" in rows[EVENT_NAMES.index("run.updated")]
    assert rows[-1].endswith("events/review/deleted.schema.json")


def test_events_as_json_names_schema_files_that_exist() -> None:
    code, output = run("events", "--format", "json")
    assert code == 0
    entries = json.loads(output)
    assert [entry["name"] for entry in entries] == EVENT_NAMES
    assert entries[0] == {
        "name": "case.created",
        "entity": "Test case",
        "label": "Create test case",
        "schema_path": "events/case/created.schema.json",
        "origin": "builtin",
    }
    assert all((SCHEMAS / entry["schema_path"]).is_file() for entry in entries)


def test_events_takes_the_short_format_option_as_validate_does() -> None:
    code, output = run("events", "-f", "json")
    assert code == 0
    assert json.loads(output) == json.loads(run("events", "--format", "json")[1])


def test_events_shows_the_events_an_overlay_adds(tmp_path: Path) -> None:
    overlay = write_overlay(tmp_path)
    entries = json.loads(run("events", "--format", "json", "--schemas", str(overlay))[1])
    assert len(entries) == 41
    assert entries[-1] == {
        "name": "result.created",
        "entity": None,
        "label": None,
        "schema_path": "events/result/created.schema.json",
        "origin": "overlay",
    }
    text = run("events", "--schemas", str(overlay))[1].splitlines()
    assert text[-1].split() == ["result.created", "-", "-", "events/result/created.schema.json", "(overlay)"]


def test_an_unusable_overlay_folder_is_a_usage_error(tmp_path: Path) -> None:
    code, output = run("events", "--schemas", str(tmp_path / "missing"))
    assert code == 2
    assert "--schemas" in output


@pytest.mark.parametrize("name", ["envelope", *EVENT_NAMES])
def test_schema_prints_the_schema_file_as_it_is(name: str) -> None:
    code, output = run("schema", name)
    assert code == 0
    path = SCHEMAS / ("envelope.schema.json" if name == "envelope" else EVENTS_BY_NAME[name].schema_path)
    assert output == path.read_text(encoding="utf-8")


def test_schema_bundled_prints_the_self_contained_document() -> None:
    code, output = run("schema", "review.updated", "--bundled")
    assert code == 0
    assert json.loads(output) == with_provenance(
        bundled(SchemaSet.builtin(), "review.updated"), SchemaSet.builtin()
    )
    assert "$ref" not in output


def test_schema_bundled_names_the_contract_version_in_its_root_comment() -> None:
    document = json.loads(run("schema", "envelope", "--bundled")[1])
    assert document["$comment"].startswith(
        f"Qase webhook contract {contract_version()}; rendered by qase-contract"
    )
    assert document["$comment"].endswith(load_json(SCHEMAS / "envelope.schema.json")["$comment"])
    assert list(document)[:3] == ["$schema", "$id", "$comment"]


def test_schema_open_is_the_tolerant_bundle_with_or_without_bundled() -> None:
    expected = with_provenance(
        opened(bundled(SchemaSet.builtin(), "custom_field.created")), SchemaSet.builtin()
    )
    for args in (("--open",), ("--open", "--bundled")):
        code, output = run("schema", "custom_field.created", *args)
        assert code == 0
        assert json.loads(output) == expected
        assert '"additionalProperties": false' not in output
        assert '"enum"' not in output


def test_an_unknown_event_exits_2_with_a_suggestion() -> None:
    for command in ("schema", "example"):
        code, output = run(command, "case.creatd")
        assert code == 2
        assert "'case.creatd' is not a known Qase webhook event; did you mean case.created" in output


def test_an_unrecognisable_event_exits_2_without_a_suggestion() -> None:
    code, output = run("schema", "zzz")
    assert code == 2
    assert "'zzz' is not a known Qase webhook event" in output
    assert "did you mean" not in output


def test_schema_shows_an_overlay_event_bundled_with_the_shared_definitions(tmp_path: Path) -> None:
    code, output = run("schema", "result.created", "--bundled", "--schemas", str(write_overlay(tmp_path)))
    assert code == 0
    document = json.loads(output)
    assert document["properties"]["timestamp"]["maximum"] == 9999999999
    assert f"with the overlay {tmp_path}" in document["$comment"]
    assert "$ref" not in output


@pytest.mark.parametrize("path", example_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_example_prints_the_shipped_file_byte_for_byte(path: Path) -> None:
    code, output = run("example", path.parent.name, "--variant", path.stem)
    assert code == 0
    assert output == path.read_text(encoding="utf-8")


def test_example_defaults_to_the_canonical_variant() -> None:
    code, output = run("example", "plan.created")
    assert code == 0
    assert output == (EXAMPLES / "plan.created" / "canonical.json").read_text(encoding="utf-8")


def test_an_unknown_variant_exits_2_listing_the_variants() -> None:
    code, output = run("example", "run.deleted", "--variant", "nope")
    assert code == 2
    assert (
        "run.deleted has no example 'nope'; its variants: automation-token, canonical, other-project"
        in output
    )


def test_example_list_names_the_variants() -> None:
    code, output = run("example", "case.created", "--list")
    assert code == 0
    assert output.split() == sorted(path.stem for path in (EXAMPLES / "case.created").glob("*.json"))


def test_list_and_variant_together_are_a_usage_error() -> None:
    code, output = run("example", "case.created", "--list", "--variant", "canonical")
    assert code == 2
    assert "--list and --variant exclude each other" in output


def test_an_overlay_brings_examples_for_new_and_known_events(tmp_path: Path) -> None:
    overlay = str(write_overlay(tmp_path))
    assert run("example", "result.created", "--schemas", overlay) == (
        0,
        '{"event_name": "result.created", "payload": {}}\n',
    )
    assert run("example", "run.deleted", "--list", "--schemas", overlay)[1].split() == [
        "automation-token",
        "canonical",
        "other-project",
        "team",
    ]


def test_the_envelope_has_a_schema_but_no_example() -> None:
    code, output = run("example", "envelope")
    assert code == 2
    assert "no example ships for envelope" in output


def write_bundle(folder: Path, *args: str) -> Path:
    code, output = run("schema", "case.created", *args)
    assert code == 0
    path = folder / "case.created.bundled.schema.json"
    path.write_text(output, encoding="utf-8")
    return path


def write_delivery(folder: Path, delivery: Any) -> Path:
    path = folder / "delivery.json"
    path.write_text(json.dumps(delivery), encoding="utf-8")
    return path


def test_check_jsonschema_uses_a_bundle_without_a_base_uri_offline(tmp_path: Path) -> None:
    schemafile = write_bundle(tmp_path, "--bundled")
    canonical = load_json(EXAMPLES / "case.created" / "canonical.json")
    accepted = check_jsonschema(write_delivery(tmp_path, canonical), schemafile, with_base_uri=False)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    canonical["payload"]["priority"] = "high"
    rejected = check_jsonschema(write_delivery(tmp_path, canonical), schemafile, with_base_uri=False)
    assert rejected.returncode == 1, rejected.stdout + rejected.stderr
    assert "'high' is not of type 'object'" in rejected.stdout


def test_check_jsonschema_accepts_drift_under_the_open_schema_offline(tmp_path: Path) -> None:
    drifted = load_json(EXAMPLES / "case.created" / "canonical.json")
    drifted["payload"]["layer"] = "e2e"
    drifted["payload"]["automation"]["id"] = 7
    closed = check_jsonschema(write_delivery(tmp_path, drifted), write_bundle(tmp_path, "--bundled"), False)
    assert closed.returncode == 1, closed.stdout + closed.stderr
    tolerant = check_jsonschema(write_delivery(tmp_path, drifted), write_bundle(tmp_path, "--open"), False)
    assert tolerant.returncode == 0, tolerant.stdout + tolerant.stderr


def test_events_marks_a_built_in_event_an_overlay_replaces(tmp_path: Path) -> None:
    (tmp_path / "events" / "run").mkdir(parents=True)
    shutil.copy(SCHEMAS / "events" / "run" / "deleted.schema.json", tmp_path / "events" / "run")
    entries = json.loads(run("events", "--format", "json", "--schemas", str(tmp_path))[1])
    origins = {entry["name"]: entry["origin"] for entry in entries}
    assert origins["run.deleted"] == "overlay"
    assert sum(origin == "overlay" for origin in origins.values()) == 1
