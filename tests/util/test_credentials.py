"""Secrets by name and by value: what the receiver redacts in headers, queries, paths and text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qase_contract._util.credentials import (
    REDACTED,
    _credential_name,
    carries_secret,
    is_credential_path,
    redact_headers,
    redact_path,
    redact_query,
    redact_text,
    secret_matches,
)

SECRET = "s3 cr/t!"


@pytest.mark.parametrize(
    ("query", "redacted"),
    [
        ("a=1;token=abc", "a=1;token=[redacted]"),
        ("a=1&token=abc;b=2", "a=1&token=[redacted];b=2"),
        ("qs=s3%20cr%2Ft%21", "qs=[redacted]"),
        ("qs=s3+cr%2Ft%21&page=2", "qs=[redacted]&page=2"),
        ("qs=s3%2520cr%252Ft%2521", "qs=[redacted]"),  # encoded twice
        ("a=1;b=x-s3%20cr/t!-y", "a=1;b=[redacted]"),
        ("s3%20cr%2Ft%21=1&b=2", "[redacted]&b=2"),
        ("a=1&b=%20&c", "a=1&b=%20&c"),
        ("", ""),
    ],
    ids=[
        "semicolon-credential-name",
        "mixed-separators",
        "any-name-percent-encoded",
        "plus-for-space",
        "encoded-twice",
        "inside-a-value",
        "in-the-name",
        "nothing-to-redact-kept-byte-for-byte",
        "empty",
    ],
)
def test_a_query_loses_credential_named_values_and_anything_carrying_the_secret(
    query: str, redacted: str
) -> None:
    assert redact_query(query, SECRET) == redacted


def test_without_a_secret_a_query_is_redacted_by_name_only() -> None:
    assert redact_query("qs=s3%20cr%2Ft%21;api_key=k") == "qs=s3%20cr%2Ft%21;api_key=[redacted]"


def test_a_header_carrying_the_secret_under_any_name_is_redacted_whole() -> None:
    headers = {
        "X-Forwarded-Qase": SECRET,
        "X-Note": f"before {SECRET} after",
        "X-Encoded": "s3%20cr%2Ft%21",
        "Content-Type": "application/json",
        "X-Api-Key": "named like a credential",
    }
    assert redact_headers(headers, SECRET) == {
        "X-Forwarded-Qase": REDACTED,
        "X-Note": REDACTED,
        "X-Encoded": REDACTED,
        "Content-Type": "application/json",
        "X-Api-Key": REDACTED,
    }


def test_a_header_whose_name_carries_the_secret_is_renamed_and_its_value_kept_apart() -> None:
    redacted = redact_headers({f"X-{SECRET}": "1", f"Y-{SECRET}": "2", "Accept": "*/*"}, SECRET)
    assert redacted == {REDACTED: "1", f"{REDACTED}-1": "2", "Accept": "*/*"}


@pytest.mark.parametrize(
    ("path", "redacted"),
    [
        (f"/hooks/{SECRET}/qase", "/hooks/[redacted]/qase"),  # the secret holds a "/" itself
        ("/hooks/s3%20cr/t%21", "[redacted]"),  # encoded, across segments
        ("/hooks/s3%20cr%2Ft%21/qase", "/hooks/[redacted]/qase"),
        ("/hooks/qase;token=abc", "/hooks/qase;token=[redacted]"),
        ("/hooks/qase;v=2", "/hooks/qase;v=2"),
        ("/hooks/qase", "/hooks/qase"),
    ],
    ids=[
        "raw-across-segments",
        "encoded-across-segments",
        "encoded-segment",
        "credential-parameter",
        "other-parameter",
        "clean",
    ],
)
def test_a_path_loses_each_segment_carrying_the_secret(path: str, redacted: str) -> None:
    assert redact_path(path, SECRET) == redacted


def test_the_secret_inside_a_path_segment_is_replaced_where_it_stands() -> None:
    assert redact_path("/hooks/abc-SECRET-def/x", "SECRET") == "/hooks/abc-[redacted]-def/x"


def test_free_text_loses_the_secret_wherever_it_is() -> None:
    assert redact_text(f"method {SECRET}X not allowed", SECRET) == "method [redacted]X not allowed"
    assert redact_text("method s3%20cr%2Ft%21", SECRET) == REDACTED
    assert redact_text("nothing here", SECRET) == "nothing here"
    assert redact_text(f"kept: {SECRET}", None) == f"kept: {SECRET}"


def test_a_secret_outside_ascii_is_found_and_matched_as_a_wsgi_server_hands_it_over() -> None:
    secret = "pässwört"
    as_wsgi = secret.encode("utf-8").decode("latin-1")  # PEP 3333: one character per byte
    assert carries_secret(f"x {as_wsgi} y", secret)
    assert redact_headers({"X-Copy": as_wsgi}, secret) == {"X-Copy": REDACTED}
    assert secret_matches(secret, as_wsgi)
    assert secret_matches(secret, secret)
    assert not secret_matches(secret, "passwort")
    assert not secret_matches(secret, "pässwört\u20ac")  # not Latin-1 and not equal


def test_an_empty_or_missing_secret_is_carried_by_nothing() -> None:
    assert not carries_secret("anything", None)
    assert not carries_secret("anything", "")


_NAME_PIECES = st.sampled_from(
    [
        "",
        "/",
        "_",
        "-",
        ".",
        "key",
        "KEY",
        "Kéy",
        "\u212aey",
        "\u017f",
        "\u0131",
        "\u0130",
        "\u017fecret",
        "ap\u0131_key",
        "auth",
        "Author",
        "authorise",
        "token",
        "SECRET",
        "pass",
        "passw",
        "Bearer",
        "cookie",
        "signature",
        "credential",
        "api",
        "x",
        "payload",
    ]
)


@pytest.mark.parametrize(
    "path",
    [
        f"/payload/{word}"
        for name in (
            "secret",
            "token",
            "password",
            "api_key",
            "x.key",
            "auth",
            "bearer",
            "cookie",
            "signature",
            "credentials",
            "\u212aey",
            "\u017fecret",
            "credent\u0131al",
            "ap\u0131_key",
            "credent\u0130al",
            "author",
            "authorisation",
            "monkey",
        )
        for word in (name, name.upper(), f"a_{name.title()}_b")
    ],
)
def test_each_word_of_the_pattern_is_found_whatever_its_case(path: str) -> None:
    assert is_credential_path(path) == (_credential_name().search(path) is not None)


@given(st.lists(_NAME_PIECES | st.text(max_size=3), max_size=6).map("".join))
def test_the_credential_search_shortcut_agrees_with_the_pattern(path: str) -> None:
    # is_credential_path skips the pattern for ASCII text without any of its words: never a
    # different answer. Case-insensitive matching pairs U+017F with "s" and U+0131, U+0130 with "i",
    # which lower() does not: they are in the mix, so a shortcut taken for them would show.
    assert is_credential_path(path) == (_credential_name().search(path) is not None)
