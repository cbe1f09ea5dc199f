"""Drift reports for people and programs: JSON, plain text and Markdown, rendered from the
report data (``qase_contract.drift.report_data``), so the three never disagree."""

from __future__ import annotations

import json
import re
from typing import Any

from qase_contract._util.printable import one_line
from qase_contract._util.words import counted
from qase_contract.contract._keywords import KEY_PATTERN
from qase_contract.validation._explain import broken_limit, shown


def render_json(data: dict[str, Any], *, everything: bool = True) -> str:
    """The data as it is: programs always get every event (``everything`` is for the others)."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# -- shared wording ---------------------------------------------------------------------


def _percent(count: int, of: int) -> str:
    return f"{count} of {of} ({100 * count / of:.1f}%)" if of else str(count)


def _types(names: list[str] | dict[str, int]) -> str:
    return " or ".join(names) if names else "nothing"


def _values(values: list[Any]) -> str:
    return ", ".join(shown(value) for value in values)


def _changes(event: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(change, path, detail, first location) for every difference of one event."""
    rows = []
    for item in event["undocumented_fields"]:
        examples = "; redacted" if item["redacted"] else ""
        if item["examples"]:
            examples = f"; e.g. {_values(item['examples'])}"
        rows.append(
            (
                "undocumented field",
                item["path"],
                f"in {_percent(item['count'], item['of'])} as {_types(item['types'])}{examples}",
                item["first_location"],
            )
        )
    for item in event["type_changes"]:
        unexpected = [name for name in item["seen"] if name not in item["expected"]]
        seen = ", ".join(f"{name} {count}" for name, count in item["seen"].items())
        rows.append(
            (
                "type change",
                item["path"],
                f"{_types(unexpected)} in {_percent(item['unexpected'], item['of'])}; "
                f"expected {_types(item['expected'])} (seen: {seen}) (breaking)",
                item["first_location"],
            )
        )
    for item in event["forbidden_nulls"]:
        rows.append(
            (
                "forbidden null",
                item["path"],
                f"null in {_percent(item['count'], item['of'])} (breaking)",
                item["first_location"],
            )
        )
    for item in event["unknown_values"]:
        for value in item["values"]:
            rows.append(
                (
                    "unknown value",
                    item["path"],
                    f"{shown(value['value'])} in {_percent(value['count'], item['of'])}; "
                    f"allowed {_values(item['allowed'])}",
                    value["first_location"],
                )
            )
    for item in event["limit_breaks"]:
        rows.append(
            (
                item["code"].replace("-", " "),
                item["path"],
                f"{_broken_values(item)} in {_percent(item['count'], item['of'])} "
                f"{_limit_wording(item)} (breaking)",
                item["first_location"],
            )
        )
    for item in event["missing_required_fields"]:
        rows.append(
            (
                "missing field",
                item["path"],
                f"missing in {_percent(item['missing'], item['of'])} (breaking)",
                "",
            )
        )
    return rows


#: The lists of changes of an event, each a kind of row of :func:`_changes`.
_CHANGE_KEYS = (
    "undocumented_fields",
    "type_changes",
    "forbidden_nulls",
    "unknown_values",
    "limit_breaks",
    "missing_required_fields",
)


