"""Offline always: building the contract and validating never opens a socket."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any, NoReturn

import pytest

from qase_contract import Validator
from qase_contract.errors import SchemaSetError
from qase_contract.validation._engines import fast_engine_for
from tests.helpers.data import case_files, case_input, example_files, fresh_builtin, load_json


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    attempts: list[str] = []

    def refuse(name: str) -> Any:
        def refused(*args: object, **kwargs: object) -> NoReturn:
            attempts.append(name)
            raise NetworkUsed(f"socket use while validating: {name}{args}")

        return refused

    monkeypatch.setattr(socket, "socket", refuse("socket"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    return attempts


def test_validating_every_example_and_case_opens_no_socket(no_network: list[str]) -> None:
    validator = Validator(schemas=fresh_builtin())
    for path in example_files():
        assert validator.validate(load_json(path)).ok
    for path in case_files():
        validator.validate(case_input(load_json(path)))
    assert no_network == []


def test_an_overlay_pointing_at_the_network_is_refused_without_touching_it(
    no_network: list[str], tmp_path: Path
) -> None:
    schema = {
        "properties": {
            "event_name": {"const": "result.created"},
            "payload": {"$ref": "https://schemas.example.com/result.json#/$defs/payload"},
        }
    }
    (tmp_path / "result.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(SchemaSetError, match="never fetches"):
        Validator(schemas=tmp_path)
    assert no_network == []


def test_the_fast_engine_refuses_to_retrieve_a_remote_schema(no_network: list[str]) -> None:
    engine = fast_engine_for(fresh_builtin())
    assert engine is not None
    with pytest.raises(Exception, match="never fetches"):
        engine.compile({"$ref": "https://schemas.example.com/anything.json"})
    assert no_network == []
