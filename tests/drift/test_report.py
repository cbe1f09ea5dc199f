"""The drift report of a corpus holding every kind of drift: exact JSON, text and Markdown."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from qase_contract import EVENTS
from tests.helpers.drift import (
    FORGED_EVENT,
    FORGED_KEY,
    FORGED_VALUE,
    MARKDOWN_EVENT,
    MARKDOWN_VALUE,
    changed,
    every_kind_of_drift,
    run,
    write_jsonl,
)

SEEN = {
    "case.deleted",
    "custom_field.created",
    "milestone.created",
    "review.approval_status_changed",
    "run.completed",
    "suite.created",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "captured.jsonl", every_kind_of_drift())


def no_drift(**overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "known": True,
        "deliveries": 1,
        "differs": True,
        "undocumented_fields": [],
        "type_changes": [],
        "forbidden_nulls": [],
        "unknown_values": [],
        "limit_breaks": [],
        "missing_required_fields": [],
        "unseen_optional_fields": [],
        "observed_schema": None,
        "notes": [],
    }
    return {**event, **overrides}


def test_the_json_report_lists_every_kind_of_drift_exactly(corpus: Path) -> None:
    code, output, _ = run("drift", "--format", "json", str(corpus))
    at = f"{corpus}:"
    assert code == 1  # a type change, a forbidden null, a missing field: breaking
    assert json.loads(output) == {
        "format": "qase-contract drift report",
        "version": 1,
        "deliveries": 10,
        "summary": {
            "events_seen": 7,
            "events_differing": 6,
            "unknown_events": 1,
            "unseen_events": 34,
            "skipped_records": 1,
        },
        "events": {
            "case.deleted": no_drift(
                schema="events/case/deleted.schema.json",
                differs=False,
                unseen_optional_fields=[
                    f"/payload/{key}"
                    for key in [
                        "attachments",
                        "automation",
                        "behavior",
                        "custom_fields",
                        "description",
                        "milestone_id",
                        "postconditions",
                        "preconditions",
                        "priority",
                        "severity",
                        "status",
                        "steps",
                        "suite_id",
                        "title",
                        "type",
                    ]
                ],
            ),
            "custom_field.created": no_drift(
                schema="events/custom_field/created.schema.json",
                undocumented_fields=[
                    {
                        "path": "/payload/api_token",
                        "count": 1,
                        "of": 1,
                        "share": 1.0,
                        "types": {"string": 1},
                        "first_location": at + "6",
                        "examples": [],
                        "redacted": True,
                        "observed_schema": {"type": "string"},
                    }
                ],
            ),
            "milestone.created": no_drift(
                schema="events/milestone/created.schema.json",
                deliveries=3,
                undocumented_fields=[
                    {
                        "path": "/payload/color",
                        "count": 1,
                        "of": 3,
                        "share": 0.3333,
                        "types": {"string": 1},
                        "first_location": at + "2",
                        "examples": ["red"],
                        "redacted": False,
                        "observed_schema": {"type": "string"},
                    }
                ],
                forbidden_nulls=[
                    {
                        "path": "/payload/title",
                        "count": 1,
                        "of": 3,
                        "share": 0.3333,
                        "first_location": at + "3",
                    }
                ],
            ),
            "result.created": no_drift(
                known=False,
                schema="envelope.schema.json",
                observed_schema={
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "run_id": {"type": "integer"},
                        "status": {"type": "string"},
                    },
                    "required": ["id", "run_id", "status"],
                    "additionalProperties": False,
                },
            ),
            "review.approval_status_changed": no_drift(
                schema="events/review/approval_status_changed.schema.json",
                unknown_values=[
                    {
                        "path": "/payload/status",
                        "allowed": ["unapproved", "approved", "request changes", "changes_requested"],
                        "values": [{"value": "rejected", "count": 1, "first_location": at + "5"}],
                        "of": 1,
                        "complete": True,
                    }
                ],
            ),
            "run.completed": no_drift(
                schema="events/run/completed.schema.json",
                missing_required_fields=[{"path": "/payload/duration", "missing": 1, "of": 1, "share": 1.0}],
            ),
            "suite.created": no_drift(
                schema="events/suite/created.schema.json",
                type_changes=[
                    {
                        "path": "/payload/parent_id",
                        "expected": ["integer", "null"],
                        "seen": {"string": 1},
                        "unexpected": 1,
                        "of": 1,
                        "share": 1.0,
                        "first_location": at + "4",
                    }
                ],
            ),
        },
        # run.started is unseen: its only line is truncated.
        "unseen_events": sorted({event.name for event in EVENTS} - SEEN),
        "skipped": [
            {
                "reason": "unparsable",
                "count": 1,
                "first_location": at + "10",
                "message": "the body is not valid JSON: unexpected end of data: column 31",
            }
        ],
        "notes": [],
        "baseline": None,
        "verdict": {"passed": False, "fail_on": "breaking", "reason": VERDICT_REASON},
    }


VERDICT_REASON = (
    "3 breaking changes in 3 events (milestone.created, run.completed, suite.created); "
    "1 record with no event to profile (see skipped); 3 events (custom_field.created, result.created, "
    "review.approval_status_changed) with additive drift only"
)


def test_the_text_report_gives_one_line_per_difference_with_its_first_location(corpus: Path) -> None:
    code, output, _ = run("drift", str(corpus))
    at = f"{corpus}:"
    assert code == 1
    lines = output.splitlines()
    assert lines[:2] == [
        f"FAILED (--fail-on breaking): {VERDICT_REASON}",
        "10 deliveries, 7 events (6 differ from the contract, 1 unknown), 1 record skipped, "
        "34 catalogued events never seen",
    ]
    for expected in (
        "1 event as documented (-v lists them)",
        f"  undocumented field /payload/api_token: in 1 of 1 (100.0%) as string; redacted  [first {at}6]",
        f'  undocumented field /payload/color: in 1 of 3 (33.3%) as string; e.g. "red"  [first {at}2]',
        f"  forbidden null /payload/title: null in 1 of 3 (33.3%) (breaking)  [first {at}3]",
        "result.created: 1 delivery (unknown event)",
        "    /payload/run_id: integer",
        '  unknown value /payload/status: "rejected" in 1 of 1 (100.0%); allowed "unapproved", "approved", '
        f'"request changes", "changes_requested"  [first {at}5]',
        "  missing field /payload/duration: missing in 1 of 1 (100.0%) (breaking)",
        "  type change /payload/parent_id: string in 1 of 1 (100.0%); expected integer or null "
        f"(seen: string 1) (breaking)  [first {at}4]",
        f"skipped unparsable: 1 [first {at}10]: the body is not valid JSON: unexpected end of data: "
        "column 31",
    ):
        assert expected in lines
    assert not any(line.startswith("case.deleted") for line in lines)
    verbose = run("drift", "-v", str(corpus))[1].splitlines()
    assert "case.deleted: 1 delivery (events/case/deleted.schema.json), as documented" in verbose
    assert any(line.startswith("  optional fields never seen: /payload/attachments, ") for line in verbose)


def test_the_markdown_report_is_a_job_summary_with_one_table_per_event(corpus: Path) -> None:
    code, output, _ = run("drift", "--format", "markdown", str(corpus))
    at = f"{corpus}:"
    assert code == 1
    assert output.startswith(
        "## Qase webhook drift\n\n"
        f"**Failed** (`--fail-on breaking`): {VERDICT_REASON.replace('_', chr(92) + '_')}\n\n"
        "10 deliveries, 7 events (6 differ from the contract, 1 unknown), 1 record skipped, "
        "34 catalogued events never seen.\n\n"
        "| event | deliveries | differences |\n"
        "|---|---:|---|\n"
        "| `custom_field.created` | 1 | 1 undocumented field |\n"
        "| `milestone.created` | 3 | 1 undocumented field, 1 forbidden null |\n"
        "| `result.created` | 1 | unknown event |\n"
        "| `review.approval_status_changed` | 1 | 1 unknown value |\n"
        "| `run.completed` | 1 | 1 missing field |\n"
        "| `suite.created` | 1 | 1 type change |\n\n"
        "<details><summary>1 event as documented</summary>\n\n`case.deleted`\n\n</details>\n"
    )
    assert (
        "### `milestone.created`\n\n"
        "| change | path | detail | first seen |\n"
        "|---|---|---|---|\n"
        f'| undocumented field | `/payload/color` | in 1 of 3 (33.3%) as string; e.g. "red" | `{at}2` |\n'
        f"| forbidden null | `/payload/title` | null in 1 of 3 (33.3%) (breaking) | `{at}3` |\n"
    ) in output
    assert (
        "### `result.created` (unknown event)\n\n"
        "| path | observed |\n"
        "|---|---|\n"
        "| `/payload` | object |\n"
        "| `/payload/id` | integer |\n"
        "| `/payload/run_id` | integer |\n"
        "| `/payload/status` | string |\n"
    ) in output
    every_event = run("drift", "--format", "markdown", "--all", str(corpus))[1]
    assert "| `case.deleted` | 1 | none |\n" in every_event
    assert (
        "<details><summary><code>case.deleted</code>: 15 optional fields never seen</summary>" in every_event
    )
    assert "<details><summary>Catalogued events never seen (34)</summary>" in output
    assert f"| unparsable | 1 | `{at}10` | the body is not valid JSON" in output


def test_markdown_cells_escape_pipes_and_backticks(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "odd|name.jsonl", [changed("milestone.created", **{"a|b`c": "x|y"})])
    output = run("drift", "--format", "markdown", str(corpus))[1]
    assert (
        '| undocumented field | `` /payload/a\\|b`c `` | in 1 of 1 (100.0%) as string; e.g. "x\\|y" |'
        in output
    )


@pytest.mark.parametrize("output_format", ["text", "markdown", "json"])
def test_no_format_ever_shows_the_value_of_a_field_named_like_a_secret(
    corpus: Path, output_format: str
) -> None:
    output = run("drift", "--format", output_format, str(corpus))[1]
    assert "api_token" in output
    assert "s3cr3t" not in output


def test_the_report_goes_to_a_file_with_output(corpus: Path, tmp_path: Path) -> None:
    target = tmp_path / "drift.md"
    code, output, _ = run("drift", "--format", "markdown", "--output", str(target), str(corpus))
    assert code == 1
    assert output == ""
    assert target.read_text(encoding="utf-8").startswith("## Qase webhook drift\n")


@pytest.mark.parametrize("output_format", ["text", "markdown"])
def test_text_and_markdown_escape_what_a_delivery_could_forge(tmp_path: Path, output_format: str) -> None:
    forged = changed("run.deleted", **{FORGED_KEY: FORGED_VALUE})
    forged_event = {**changed("run.deleted"), "event_name": FORGED_EVENT}
    corpus = write_jsonl(tmp_path / "forged.jsonl", [forged, forged_event])
    _, output, _ = run("drift", "--format", output_format, str(corpus))
    assert "\u001b" not in output
    assert "\r" not in output
    assert not any(line.startswith(("FAKE", "## FAKE")) for line in output.splitlines())
    if output_format == "markdown":
        assert "<img" not in output


def test_the_headline_agrees_in_number(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "one.jsonl", [changed("milestone.created", extra=1)])
    headline = run("drift", str(corpus))[1].splitlines()[1]
    assert headline.startswith(
        "1 delivery, 1 event (1 differs from the contract, 0 unknown), 0 records skipped"
    )


def test_nothing_below_a_credential_field_is_shown_or_suggested(tmp_path: Path) -> None:
    secret = "SEKRET-BELOW"
    records = [
        {**changed("run.started", auth={"value": secret}, tokens=[secret])},
        {"event_name": "result.created", "payload": {"auth": {"value": secret}, "tokens": [secret]}},
    ]
    corpus = write_jsonl(tmp_path / "c.jsonl", records)
    for format_ in ("text", "markdown", "json"):
        assert secret not in run("drift", "--format", format_, str(corpus))[1]
    suggested = tmp_path / "suggested"
    run("drift", "--suggest", str(suggested), str(corpus))
    written = "".join(path.read_text(encoding="utf-8") for path in suggested.rglob("*.json"))
    assert "tokens" in written
    assert secret not in written


def test_markdown_from_the_corpus_cannot_inject_markup(tmp_path: Path) -> None:
    name, value = MARKDOWN_EVENT, MARKDOWN_VALUE
    corpus = write_jsonl(
        tmp_path / "c.jsonl",
        [{"event_name": name, "payload": {"k": value}}, changed("milestone.created", note=value)],
    )
    output = run("drift", "--format", "markdown", str(corpus))[1]
    # The event name sits in a code span whose fence is longer than any backtick run inside it,
    # where Markdown renders nothing; outside code spans no markup from the corpus is left.
    assert f"``` {name} ```" in output
    outside_code = re.sub(r"(`+) .*? \1|`[^`]*`", "", output.replace(f"``` {name} ```", ""))
    assert "<b>" not in outside_code
    assert "![" not in outside_code.replace("\\![", "")