def _affecting_rows(data: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(event, change, path, detail, first location) for every change that affects the
    consumer whose read-set judged the report (``drift --reads``)."""
    rows: list[tuple[str, str, str, str, str]] = []
    for name, event in data["events"].items():
        touching = {key: [item for item in event[key] if item.get("affects")] for key in _CHANGE_KEYS}
        rows.extend((name, change, path, detail, where) for change, path, detail, where in _changes(touching))
    return rows


def _broken_values(item: dict[str, Any]) -> str:
    """The examples of a limit break: keys for ``propertyNames``, nothing shown when redacted."""
    noun = "key" if item["keyword"] == KEY_PATTERN else "value"
    if item["redacted"]:
        return f"{noun}s (redacted)" if item["count"] > 1 else f"a {noun} (redacted)"
    examples = _values(item["examples"])
    prefix = "e.g. " if item["count"] > len(item["examples"]) else ""
    if noun == "value":
        return prefix + examples
    return f"{prefix}{noun}{'s' if len(item['examples']) > 1 else ''} {examples}"


def _limit_wording(item: dict[str, Any]) -> str:
    keyword = "pattern" if item["keyword"] == KEY_PATTERN else item["keyword"]
    return broken_limit(keyword, item["limit"])


def _schema_rows(schema: dict[str, Any], path: str = "/payload") -> list[tuple[str, str]]:
    """(path, types and values) for each path of an observed schema, for unknown events."""
    kind = schema.get("type", "anything")
    described = " or ".join(kind) if isinstance(kind, list) else kind
    if "enum" in schema:
        described += f" ({_values(schema['enum'])})"
    rows = [(path, described)]
    for key, below in schema.get("properties", {}).items():
        rows.extend(_schema_rows(below, f"{path}/{key}"))
    for keyword in ("additionalProperties", "items"):
        if isinstance(schema.get(keyword), dict):
            rows.extend(_schema_rows(schema[keyword], f"{path}/*"))
    return rows


def _new_detail(item: dict[str, Any]) -> str:
    what, detail = item["what"], item["detail"]
    if what == "event":
        text = counted(detail, "delivery", "deliveries")
    elif what == "field":
        text = f"as {_types(detail)}"
    elif what == "value":
        text = shown(detail)
    elif what == "break":
        text = f"{detail} broken"
    else:
        text = str(detail)
    if item.get("breaking"):
        text += " (breaking)"
    return text + (f" (first {item['first_location']})" if item["first_location"] else "")


def _baseline_rows(baseline: dict[str, Any]) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    """(what, event, path, detail) for every new shape, and a line for every unseen entry."""
    new = [
        (f"new {item['what']}", item["event"], item["path"], _new_detail(item) + _touch(item))
        for item in baseline["new"]
    ]
    unseen = [
        f"{item['event']}{' ' + item['path'] if item['path'] else ''}: {item['what']} never seen"
        + (f" ({item['detail']})" if item["what"] == "type" else "")
        + (f" ({shown(item['detail'])})" if item["what"] == "value" else "")
        + (f" ({item['detail']})" if item["what"] == "break" else "")
        for item in baseline["unseen"]
    ]
    return new, unseen


def _touch(item: dict[str, Any]) -> str:
    """For a new shape judged by a read-set: the read path it touches."""
    read_path = item.get("read_path")
    return f" (touches read {read_path or '/'})" if read_path is not None else ""


def _baseline_found(baseline: dict[str, Any], new: int) -> str:
    """``2 new shapes`` or ``nothing new``; with a read-set, how many touch what is read."""
    found = counted(new, "new shape") if new else "nothing new"
    if "reads" in baseline and new:
        touching = sum(1 for item in baseline["new"] if item["read_path"] is not None)
        found += f", {touching} {'touches' if touching == 1 else 'touch'} what you read"
    return found


def _verdict(data: dict[str, Any]) -> str | None:
    """``FAILED (--fail-on breaking): ...``, when the data carries a verdict."""
    verdict = data.get("verdict")
    if verdict is None:
        return None
    return (
        f"{'PASSED' if verdict['passed'] else 'FAILED'} (--fail-on {verdict['fail_on']}): {verdict['reason']}"
    )


def _nothing_profiled(data: dict[str, Any]) -> bool:
    return bool(data["deliveries"]) and data["deliveries"] == data["summary"]["skipped_records"]


def _headline(data: dict[str, Any]) -> str:
    summary = data["summary"]
    if not data["deliveries"]:
        return "no record in the corpus"
    if _nothing_profiled(data):
        return f"no delivery profiled: {counted(summary['skipped_records'], 'record')} skipped"
    return (
        f"{counted(data['deliveries'], 'delivery')}, "
        f"{counted(summary['events_seen'], 'event')} "
        f"({summary['events_differing']} {'differs' if summary['events_differing'] == 1 else 'differ'} "
        f"from the contract, {summary['unknown_events']} unknown), "
        f"{counted(summary['skipped_records'], 'record')} skipped, "
        f"{counted(summary['unseen_events'], 'catalogued event')} never seen"
    )


# -- text -------------------------------------------------------------------------------


def render_text(data: dict[str, Any], *, everything: bool = False) -> str:
    """The verdict, the headline, the changes to what a read-set reads, the baseline's new
    shapes, then each event that differs; events as documented are counted in one line, and
    listed with ``everything``."""
    verdict = _verdict(data)
    lines = ([verdict] if verdict else []) + [_headline(data)]
    if "reads" in data:
        # The consumer's changes lead: what the rest of the report says may not concern it.
        rows = _affecting_rows(data)
        file = data["reads"]["file"]
        lines.append("")
        lines.append(
            f"changes to what you read ({file}): {len(rows)}"
            if rows
            else f"no change touches what you read ({file})"
        )
        lines.extend(
            f"  {name} {change} {path}: {detail}" + (f"  [first {where}]" if where else "")
            for name, change, path, detail, where in rows
        )
    if data["baseline"] is not None:
        lines.extend(_text_baseline(data["baseline"]))
    as_documented = 0
    for name, event in data["events"].items():
        if not event["differs"] and not everything:
            as_documented += 1
            continue
        state = "unknown event" if not event["known"] else event["schema"]
        lines.append("")
        lines.append(
            f"{name}: {counted(event['deliveries'], 'delivery')} ({state})"
            + ("" if event["differs"] else ", as documented")
        )
        for change, path, detail, where in _changes(event):
            lines.append(f"  {change} {path}: {detail}" + (f"  [first {where}]" if where else ""))
        if event["unseen_optional_fields"]:
            lines.append("  optional fields never seen: " + ", ".join(event["unseen_optional_fields"]))
        if event["observed_schema"] is not None:
            lines.append("  observed shape:")
            lines.extend(
                f"    {path}: {described}" for path, described in _schema_rows(event["observed_schema"])
            )
        lines.extend(f"  note: {note}" for note in event["notes"])
    if as_documented:
        lines += ["", f"{counted(as_documented, 'event')} as documented (-v lists them)"]
    if data["unseen_events"] and not _nothing_profiled(data):
        lines += [
            "",
            f"catalogued events never seen ({len(data['unseen_events'])}): "
            + ", ".join(data["unseen_events"]),
        ]
    for item in data["skipped"]:
        lines += [
            "",
            f"skipped {item['reason']}: {item['count']} [first {item['first_location']}]: {item['message']}",
        ]
    lines.extend(f"note: {note}" for note in data["notes"])
    return "\n".join(one_line(line) for line in lines) + "\n"


def _text_baseline(baseline: dict[str, Any]) -> list[str]:
    new, unseen = _baseline_rows(baseline)
    lines = ["", f"baseline {baseline['file']}: {_baseline_found(baseline, len(new))}"]
    lines.extend(
        f"  {what} {event}{' ' + path if path else ''}: {detail}" for what, event, path, detail in new
    )
    lines.extend(f"  warning: {line}" for line in unseen)
    return lines


# -- Markdown ---------------------------------------------------------------------------


def _code(text: str) -> str:
    """``text`` as inline code that survives a table cell: fenced by more backticks than any
    run inside it (CommonMark), so a key or event name cannot end the span and inject markup."""
    text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}" if longest else f"{fence}{text}{fence}"


#: Characters that start inline Markdown markup mid-line: emphasis, code, links and images.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]!~])")


def _cell(text: str) -> str:
    """``text`` as plain table-cell text: no HTML or Markdown markup from a delivery (an image
    or a link would render), no cell break."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text).replace("|", "\\|")


def _summary(event: dict[str, Any]) -> str:
    if not event["known"]:
        return "unknown event"
    counts = [
        (len(event["undocumented_fields"]), "undocumented field"),
        (len(event["type_changes"]), "type change"),
        (len(event["forbidden_nulls"]), "forbidden null"),
        (sum(len(item["values"]) for item in event["unknown_values"]), "unknown value"),
        (len(event["limit_breaks"]), "broken limit"),
        (len(event["missing_required_fields"]), "missing field"),
    ]
    parts = [f"{count} {label}{'s' if count > 1 else ''}" for count, label in counts if count]
    return ", ".join(parts) or "none"


def render_markdown(data: dict[str, Any], *, everything: bool = False) -> str:
    """A job summary: the verdict, the changes to what a read-set reads and the baseline's new
    shapes first, then a table of the events that differ (every event with ``everything``) and
    one table per event."""
    lines = ["## Qase webhook drift"]
    verdict = data.get("verdict")
    if verdict is not None:
        word = "Passed" if verdict["passed"] else "Failed"
        lines += ["", f"**{word}** (`--fail-on {verdict['fail_on']}`): {_cell(verdict['reason'])}"]
    lines += ["", _headline(data) + "."]
    if "reads" in data:
        lines += ["", *_markdown_reads(data)]
    if data["baseline"] is not None:
        lines += ["", *_markdown_baseline(data["baseline"])]
    shown = {name: event for name, event in data["events"].items() if everything or event["differs"]}
    if shown:
        lines += ["", "| event | deliveries | differences |", "|---|---:|---|"]
        lines.extend(
            f"| {_code(name)} | {event['deliveries']} | {_summary(event)} |" for name, event in shown.items()
        )
    documented = [name for name, event in data["events"].items() if name not in shown]
    if documented:
        lines += [
            "",
            f"<details><summary>{counted(len(documented), 'event')} as documented</summary>",
            "",
            ", ".join(_code(name) for name in documented),
            "",
            "</details>",
        ]
    for name, event in shown.items():
        rows = _changes(event)
        if rows:
            lines += [
                "",
                f"### {_code(name)}",
                "",
                "| change | path | detail | first seen |",
                "|---|---|---|---|",
            ]
            lines.extend(
                f"| {change} | {_code(path)} | {_cell(detail)} | {_code(where) if where else ''} |"
                for change, path, detail, where in rows
            )
        if event["observed_schema"] is not None:
            lines += ["", f"### {_code(name)} (unknown event)", "", "| path | observed |", "|---|---|"]
            lines.extend(
                f"| {_code(path)} | {_cell(described)} |"
                for path, described in _schema_rows(event["observed_schema"])
            )
        unseen = event["unseen_optional_fields"]
        if unseen:
            lines += [
                "",
                f"<details><summary><code>{_cell(name)}</code>: "
                f"{counted(len(unseen), 'optional field')} never seen"
                "</summary>",
                "",
                ", ".join(_code(path) for path in unseen),
                "",
                "</details>",
            ]
    if data["unseen_events"] and not _nothing_profiled(data):
        lines += [
            "",
            f"<details><summary>Catalogued events never seen ({len(data['unseen_events'])})</summary>",
            "",
            ", ".join(_code(name) for name in data["unseen_events"]),
            "",
            "</details>",
        ]
    if data["skipped"]:
        lines += ["", "### Skipped records", "", "| reason | count | first | message |", "|---|---:|---|---|"]
        lines.extend(
            f"| {item['reason']} | {item['count']} | {_code(item['first_location'])} | "
            f"{_cell(item['message'])} |"
            for item in data["skipped"]
        )
    notes = list(data["notes"]) + [note for event in data["events"].values() for note in event["notes"]]
    if notes:
        lines += ["", *[f"> {_cell(note)}" for note in notes]]
    return "\n".join(one_line(line) for line in lines) + "\n"


def _markdown_reads(data: dict[str, Any]) -> list[str]:
    rows = _affecting_rows(data)
    file = _code(data["reads"]["file"])
    if not rows:
        return [f"No change touches what you read ({file})."]
    lines = [f"### Changes to what you read ({file}): {len(rows)}", ""]
    lines += ["| event | change | path | detail | first seen |", "|---|---|---|---|---|"]
    lines.extend(
        f"| {_code(name)} | {change} | {_code(path)} | {_cell(detail)} | {_code(where) if where else ''} |"
        for name, change, path, detail, where in rows
    )
    return lines


def _markdown_baseline(baseline: dict[str, Any]) -> list[str]:
    new, unseen = _baseline_rows(baseline)
    lines = [f"### Baseline {_code(baseline['file'])}: {_baseline_found(baseline, len(new))}"]
    if new:
        lines += ["", "| new | event | path | detail |", "|---|---|---|---|"]
        lines.extend(
            f"| {what} | {_code(event)} | {_code(path) if path else ''} | {_cell(detail)} |"
            for what, event, path, detail in new
        )
    if unseen:
        lines += [
            "",
            f"<details><summary>{len(unseen)} baseline entries not seen (warnings)</summary>",
            "",
            *[f"- {_cell(line)}" for line in unseen],
            "",
            "</details>",
        ]
    return lines
