"""The shared secret Qase sends in ``X-Qase-Secret``: one place that compares it, in constant time."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

SECRET_HEADER = "X-Qase-Secret"


def presented_secret(headers: Mapping[str, str]) -> str | None:
    """The secret a request presents, looked up without regard to header case."""
    for name, value in headers.items():
        if name.lower() == SECRET_HEADER.lower():
            return value
    return None


def secret_matches(expected: str, presented: str | None) -> bool:
    """True when ``presented`` equals ``expected``; the time taken does not depend on where they differ."""
    if presented is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8"))
