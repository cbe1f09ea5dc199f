"""JSON type names, as JSON Schema spells them: one table for findings, drift and generators."""

from __future__ import annotations

#: JSON types in the order every report lists them.
TYPE_ORDER = ("object", "array", "string", "integer", "number", "boolean", "null")

#: The Python class orjson gives each JSON value -> its JSON type; exact classes, for the
#: hot loops that look a type up by ``type(value)``.
TYPE_OF_CLASS: dict[type, str] = {
    dict: "object",
    list: "array",
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


def json_type(value: object) -> str:
    """The JSON type of ``value`` (subclasses included: ``bool`` before ``int``), or the Python
    class name of a value that has none."""
    if value is None:
        return "null"
    for python_type in (bool, int, float, str, dict, list):
        if isinstance(value, python_type):
            return TYPE_OF_CLASS[python_type]
    return type(value).__name__
