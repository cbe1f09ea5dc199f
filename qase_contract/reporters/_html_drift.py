"""``drift --format html``: the drift report as one self-contained page, rendered from the same
report data as the text, Markdown and JSON reports (so they never disagree): a bar per event,
the share of deliveries carrying each undocumented field, the type changes, and every change
in a table with filters and the file:line where it was first seen."""

from __future__ import annotations

from typing import Any

from qase_contract._util.words import counted
from qase_contract.reporters._drift import (
    _affecting_rows,
    _baseline_found,
    _baseline_rows,
    _changes,
    _headline,
    _nothing_profiled,
    _schema_rows,
    _summary,
)
from qase_contract.reporters._html import (
    MAX_ROWS,
    attribute,
    badge,
    document_end,
    document_start,
    error_page,
    filters,
    options,
    stacked_bar,
    text,
)

TITLE = "qase-contract drift report"


def render_html_error(message: str) -> str:
    return error_page(TITLE, message)


def render_html(data: dict[str, Any], *, everything: bool = False) -> str:
    """The page: the verdict, the counts, the changes to what a read-set reads and the
    baseline's new shapes first, then the events (those as documented listed with
    ``everything``, counted otherwise), the charts, every change, and the rest."""
    events: dict[str, Any] = data["events"]
    parts = [document_start(TITLE), _verdict(data), f'<p class="headline">{text(_headline(data))}.</p>\n']
    parts.append(_tiles(data))
    if "reads" in data:
        parts.append(_reads(data))
    if data["baseline"] is not None:
        parts.append(_baseline(data["baseline"]))
    parts.append(_per_event(events, everything))
    parts.append(_undocumented(events))
    parts.append(_type_changes(events))
    parts.append(_all_changes(events))
    parts.append(_unknown_events(events))
    parts.append(_unseen(data))
    parts.append(_skipped(data))
    parts.append(_notes(data))
    parts.append(document_end())
    return "".join(parts)


def _verdict(data: dict[str, Any]) -> str:
    verdict = data.get("verdict")
    if verdict is None:
        return ""
    word = badge("conforming", "PASSED") if verdict["passed"] else badge("violation", "FAILED")
    return (
        f'<p class="headline">{word} (--fail-on {text(verdict["fail_on"])}): {text(verdict["reason"])}</p>\n'
    )


def _reads(data: dict[str, Any]) -> str:
    rows = _affecting_rows(data)
    file = data["reads"]["file"]
    if not rows:
        return f'<h2>Changes to what you read</h2>\n<p class="empty-note">None touches {text(file)}.</p>\n'
    body = "".join(
        f'<tr><td>{text(name)}</td><td>{text(change)}</td><td class="path">{text(path)}</td>'
        f'<td class="message">{text(detail)}</td><td class="where">{text(where)}</td></tr>\n'
        for name, change, path, detail, where in rows
    )
    return (
        f'<h2 id="reads-title">Changes to what you read ({text(file)}): {len(rows)}</h2>\n'
        '<table id="reads" aria-labelledby="reads-title"><thead><tr><th>event</th><th>change</th>'
        f"<th>path</th><th>detail</th><th>first seen</th></tr></thead>\n<tbody>\n{body}</tbody></table>\n"
    )


def _tiles(data: dict[str, Any]) -> str:
    summary = data["summary"]
    tiles = [
        ("deliveries", data["deliveries"]),
        ("events seen", summary["events_seen"]),
        ("differ from the contract", summary["events_differing"]),
        ("unknown events", summary["unknown_events"]),
        ("records skipped", summary["skipped_records"]),
        ("catalogued events never seen", summary["unseen_events"]),
    ]
    items = "".join(f"<li><strong>{count}</strong>{text(label)}</li>" for label, count in tiles)
    return f'<ul class="tiles">{items}</ul>\n'


def _state(event: dict[str, Any]) -> str:
    if not event["known"]:
        return badge("drift", "unknown event")
    if event["differs"]:
        return badge("drift", "differs")
    return badge("conforming", "as documented")


