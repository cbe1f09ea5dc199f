"""Every answer's status line has a reason phrase, as WSGI (PEP 3333) wants, whatever code
``listen --respond`` is given."""

from __future__ import annotations

import pytest

from qase_contract._util.http_status import status_line
from qase_contract.live._answers import AnswerPolicy
from tests.helpers.live import environ, make_receiver


@pytest.mark.parametrize(
    ("code", "line"),
    [
        (200, "200 OK"),
        (202, "202 Accepted"),
        (413, "413 Content Too Large"),
        (418, "418 I'm a Teapot"),
        (299, "299 Success"),
        (499, "499 Client Error"),
        (599, "599 Server Error"),
    ],
)
def test_a_code_gets_its_name_or_its_class_name(code: int, line: str) -> None:
    assert status_line(code) == line


@pytest.mark.parametrize("code", [202, 299, 410, 503])
def test_the_receiver_answers_any_respond_code_with_a_reason_phrase(code: int) -> None:
    started: list[str] = []
    app = make_receiver(answers=AnswerPolicy(respond=code))
    b"".join(app(environ(), lambda status, headers: started.append(status)))
    assert started == [status_line(code)]
    assert len(started[0].split(" ", 1)[1]) > 0
