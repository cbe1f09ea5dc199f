"""Which fields hold credentials, so that no report, log or capture ever shows their values."""

from __future__ import annotations

import functools
import re

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
