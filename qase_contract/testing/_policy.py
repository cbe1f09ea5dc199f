"""What the running test asks of the contract checks: the validator in force, and strictness.

The pytest plugin puts a policy in force around each test; :mod:`qase_contract.testing._assertions`
reads it. This module imports nothing heavy, so the plugin can use it in every test of
every session at no cost.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qase_contract.validation._validator import Validator


@dataclass(frozen=True)
class Policy:
    """The validator in force (a function, so it is built on first use) and whether drift fails."""

    validator: Callable[[], Validator]
    strict: bool


_policy: ContextVar[Policy | None] = ContextVar("qase_contract_policy", default=None)
#: The policies in force, innermost last: a thread the test starts does not inherit the
#: context variable, yet its checks belong to the running test all the same.
_in_force: list[Policy] = []


@contextlib.contextmanager
def policy_in_force(policy: Policy) -> Iterator[None]:
    token = _policy.set(policy)
    _in_force.append(policy)
    try:
        yield
    finally:
        _in_force.pop()
        _policy.reset(token)


def policy_of_running_test() -> Policy | None:
    return _policy.get() or (_in_force[-1] if _in_force else None)
