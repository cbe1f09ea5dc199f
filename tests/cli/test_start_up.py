"""What a run loads is what it uses: one conforming delivery never loads the explaining modules,
the python-jsonschema fallback, the ECMA regex engine, the TOML parser, read-sets, the capture
record, FIFO reading or shell completion, and creates no dataclass (each costs about a
millisecond); a delivery that does not conform loads the explaining modules and still not the
fallback. Checked in a fresh interpreter, as ``qase-contract`` starts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.data import EXAMPLES

#: Loaded only when a run needs them.
ON_DEMAND = [
    "qase_contract.validation._explain",
    "qase_contract.validation._failures",
    "jsonschema",
    "referencing",
    "regress",
    "tomllib",
    "qase_contract.testing._reads",
    "qase_contract.reporters._html",
    "qase_contract.sources._capture",
    "click.shell_completion",
    "qase_contract.sources._pipes",
]
SCRIPT = """
import dataclasses, json, sys
made = []
real_process = dataclasses._process_class
def counting(cls, *args, **kwargs):
    made.append(f"{cls.__module__}.{cls.__qualname__}")
    return real_process(cls, *args, **kwargs)
dataclasses._process_class = counting
from qase_contract.__main__ import run
sys.argv = ["qase-contract", "validate", sys.argv[1]]
try:
    run()
except SystemExit:
    pass
print(json.dumps([*sorted(sys.modules), *(f"dataclass {name}" for name in made)]), file=sys.stderr)
"""


def loaded_by_validating(path: Path, cwd: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path)], capture_output=True, text=True, cwd=cwd, timeout=60
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A working folder with no policy file above it that the run could find."""
    return tmp_path


def test_one_conforming_delivery_loads_nothing_it_does_not_use(folder: Path) -> None:
    delivery = folder / "one.json"
    delivery.write_bytes((EXAMPLES / "run.deleted" / "canonical.json").read_bytes())
    loaded = loaded_by_validating(delivery, folder)
    assert "qase_contract.validation._validator" in loaded
    assert [name for name in ON_DEMAND if name in loaded] == []
    assert [name for name in loaded if name.startswith("dataclass ")] == []


def test_a_delivery_that_does_not_conform_loads_the_explaining_modules_only(folder: Path) -> None:
    delivery = folder / "one.json"
    broken = json.loads((EXAMPLES / "run.deleted" / "canonical.json").read_text(encoding="utf-8"))
    broken["payload"]["extra"] = 1
    delivery.write_text(json.dumps(broken), encoding="utf-8")
    loaded = loaded_by_validating(delivery, folder)
    assert "qase_contract.validation._explain" in loaded
    assert [name for name in ON_DEMAND[2:] if name in loaded] == []
