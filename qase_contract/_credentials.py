"""Which fields hold credentials, so that no report, log or capture ever shows their values."""

from __future__ import annotations

import re

REDACTED = "[redacted]"

# "auth" and "authorization" (or "authorisation") but not "author": author fields are ordinary
# data that reports should show.
_CREDENTIAL_NAME = re.compile(
    r"secret|token|passw|(?:api|private|access)[_-]?key|auth(?!or(?!i[sz]))|bearer|cookie|signature|credential",
    re.IGNORECASE,
)


def is_credential_name(name: str) -> bool:
    """Whether a field (or header) name looks like it holds a credential."""
    return _CREDENTIAL_NAME.search(name) is not None


def is_credential_path(pointer: str) -> bool:
    """Whether any field on a JSON Pointer path looks like it holds a credential: the values
    below ``/payload/auth`` are as secret as ``/payload/auth`` itself."""
    return _CREDENTIAL_NAME.search(pointer) is not None
