"""``qase-contract export openapi|asyncapi``: the documents, on standard output or in a file, JSON or YAML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from qase_contract import SchemaSet
from qase_contract.contract._export import asyncapi, openapi
from tests.helpers.cli import invoke

BUILDERS = {"openapi": openapi, "asyncapi": asyncapi}


def write_overlay(folder: Path, payload: dict[str, object]) -> Path:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Qase webhook delivery: result.created",
        "type": "object",
        "properties": {"event_name": {"const": "result.created"}, "payload": payload},
        "required": ["event_name", "payload"],
    }
    (folder / "events" / "result").mkdir(parents=True)
    (folder / "events" / "result" / "created.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    return folder


@pytest.mark.parametrize("kind", ["openapi", "asyncapi"])
def test_export_prints_the_document_as_json(kind: str) -> None:
    run = invoke("export", kind)
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout) == BUILDERS[kind](SchemaSet.builtin())


@pytest.mark.parametrize("kind", ["openapi", "asyncapi"])
def test_export_open_prints_the_tolerant_document(kind: str) -> None:
    run = invoke("export", kind, "--open")
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout) == BUILDERS[kind](SchemaSet.builtin(), True)


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".YAML"])
def test_export_writes_yaml_to_a_file_named_so(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"qase{suffix}"
    run = invoke("export", "asyncapi", "--output", str(target))
    assert (run.code, run.stdout) == (0, "")
    text = target.read_text(encoding="utf-8")
    assert text.startswith('asyncapi: "3.0.0"\n')
    assert yaml.safe_load(text) == asyncapi(SchemaSet.builtin())


def test_export_writes_json_to_any_other_file_and_yaml_on_request(tmp_path: Path) -> None:
    invoke("export", "openapi", "-o", str(tmp_path / "qase.json"))
    assert json.loads((tmp_path / "qase.json").read_text(encoding="utf-8"))["openapi"] == "3.1.0"
    run = invoke("export", "openapi", "--yaml")
    assert run.stdout.startswith('openapi: "3.1.0"\n')


@pytest.mark.parametrize("name", ["qase.json", "qase.yaml"])
def test_export_writes_the_same_bytes_on_every_run(tmp_path: Path, name: str) -> None:
    first, second = tmp_path / "1" / name, tmp_path / "2" / name
    first.parent.mkdir()
    second.parent.mkdir()
    assert invoke("export", "openapi", "-o", str(first)).code == 0
    assert invoke("export", "openapi", "-o", str(second)).code == 0
    assert first.read_bytes() == second.read_bytes()


def test_export_includes_an_overlay_event_and_names_the_overlay(tmp_path: Path) -> None:
    overlay = write_overlay(tmp_path, {"type": "object"})
    run = invoke("export", "openapi", "--schemas", str(overlay))
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert list(doc["webhooks"])[-1] == "result.created"
    assert doc["webhooks"]["result.created"]["post"]["summary"] == "Qase webhook delivery: result.created"
    assert f"with the overlay {overlay}" in doc["info"]["description"]


def test_a_schema_that_cannot_be_exported_is_a_usage_error_naming_the_place(tmp_path: Path) -> None:
    overlay = write_overlay(tmp_path, {"type": "object", "prefixItems": [{}]})
    run = invoke("export", "asyncapi", "--schemas", str(overlay))
    assert run.code == 2
    assert "cannot export asyncapi: ResultCreated: prefixItems has no draft-07 form" in run.stderr
    assert "Traceback" not in run.stderr


def test_an_unknown_document_kind_is_a_usage_error() -> None:
    run = invoke("export", "graphql")
    assert run.code == 2
    assert "'graphql' is not one of 'openapi', 'asyncapi'" in run.stderr


def test_an_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    run = invoke("export", "openapi", "-o", str(tmp_path / "missing" / "qase.json"))
    assert run.code == 2
    assert "cannot write there" in run.stderr


def test_the_command_is_listed_in_help() -> None:
    assert "export" in invoke("--help").stdout
