"""Copies of JSON data (dicts, lists and scalars), iterative, read as stored.

Subclasses of ``dict`` and ``list`` are read through ``dict.items`` and ``list.__iter__``, the
data as stored, whatever a subclass does (a read-set recorder's tracked delivery notes the reads
made through its own methods). No depth of nesting can exhaust the recursion limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Makes the empty container that copies ``source`` (a dict or a list), given the copy of its
#: parent and its key there (``None``, ``None`` for the root).
NewContainer = Callable[[Any, Any, Any], Any]


def _plain_container(source: Any, parent: Any, key: Any) -> Any:
    return {} if isinstance(source, dict) else []


def _same(value: Any) -> Any:
    return value


def copy_json(
    value: Any,
    new_container: NewContainer = _plain_container,
    leaf: Callable[[Any], Any] = _same,
    key: Callable[[Any], Any] = _same,
) -> Any:
    """A copy of ``value``: containers made by ``new_container`` (plain ones by default),
    scalars passed through ``leaf``, object keys through ``key``."""
    if not isinstance(value, (dict, list)):
        return leaf(value)
    root = new_container(value, None, None)
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, target = stack.pop()
        pairs = dict.items(source) if isinstance(source, dict) else enumerate(list.__iter__(source))
        for name, item in pairs:
            if isinstance(item, (dict, list)):
                new = new_container(item, target, name)
                stack.append((item, new))  # filled later: the copy holds it already
            else:
                new = leaf(item)
            if isinstance(target, dict):
                dict.__setitem__(target, key(name), new)
            else:
                list.append(target, new)
    return root
