"""A consumer's suite records what it reads, checks it, and is then judged by it when Qase changes.

The inner sessions are a small but real consumer: ``notify.py`` turns deliveries into chat
messages and reads a handful of fields of three events.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qase_contract.contract import ReadSet
from qase_contract.testing import sample_delivery
from tests.helpers.cli import invoke

NOTIFY = '''
def message(delivery):
    """The chat line for a delivery, or None for events this consumer ignores."""
    event = delivery["event_name"]
    payload = delivery["payload"]
    if event == "run.completed":
        counts = f"{payload['passed']} passed, {payload['failed']} failed"
        return f"{delivery['project_code']} run {payload['id']}: {counts}"
    if event == "run.started":
        plan = payload["plan"]
        return f"run {payload['id']} started" + (f" from {plan['title']}" if plan is not None else "")
    if event == "case.created":
        automated = payload["automation"]["id"] != 0
        return f"new case {payload['id']}: {payload['title']}" + (" (automated)" if automated else "")
    return None
'''

CONSUMER_TESTS = """
import notify


def test_a_completed_run(qase_delivery):
    delivery = qase_delivery("run.completed", payload={"passed": 3, "failed": 1}, project_code="DEMO")
    assert notify.message(delivery) == "DEMO run 2: 3 passed, 1 failed"


def test_a_run_started_from_a_plan(qase_delivery):
    delivery = qase_delivery("run.started", payload={"plan": {"id": 1, "title": "Smoke"}})
    assert notify.message(delivery).endswith("from Smoke")


def test_a_run_started_without_a_plan(qase_delivery):
    assert notify.message(qase_delivery("run.started", payload={"plan": None})).endswith("started")


def test_a_new_case(qase_delivery):
    assert notify.message(qase_delivery("case.created")).startswith("new case")


def test_other_events_are_ignored(qase_delivery):
    assert notify.message(qase_delivery("suite.created")) is None
