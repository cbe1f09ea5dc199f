"""Credentials (DESIGN decision 9): which names hold them, so that no report, log or capture ever
shows their values, and the one place that compares the shared secret, in constant time."""

from __future__ import annotations

import functools
import hmac
import re
from collections.abc import Mapping

REDACTED = "[redacted]"

# "auth" and "authorization" (or "authorisation") but not "author": author fields are ordinary
# data that reports should show.
_CREDENTIAL_NAME = re.compile(
    r"secret|token|passw|(?:api|private|access)[_-]?key|(?:^|[-_.])key$|auth(?!or(?!i[sz]))|bearer|cookie"
    r"|signature|credential",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)  # header and field names repeat with every delivery
def is_credential_name(name: str) -> bool:
    """Whether a field (or header) name looks like it holds a credential."""
    return _CREDENTIAL_NAME.search(name) is not None


def is_credential_path(pointer: str) -> bool:
    """Whether any field on a JSON Pointer path looks like it holds a credential: the values
    below ``/payload/auth`` are as secret as ``/payload/auth`` itself."""
    return _CREDENTIAL_NAME.search(pointer) is not None


def redact_query(query: str) -> str:
    """A URL query with the values of credential-named parameters redacted (``token=...``);
    a query without any is returned exactly as it was."""
    from urllib.parse import parse_qsl, urlencode

    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(is_credential_name(name) for name, _ in pairs):
        return query
    return urlencode(
        [(name, REDACTED if is_credential_name(name) else value) for name, value in pairs], safe="[]"
    )


#: Header names (lower case) whose values are secrets and are never written.
SECRET_HEADERS = frozenset({"x-qase-secret", "authorization", "proxy-authorization", "cookie"})


def is_secret_header(name: str) -> bool:
    """The usual credential headers, and any header named like a credential (X-Api-Key)."""
    return name.lower() in SECRET_HEADERS or is_credential_name(name)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with every credential replaced by ``[redacted]``."""
    return {name: REDACTED if is_secret_header(name) else value for name, value in headers.items()}


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
