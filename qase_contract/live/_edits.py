"""Changes to a delivery before it is sent: set a value anywhere, or remove one (``send --set``,
``--unset``), at an RFC 6901 JSON Pointer.

``--set /payload/duration=null`` replaces the member or adds it to its object; the object (or
array) that holds it must exist, so a misspelt parent is an error rather than a new branch.
In an array an existing index is replaced and ``-`` appends. ``--unset`` removes a member or
an item that exists. The pointer ``""`` (the whole delivery) can be set, never removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from qase_contract._util import pointer
from qase_contract._util.json_types import json_type
from qase_contract.errors import BadEdit

_REMOVE = object()


@dataclass(frozen=True, slots=True)
class Edit:
    """One change: ``value`` at ``pointer``, or its removal (``removes``)."""

    pointer: str
    tokens: tuple[str, ...]
    value: object = _REMOVE

    @property
    def removes(self) -> bool:
        return self.value is _REMOVE

    @property
    def option(self) -> str:
        """The change as it was asked for, for messages."""
        return f"--unset {self.pointer}" if self.removes else f"--set {self.pointer}=..."

    @classmethod
    def setting(cls, text: str) -> Edit:
        """``POINTER=JSON``; raises :class:`BadEdit` saying what is wrong with it."""
        where, equals, value_text = text.partition("=")
        if not equals:
            raise BadEdit(f"--set {text!r}: give POINTER=JSON, such as /payload/duration=null")
        try:
            value = orjson.loads(value_text)
        except orjson.JSONDecodeError as error:
            hint = f"; a string needs quotes: '{where}=\"{value_text}\"'" if value_text.strip() else ""
            raise BadEdit(f"--set {where}: {value_text!r} is not JSON ({error}){hint}") from None
        return cls(where, _tokens(where, "--set"), value)

    @classmethod
    def removal(cls, text: str) -> Edit:
        tokens = _tokens(text, "--unset")
        if not tokens:
            raise BadEdit(
                "--unset '': the whole delivery cannot be removed; name a member, such as /payload/id"
            )
        return cls(text, tokens)

    def apply(self, data: object, subject: str) -> object:
        """``data`` changed in place (the new root when the root is set); ``subject`` names the
        delivery in an error. Raises :class:`BadEdit` when the place cannot be reached."""
        if not self.tokens:
            return self.value
        parent = data
        for depth, token in enumerate(self.tokens[:-1]):
            parent = self._step(parent, token, depth, subject)
        last, depth = self.tokens[-1], len(self.tokens) - 1
        if isinstance(parent, dict):
            if self.removes:
                if last not in parent:
                    raise self._missing(depth + 1, subject)
                del parent[last]
            else:
                parent[last] = self.value
        elif isinstance(parent, list):
            if last == "-" and not self.removes:
                parent.append(self.value)
            else:
                index = self._index(parent, last, depth, subject)
                if self.removes:
                    del parent[index]
                else:
                    parent[index] = self.value
        else:
            raise self._not_a_container(parent, depth, subject)
        return data

    def _step(self, parent: object, token: str, depth: int, subject: str) -> object:
        if isinstance(parent, dict):
            if token not in parent:
                raise self._missing(depth + 1, subject)
            return parent[token]
        if isinstance(parent, list):
            return parent[self._index(parent, token, depth, subject)]
        raise self._not_a_container(parent, depth, subject)

    def _index(self, items: list[object], token: str, depth: int, subject: str) -> int:
        # RFC 6901: an index is "0" or digits without a leading zero.
        if not (token.isascii() and token.isdigit()) or (token != "0" and token.startswith("0")):
            raise BadEdit(
                f"{self.option}: {pointer.pointer(self.tokens[:depth]) or 'the root'} is an array in "
                f"{subject}, and {token!r} is no index of it"
            )
        index = int(token)
        if index >= len(items):
            extra = "; '-' appends" if not self.removes else ""
            raise BadEdit(
                f"{self.option}: {pointer.pointer(self.tokens[:depth]) or 'the root'} has "
                f"{len(items)} items in {subject}, so no index {index}{extra}"
            )
        return index

    def _missing(self, depth: int, subject: str) -> BadEdit:
        place = pointer.pointer(self.tokens[:depth])
        if self.removes and depth == len(self.tokens):
            return BadEdit(f"{self.option}: {subject} has no {place} to remove")
        return BadEdit(f"{self.option}: {subject} has no {place}; --set adds only the last member of a path")

    def _not_a_container(self, value: object, depth: int, subject: str) -> BadEdit:
        place = pointer.pointer(self.tokens[:depth]) or "the root"
        kind = json_type(value)
        article = "an" if kind[0] in "aeiou" else "a"
        return BadEdit(f"{self.option}: {place} is {article} {kind} in {subject}, not an object or array")


def _tokens(text: str, option: str) -> tuple[str, ...]:
    try:
        return tuple(pointer.parse(text))
    except ValueError as error:
        raise BadEdit(f"{option}: {error}") from None


def apply_all(edits: list[Edit], body: bytes, subject: str) -> bytes:
    """``body`` with every edit made in order, as compact JSON; raises :class:`BadEdit`."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadEdit(f"{edits[0].option}: {subject} is not JSON, so it cannot be changed") from None
    for edit in edits:
        data = edit.apply(data, subject)
    try:
        return orjson.dumps(data)
    except TypeError as error:  # an integer past 64 bits, which orjson neither reads nor writes
        raise BadEdit(f"{subject} cannot be written back as JSON after the change: {error}") from None