"""

#: What the suite above reads, as --qase-record-reads writes it.
RECORDED = """{
  "format": 1,
  "events": {
    "case.created": [
      "/event_name",
      "/payload/automation/id",
      "/payload/id",
      "/payload/title"
    ],
    "run.completed": [
      "/event_name",
      "/payload/failed",
      "/payload/id",
      "/payload/passed",
      "/project_code"
    ],
    "run.started": [
      "/event_name",
      "/payload/id",
      "/payload/plan/title"
    ],
    "suite.created": [
      "/event_name"
    ]
  }
}
"""


@pytest.fixture
def consumer(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(notify=NOTIFY, test_notify=CONSUMER_TESTS)
    pytester.syspathinsert()
    return pytester


def captures(folder: Path, *deliveries: dict[str, object]) -> Path:
    """Deliveries as captured in production, after Qase changed what it sends."""
    folder.mkdir(exist_ok=True)
    path = folder / "qase.jsonl"
    path.write_text("".join(json.dumps(delivery) + "\n" for delivery in deliveries), encoding="utf-8")
    return path


def test_record_then_check_then_judge_the_changes_qase_makes(consumer: pytest.Pytester) -> None:
    recorded = consumer.runpytest("--qase-record-reads=reads.json")
    recorded.assert_outcomes(passed=5)
    recorded.stdout.fnmatch_lines(
        [
            "qase-contract *; recording reads into reads.json",
            "qase-contract: read-set reads.json: 13 read paths of 4 events (*)",
        ]
    )
    reads = consumer.path / "reads.json"
    assert reads.read_text(encoding="utf-8") == RECORDED

    check = invoke("reads", "check", str(reads))
    assert check.code == 0
    assert check.stdout.splitlines()[-2:] == [
        "note     case.created: /payload/automation/id is one of a closed set (0, 1, 2): a value Qase adds "
        "arrives as unknown-value drift, which affects you",
        "warning  run.started: /payload/plan/title is absent when /payload/plan is null: "
        '"Plan the run was created from, or null."',
    ]

    # Qase changes two things: the passed count of a completed run becomes a string (read),
    # and the blocked count becomes null (never read).
    breaking = sample_delivery("run.completed", {"passed": "3"})
    harmless = sample_delivery("run.completed", {"blocked": None})
    captures(consumer.path / "captures", breaking, harmless)
    judged = consumer.runpytest("--qase-captures=captures", "--qase-reads=reads.json", "-m", "qase_capture")
    judged.assert_outcomes(passed=1, failed=1)
    judged.stdout.fnmatch_lines(
        [
            "*_ delivery captures/qase.jsonl:1:run.completed _*",
            "run.completed delivery does not conform to the Qase webhook contract: 1 violation; "
            "1 of them affects what you read",
            '  /payload/passed: expected integer, actual string "3"  '
            "[[]violation wrong-type; affects read /payload/passed[]]",
        ]
    )
    judged.stdout.no_fnmatch_line("*qase.jsonl:2*FAILED*")
    # Without the read-set both changes fail, as the whole contract judges them.
    consumer.runpytest("--qase-captures=captures", "-m", "qase_capture").assert_outcomes(failed=2)

    # The command line agrees, and a corpus with only the harmless change passes its gate.
    assert invoke("validate", "--reads", str(reads), str(consumer.path / "captures")).code == 1
    only_harmless = captures(consumer.path / "later", harmless)
    assert invoke("validate", "--reads", str(reads), str(only_harmless)).code == 0
    assert invoke("validate", str(only_harmless)).code == 1


def test_a_new_value_of_a_closed_set_the_consumer_switches_on_fails_even_leniently(
    consumer: pytest.Pytester,
) -> None:
    consumer.runpytest("--qase-record-reads=reads.json").assert_outcomes(passed=5)
    new_value = sample_delivery("case.created", {"automation": {"id": 3, "title": "Cypress"}})
    new_field = sample_delivery("case.created", {"layer": "e2e"})
    captures(consumer.path / "captures", new_value, new_field)
    result = consumer.runpytest("--qase-captures=captures", "--qase-reads=reads.json", "-m", "qase_capture")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*[[]drift unknown-value; affects read /payload/automation/id[]]"])


def test_recording_merges_with_what_the_file_already_holds(consumer: pytest.Pytester) -> None:
    declared = consumer.path / "reads.json"
    ReadSet.of({"run.completed": ["/payload/duration"], "review.*": ["/payload/status"]}).write(declared)
    consumer.runpytest("--qase-record-reads=reads.json").assert_outcomes(passed=5)
    merged = ReadSet.read(declared)
    assert merged.events["review.*"] == ("/payload/status",)
    assert "/payload/duration" in merged.events["run.completed"]
    assert "/payload/passed" in merged.events["run.completed"]


def test_recording_under_pytest_xdist_gives_what_one_process_gives(consumer: pytest.Pytester) -> None:
    pytest.importorskip("xdist")  # a test dependency; the assertion below is what matters
    result = consumer.runpytest_subprocess("-p", "xdist", "-n", "2", "--qase-record-reads=reads.json")
    result.assert_outcomes(passed=5)
    assert (consumer.path / "reads.json").read_text(encoding="utf-8") == RECORDED


def test_assert_conforms_and_the_receiver_fail_only_on_what_the_consumer_reads(
    pytester: pytest.Pytester,
) -> None:
    ReadSet.of({"run.started": ["/payload/id"]}).write(pytester.path / "reads.json")
    pytester.makeini("[pytest]\nqase_contract_reads = reads.json\n")
    pytester.makepyfile(
        """
        import json
        import urllib.request

        import pytest
        from qase_contract import assert_conforms


        def post(receiver, delivery):
            request = urllib.request.Request(
                receiver.url,
                data=json.dumps(delivery).encode(),
                headers={"Content-Type": "application/json", "X-Qase-Secret": receiver.secret},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status


        def test_an_unread_violation_passes(qase_delivery):
            assert_conforms(qase_delivery("run.started", payload={"title": None}))


        def test_a_read_violation_fails(qase_delivery):
            assert_conforms(qase_delivery("run.started", payload={"id": "7"}))


        def test_the_receiver_lets_an_unread_violation_pass(qase_receiver, qase_delivery):
            assert post(qase_receiver, qase_delivery("run.started", payload={"title": None})) == 200
            assert qase_receiver.wait_for("run.started").result.status == "violation"


        def test_the_receiver_fails_on_a_read_violation(qase_receiver, qase_delivery):
            assert post(qase_receiver, qase_delivery("run.started", payload={"id": None})) == 200
        """
    )
    result = pytester.runpytest("-rf")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "qase-contract *; reads */reads.json (only findings that affect them fail)",
            "*[[]violation wrong-type; affects read /payload/id[]]",
            "*[[]violation null-not-allowed; affects read /payload/id[]]",
        ]
    )


def test_the_command_line_option_wins_over_the_ini_setting(pytester: pytest.Pytester) -> None:
    ReadSet.of({"run.started": ["/payload/title"]}).write(pytester.path / "title.json")
    ReadSet.of({"run.started": ["/payload/id"]}).write(pytester.path / "id.json")
    pytester.makeini("[pytest]\nqase_contract_reads = title.json\n")
    pytester.makepyfile(
        """
        from qase_contract import assert_conforms

        def test_title_null(qase_delivery):
            assert_conforms(qase_delivery("run.started", payload={"title": None}))
        """
    )
    pytester.runpytest().assert_outcomes(failed=1)
    pytester.runpytest("--qase-reads=id.json").assert_outcomes(passed=1)


def test_capture_items_hand_their_deliveries_to_the_consumer_and_record_its_reads(
    consumer: pytest.Pytester,
) -> None:
    consumer.makeconftest(
        """
        import notify

        def pytest_qase_handle_capture(delivery, item):
            assert isinstance(delivery, dict)
            if notify.message(delivery) is None:
                raise AssertionError(f"{item.name}: nothing to say about {delivery['event_name']}")
        """
    )
    captures(consumer.path / "captures", sample_delivery("run.completed"), sample_delivery("plan.created"))
    result = consumer.runpytest(
        "--qase-captures=captures", "-m", "qase_capture", "--qase-record-reads=reads.json"
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: 2:plan.created: nothing to say about plan.created"])
    assert ReadSet.read(consumer.path / "reads.json").events == {
        "plan.created": ("/event_name",),
        "run.completed": (
            "/event_name",
            "/payload/failed",
            "/payload/id",
            "/payload/passed",
            "/project_code",
        ),
    }


def test_qase_track_records_deliveries_from_elsewhere_and_is_the_identity_otherwise(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        from qase_contract.testing import sample_delivery

        from hypothesis import given, settings
        from qase_contract.testing.strategies import deliveries

        def test_track(qase_track):
            delivery = sample_delivery("milestone.created")
            tracked = qase_track(delivery)
            assert tracked == delivery
            assert tracked["payload"]["title"]

        @settings(max_examples=5)
        @given(deliveries("run.deleted"))
        def test_generated(qase_track, delivery):
            assert isinstance(qase_track(delivery)["payload"]["id"], int)
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)
    assert not (pytester.path / "reads.json").exists()
    pytester.runpytest("--qase-record-reads=reads.json").assert_outcomes(passed=2)
    assert ReadSet.read(pytester.path / "reads.json").events == {
        "milestone.created": ("/payload/title",),
        "run.deleted": ("/payload/id",),
    }


@pytest.mark.parametrize(
    ("arguments", "content", "message"),
    [
        pytest.param(
            ["--qase-reads=nope.json"], None, "--qase-reads: */nope.json: no such read-set file", id="missing"
        ),
        pytest.param(
            ["--qase-reads=reads.json"],
            "[]",
            "--qase-reads: */reads.json: a read-set is a JSON object*",
            id="bad",
        ),
        pytest.param(
            ["--qase-record-reads=reads.json"],
            "{}",
            '--qase-record-reads: */reads.json: expected "format": 1*',
            id="record-into-a-bad-file",
        ),
        pytest.param(
            ["--qase-record-reads=no/such/folder/reads.json"],
            None,
            "--qase-record-reads: */no/such/folder/reads.json: no such folder: *",
            id="record-into-a-missing-folder",
        ),
    ],
)
def test_an_unusable_read_set_option_is_one_usage_error_at_start(
    pytester: pytest.Pytester, arguments: list[str], content: str | None, message: str
) -> None:
    if content is not None:
        (pytester.path / "reads.json").write_text(content, encoding="utf-8")
    pytester.makepyfile("def test_never_runs():\n    raise AssertionError\n")
    result = pytester.runpytest(*arguments)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])
    if content is not None:
        assert (pytester.path / "reads.json").read_text(encoding="utf-8") == content


def test_a_delivery_posted_as_json_counts_as_read_whole_and_the_summary_says_so(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import json

        def test_post(qase_delivery):
            body = json.dumps(qase_delivery("run.completed"))  # what a test client would send
            assert json.loads(body)["payload"]["id"]
        """
    )
    result = pytester.runpytest("--qase-record-reads=reads.json")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["qase-contract: whole deliveries of run.completed count as read: *by hand"])
    assert ReadSet.read(pytester.path / "reads.json").events == {"run.completed": ("",)}
