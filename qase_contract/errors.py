"""Every exception qase-contract raises, under one base.

``except QaseContractError`` catches any of them; each also keeps the standard-library base
it always had (``ValueError``, ``LookupError``, ``OSError``, ``ImportError``, ...), so code
written against those goes on working.
"""

from __future__ import annotations

from collections.abc import Iterable

from qase_contract._util.names import did_you_mean

__all__ = [
    "BadEdit",
    "BadTarget",
    "BaselineError",
    "BundleError",
    "CaptureCheckFailed",
    "CaptureFormatError",
    "MissingExtra",
    "PatternError",
    "QaseContractError",
    "ReadSetError",
    "RequestRejected",
    "SchemaSetError",
    "SchemasNotFound",
    "ServeError",
    "SourceError",
    "UnknownEvent",
    "UnknownExample",
    "UnsupportedSchema",
]


class QaseContractError(Exception):
    """The base of every qase-contract exception."""


# -- the contract -------------------------------------------------------------------------------


class SchemasNotFound(QaseContractError, RuntimeError):
    """The installation carries no schema folder: a broken build."""


class SchemaSetError(QaseContractError, ValueError):
    """A schema (usually an overlay) is unusable: unreadable, invalid, or refers outside the set."""


class UnknownEvent(QaseContractError, LookupError):
    """An event name that no schema of the set pins; ``known`` names give "did you mean"."""

    def __init__(self, event_name: str, known: Iterable[str] = ()) -> None:
        self.event_name = event_name
        self.suggestions, hint = did_you_mean(event_name, known)
        super().__init__(f"{event_name!r} is not a known Qase webhook event{hint}")


class UnknownExample(QaseContractError, LookupError):
    """An event with no shipped example of that name; the message lists the ones it has."""

    def __init__(self, event_name: str, variant: str, variants: Iterable[str]) -> None:
        self.event_name = event_name
        self.variant = variant
        self.variants = tuple(variants)
        if self.variants:
            message = f"{event_name} has no example {variant!r}; its variants: {', '.join(self.variants)}"
        else:
            message = f"no example ships for {event_name}"
        super().__init__(message)


class PatternError(QaseContractError, ValueError):
    """A pattern that is not a valid ECMA-262 regular expression."""


class ReadSetError(QaseContractError, ValueError):
    """A read-set that cannot be used: unreadable, not JSON, or not in the read-set format."""


class BundleError(QaseContractError, ValueError):
    """A schema uses a reference form that cannot be bundled (``$dynamicRef``, an unresolvable ``$ref``)."""


# -- reading deliveries -------------------------------------------------------------------------


class SourceError(QaseContractError, OSError):
    """A path that does not exist: a usage error, not a bad record."""


class CaptureFormatError(QaseContractError, ValueError):
    """A line that starts like a capture record but is not a valid one."""


# -- drift --------------------------------------------------------------------------------------


class BaselineError(QaseContractError, ValueError):
    """A baseline file that cannot be used: unreadable, not JSON, or not a baseline."""


# -- live deliveries ----------------------------------------------------------------------------


class BadTarget(QaseContractError, ValueError):
    """A URL that cannot be posted to: not http(s), or without a host."""


class BadEdit(QaseContractError, ValueError):
    """A change to a delivery that cannot be made: a pointer that is not RFC 6901, a value that
    is not JSON, or a place the delivery does not have (``send --set``/``--unset``)."""


class ServeError(QaseContractError, OSError):
    """The server could not start: the address is in use, or not one of this machine's."""


class RequestRejected(QaseContractError):
    """The receiver refuses a request: ``status`` is the HTTP answer, ``reason`` says why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


# -- testing ------------------------------------------------------------------------------------


class UnsupportedSchema(QaseContractError, ValueError):
    """A schema uses a keyword the strategies cannot honour, so they will not guess."""


class CaptureCheckFailed(QaseContractError):
    """A captured delivery (a pytest item) that breaks the contract or could not be read; its
    text is the report."""


class MissingExtra(QaseContractError, ImportError):
    """A feature whose optional dependencies are not installed; the message names the extra."""

    def __init__(self, feature: str, extra: str, missing: str) -> None:
        super().__init__(
            f"{feature} needs {missing}, which is not installed: pip install 'qase-contract[{extra}]'",
            name=missing,
        )
        self.extra = extra
