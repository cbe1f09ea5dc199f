"""The adversarial campaign, kept in the suite: generated deliveries never crash the validator,
never make the engines disagree, and Python subclasses of the JSON types are judged as the
plain values they hold (an ``IntEnum`` member is an integer, ``numpy.float64`` a number)."""

from __future__ import annotations

import enum
import sys
from collections import OrderedDict
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qase_contract import Result, Validator
from qase_contract.contract._patterns import is_pattern, search
from qase_contract.testing.strategies import deliveries
from qase_contract.validation._engines import fast_engine_for
from tests.helpers.data import fresh_builtin

CAMPAIGN = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: One validator for the campaign: its engines are compiled once, as in a real run.
RUST = Validator()


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 3


class Text(str):
    """A str subclass whose str() lies: the validator must judge the value, not str()."""

    def __str__(self) -> str:
        return "not the value"


class Number(float):
    pass


class Whole(int):
    def __int__(self) -> int:
        return -1


class Mapping(OrderedDict):  # type: ignore[type-arg]
    pass


def as_subclasses(value: Any) -> Any:
    """The same JSON data built from subclasses of every JSON type, keys included."""
    if isinstance(value, dict):
        return Mapping((Text(key), as_subclasses(item)) for key, item in value.items())
    if isinstance(value, list):
        return [as_subclasses(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return Priority(value) if value in (1, 3) else Whole(value)
    if isinstance(value, float):
        return Number(value)
    if isinstance(value, str):
        return Text(value)
    return value


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A conforming delivery with a few values replaced, keys added or removed anywhere."""
    delivery: dict[str, Any] = draw(deliveries())
    for _ in range(draw(st.integers(0, 3))):
        node: Any = delivery
        while isinstance(node, (dict, list)) and node and draw(st.booleans()):
            child = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
            if not isinstance(node[child], (dict, list)):
                break
            node = node[child]
        if isinstance(node, dict):
            action = draw(st.sampled_from(["set", "add", "remove"]))
            if action == "remove" and node:
                del node[draw(st.sampled_from(sorted(node)))]
            elif action == "set" and node:
                node[draw(st.sampled_from(sorted(node)))] = draw(JSON)
            else:
                node[draw(st.text(max_size=6))] = draw(JSON)
        elif isinstance(node, list) and node:
            node[draw(st.integers(0, len(node) - 1))] = draw(JSON)
    return delivery


def shapes(result: Result) -> list[tuple[str, str, str]]:
    return [(finding.kind, finding.code, finding.path) for finding in result.findings]


@pytest.fixture(scope="module")
def oracle() -> Validator:
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "jsonschema_rs", None)
        validator = Validator(schemas=fresh_builtin())
        assert fast_engine_for(validator.schema_set) is None
    return validator


@CAMPAIGN
@given(mutated())
def test_a_mutated_delivery_gets_findings_never_an_error_nor_an_engine_mismatch(
    delivery: dict[str, Any],
) -> None:
    result = Validator().validate(delivery)
    assert "engine-mismatch" not in {finding.code for finding in result.findings}


@CAMPAIGN
@given(mutated())
def test_both_engines_give_the_same_findings_on_mutated_deliveries(
    oracle: Validator, delivery: dict[str, Any]
) -> None:
    assert shapes(RUST.validate(delivery)) == shapes(oracle.validate(delivery))


@CAMPAIGN
@given(mutated())
def test_subclasses_of_the_json_types_get_the_verdict_of_the_plain_values(delivery: dict[str, Any]) -> None:
    assert RUST.validate(as_subclasses(delivery)) == RUST.validate(delivery)


def test_an_int_enum_value_is_an_integer_and_is_judged_at_once() -> None:
    from qase_contract.testing import sample_delivery

    delivery = sample_delivery("run.completed", payload={"passed": Priority.HIGH})
    assert Validator().validate(delivery).findings == ()


ECMA_PIECES = st.sampled_from(
    ["^", "$", "\\d", "\\w", "\\s", "[a-z]", "[0-9]", "\\p{Lu}", "\\p{Nd}", ".", "a", "+", "*", "?", "(x|y)"]
)
TEXTS = st.text(
    alphabet=st.sampled_from(["a", "x", "Z", "1", "\u0663", "\u00c9", " ", "\n", "_", "-"]), max_size=6
)


@CAMPAIGN
@given(st.lists(ECMA_PIECES, min_size=1, max_size=5).map("".join), TEXTS)
def test_patterns_match_as_jsonschema_rs_matches_them(pattern: str, text: str) -> None:
    if not is_pattern(pattern):
        return  # an overlay with it is refused up front (^+ is no ECMA-262 pattern in u mode)
    rust = jsonschema_rs.validator_for({"pattern": pattern})
    assert search(pattern, text) == rust.is_valid(text), (pattern, text)
