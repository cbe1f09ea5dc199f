"""Which lines are capture records: the cheap test every JSON Lines reader makes.

Apart from :mod:`._capture` (the record type, reading and writing whole records) so that
reading plain JSON Lines, the common case, never creates the record class: a dataclass
costs milliseconds to create at start-up, more than checking a small file.
"""

from __future__ import annotations

import orjson

#: Every capture line written starts with these bytes: the cheap test readers use first.
CAPTURE_PREFIX = b'{"qase_capture":'
_CAPTURE_KEY = b'"qase_capture"'


def is_capture_record(line: bytes) -> bool:
    """Whether a line is a capture record (an object with a ``qase_capture`` key), in any key
    order; it is parsed only when it names the key somewhere but not first."""
    return line.lstrip().startswith(CAPTURE_PREFIX) or capture_data(line) is not None


def capture_data(line: bytes) -> dict[str, object] | None:
    """The parsed line if it is an object with a ``qase_capture`` key (in any place), else None;
    a line that does not name the key is not parsed at all."""
    if _CAPTURE_KEY not in line:
        return None
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) and "qase_capture" in data else None
