"""The house keeps its plan: imports follow the layers, nothing imports in a circle, and the
public API is exactly what is announced here (DESIGN.md, Layout)."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import grimp

import qase_contract
from tests.helpers.data import ROOT

#: Modules generated from the schemas (``python -m qase_contract.contract._codegen``): their
#: names follow the contract, and tests/contract/test_codegen.py holds them to a fresh generation.
GENERATED: list[str] = []

#: Every public import path and the names it offers (its ``__all__``). A path or a name that
#: disappears, or one that appears without being added here, fails the test: the public API
#: changes only on purpose.
PUBLIC_API: dict[str, list[str]] = {
    "qase_contract": [
        "EVENTS",
        "EventSpec",
        "Finding",
        "QaseContractError",
        "Result",
        "SchemaSet",
        "SchemaSetError",
        "UnknownEvent",
        "Validator",
        "__version__",
        "assert_conforms",
        "validate",
    ],
    "qase_contract.cli": ["main"],
    "qase_contract.contract": ["EVENTS", "EventSpec", "ReadSet", "SchemaSet", "bundled", "opened"],
    "qase_contract.drift": [
        "BaselineCheck",
        "CorpusProfile",
        "DriftReport",
        "EventDrift",
        "check_baseline",
        "compare",
        "observed_schema",
        "read_baseline",
        "report_data",
        "suggest_overlay",
        "write_baseline",
    ],
    "qase_contract.errors": [
        "BadEdit",
        "BadTarget",
        "BaselineError",
        "BundleError",
        "CaptureCheckFailed",
        "CaptureFormatError",
        "ConfigError",
        "MissingExtra",
        "PatternError",
        "QaseContractError",
        "ReadSetError",
        "RequestRejected",
        "SchemaSetError",
        "SchemasNotFound",
        "ServeError",
        "SourceError",
        "UnknownEvent",
        "UnknownExample",
        "UnsupportedSchema",
    ],
    "qase_contract.findings": [
        "CODES",
        "DESCRIPTIONS",
        "DRIFT",
        "VIOLATION",
        "Finding",
        "Kind",
        "Result",
        "Status",
    ],
    "qase_contract.live": ["AnswerPolicy", "Receiver", "create_app"],
    "qase_contract.models": GENERATED,
    "qase_contract.pytest_plugin": ["QaseDeliveryWarning"],
    "qase_contract.reporters": [],
    "qase_contract.sources": [
        "CaptureRecord",
        "CaptureWriter",
        "Delivery",
        "Location",
        "ReadFailure",
        "iter_capture",
        "read_paths",
    ],
    "qase_contract.testing": [
        "LiveReceiver",
        "ReceivedDelivery",
        "assert_conforms",
        "record_reads",
        "sample_delivery",
    ],
    "qase_contract.testing.strategies": ["deliveries"],
    "qase_contract.types": GENERATED,
    "qase_contract.validation": ["Validator", "validate"],
}


def _public_modules() -> list[str]:
    """Every module whose dotted path has no private part (``_x``); ``__main__`` is a script."""
    found = ["qase_contract"]
    for module in pkgutil.walk_packages(qase_contract.__path__, "qase_contract."):
        parts = module.name.split(".")[1:]
        if not any(part.startswith("_") for part in parts):
            found.append(module.name)
    return sorted(found)


def test_the_public_import_paths_are_exactly_the_announced_ones() -> None:
    assert _public_modules() == sorted(PUBLIC_API)


def test_each_public_path_offers_exactly_the_announced_names_and_each_resolves() -> None:
    for path, names in PUBLIC_API.items():
        module = importlib.import_module(path)
        if names is GENERATED:
            names = list(module.__all__)
            assert {"QaseDelivery", "CONTRACT_VERSION"} <= set(names), path
        assert sorted(getattr(module, "__all__", [])) == sorted(names), path
        for name in names:
            assert getattr(module, name) is not None, f"{path}.{name}"


def test_every_exception_shares_one_base_and_keeps_its_standard_library_base() -> None:
    from qase_contract import errors

    stdlib_bases = (ValueError, LookupError, OSError, RuntimeError, ImportError)
    for name in PUBLIC_API["qase_contract.errors"]:
        error = getattr(errors, name)
        assert issubclass(error, errors.QaseContractError), name
        if name not in ("QaseContractError", "RequestRejected", "CaptureCheckFailed"):
            assert issubclass(error, stdlib_bases), name


def test_no_exception_class_is_defined_outside_errors() -> None:
    defined = []
    for path in (ROOT / "qase_contract").rglob("*.py"):
        if path.name == "errors.py":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("class ") and ("Error)" in line or "Exception)" in line):
                defined.append(f"{path.relative_to(ROOT)}: {line}")
    assert defined == []


def test_imports_follow_the_layers_and_only_adapters_import_their_frameworks() -> None:
    lint = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "0 broken" in lint.stdout


def test_no_module_imports_another_in_a_circle_not_even_inside_a_function() -> None:
    # grimp reads every import statement, those inside functions and under TYPE_CHECKING too.
    graph = grimp.build_graph("qase_contract")
    circles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                circles.append(" -> ".join((module, *back)))
    assert circles == []
