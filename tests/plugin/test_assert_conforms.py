"""assert_conforms in a test suite: the user's own line, then the event and each finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.overlays import RESULT_CREATED, write_schema


def test_a_failing_assertion_shows_the_users_line_the_event_and_each_finding(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        from qase_contract import assert_conforms

        def test_handler_output(qase_delivery):
            delivery = qase_delivery("run.completed", payload={"passed": "3", "failed": None}, check=False)
            assert_conforms(delivery)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            ">       assert_conforms(delivery)",
            "E       AssertionError: run.completed delivery does not conform to the Qase webhook contract:"
            " 2 violations",
            "E         /payload/failed: expected integer, actual null  [violation null-not-allowed]",
            'E         /payload/passed: expected integer, actual string "3"  [violation wrong-type]',
            "",
            "test_a_failing_assertion_*.py:5: AssertionError",
        ]
    )
    # __tracebackhide__: the helper's own frames stay out of the report.
    result.stdout.no_fnmatch_line("*qase_contract/assertions.py*")


def test_the_strict_marker_and_option_decide_for_assert_conforms_unless_told(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest
        from qase_contract import assert_conforms

        @pytest.fixture
        def drifted(qase_delivery):
            return qase_delivery("run.completed", payload={"skipped": 1}, check=False)

        def test_lenient(drifted):
            assert assert_conforms(drifted).status == "drift"

        @pytest.mark.qase_strict
        def test_marked(drifted):
            assert_conforms(drifted)

        @pytest.mark.qase_strict
        def test_explicitly_lenient(drifted):
            assert_conforms(drifted, strict=False)
        """
    )
    result = pytester.runpytest("-rf")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["FAILED *::test_marked*"])
    strict = pytester.runpytest("--qase-strict", "-rf")
    strict.assert_outcomes(passed=1, failed=2)
    strict.stdout.fnmatch_lines(["FAILED *::test_lenient*", "FAILED *::test_marked*"])


def test_an_expected_event_must_match_and_must_exist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from qase_contract import assert_conforms
        from qase_contract.errors import UnknownEvent

        def test_wrong_event(qase_delivery):
            assert_conforms(qase_delivery("case.created"), event="run.completed")

        def test_typo(qase_delivery):
            with pytest.raises(UnknownEvent):
                assert_conforms(qase_delivery("run.completed"), event="run.complete")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["E       AssertionError: expected event_name 'run.completed', got 'case.created'"]
    )


def test_assert_conforms_uses_the_sessions_overlay(pytester: pytest.Pytester, tmp_path: Path) -> None:
    overlay = write_schema(tmp_path, "events/result/created.schema.json", RESULT_CREATED)
    pytester.makepyfile(
        """
        from qase_contract import assert_conforms

        def test_overlay_event():
            delivery = {"event_name": "result.created", "timestamp": 1764230400, "payload": {"id": 1},
                        "team_member_id": 3, "project_code": "DEMO"}
            assert_conforms(delivery, event="result.created", strict=True)
        """
    )
    pytester.runpytest(f"--qase-schemas={overlay}").assert_outcomes(passed=1)
    # Without the overlay the event is unknown to the contract.
    pytester.runpytest().assert_outcomes(failed=1)


def test_assert_conforms_in_a_thread_the_test_starts_follows_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import threading

        import pytest
        from qase_contract import assert_conforms
        from qase_contract.testing._samples import sample_delivery

        def check_in_a_thread():
            errors = []

            def run():
                try:
                    assert_conforms(sample_delivery("run.completed", payload={"skipped": 1}))
                except AssertionError as error:
                    errors.append(error)

            thread = threading.Thread(target=run)
            thread.start()
            thread.join()
            if errors:
                raise errors[0]

        @pytest.mark.qase_strict
        def test_strict():
            check_in_a_thread()

        def test_lenient():
            check_in_a_thread()
        """
    )
    pytester.runpytest().assert_outcomes(passed=1, failed=1)
    pytester.runpytest("--qase-strict").assert_outcomes(failed=2)
