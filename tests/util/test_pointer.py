"""JSON Pointers (RFC 6901) rendered and parsed back."""

from __future__ import annotations

import pytest

from qase_contract._util.pointer import parse, pointer


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", []),
        ("/", [""]),
        ("/payload/steps/0", ["payload", "steps", "0"]),
        ("/a~1b/~0c/~01", ["a/b", "~c", "~1"]),
        ("/m~0n", ["m~n"]),
    ],
)
def test_a_pointer_parses_into_its_unescaped_tokens_and_renders_back(text: str, tokens: list[str]) -> None:
    assert parse(text) == tokens
    assert pointer(tokens) == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("payload", "it must start with '/'"),
        ("/a~", "'~' must be followed by 0 or 1"),
        ("/a~2", "'~' must be followed by 0 or 1"),
        ("/~~01", "'~' must be followed by 0 or 1"),
    ],
)
def test_text_that_is_no_pointer_is_refused_saying_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse(text)


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        (["payload", "steps", 0, "id"], "/payload/steps/0/id"),  # an index among keys
        ((key for key in ["a", "b"]), "/a/b"),  # any iterable, read once
        (reversed(["b", "a/c"]), "/a~1c/b"),
        (("t", 1), "/t/1"),
        ([True], "/True"),  # not a str: rendered as text, never refused
        ([""], "/"),
        ([], ""),
    ],
)
def test_a_pointer_renders_any_iterable_of_keys_and_indexes(parts: object, text: str) -> None:
    assert pointer(parts) == text  # type: ignore[arg-type]
