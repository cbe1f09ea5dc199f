"""Value limits in drift: values that break maximum, minimum, pattern, propertyNames, ... are
counted per path and reported as breaking, gated by baselines and never adopted by suggest."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from qase_contract import Validator
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.drift import CorpusProfile, compare
from qase_contract.sources._model import Delivery, Location
from tests.helpers.data import ROOT, example_files, load_json
from tests.helpers.drift import (
    MILESTONE_CREATED_SHAPE,
    changed,
    check_baseline,
    example,
    run,
    write_baseline,
    write_jsonl,
)

DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
MILESTONE = ROOT / "schemas" / "events" / "milestone" / "created.schema.json"


def enveloped(event: str, **envelope: Any) -> dict[str, Any]:
    """The canonical delivery of ``event`` with envelope keys (``timestamp``, ...) set."""
    return {**example(event), **envelope}


def every_kind_of_limit() -> list[dict[str, Any]]:
    """One break of each limit keyword the shipped contract uses, next to a delivery that conforms."""
    return [
        enveloped("milestone.created", timestamp=1650533865000),  # milliseconds: above maximum
        enveloped("milestone.created", team_member_id=-1),  # below minimum
        example("milestone.created"),
        changed("review.updated", updated="2022-04-21T09:47:38Z"),  # ISO date: pattern
        changed("plan.created", cases={"1033": 0, "c7": 0}),  # a key that is no case id: propertyNames
    ]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "limits.jsonl", every_kind_of_limit())


def milestone_overlay(folder: Path, **properties: Any) -> Path:
    """An overlay whose milestone.created payload declares (or redeclares) ``properties``."""
    schema = json.loads(MILESTONE.read_text(encoding="utf-8"))
    schema["$defs"]["payload"]["properties"].update(properties)
    target = folder / "events" / "milestone" / "created.schema.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(schema), encoding="utf-8")
    return folder


def breaks_of(records: list[Any], overlay: Path | None = None) -> list[tuple[str, str, object, int, int]]:
    """(path, keyword, limit, count, of) of every limit break of milestone.created."""
    schema_set = SchemaSet.builtin().with_overlay(overlay) if overlay is not None else None
    profile = CorpusProfile.of(
        (Delivery(record, Location("c.jsonl", line=n)) for n, record in enumerate(records, 1)), schema_set
    )
    event = compare(profile).events["milestone.created"]
    return [(item.path, item.keyword, item.limit, item.count, item.of) for item in event.limit_breaks]


def test_each_kind_of_limit_break_is_one_breaking_line_with_its_first_location(corpus: Path) -> None:
    code, output, _ = run("drift", str(corpus))
    at = f"{corpus}:"
    assert code == 1  # broken limits are breaking
    lines = output.splitlines()
    # Events whose only difference is a broken limit differ from the contract.
    assert lines[1] == (
        "5 deliveries, 3 events (3 differ from the contract, 0 unknown), 0 records skipped, "
        "37 catalogued events never seen"
    )
    for expected in (
        "milestone.created: 3 deliveries (events/milestone/created.schema.json)",
        f"  out of range /team_member_id: -1 in 1 of 3 (33.3%) below the minimum 0 (breaking)  [first {at}2]",
        "  out of range /timestamp: 1650533865000 in 1 of 3 (33.3%) above the maximum 9999999999 "
        f"(breaking)  [first {at}1]",
        "review.updated: 1 delivery (events/review/updated.schema.json)",
        '  bad format /payload/updated: "2022-04-21T09:47:38Z" in 1 of 1 (100.0%) does not match '
        f"pattern {DATE_PATTERN} (breaking)  [first {at}4]",
        "plan.created: 1 delivery (events/plan/created.schema.json)",
        '  bad format /payload/cases: key "c7" in 1 of 2 (50.0%) does not match pattern ^[0-9]+$ '
        f"(breaking)  [first {at}5]",
    ):
        assert expected in lines
    assert not any(line.endswith(", as documented") for line in lines)


def test_the_json_report_lists_limit_breaks_with_their_code(corpus: Path) -> None:
    code, output, _ = run("drift", "--format", "json", str(corpus))
    at = f"{corpus}:"
    report = json.loads(output)
    assert code == 1
    assert report["summary"]["events_differing"] == 3
    events = report["events"]
    assert events["milestone.created"]["differs"] is True
    assert events["milestone.created"]["limit_breaks"] == [
        {
            "path": "/team_member_id",
            "code": "out-of-range",
            "keyword": "minimum",
            "limit": 0,
            "count": 1,
            "of": 3,
            "share": 0.3333,
            "first_location": at + "2",
            "examples": [-1],
            "redacted": False,
        },
        {
            "path": "/timestamp",
            "code": "out-of-range",
            "keyword": "maximum",
            "limit": 9999999999,
            "count": 1,
            "of": 3,
            "share": 0.3333,
            "first_location": at + "1",
            "examples": [1650533865000],
            "redacted": False,
        },
    ]
    assert events["review.updated"]["limit_breaks"] == [
        {
            "path": "/payload/updated",
            "code": "bad-format",
            "keyword": "pattern",
            "limit": DATE_PATTERN,
            "count": 1,
            "of": 1,
            "share": 1.0,
            "first_location": at + "4",
            "examples": ["2022-04-21T09:47:38Z"],
            "redacted": False,
        }
    ]
    assert events["plan.created"]["limit_breaks"] == [
        {
            "path": "/payload/cases",
            "code": "bad-format",
            "keyword": "propertyNames",
            "limit": "^[0-9]+$",
            "count": 1,
            "of": 2,
            "share": 0.5,
            "first_location": at + "5",
            "examples": ["c7"],
            "redacted": False,
        }
    ]


def test_the_markdown_report_counts_broken_limits_per_event(corpus: Path) -> None:
    output = run("drift", "--format", "markdown", str(corpus))[1]
    at = f"{corpus}:"
    assert "| `milestone.created` | 3 | 2 broken limits |\n" in output
    assert "| `plan.created` | 1 | 1 broken limit |\n" in output
    assert (
        "| out of range | `/timestamp` | 1650533865000 in 1 of 3 (33.3%) above the maximum 9999999999 "
        f"(breaking) | `{at}1` |\n"
    ) in output


def test_counts_and_shares_cover_a_corpus_mixing_good_and_bad_deliveries(tmp_path: Path) -> None:
    good = [enveloped("milestone.created", timestamp=1650533865 + n) for n in range(6)]
    bad = [enveloped("milestone.created", timestamp=1650533865000 + n) for n in (0, 1, 1, 2, 3)]
    plans = [
        changed("plan.created", cases={"1": 0, "x": 0, "y": 0}),  # two bad keys in one map
        changed("plan.created", cases={"2": 0, "3": 0}),
        changed("plan.created", cases={"x": 1}),
    ]
    corpus = write_jsonl(tmp_path / "mixed.jsonl", [*good[:3], *bad, *good[3:], *plans])
    code, output, _ = run("drift", "--format", "json", str(corpus))
    assert code == 1
    events = json.loads(output)["events"]
    [timestamp] = events["milestone.created"]["limit_breaks"]
    assert (timestamp["count"], timestamp["of"], timestamp["share"]) == (5, 11, 0.4545)
    assert timestamp["first_location"] == f"{corpus}:4"
    # Three distinct examples at most, in the order first seen.
    assert timestamp["examples"] == [1650533865000, 1650533865001, 1650533865002]
    [keys] = events["plan.created"]["limit_breaks"]
    assert (keys["count"], keys["of"], keys["examples"]) == (3, 6, ["x", "y"])
    text = run("drift", str(corpus))[1]
    assert (
        "  out of range /timestamp: e.g. 1650533865000, 1650533865001, 1650533865002 in 5 of 11 (45.5%) "
        f"above the maximum 9999999999 (breaking)  [first {corpus}:4]"
    ) in text.splitlines()
    assert (
        '  bad format /payload/cases: e.g. keys "x", "y" in 3 of 6 (50.0%) does not match pattern '
        f"^[0-9]+$ (breaking)  [first {corpus}:12]"
    ) in text.splitlines()


def test_exclusive_bounds_lengths_and_multiples_break_only_past_the_limit(tmp_path: Path) -> None:
    overlay = milestone_overlay(
        tmp_path / "overlay",
        id={"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 100},
        title={"type": "string", "minLength": 2, "maxLength": 4},
        points={"type": "number", "multipleOf": 0.5},
    )
    records = [
        changed("milestone.created", id=identifier, title=title, points=points)
        for identifier, title, points in [
            (1, "ab", 1.5),  # every value on a limit's allowed edge
            (99, "abcd", 2),
            (0, "a", 1.25),  # an exclusive bound equal to the value breaks it
            (100, "abcde", 0.5),
            (100.0, "ab", 3),  # a whole float is compared as the number it is
        ]
    ]
    assert breaks_of(records, overlay) == [
        ("/payload/id", "exclusiveMinimum", 0, 1, 5),
        ("/payload/id", "exclusiveMaximum", 100, 2, 5),
        ("/payload/points", "multipleOf", 0.5, 1, 5),
        ("/payload/title", "minLength", 2, 1, 5),
        ("/payload/title", "maxLength", 4, 1, 5),
    ]
    corpus = write_jsonl(tmp_path / "c.jsonl", records)
    text = run("drift", "--schemas", str(overlay), str(corpus))[1].splitlines()
    assert (
        "  out of range /payload/id: 0 in 1 of 5 (20.0%) not above the exclusive minimum 0 (breaking)  "
        f"[first {corpus}:3]"
    ) in text
    assert (
        "  invalid value /payload/points: 1.25 in 1 of 5 (20.0%) not a multiple of 0.5 (breaking)  "
        f"[first {corpus}:3]"
    ) in text
    assert (
        f'  bad format /payload/title: "abcde" in 1 of 5 (20.0%) does not match maxLength 4 (breaking)  '
        f"[first {corpus}:4]"
    ) in text


def test_bools_are_not_numbers_and_nulls_break_no_limit(tmp_path: Path) -> None:
    overlay = milestone_overlay(
        tmp_path / "overlay", flag={"type": ["boolean", "integer", "null"], "minimum": 5}
    )
    records = [changed("milestone.created", flag=value) for value in (True, False, None, 7, 1)]
    assert breaks_of(records, overlay) == [("/payload/flag", "minimum", 5, 1, 5)]


@pytest.mark.parametrize("output_format", ["text", "markdown", "json"])
def test_a_field_named_like_a_credential_breaks_limits_without_showing_its_value(
    tmp_path: Path, output_format: str
) -> None:
    overlay = milestone_overlay(tmp_path / "overlay", api_key={"type": "string", "minLength": 12})
    corpus = write_jsonl(tmp_path / "c.jsonl", [changed("milestone.created", api_key="hunter2")] * 2)
    code, output, _ = run("drift", "--format", output_format, "--schemas", str(overlay), str(corpus))
    assert code == 1
    assert "hunter2" not in output
    if output_format == "text":
        assert (
            "  bad format /payload/api_key: values (redacted) in 2 of 2 (100.0%) does not match "
            f"minLength 12 (breaking)  [first {corpus}:1]"
        ) in output.splitlines()
    if output_format == "json":
        [broken] = json.loads(output)["events"]["milestone.created"]["limit_breaks"]
        assert (broken["examples"], broken["redacted"], broken["count"]) == ([], True, 2)


def test_the_profile_keeps_no_example_of_a_credential_breaking_a_limit(tmp_path: Path) -> None:
    overlay = milestone_overlay(tmp_path / "overlay", api_key={"type": "string", "minLength": 12})
    schema_set = SchemaSet.builtin().with_overlay(overlay)
    delivery = Delivery(changed("milestone.created", api_key="hunter2"), Location("c.jsonl", line=1))
    profile = CorpusProfile.of([delivery], schema_set)
    node = profile.events["milestone.created"].root.children["payload"].children["api_key"]
    [broken] = node.broken_limits.values()
    assert (broken.count, broken.examples) == (1, [])


def test_a_final_newline_breaks_a_pattern_ending_in_dollar_as_in_the_validator() -> None:
    dated = changed("review.updated", updated="2022-04-21 09:47:38\n")
    [broken] = (
        compare(CorpusProfile.of([Delivery(dated, Location("c.jsonl", line=1))]))
        .events["review.updated"]
        .limit_breaks
    )
    assert (broken.path, broken.keyword, broken.examples) == (
        "/payload/updated",
        "pattern",
        ("2022-04-21 09:47:38\n",),
    )


def test_a_limit_only_some_branches_impose_is_not_reported(tmp_path: Path) -> None:
    overlay = milestone_overlay(
        tmp_path / "overlay",
        # An integer above 10 passes the second branch: no break.
        either={"anyOf": [{"type": "integer", "maximum": 10}, {"type": "integer"}]},
        # Only the first branch accepts numbers, so its maximum holds for every number.
        number_or_text={"oneOf": [{"type": "integer", "maximum": 10}, {"type": "string"}]},
        # A limit every branch imposes holds whichever branch accepts the value.
        shared={
            "anyOf": [{"type": "string", "maxLength": 3}, {"type": "string", "maxLength": 3, "minLength": 1}]
        },
        # allOf: every member's limits hold.
        both={"type": "integer", "allOf": [{"minimum": 0}, {"maximum": 5}]},
    )
    records = [changed("milestone.created", either=50, number_or_text=50, shared="abcd", both=-1)]
    records.append(changed("milestone.created", either=5, number_or_text="long text", shared="", both=9))
    assert breaks_of(records, overlay) == [
        ("/payload/both", "minimum", 0, 1, 2),
        ("/payload/both", "maximum", 5, 1, 2),
        ("/payload/number_or_text", "maximum", 10, 1, 2),
        ("/payload/shared", "maxLength", 3, 1, 2),
    ]


def test_the_limits_of_a_ref_and_its_siblings_both_hold(tmp_path: Path) -> None:
    overlay = milestone_overlay(
        tmp_path / "overlay", id={"$ref": "../../common/defs.schema.json#/$defs/teamMemberId", "maximum": 9}
    )
    records = [changed("milestone.created", id=-3), changed("milestone.created", id=10)]
    assert breaks_of(records, overlay) == [
        ("/payload/id", "minimum", 0, 1, 2),
        ("/payload/id", "maximum", 9, 1, 2),
    ]


def test_suggest_lists_limit_breaks_as_not_adopted_and_loosens_nothing(tmp_path: Path, corpus: Path) -> None:
    overlay = tmp_path / "overlay"
    code, _, errors = run("drift", "--suggest", str(overlay), str(corpus))
    assert code == 1  # the corpus breaks the contract
    lines = errors.splitlines()
    assert lines[0] == f"suggest: nothing to adopt; {overlay} left unchanged"
    assert lines[1:] == [
        f"  not adopted: milestone.created /team_member_id: minimum 0 broken in 1 of 3 {BY_HAND}",
        f"  not adopted: milestone.created /timestamp: maximum 9999999999 broken in 1 of 3 {BY_HAND}",
        '  not adopted: plan.created /payload/cases: propertyNames pattern "^[0-9]+$" broken in 1 of 2 '
        + BY_HAND,
        f'  not adopted: review.updated /payload/updated: pattern "{DATE_PATTERN}" broken in 1 of 1 '
        + BY_HAND,
    ]
    assert not overlay.exists()


BY_HAND = "(breaking: deliveries like these fail validate; --adopt-breaking adopts it)"


def test_adopt_breaking_removes_each_broken_limit_where_it_is_declared(tmp_path: Path, corpus: Path) -> None:
    overlay = tmp_path / "overlay"
    code, _, errors = run("drift", "--suggest", str(overlay), "--adopt-breaking", str(corpus))
    assert code == 1  # the verdict is on the corpus as the contract stood
    assert errors.splitlines()[1:] == [
        "  adopted: milestone.created /team_member_id: minimum 0 removed from "
        "common/defs.schema.json#/$defs/teamMemberId (breaking)",
        "  adopted: milestone.created /timestamp: maximum 9999999999 removed from "
        "common/defs.schema.json#/$defs/unixSeconds (breaking)",
        '  adopted: plan.created /payload/cases: propertyNames pattern "^[0-9]+$" removed from '
        "common/defs.schema.json#/$defs/planCases (breaking)",
        f'  adopted: review.updated /payload/updated: pattern "{DATE_PATTERN}" removed from '
        "common/defs.schema.json#/$defs/textDateTime (breaking)",
    ]
    report = json.loads(run("drift", "-f", "json", "--schemas", str(overlay), str(corpus))[1])
    assert report["summary"]["events_differing"] == 0
    assert run("validate", "--schemas", str(overlay), str(corpus))[0] == 0


def test_an_overlay_suggested_for_other_drift_keeps_the_limits(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    corpus = write_jsonl(
        tmp_path / "c.jsonl", [changed("milestone.created", color="red") | {"timestamp": 1650533865000}]
    )
    code, _, errors = run("drift", "--suggest", str(overlay), str(corpus))
    assert code == 1
    assert "  adopted: milestone.created /payload/color: new field declared in " in errors
    report = json.loads(run("drift", "--format", "json", "--schemas", str(overlay), str(corpus))[1])
    event = report["events"]["milestone.created"]
    assert event["undocumented_fields"] == []
    assert [item["keyword"] for item in event["limit_breaks"]] == ["maximum"]


# -- baselines ----------------------------------------------------------------------------


def test_a_limit_broken_where_the_baseline_had_no_break_exits_1(tmp_path: Path) -> None:
    clean = [example("milestone.created"), example("review.updated"), example("plan.created")]
    baseline = write_baseline(tmp_path, clean)
    assert "breaks" not in baseline.read_text(encoding="utf-8")
    code, result = check_baseline(tmp_path, baseline, every_kind_of_limit())
    after = f"{tmp_path / 'after.jsonl'}:"
    assert code == 1
    assert result["new"] == [
        {
            "event": "milestone.created",
            "path": "/team_member_id",
            "what": "break",
            "detail": "minimum",
            "first_location": after + "2",
            "breaking": True,
        },
        {
            "event": "milestone.created",
            "path": "/timestamp",
            "what": "break",
            "detail": "maximum",
            "first_location": after + "1",
            "breaking": True,
        },
        {
            "event": "plan.created",
            "path": "/payload/cases",
            "what": "break",
            "detail": "propertyNames",
            "first_location": after + "5",
            "breaking": True,
        },
        {
            "event": "review.updated",
            "path": "/payload/updated",
            "what": "break",
            "detail": "pattern",
            "first_location": after + "4",
            "breaking": True,
        },
    ]
    text = run("drift", "--baseline", str(baseline), str(tmp_path / "after.jsonl"))[1].splitlines()
    assert f"baseline {baseline}: 4 new shapes" in text
    assert f"  new break milestone.created /timestamp: maximum broken (breaking) (first {after}1)" in text


def test_a_corpus_breaking_limits_passes_its_own_baseline_which_keeps_keyword_names_only(
    tmp_path: Path, corpus: Path
) -> None:
    target = tmp_path / "baseline.json"
    assert (
        run("drift", "--write-baseline", str(target), str(corpus))[0] == 1
    )  # breaking, written all the same
    data = json.loads(target.read_text(encoding="utf-8"))
    milestone = data["events"]["milestone.created"]
    assert milestone["/timestamp"] == {"types": ["integer"], "breaks": ["maximum"]}
    assert milestone["/team_member_id"] == {"types": ["integer"], "breaks": ["minimum"]}
    assert data["events"]["plan.created"]["/payload/cases"] == {
        "types": ["object"],
        "breaks": ["propertyNames"],
    }
    for value in ("1650533865000", "-1", "2022-04-21T09:47:38Z", "c7"):
        assert value not in target.read_text(encoding="utf-8")
    code, output, _ = run("drift", "--baseline", str(target), str(corpus))
    assert code == 0
    assert f"\nbaseline {target}: nothing new\n" in output


def test_a_new_limit_keyword_at_a_path_with_breaks_is_still_new(tmp_path: Path) -> None:
    baseline = write_baseline(tmp_path, [enveloped("milestone.created", timestamp=1650533865000)])
    code, result = check_baseline(tmp_path, baseline, [enveloped("milestone.created", timestamp=-5)])
    assert code == 1
    assert [(item["path"], item["detail"]) for item in result["new"]] == [("/timestamp", "minimum")]
    assert result["unseen"] == [
        {"event": "milestone.created", "path": "/timestamp", "what": "break", "detail": "maximum"}
    ]
    text = run("drift", "--baseline", str(baseline), str(tmp_path / "after.jsonl"))[1]
    assert "  warning: milestone.created /timestamp: break never seen (maximum)" in text.splitlines()


def test_an_old_baseline_without_breaks_loads_as_one_without_breaks(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(
        json.dumps(
            {
                "format": "qase-contract drift baseline",
                "version": 1,
                "events": {"milestone.created": MILESTONE_CREATED_SHAPE},
            }
        ),
        encoding="utf-8",
    )
    assert check_baseline(tmp_path, old, [example("milestone.created")]) == (
        0,
        {"file": str(old), "passed": True, "new": [], "unseen": []},
    )
    code, result = check_baseline(tmp_path, old, [enveloped("milestone.created", timestamp=1650533865000)])
    assert code == 1
    assert [(item["path"], item["what"], item["detail"]) for item in result["new"]] == [
        ("/timestamp", "break", "maximum")
    ]


def test_a_baseline_with_malformed_breaks_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "baseline.json"
    target.write_text(
        '{"format": "qase-contract drift baseline", "version": 1, '
        '"events": {"a.b": {"/x": {"types": ["integer"], "breaks": "maximum"}}}}',
        encoding="utf-8",
    )
    code, _, errors = run("drift", "--baseline", str(target), str(ROOT / "examples" / "conforming.jsonl"))
    assert code == 2
    assert "/events/a.b/~1x/breaks must be a list of keyword names, got 'maximum'" in errors


# -- differential: drift counts what the validator flags -----------------------------------

LIMIT_FINDINGS = {"out-of-range", "bad-format"}


def broken_copy(value: Any, rng: random.Random) -> Any:
    """``value`` with some numbers, review dates and case-id keys turned into ones that break limits."""
    if isinstance(value, dict):
        copy = {key: broken_copy(item, rng) for key, item in value.items()}
        if value and all(key.isdigit() for key in value) and rng.random() < 0.4:
            copy[f"c{rng.randrange(100)}"] = 0
        return copy
    if isinstance(value, list):
        return [broken_copy(item, rng) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and rng.random() < 0.2:
        return rng.choice([-1, -value, value * 1000])
    if isinstance(value, str) and re.fullmatch(DATE_PATTERN, value) and rng.random() < 0.5:
        # A final newline breaks the pattern only with ECMA's "$", as in the validator.
        return rng.choice([value.replace(" ", "T") + "Z", value + "\n"])
    return value


def generated_corpus(copies: int = 4, seed: int = 7) -> list[Any]:
    rng = random.Random(seed)
    bodies = [load_json(path) for path in example_files()]
    return [broken_copy(body, rng) for body in bodies for _ in range(copies)]


def drift_counts(bodies: list[Any]) -> Counter[tuple[str, str, str]]:
    profile = CorpusProfile.of(
        Delivery(body, Location("c.jsonl", line=n)) for n, body in enumerate(bodies, 1)
    )
    counts: Counter[tuple[str, str, str]] = Counter()
    for name, event in compare(profile).events.items():
        for broken in event.limit_breaks:
            # The validator names the offending key itself: its path is one level below the object.
            path = f"{broken.path}/*" if broken.keyword == "propertyNames" else broken.path
            counts[(name, path, broken.code)] += broken.count
    return counts


def validator_counts(bodies: list[Any]) -> Counter[tuple[str, str, str]]:
    validator = Validator()
    counts: Counter[tuple[str, str, str]] = Counter()
    for body in bodies:
        for finding in validator.validate(body).findings:
            if finding.code not in LIMIT_FINDINGS:
                continue
            if "propertyNames" in finding.schema_path:
                path = finding.path.rsplit("/", 1)[0] + "/*"
            else:
                path = re.sub(r"/\d+(?=/|$)", "/*", finding.path)  # array indexes and case-id keys
            counts[(body["event_name"], path, finding.code)] += 1
    return counts


def test_drift_counts_every_limit_break_the_validator_flags_at_each_path() -> None:
    bodies = generated_corpus()
    expected = validator_counts(bodies)
    # The generated corpus breaks every kind of limit the contract has, many times.
    assert {(path, code) for _, path, code in expected} >= {
        ("/timestamp", "out-of-range"),
        ("/team_member_id", "out-of-range"),
        ("/payload/cases/*", "bad-format"),
        ("/payload/updated", "bad-format"),
    }
    assert sum(expected.values()) > 100
    assert drift_counts(bodies) == expected
