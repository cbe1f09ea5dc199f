"""``qase-contract reads``: a read-set's check (text, JSON) and its coverage (text, Markdown)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from qase_contract._util.printable import one_line
from qase_contract.contract._coverage import Coverage, EventCoverage, ReadsItem
from qase_contract.reporters._drift import _cell, _code

CHECK_FORMAT = 1


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# -- reads check ------------------------------------------------------------------------


def check_data(source: str, items: list[ReadsItem]) -> dict[str, Any]:
    """The check as JSON data: ``ok`` is false when any item is an error."""
    levels = Counter(item.level for item in items)
    return {
        "format": CHECK_FORMAT,
        "file": source,
        "ok": not levels["error"],
        "errors": levels["error"],
        "warnings": levels["warning"],
        "notes": levels["note"],
        "items": [
            {
                "level": item.level,
                "entry": item.pattern,
                "path": item.path,
                "events": list(item.events),
                "message": item.message,
            }
            for item in items
        ],
    }


def render_check_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_check_text(data: dict[str, Any]) -> str:
    counts = ", ".join(
        _counted(data[key], noun)
        for key, noun in (("errors", "error"), ("warnings", "warning"), ("notes", "note"))
    )
    lines = [f"{data['file']}: {counts}"]
    for item in data["items"]:
        line = f"{item['level']:<8} {item['entry']}: {item['message']}"
        if item["events"] and item["events"] != [item["entry"]]:
            line += f"  [{', '.join(item['events'])}]"
        lines.append(line)
    return "\n".join(one_line(line) for line in lines) + "\n"


# -- reads show -------------------------------------------------------------------------


def _headline(source: str, coverage: Coverage) -> str:
    read = len(coverage.events)
    total = read + len(coverage.unread_events)
    fields = sum(event.read_count for event in coverage.events)
    documented = sum(len(event.fields) for event in coverage.events)
    return (
        f"{source} reads {read} of {total} events: {fields} of their {documented} documented fields, "
        f"{_counted(sum(len(event.risky) for event in coverage.events), 'risky read path')}"
    )


def _event_head(event: EventCoverage) -> str:
    entries = ", ".join(event.patterns)
    return f"{event.read_count} of {len(event.fields)} documented fields read (entries: {entries})"


def render_show_text(source: str, coverage: Coverage) -> str:
    lines = [_headline(source, coverage)]
    for event in coverage.events:
        lines += ["", f"{event.event}: {_event_head(event)}"]
        width = max((len(field.path) for field in event.fields), default=0)
        lines.extend(
            f"  {'read' if field.read else '    '}  {field.path:<{width}}  {field.types}"
            for field in event.fields
        )
        for path, risks in event.risky.items():
            lines.extend(f"  risky {path}: {risk}" for risk in risks)
        if event.undocumented:
            lines.append("  not in the contract: " + ", ".join(event.undocumented))
    if coverage.unread_events:
        lines += [
            "",
            f"events not read ({len(coverage.unread_events)}): " + ", ".join(coverage.unread_events),
        ]
    return "\n".join(one_line(line) for line in lines) + "\n"


def render_show_markdown(source: str, coverage: Coverage) -> str:
    lines = [f"## Read-set {_code(source)}", "", _cell(_headline(source, coverage)) + "."]
    if coverage.events:
        lines += ["", "| event | fields read | risky read paths |", "|---|---:|---:|"]
        lines.extend(
            f"| {_code(event.event)} | {event.read_count} of {len(event.fields)} | {len(event.risky)} |"
            for event in coverage.events
        )
    for event in coverage.events:
        lines += ["", f"### {_code(event.event)}", "", _cell(_event_head(event)) + ".", ""]
        lines += ["| field | type | read |", "|---|---|---|"]
        lines.extend(
            f"| {_code(field.path)} | {field.types} | {'yes' if field.read else ''} |"
            for field in event.fields
        )
        if event.risky:
            lines += ["", "Risky read paths:", ""]
            lines.extend(f"- {_cell(risk)}" for risks in event.risky.values() for risk in risks)
        if event.undocumented:
            lines += ["", "Not in the contract: " + ", ".join(_code(path) for path in event.undocumented)]
    if coverage.unread_events:
        lines += [
            "",
            f"<details><summary>Events not read ({len(coverage.unread_events)})</summary>",
            "",
            ", ".join(_code(name) for name in coverage.unread_events),
            "",
            "</details>",
        ]
    return "\n".join(one_line(line) for line in lines) + "\n"
