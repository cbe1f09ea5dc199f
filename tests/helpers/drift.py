"""Small corpora for the drift tests, built from the shipped examples with one change each."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner

from qase_contract.cli import main
from tests.helpers.data import EXAMPLES, load_json


def example(event: str, variant: str = "canonical") -> dict[str, Any]:
    return copy.deepcopy(load_json(EXAMPLES / event / f"{variant}.json"))


def changed(event: str, **payload: Any) -> dict[str, Any]:
    """The canonical delivery of ``event`` with payload keys set (or removed, with ``...``)."""
    delivery = example(event)
    for key, value in payload.items():
        if value is ...:
            del delivery["payload"][key]
        else:
            delivery["payload"][key] = value
    return delivery


def write_jsonl(path: Path, records: list[Any]) -> Path:
    """One record per line: a delivery as JSON, or a ``str`` written as it is (a broken line)."""
    lines = [record.encode() if isinstance(record, str) else orjson.dumps(record) for record in records]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def every_kind_of_drift() -> list[Any]:
    """One corpus holding each kind of drift once, next to deliveries that conform."""
    return [
        example("milestone.created"),
        changed("milestone.created", color="red"),  # undocumented field
        changed("milestone.created", title=None),  # null where the contract forbids it
        changed("suite.created", parent_id="12"),  # a string where an integer (or null) is expected
        changed("review.approval_status_changed", status="rejected"),  # outside a closed set
        changed("custom_field.created", api_token="s3cr3t-value"),  # undocumented, named like a secret
        changed("run.completed", duration=...),  # a required field missing
        example("case.deleted"),  # documented optional fields never seen
        {  # an event outside the catalogue
            "event_name": "result.created",
            "timestamp": 1764230400,
            "payload": {"id": 99, "run_id": 7, "status": "passed"},
            "team_member_id": 0,
            "project_code": "DEMO",
        },
        '{"event_name": "run.started", ',  # truncated: skipped, the rest still read
    ]


#: Names, keys and values from a corpus that try to forge a report: its lines (control
#: characters, CR LF), its Markdown (code spans, images, links) and its HTML (tags, attributes,
#: a closing script or style element, an entity). Every report must show them as text.
FORGED_KEY = "new\u001b[2J\r\nFAKE"
FORGED_VALUE = "<img src=x onerror=alert(1)>"
FORGED_EVENT = "run.x\r\n## FAKE"
MARKDOWN_EVENT = "x`` ![pwn](https://evil.example/p.png) <b>bold</b> ``y.z"
MARKDOWN_VALUE = "![t](https://evil.example/t.png)"
SCRIPT_EVENT = "</script><script>alert(2)</script>"
ATTRIBUTE_KEY = '"><img src=x onerror=alert(3)>'
STYLE_KEY = "</style><svg onload=alert(4)>"
ENTITY_VALUE = "&lt;b&gt;"


def hostile_corpus() -> list[Any]:
    """Deliveries carrying every forged text above, and a broken line naming a remote frame."""
    return [
        changed("run.deleted", **{FORGED_KEY: FORGED_VALUE}),
        {**changed("run.deleted"), "event_name": FORGED_EVENT},
        {"event_name": MARKDOWN_EVENT, "payload": {"k": MARKDOWN_VALUE}},
        changed("milestone.created", note=MARKDOWN_VALUE),
        {"event_name": "case.created\u001b[2J\r\nFAKE ok", "payload": {}, "x\u0007": 1},
        {"event_name": SCRIPT_EVENT, "payload": {"k": 1}},
        changed("milestone.created", **{ATTRIBUTE_KEY: ENTITY_VALUE, STYLE_KEY: 1}),
        '{"event_name": "<iframe src=//evil.example/f>", ',
    ]


def run(*args: str) -> tuple[int, str, str]:
    """The CLI in-process: exit code, standard output, standard error."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def write_baseline(tmp_path: Path, records: list[Any]) -> Path:
    """The baseline ``drift --write-baseline`` writes for ``records``."""
    corpus = write_jsonl(tmp_path / "before.jsonl", records)
    target = tmp_path / "baseline.json"
    # --fail-on never: the corpus may hold breaking changes; the baseline records them all the same.
    code, _, errors = run("drift", "--fail-on", "never", "--write-baseline", str(target), str(corpus))
    assert code == 0, errors
    return target


def check_baseline(tmp_path: Path, baseline: Path, records: list[Any]) -> tuple[int, dict[str, Any]]:
    """The exit code and the JSON report's ``baseline`` part of checking ``records`` against it."""
    corpus = write_jsonl(tmp_path / "after.jsonl", records)
    code, output, _ = run("drift", "--format", "json", "--baseline", str(baseline), str(corpus))
    return code, json.loads(output)["baseline"]


#: What a baseline stores for the canonical milestone.created delivery.
MILESTONE_CREATED_SHAPE: dict[str, Any] = {
    "/event_name": {"types": ["string"], "values": ["milestone.created"]},
    "/payload": {"types": ["object"]},
    "/payload/description": {"types": ["string"]},
    "/payload/id": {"types": ["integer"]},
    "/payload/title": {"types": ["string"]},
    "/project_code": {"types": ["string"]},
    "/team_member_id": {"types": ["integer"]},
    "/timestamp": {"types": ["integer"]},
}
