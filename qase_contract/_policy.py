"""What the running test asks of the contract checks: the validator in force, and strictness.

The pytest plugin puts a policy in force around each test; :mod:`qase_contract.assertions`
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
    from qase_contract.validator import Validator


@dataclass(frozen=True)
class Policy:
    """The validator in force (a function, so it is built on first use) and whether drift fails."""

    validator: Callable[[], Validator]
    strict: bool


_policy: ContextVar[Policy | None] = ContextVar("qase_contract_policy", default=None)


@contextlib.contextmanager
def policy_in_force(policy: Policy) -> Iterator[None]:
    token = _policy.set(policy)
    try:
        yield
    finally:
        _policy.reset(token)


def policy_of_running_test() -> Policy | None:
    return _policy.get()
