"""``--format sarif``: SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure).

One rule per finding code; a violation or unreadable record is an ``error``, drift a
``warning`` (an ``error`` under ``--strict``); with a read-set, a finding that affects the
consumer is an ``error`` and the others are ``note``s. Results stream straight to the output.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import orjson

from qase_contract._util.printable import name_bytes
from qase_contract._version import __version__
from qase_contract.findings import CODES, DESCRIPTIONS
from qase_contract.reporters._base import ReportOptions, affects, relative_path, severity
from qase_contract.validation._batch import Outcome, Tally

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_RULE_INDEX = {code: index for index, code in enumerate(CODES)}


class SarifReporter:
    def __init__(self, stream: IO[str], options: ReportOptions) -> None:
        self.stream = stream
        self.options = options
        self.lists_conforming = False
        self.started = False
        self.any_result = False

    def _start(self, invocation: dict[str, object] | None = None) -> None:
        if self.started:
            return
        self.started = True
        driver = {
            "name": "qase-contract",
            "version": __version__,
            "informationUri": "https://pypi.org/project/qase-contract/",
            "rules": [
                {
                    "id": code,
                    "name": code.title().replace("-", ""),
                    "shortDescription": {"text": DESCRIPTIONS[code]},
                    "defaultConfiguration": {"level": "error" if kind == "violation" else "warning"},
                }
                for code, kind in CODES.items()
            ],
        }
        head = orjson.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0"}).decode()[:-1]
        self.stream.write(head + ',"runs":[{"tool":' + orjson.dumps({"driver": driver}).decode())
        if invocation is not None:
            self.stream.write(',"invocations":[' + orjson.dumps(invocation).decode() + "]")
        self.stream.write(',"results":[')

    def outcome(self, outcome: Outcome) -> None:
        self._start()
        if outcome.status == "conforming":
            return
        for finding in outcome.findings:
            level = severity(finding, self.options)
            result: dict[str, object] = {
                "ruleId": finding.code,
                "ruleIndex": _RULE_INDEX[finding.code],
                "level": level,
                "message": {"text": f"{outcome.event_name or 'delivery'}: {finding.message}"},
                "locations": [_location(outcome, finding.path)],
                "properties": {
                    "event_name": outcome.event_name,
                    "path": finding.path,
                    "schema_path": finding.schema_path,
                    "location": str(outcome.location),
                },
            }
            if self.options.reads is not None:
                properties: Any = result["properties"]
                properties.update(affects=affects(finding, self.options), read_path=finding.read_path)
            self.stream.write(("," if self.any_result else "") + "\n" + orjson.dumps(result).decode())
            self.any_result = True

    def finish(self, tally: Tally) -> None:
        self._start()
        self.stream.write("\n]}]}\n")

    def fatal(self, message: str) -> None:
        invocation = {
            "executionSuccessful": False,
            "toolExecutionNotifications": [{"level": "error", "message": {"text": message}}],
        }
        self._start(invocation)
        self.stream.write("]}]}\n")


def _location(outcome: Outcome, pointer: str) -> dict[str, object]:
    location = outcome.location
    physical: dict[str, object] = {"artifactLocation": {"uri": _uri(location.source)}}
    if location.line is not None:
        physical["region"] = {"startLine": location.line}
    logical = {"fullyQualifiedName": f"{location}#{pointer}", "kind": "element"}
    return {"physicalLocation": physical, "logicalLocations": [logical]}


def _uri(source: str) -> str:
    """The file as a URI: relative to the checkout when inside it, its name's bytes percent-encoded
    (a name that is not UTF-8 is shown with ``\\xNN`` escapes elsewhere; here it is ``%NN``)."""
    if source.startswith("<"):
        return "stdin"
    relative = Path(relative_path(os.fsdecode(name_bytes(source))))
    return relative.as_uri() if relative.is_absolute() else quote(os.fsencode(relative))
