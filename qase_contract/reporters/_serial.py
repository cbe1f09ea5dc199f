"""The JSON form of locations and findings, shared by the machine-readable formats."""

from __future__ import annotations

from qase_contract.findings import Finding
from qase_contract.reporters._base import ReportOptions, affects
from qase_contract.sources._model import Location
from qase_contract.validation._batch import Outcome


def location_data(location: Location) -> dict[str, object]:
    data: dict[str, object] = {"source": location.source, "line": location.line, "index": location.index}
    if location.container:
        data["container"] = location.container
    data["text"] = str(location)
    return data


def finding_data(finding: Finding, options: ReportOptions) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": finding.kind,
        "code": finding.code,
        "path": finding.path,
        "message": finding.message,
        "schema_path": finding.schema_path,
        "expected": finding.expected,
        "actual": finding.actual,
    }
    if finding.event is not None:
        data["event"] = finding.event
    if options.reads is not None:
        data["affects"] = affects(finding, options)
        data["read_path"] = finding.read_path
    return data


def outcome_data(outcome: Outcome, options: ReportOptions) -> dict[str, object]:
    return {
        "location": location_data(outcome.location),
        "event_name": outcome.event_name,
        "status": outcome.status,
        "findings": [
            finding_data(finding, options) for finding in outcome.findings if outcome.status != "conforming"
        ],
    }