def _per_event(events: dict[str, Any], everything: bool) -> str:
    if not events:
        return '<p class="empty-note">No delivery could be profiled.</p>\n'
    most = max(event["deliveries"] for event in events.values())
    documented = [name for name, event in events.items() if not event["differs"]]
    folded = ""
    if documented and not everything:
        events = {name: event for name, event in events.items() if event["differs"]}
        names = ", ".join(f"<code>{text(name)}</code>" for name in documented)
        folded = (
            f'<p class="empty-note">{counted(len(documented), "event")} as documented '
            f"(--all lists them here): {names}</p>\n"
        )
    rows = [
        f"<tr><td>{text(name)}</td><td>{_state(event)}</td>"
        f'<td class="chart">{stacked_bar([("share", event["deliveries"])], most)}</td>'
        f'<td class="number">{event["deliveries"]}</td><td>{text(_summary(event))}</td></tr>\n'
        for name, event in events.items()
    ]
    return (
        '<h2 id="events-title">Events</h2>\n'
        '<table id="events" aria-labelledby="events-title"><thead><tr><th>event</th><th>state</th>'
        '<th>deliveries</th><th class="number">count</th><th>differences</th></tr></thead>\n<tbody>\n'
        + "".join(rows)
        + "</tbody></table>\n"
        + folded
    )


def _share_rows(rows: list[tuple[float, str, str, int, int, str]]) -> str:
    """Rows of (share, event, path, count, of, detail), the largest share first."""
    rows.sort(key=lambda row: (-row[0], row[1], row[2]))
    return "".join(
        f'<tr><td>{text(event)}</td><td class="path">{text(path)}</td>'
        f'<td class="chart">{stacked_bar([("share", count)], of)}</td>'
        f'<td class="number">{100 * share:.1f}%</td><td>{text(detail)}</td></tr>\n'
        for share, event, path, count, of, detail in rows[:MAX_ROWS]
    )


def _undocumented(events: dict[str, Any]) -> str:
    rows = [
        (
            item["share"],
            name,
            item["path"],
            item["count"],
            item["of"],
            f"in {item['count']} of {item['of']} as {' or '.join(item['types']) or 'nothing'}",
        )
        for name, event in events.items()
        for item in event["undocumented_fields"]
    ]
    if not rows:
        return ""
    return (
        '<h2 id="undocumented-title">Undocumented fields: share of deliveries carrying each</h2>\n'
        '<table id="undocumented" aria-labelledby="undocumented-title"><thead><tr><th>event</th>'
        '<th>path</th><th>share</th><th class="number">%</th><th>seen</th></tr></thead>\n<tbody>\n'
        + _share_rows(rows)
        + "</tbody></table>\n"
    )


def _type_changes(events: dict[str, Any]) -> str:
    rows = []
    for name, event in events.items():
        for item in event["type_changes"]:
            unexpected = [kind for kind in item["seen"] if kind not in item["expected"]]
            detail = (
                f"{' or '.join(unexpected) or 'nothing'} in {item['unexpected']} of {item['of']}; "
                f"expected {' or '.join(item['expected']) or 'nothing'}"
            )
            rows.append((item["share"], name, item["path"], item["unexpected"], item["of"], detail))
    if not rows:
        return ""
    return (
        '<h2 id="types-title">Type changes: share of deliveries with an unexpected type</h2>\n'
        '<table id="types" aria-labelledby="types-title"><thead><tr><th>event</th><th>path</th>'
        '<th>share</th><th class="number">%</th><th>seen</th></tr></thead>\n<tbody>\n'
        + _share_rows(rows)
        + "</tbody></table>\n"
    )


