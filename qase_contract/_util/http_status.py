"""The status line of an HTTP answer, for WSGI's ``start_response``."""

from __future__ import annotations

from http import HTTPStatus

#: RFC 9110's names where Python's table still has the older ones.
_RENAMED = {413: "Content Too Large", 422: "Unprocessable Content"}


def status_line(code: int) -> str:
    """``"202 Accepted"``; a code with no registered name gets its class's ("299 Success"),
    as WSGI wants a reason phrase after every code (``listen --respond`` takes any code)."""
    if code in _RENAMED:
        return f"{code} {_RENAMED[code]}"
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        kind = {1: "Informational", 2: "Success", 3: "Redirection", 4: "Client Error"}
        return f"{code} {kind.get(code // 100, 'Server Error')}"
