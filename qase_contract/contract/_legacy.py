"""The obsolete 2021 envelope (SPEC 2.3), the one part of the 2021 documents still recognised."""

from __future__ import annotations

#: The keys of the 2021 envelope ``{event, timestamp, payload}``.
LEGACY_ENVELOPE_KEYS = ("event", "timestamp", "payload")


def is_legacy_envelope(body: dict[str, object]) -> bool:
    """Whether ``body`` has the 2021 shape: every key of that envelope and no ``event_name``.

    Any other body with an ``event`` key (``{"event": ..., "data": ...}`` from another
    service, say) is judged as a current envelope and gets the ordinary findings.
    """
    return "event_name" not in body and all(key in body for key in LEGACY_ENVELOPE_KEYS)