def _all_changes(events: dict[str, Any]) -> str:
    rows = [(name, *change) for name, event in events.items() for change in _changes(event)]
    breaking = {True: "breaking", False: "additive"}
    if not rows:
        return '<h2>Changes</h2>\n<p class="empty-note">None: every event is as documented.</p>\n'
    listed = rows[:MAX_ROWS]
    selects = [
        options("event", "Event", sorted({row[0] for row in listed}), "all events"),
        options("change", "Change", sorted({row[1] for row in listed}), "all changes"),
        options("kind", "Kind", ["breaking", "additive"], "breaking or additive"),
    ]
    body = "".join(
        f"<tr data-event={attribute(name)} data-change={attribute(change)} "
        f'data-kind="{breaking[detail.endswith("(breaking)")]}"><td>{text(name)}</td>'
        f'<td>{text(change)}</td><td class="path">{text(path)}</td><td class="message">{text(detail)}</td>'
        f'<td class="where">{text(where)}</td></tr>\n'
        for name, change, path, detail, where in listed
    )
    more = ""
    if len(rows) > MAX_ROWS:
        more = (
            f'<p class="empty-note">{len(rows) - MAX_ROWS} more changes: --format json lists them all.</p>\n'
        )
    return (
        '<h2 id="changes-title">Changes</h2>\n'
        + filters("changes", selects)
        + '<table id="changes" aria-labelledby="changes-title"><thead><tr><th>event</th><th>change</th>'
        + "<th>path</th><th>detail</th><th>first seen</th></tr></thead>\n<tbody>\n"
        + body
        + "</tbody></table>\n"
        + more
    )


def _unknown_events(events: dict[str, Any]) -> str:
    parts = []
    for name, event in events.items():
        if event["observed_schema"] is None:
            continue
        rows = "".join(
            f'<tr><td class="path">{text(path)}</td><td>{text(described)}</td></tr>'
            for path, described in _schema_rows(event["observed_schema"])
        )
        parts.append(
            f"<details><summary>{text(name)} (unknown event): its observed shape</summary>"
            f"<table><thead><tr><th>path</th><th>observed</th></tr></thead><tbody>{rows}</tbody></table>"
            "</details>\n"
        )
    return "".join(parts)


def _unseen(data: dict[str, Any]) -> str:
    parts = []
    for name, event in data["events"].items():
        unseen = event["unseen_optional_fields"]
        if unseen:
            parts.append(
                f"<details><summary>{text(name)}: {counted(len(unseen), 'optional field')} never seen"
                f"</summary><p>{', '.join(f'<code>{text(path)}</code>' for path in unseen)}</p></details>\n"
            )
    if data["unseen_events"] and not _nothing_profiled(data):
        names = ", ".join(f"<code>{text(name)}</code>" for name in data["unseen_events"])
        parts.append(
            f"<details><summary>Catalogued events never seen ({len(data['unseen_events'])})</summary>"
            f"<p>{names}</p></details>\n"
        )
    return "".join(parts)


def _skipped(data: dict[str, Any]) -> str:
    if not data["skipped"]:
        return ""
    rows = "".join(
        f'<tr><td>{text(item["reason"])}</td><td class="number">{item["count"]}</td>'
        f'<td class="where">{text(item["first_location"])}</td>'
        f'<td class="message">{text(item["message"])}</td></tr>'
        for item in data["skipped"]
    )
    return (
        '<h2>Skipped records</h2>\n<table><thead><tr><th>reason</th><th class="number">count</th>'
        f"<th>first</th><th>message</th></tr></thead><tbody>{rows}</tbody></table>\n"
    )


def _notes(data: dict[str, Any]) -> str:
    notes = list(data["notes"]) + [note for event in data["events"].values() for note in event["notes"]]
    return "".join(f'<p class="empty-note">Note: {text(note)}</p>\n' for note in notes)


def _baseline(baseline: dict[str, Any]) -> str:
    new, unseen = _baseline_rows(baseline)
    found = _baseline_found(baseline, len(new))
    parts = [f"<h2>Baseline <code>{text(baseline['file'])}</code>: {text(found)}</h2>\n"]
    if new:
        rows = "".join(
            f'<tr><td>{text(what)}</td><td>{text(event)}</td><td class="path">{text(path)}</td>'
            f"<td>{text(detail)}</td></tr>"
            for what, event, path, detail in new
        )
        parts.append(
            "<table><thead><tr><th>new</th><th>event</th><th>path</th><th>detail</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>\n"
        )
    if unseen:
        items = "".join(f"<li>{text(line)}</li>" for line in unseen)
        parts.append(
            f"<details><summary>{len(unseen)} baseline entries not seen (warnings)</summary>"
            f"<ul>{items}</ul></details>\n"
        )
    return "".join(parts)
