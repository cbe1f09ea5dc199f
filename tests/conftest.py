"""Fixtures shared by every test module; shared helpers live in tests/helpers/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.data import EXAMPLES, load_json

# The plugin's own tests run pytest inside pytest; pytest_plugins is only allowed in the root conftest.
pytest_plugins = ["pytester"]


@pytest.fixture
def canonical() -> Any:
    """A fresh copy of the canonical case.created delivery, for tests to mutate."""
    return load_json(EXAMPLES / "case.created" / "canonical.json")
