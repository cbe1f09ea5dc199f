"""The fixtures pass and fail as designed: qase_validator, qase_delivery and qase_receiver."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.overlays import RESULT_CREATED, result_delivery, write_schema

#: Inner sessions post with this helper, as a consumer's code under test would.
POSTING_CONFTEST = """
import json
import urllib.error
import urllib.request

import pytest


@pytest.fixture
def post():
    def send(receiver, delivery, secret="the receiver's", path=None):
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Qase-Secret"] = receiver.secret if secret == "the receiver's" else secret
        url = receiver.url if path is None else receiver.url.split("/qase-webhook")[0] + path
        body = delivery if isinstance(delivery, bytes) else json.dumps(delivery).encode()
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    return send
"""


@pytest.fixture
def posting(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(POSTING_CONFTEST)
    return pytester


# -- qase_validator and qase_delivery ---------------------------------------------------------------


def test_qase_validator_is_one_validator_for_the_session_honouring_the_options(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    overlay = write_schema(tmp_path, "events/result/created.schema.json", RESULT_CREATED)
    pytester.makepyfile(
        """
        from qase_contract import Validator

        seen = []

        def test_first(qase_validator):
            seen.append(qase_validator)
            assert isinstance(qase_validator, Validator) and qase_validator.strict
            assert "result.created" in qase_validator.event_names

        def test_second(qase_validator, qase_delivery):
            assert qase_validator is seen[0]
            delivery = qase_delivery("run.completed", payload={"extra": 1}, check=False)
            result = qase_validator.validate(delivery)
            assert result.status == "drift" and not result.ok
        """
    )
    pytester.runpytest("--qase-strict", f"--qase-schemas={overlay}").assert_outcomes(passed=2)


def test_qase_delivery_builds_fresh_conforming_deliveries_with_overrides(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from qase_contract import assert_conforms
        from qase_contract.errors import UnknownEvent

        def test_factory(qase_delivery):
            delivery = qase_delivery("run.completed", payload={"passed": 3}, project_code="DEMO")
            assert delivery["payload"]["passed"] == 3 and delivery["project_code"] == "DEMO"
            assert delivery["payload"]["cases"] == 14
            assert_conforms(delivery, event="run.completed", strict=True)
            delivery["payload"]["passed"] = "mutated"
            assert qase_delivery("run.completed")["payload"]["passed"] == 0

        def test_unknown_event(qase_delivery):
            with pytest.raises(UnknownEvent, match="'run.finished' is not a known Qase webhook event"):
                qase_delivery("run.finished")
            with pytest.raises(UnknownEvent, match="did you mean run.completed"):
                qase_delivery("run.complete")
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_qase_delivery_follows_the_session_overlay_events_examples_and_variants(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    overlay = write_schema(tmp_path, "events/result/created.schema.json", RESULT_CREATED)
    example = result_delivery(id=7, run=None)
    (overlay / "examples" / "result.created").mkdir(parents=True)
    (overlay / "examples" / "result.created" / "canonical.json").write_text(json.dumps(example))
    (overlay / "examples" / "result.created" / "with-run.json").write_text(
        json.dumps(result_delivery(id=8, run={"id": 3}))
    )
    # An overlay that replaces an event's schema gets its own example for it.
    replaced = {
        **RESULT_CREATED,
        "properties": {**RESULT_CREATED["properties"], "event_name": {"const": "run.deleted"}},
    }
    write_schema(overlay, "events/run/deleted.schema.json", replaced)
    (overlay / "examples" / "run.deleted").mkdir(parents=True)
    (overlay / "examples" / "run.deleted" / "canonical.json").write_text(
        json.dumps({**result_delivery(id=5), "event_name": "run.deleted"})
    )
    pytester.makepyfile(
        """
        import pytest
        from qase_contract.errors import UnknownExample

        def test_overlay_event(qase_delivery):
            assert qase_delivery("result.created")["payload"] == {"id": 7, "run": None}
            assert qase_delivery("result.created", variant="with-run")["payload"]["run"] == {"id": 3}
            assert qase_delivery("result.created", payload={"run": {"id": 9}})["payload"]["run"] == {"id": 9}

        def test_replaced_event(qase_delivery):
            assert qase_delivery("run.deleted")["payload"] == {"id": 5}

        def test_built_in_variant(qase_delivery):
            assert qase_delivery("run.deleted", variant="other-project")["project_code"] != "ID"

        def test_unknown_variant(qase_delivery):
            with pytest.raises(UnknownExample, match="its variants: canonical, with-run"):
                qase_delivery("result.created", variant="nope")
        """
    )
    pytester.runpytest(f"--qase-schemas={overlay}", "-W", "error").assert_outcomes(passed=4)


def test_a_delivery_that_does_not_conform_warns_or_fails_under_strict_unless_built_on_purpose(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest
        from qase_contract.pytest_plugin import QaseDeliveryWarning

        def test_list_replaced_whole(qase_delivery):
            with pytest.warns(QaseDeliveryWarning, match="missing-field") as caught:
                qase_delivery("case.created", payload={"steps": [{"action": "x"}]})
            assert "{'steps': {0: {...}}} merges into an item" in str(caught[0].message)

        def test_item_merged(qase_delivery, recwarn):
            delivery = qase_delivery("case.created", payload={"steps": {0: {"action": "x"}}})
            assert delivery["payload"]["steps"][0]["action"] == "x"
            assert len(recwarn) == 0

        def test_on_purpose(qase_delivery, recwarn):
            assert qase_delivery("run.completed", payload={"passed": "3"}, check=False)
            assert len(recwarn) == 0

        @pytest.mark.qase_strict
        def test_strict(qase_delivery):
            qase_delivery("run.completed", payload={"skipped": 1})
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            '>       qase_delivery("run.completed", payload={"skipped": 1})',
            "E       AssertionError: qase_delivery('run.completed'): run.completed delivery does not conform "
            "to the Qase webhook contract: 1 drift (strict: drift fails)",
        ]
    )


# -- qase_receiver ---------------------------------------------------------------------------------


def test_a_conforming_delivery_is_received_validated_and_waited_for(posting: pytest.Pytester) -> None:
    posting.makepyfile(
        """
        def test_receive(qase_receiver, qase_delivery, post):
            assert qase_receiver.url.startswith("http://127.0.0.1:")
            sent = qase_delivery("run.completed", payload={"passed": 3})
            assert post(qase_receiver, sent) == 200
            assert post(qase_receiver, qase_delivery("case.created")) == 200
            received = qase_receiver.wait_for("run.completed", timeout=5)
            assert received.json() == sent and received.result.status == "conforming"
            assert received.headers["X-Qase-Secret"] == "[redacted]"
            assert received.headers["Content-Type"] == "application/json"
            assert qase_receiver.wait_for(timeout=5).event_name == "case.created"
            assert [d.event_name for d in qase_receiver.deliveries] == ["run.completed", "case.created"]
        """
    )
    posting.runpytest().assert_outcomes(passed=1)


def test_a_delivery_without_the_secret_is_rejected_with_401(posting: pytest.Pytester) -> None:
    posting.makepyfile(
        """
        def test_reject(qase_receiver, qase_delivery, post):
            assert qase_receiver.secret
            assert post(qase_receiver, qase_delivery("run.completed"), secret=None) == 401
            assert post(qase_receiver, qase_delivery("run.completed"), secret="wrong") == 401
            assert qase_receiver.deliveries == []
            assert qase_receiver.rejected != []
            assert len(qase_receiver.rejected) == 2
        """
    )
    posting.runpytest().assert_outcomes(passed=1)


def test_the_secret_can_be_chosen_by_overriding_a_fixture(posting: pytest.Pytester) -> None:
    posting.makepyfile(
        """
        import pytest

        @pytest.fixture
        def qase_receiver_secret():
            return "as-configured"

        def test_secret(qase_receiver, qase_delivery, post):
            assert qase_receiver.secret == "as-configured"
            assert post(qase_receiver, qase_delivery("run.completed"), secret="as-configured") == 200
        """
    )
    posting.runpytest().assert_outcomes(passed=1)


def test_a_receiver_secret_of_none_accepts_any_request(posting: pytest.Pytester) -> None:
    posting.makepyfile(
        """
        import pytest

        @pytest.fixture
        def qase_receiver_secret():
            return None

        def test_open(qase_receiver, qase_delivery, post):
            assert qase_receiver.secret is None
            assert post(qase_receiver, qase_delivery("run.completed"), secret=None) == 200
            assert post(qase_receiver, qase_delivery("run.completed"), secret="anything") == 200
        """
    )
    posting.runpytest().assert_outcomes(passed=1)


def test_a_violation_fails_the_test_with_a_readable_report(posting: pytest.Pytester) -> None:
    posting.makepyfile(
        """
        def test_sender(qase_receiver, qase_delivery, post):
            delivery = qase_delivery("run.completed", payload={"passed": "3"}, check=False)
            assert post(qase_receiver, delivery) == 200
        """
    )
    result = posting.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_sender _*",
            "qase_receiver delivery #1: run.completed delivery does not conform to the Qase webhook contract:"
            " 1 violation",
            '  /payload/passed: expected integer, actual string "3"  [violation wrong-type]',
            # Under CI (the CI variable set) pytest adds the message to the summary line.
            "FAILED test_*.py::test_sender*",
        ]
    )


def test_wait_for_fails_at_the_test_line_when_the_awaited_delivery_does_not_conform(
    posting: pytest.Pytester,
) -> None:
    posting.makepyfile(
        """
        def test_sender(qase_receiver, qase_delivery, post):
            post(qase_receiver, qase_delivery("run.completed", payload={"id": None}, check=False))
            qase_receiver.wait_for("run.completed", timeout=5)
        """
    )
    result = posting.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            '>       qase_receiver.wait_for("run.completed", timeout=5)',
            "E       AssertionError: qase_receiver delivery #1: run.completed delivery does not conform*",
            "E         /payload/id: expected integer, actual null  [violation null-not-allowed]",
        ]
    )
    # Reported once: not again at the end of the call or at teardown. The short summary, which
    # repeats the message under CI, is left out of the count.
    failures = result.stdout.str().split("short test summary info")[0]
    assert failures.count("does not conform") == 1


def test_drift_passes_leniently_and_fails_under_the_strict_marker_or_option(posting: pytest.Pytester) -> None:
    posting.makepyfile(
        """
        import pytest

        def send_drift(qase_receiver, qase_delivery, post):
            delivery = qase_delivery("run.completed", payload={"skipped": 1}, check=False)
            assert post(qase_receiver, delivery) == 200

        def test_lenient(qase_receiver, qase_delivery, post):
            send_drift(qase_receiver, qase_delivery, post)

        @pytest.mark.qase_strict
        def test_strict(qase_receiver, qase_delivery, post):
            send_drift(qase_receiver, qase_delivery, post)

        @pytest.mark.qase_strict(False)
        def test_relaxed(qase_receiver, qase_delivery, post):
            send_drift(qase_receiver, qase_delivery, post)
        """
    )
    result = posting.runpytest("-rf")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*1 drift (strict: drift fails)",
            "  /payload/skipped: expected no such field, actual 1  [drift unknown-field]",
            "FAILED *::test_strict*",
        ]
    )
    strict = posting.runpytest("--qase-strict", "-rf")
    strict.assert_outcomes(passed=1, failed=2)
    strict.stdout.fnmatch_lines(["FAILED *::test_lenient*", "FAILED *::test_strict*"])


def test_wait_for_times_out_naming_what_arrived_and_what_was_rejected(posting: pytest.Pytester) -> None:
    posting.makepyfile(
        """
        def test_sender(qase_receiver, qase_delivery, post):
            post(qase_receiver, qase_delivery("case.created"))
            post(qase_receiver, qase_delivery("run.completed"), secret=None)
            qase_receiver.wait_for("run.completed", timeout=0.2)
        """
    )
    result = posting.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       AssertionError: qase_receiver: a run.completed delivery did not arrive at"
            " http://127.0.0.1:*/qase-webhook/* within 0.2 s; received: case.created;"
            " 1 request rejected with 401 (missing or wrong X-Qase-Secret)",
        ]
    )


def test_a_delivery_arriving_after_the_test_body_fails_at_teardown(posting: pytest.Pytester) -> None:
    posting.makepyfile(
        """
        import pytest

        @pytest.fixture
        def late_sender(qase_receiver, qase_delivery, post):
            yield
            # Runs after the call, before qase_receiver's teardown: a delivery that arrives late.
            post(qase_receiver, qase_delivery("run.completed", payload={"passed": "3"}, check=False))

        def test_sender(late_sender):
            pass
        """
    )
    result = posting.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_sender*",
            "qase_receiver delivery #1: run.completed delivery does not conform*",
        ]
    )


def test_a_post_to_another_path_fails_the_test(posting: pytest.Pytester) -> None:
    posting.makepyfile(
        """
        def test_sender(qase_receiver, qase_delivery, post):
            assert post(qase_receiver, qase_delivery("run.completed"), path="/hooks") == 404
        """
    )
    result = posting.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["qase_receiver: a request went to POST /hooks, not to POST /qase-webhook/*"])


def test_a_delivery_for_an_earlier_tests_receiver_is_named_as_such(posting: pytest.Pytester) -> None:
    posting.makepyfile(
        """
        import json, urllib.request

        earlier = []

        def test_first(qase_receiver):
            earlier.append(qase_receiver)

        def test_second(qase_receiver, qase_delivery, post):
            # What a sender still running after test_first ended would do.
            first = earlier[0]
            assert first.url != qase_receiver.url
            request = urllib.request.Request(
                first.url, data=json.dumps(qase_delivery("run.deleted")).encode(), method="POST"
            )
            try:
                urllib.request.urlopen(request, timeout=5)
            except urllib.error.HTTPError as error:
                assert error.code == 404
        """
    )
    result = posting.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*POST /qase-webhook/* arrived for an earlier test's receiver, after that test ended*"]
    )


def test_the_receiver_needs_only_the_server_class_not_pytest_httpservers_own_plugin(
    posting: pytest.Pytester,
) -> None:
    posting.makepyfile(
        """
        def test_receive(qase_receiver, qase_delivery, post):
            assert post(qase_receiver, qase_delivery("run.completed")) == 200
            assert qase_receiver.wait_for("run.completed", timeout=5).result.ok
        """
    )
    posting.runpytest("-p", "no:pytest_httpserver").assert_outcomes(passed=1)


def test_the_receivers_lists_compare_equal_to_lists_and_requests_leave_no_log_lines(
    posting: pytest.Pytester,
) -> None:
    posting.makepyfile(
        """
        import logging

        def test_lists(qase_receiver, qase_delivery, post, caplog):
            caplog.set_level(logging.DEBUG)
            assert qase_receiver.deliveries == [] and qase_receiver.rejected == []
            assert post(qase_receiver, qase_delivery("run.completed"), secret=None) == 401
            assert post(qase_receiver, qase_delivery("run.completed")) == 200
            assert [d.event_name for d in qase_receiver.deliveries] == ["run.completed"]
            assert len(qase_receiver.rejected) == 1
            assert [record for record in caplog.records if record.name == "werkzeug"] == []
        """
    )
    posting.runpytest().assert_outcomes(passed=1)
