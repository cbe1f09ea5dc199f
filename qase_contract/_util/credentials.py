"""Credentials (DESIGN decision 9): which names hold them, and where the secret's value travels,
so that no report, log or capture ever shows them; and the one place that compares the shared
secret, in constant time."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

REDACTED = "[redacted]"

# "auth" and "authorization" (or "authorisation") but not "author": author fields are ordinary
# data that reports should show.
_CREDENTIAL_NAME = (
    r"secret|token|passw|(?:api|private|access)[_-]?key|(?:^|[-_.])key$|auth(?!or(?!i[sz]))|bearer|cookie"
    r"|signature|credential"
)


@functools.cache  # compiled on first use: a run that finds nothing never needs it
def _credential_name() -> re.Pattern[str]:
    return re.compile(_CREDENTIAL_NAME, re.IGNORECASE)


def is_credential_name(name: str) -> bool:
    """Whether a field (or header) name looks like it holds a credential."""
    # Names repeat with every delivery of a corpus, so short ones are remembered; long ones
    # (hostile keys of megabytes) are not, so the cache stays small.
    return _remembered(name) if len(name) <= _REMEMBERED_LENGTH else is_credential_path(name)


def is_credential_path(pointer: str) -> bool:
    """Whether any field on a JSON Pointer path looks like it holds a credential: the values
    below ``/payload/auth`` are as secret as ``/payload/auth`` itself."""
    # Not remembered: a hostile delivery brings thousands of paths, all different, and a cache
    # they overflow costs more than the search.
    # Most paths hold none of the words every match holds: told so without the pattern, which
    # has no literal to skip ahead by and costs 4 µs. Only for ASCII text: case-insensitive
    # matching knows pairs that ``lower`` does not (U+017F is an "s", U+0131 and U+0130 are an "i").
    if pointer.isascii():
        lowered = pointer.lower()
        if not (
            "key" in lowered
            or "auth" in lowered
            or "token" in lowered
            or "secret" in lowered
            or "passw" in lowered
            or "bearer" in lowered
            or "cookie" in lowered
            or "signature" in lowered
            or "credential" in lowered
        ):
            return False
    return _credential_name().search(pointer) is not None


_REMEMBERED_LENGTH = 256
#: The same search as a path's (a name is a path of one key), remembered.
_remembered = functools.lru_cache(maxsize=4096)(is_credential_path)


#: What separates the parameters of a query: ``&``, and ``;`` (still used by some servers and
#: clients, and a place where ``?a=1;token=...`` would otherwise hide a credential).
_QUERY_SEPARATORS = re.compile(r"([&;])")


def redact_query(query: str, secret: str | None = None) -> str:
    """A URL query with credentials redacted: the values of credential-named parameters
    (``token=...``), and any parameter carrying ``secret``, whatever its name. Parameters are
    separated by ``&`` or ``;``; everything not redacted is returned exactly as it was."""
    parts = _QUERY_SEPARATORS.split(query)
    for index in range(0, len(parts), 2):  # the odd places hold the separators
        parts[index] = _redact_parameter(parts[index], secret)
    return "".join(parts)


def _redact_parameter(parameter: str, secret: str | None) -> str:
    from urllib.parse import unquote_plus

    name, equals, value = parameter.partition("=")
    if carries_secret(name, secret):
        return REDACTED
    if equals and (is_credential_name(unquote_plus(name)) or carries_secret(value, secret)):
        return f"{name}={REDACTED}"
    if carries_secret(parameter, secret):  # the secret spans the "=" (a secret holding one)
        return REDACTED
    return parameter


def redact_path(path: str, secret: str | None = None) -> str:
    """A URL path with the secret redacted wherever it is (each segment that carries it
    encoded is redacted whole), and the credential-named ``;`` parameters of a segment
    (``/hook;token=...``) too; the rest as it was."""
    if ";" not in path and not carries_secret(path, secret):
        return path
    if secret:
        for form in secret_forms(secret):
            path = path.replace(form, REDACTED)
    segments = path.split("/")
    for index, segment in enumerate(segments):
        first, *parameters = segment.split(";")
        if carries_secret(first, secret):
            first = REDACTED
        segments[index] = ";".join([first, *(_redact_parameter(p, secret) for p in parameters)])
    redacted = "/".join(segments)
    return REDACTED if carries_secret(redacted, secret) else redacted  # encoded across segments


def carries_secret(text: str, secret: str | None) -> bool:
    """Whether ``text`` holds ``secret`` as it is, or percent-encoded (once or twice, with
    ``+`` for spaces, as clients and proxies encode a URL), or as a WSGI server shows UTF-8."""
    if not secret:
        return False
    forms = secret_forms(secret)
    if any(form in text for form in forms):
        return True
    if "%" not in text and "+" not in text:
        return False
    from urllib.parse import unquote, unquote_plus

    once = {unquote(text), unquote_plus(text)}
    decoded = (*once, *(unquote_plus(form) for form in once))
    return any(form in candidate for candidate in decoded for form in forms)


@functools.lru_cache(maxsize=16)
def secret_forms(secret: str) -> tuple[str, ...]:
    """The secret as text, and as a WSGI server hands over its UTF-8 bytes (one character per
    byte, PEP 3333) when that differs."""
    as_wsgi = secret.encode("utf-8").decode("latin-1")
    return (secret,) if as_wsgi == secret else (secret, as_wsgi)


def redact_text(text: str, secret: str | None) -> str:
    """Free text (a reason, a method) with ``secret`` replaced wherever it appears; text that
    carries it only encoded is redacted whole."""
    if not secret:
        return text
    for form in secret_forms(secret):
        text = text.replace(form, REDACTED)
    return REDACTED if carries_secret(text, secret) else text


#: Header names (lower case) whose values are secrets and are never written.
SECRET_HEADERS = frozenset({"x-qase-secret", "authorization", "proxy-authorization", "cookie"})


def is_secret_header(name: str) -> bool:
    """The usual credential headers, and any header named like a credential (X-Api-Key)."""
    return name.lower() in SECRET_HEADERS or is_credential_name(name)


def redact_headers(headers: Mapping[str, str], secret: str | None = None) -> dict[str, str]:
    """A copy of ``headers`` with every credential replaced by ``[redacted]``: the values of
    credential headers, and of any header carrying ``secret`` (``X-Forwarded-Qase: ...``); a
    name that carries it is redacted too."""
    redacted: dict[str, str] = {}
    for name, value in headers.items():
        shown = REDACTED if is_secret_header(name) or carries_secret(value, secret) else value
        if carries_secret(name, secret):
            name = REDACTED + (f"-{len(redacted)}" if REDACTED in redacted else "")
        redacted[name] = shown
    return redacted


SECRET_HEADER = "X-Qase-Secret"


def presented_secret(headers: Mapping[str, str]) -> str | None:
    """The secret a request presents, looked up without regard to header case."""
    for name, value in headers.items():
        if name.lower() == SECRET_HEADER.lower():
            return value
    return None


def secret_matches(expected: str, presented: str | None) -> bool:
    """True when ``presented`` equals ``expected``; the time taken does not depend on where they
    differ. ``presented`` may be text as a WSGI server gives it (its bytes as Latin-1) or as a
    framework decodes it (UTF-8): either matches the secret's UTF-8 bytes."""
    if presented is None:
        return False
    wanted = expected.encode("utf-8")
    import hmac  # here: the receivers that compare secrets pay for it, not every command

    as_text = hmac.compare_digest(wanted, presented.encode("utf-8"))
    try:
        as_wsgi = hmac.compare_digest(wanted, presented.encode("latin-1"))
    except UnicodeEncodeError:
        as_wsgi = False
    return as_text or as_wsgi
