"""Generates ``qase_contract/types.py`` (TypedDicts) and ``qase_contract/models.py`` (pydantic
models) from the built-in schemas.

Run ``python -m qase_contract.contract._codegen`` after changing a schema, and commit both
files; ``--check`` only says whether they are stale (the suite runs that check). The output is
already in ``ruff format`` style, so a fresh generation is byte-identical to the committed file.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from qase_contract.contract._components import components
from qase_contract.contract._provenance import contract_version
from qase_contract.contract._schema_set import SchemaSet
from qase_contract.contract._shapes import (
    AliasShape,
    AnyObject,
    AnyValue,
    ArrayOf,
    Choice,
    MapOf,
    Named,
    ObjectShape,
    Scalar,
    Shapes,
    TypeExpr,
    shapes,
)

COMMAND = "python -m qase_contract.contract._codegen"
PACKAGE = Path(__file__).resolve().parent.parent
LINE = 110  # the project's line length (pyproject's ruff setting)

_TYPES_DOC = '''"""TypedDicts of every Qase webhook delivery, generated from the contract's JSON Schemas.

One ``TypedDict`` per event (``RunCompletedDict``), per payload (``RunCompletedPayloadDict``)
and per shared shape (``TestCaseDict``); scalar and enum definitions are type aliases
(``UnixSeconds``, ``CustomFieldType``). ``QaseDelivery`` is the union of the 40 deliveries,
so comparing ``event_name`` narrows it::

    def handle(delivery: QaseDelivery) -> None:
        if delivery["event_name"] == "run.completed":
            print(delivery["payload"]["passed"])  # RunCompletedPayloadDict

Optional keys are ``NotRequired``, keys that may be null are ``X | None``, and only the
contract's closed sets are ``Literal``s. A value outside such a set, or a key the contract does
not know, is drift: it may still arrive, so keep an ``else`` for it and read unknown keys with
``.get()``. Nothing is checked at run time: validate first (``qase_contract.validate``), or
parse with ``qase_contract.models``. Importing this module needs nothing beyond the standard
library.
"""'''

_MODELS_DOC = '''"""Pydantic models of every Qase webhook delivery, generated from the contract's JSON Schema.

Needs the ``pydantic`` extra (``pip install 'qase-contract[pydantic]'``). ``parse_delivery``
turns a request body (bytes, text or a parsed dict) into the model of its event::

    delivery = parse_delivery(request_body)
    if isinstance(delivery, RunCompleted):
        print(delivery.payload.passed)

The models tolerate drift as the validator does: a key the contract does not know is kept
(``model_extra``), a value outside a closed set is accepted, and an event outside the
catalogue parses as ``Envelope``. Types are checked strictly (``"1"`` is not an integer). They
are for reading deliveries; the judge of the contract is the validator
(``qase_contract.validate``), which also reports the drift these models let through.
"""'''

_TYPES_IMPORTS = """import sys
from typing import Final, Literal, TypeAlias

if sys.version_info >= (3, 11):
    from typing import NotRequired, TypedDict
else:  # Python 3.10's typing.TypedDict ignores NotRequired; typing_extensions comes with referencing
    from typing_extensions import NotRequired, TypedDict
"""

_MODELS_IMPORTS = """from typing import Annotated, Any, Final, Literal, TypeAlias

from qase_contract.errors import MissingExtra

try:
    from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter
except ImportError:
    raise MissingExtra("typed models", "pydantic", "pydantic") from None
"""

_MODELS_INTEGER = '''def _whole_number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Integer: TypeAlias = Annotated[int, BeforeValidator(_whole_number)]
"""An integer as JSON Schema counts them: ``1.0`` is one (read as ``1``); ``true`` and ``"1"`` are not."""
'''

_MODELS_TAIL = '''

_BODY: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])


def parse_delivery(body: dict[str, Any] | str | bytes) -> QaseDelivery | Envelope:
    """The model of ``body``'s event, chosen by its ``event_name``; ``Envelope`` for an event the
    contract does not list. Raises ``pydantic.ValidationError`` (a ``ValueError``) for a body that
    is not a JSON object or does not fit its event's model."""
    data = _BODY.validate_json(body) if isinstance(body, (str, bytes)) else _BODY.validate_python(body)
    event_name = data.get("event_name")
    model = MODELS.get(event_name, Envelope) if isinstance(event_name, str) else Envelope
    return model.model_validate(data)
'''


def generated(package: Path = PACKAGE) -> dict[Path, str]:
    """The text of each generated file, by its path in ``package``, from the built-in schemas."""
    found = shapes(components(SchemaSet.builtin()))
    version = contract_version()
    return {
        package / "types.py": _TypesRenderer(found, version).module(),
        package / "models.py": _ModelsRenderer(found, version).module(),
    }


def main(argv: Sequence[str] | None = None, package: Path = PACKAGE) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    check = arguments == ["--check"]
    if arguments and not check:
        print(f"usage: {COMMAND} [--check]", file=sys.stderr)
        return 2
    stale = []
    for path, text in generated(package).items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not check:
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"stale {path}: run {COMMAND}" if check else f"wrote {path}")
    return 1 if check and stale else 0


class _Renderer:
    """What both modules share: layout, docstrings, literals and the order of definitions."""

    class_suffix = ""

    def __init__(self, found: Shapes, version: str) -> None:
        self.shapes = found
        self.version = version
        self.objects = {shape.name for shape in found.definitions if isinstance(shape, ObjectShape)}
        self.aliases = {s.name: s.type for s in found.definitions if isinstance(s, AliasShape)}

    def header(self) -> str:
        return f"# Generated by `{COMMAND}` from schemas/ (contract {self.version}): do not edit.\n"

    def class_name(self, name: str) -> str:
        return name + self.class_suffix if name in self.objects else name

    def named(self, expression: Named) -> str:
        text = self.class_name(expression.name)
        return f"{text} | None" if expression.nullable else text

    def union(self, members: Iterator[str]) -> str:
        seen: list[str] = []
        for member in members:
            for part in member.split(" | "):
                if part not in seen:
                    seen.append(part)
        if "None" in seen:  # None last, as people write it
            seen.remove("None")
            seen.append("None")
        return " | ".join(seen)

    def definitions(self) -> Iterator[str]:
        for shape in self.shapes.definitions:
            if isinstance(shape, ObjectShape):
                yield self.object_class(shape)
            else:
                yield self.alias(shape)

    def alias(self, shape: AliasShape) -> str:
        expression = self.alias_type(shape.type)
        line = f"{shape.name}: TypeAlias = {expression}"
        if len(line) > LINE and expression.endswith("]"):
            name, _, inside = expression[:-1].partition("[")
            line = wrapped_subscript(f"{shape.name}: TypeAlias = {name}", split_top_level(inside))
        return f"{line.rstrip()}\n{docstring(shape.description, '')}"

    def alias_type(self, expression: TypeExpr) -> str:
        return self.type(expression)

    def object_class(self, shape: ObjectShape) -> str:
        raise NotImplementedError

    def type(self, expression: TypeExpr) -> str:
        raise NotImplementedError

    def deliveries_by_event(self) -> list[tuple[str, str]]:
        return list(self.shapes.deliveries.items())

    def deliveries(self) -> list[str]:
        return [self.class_name(name) for name in self.shapes.deliveries.values()]

    def event_names(self) -> str:
        names = [literal(event) for event in self.shapes.deliveries]
        return wrapped_subscript("EventName: TypeAlias = Literal", names) + docstring(
            "The name of each event the contract lists.", ""
        )

    def version_line(self) -> str:
        return f"CONTRACT_VERSION: Final = {literal(self.version)}\n" + docstring(
            "The version of the contract these definitions were generated from.", ""
        )

    def all_names(self, extra: Sequence[str]) -> str:
        names = [
            "CONTRACT_VERSION",
            *extra,
            *(self.class_name(shape.name) for shape in self.shapes.definitions),
            "EventName",
            "QaseDelivery",
        ]
        return wrapped_subscript("__all__ =", [literal(name) for name in sorted(set(names), key=_all_order)])


class _TypesRenderer(_Renderer):
    class_suffix = "Dict"

    def module(self) -> str:
        parts = [
            self.header() + _TYPES_DOC + "\n\n" + _TYPES_IMPORTS,
            self.all_names([]),
            self.version_line(),
            *self.definitions(),
            self.event_names(),
            wrapped_union("QaseDelivery: TypeAlias =", self.deliveries())
            + docstring("Any of the 40 deliveries: compare its event_name to narrow it.", ""),
        ]
        return "\n\n\n".join(part.rstrip("\n") for part in parts) + "\n"

    def object_class(self, shape: ObjectShape) -> str:
        fields = []
        for field in shape.fields:
            annotation = self.type(field.type)
            if not field.required:
                annotation = f"NotRequired[{annotation}]"
            fields.append((f"{field.key}: {annotation}", field.description))
        return class_text(f"class {self.class_name(shape.name)}(TypedDict):", shape.description, fields)

    def type(self, expression: TypeExpr) -> str:
        if isinstance(expression, Scalar):
            return expression.kind
        if isinstance(expression, Choice):
            return f"Literal[{', '.join(literal(value) for value in expression.values)}]"
        if isinstance(expression, Named):
            return self.named(expression)
        if isinstance(expression, ArrayOf):
            return f"list[{self.type(expression.item)}]"
        if isinstance(expression, MapOf):
            return f"dict[str, {self.type(expression.value)}]"
        if isinstance(expression, AnyObject):
            return "dict[str, object]"
        if isinstance(expression, AnyValue):
            return "object"
        return self.union(self.type(member) for member in expression.members)


class _ModelsRenderer(_Renderer):
    """Models accept a value outside a closed set (it is drift): an enum alias names the known
    values, as in ``types``, and each use of it adds the open type (``CustomFieldType | str``)."""

    @staticmethod
    def open_choice(choice: Choice, known: str) -> str:
        """An enum in a model: an outside value is drift, not an error, so the model keeps it. A
        number enum is its plain type: pydantic's ``Literal[1]`` would also take ``true`` and ``1.0``."""
        if choice.kind == "str":
            return f"{known} | str"
        return {"int": "Integer", "float": "float"}.get(choice.kind, "Any")

    def alias_type(self, expression: TypeExpr) -> str:
        if isinstance(expression, Choice):
            return f"Literal[{', '.join(literal(value) for value in expression.values)}]"
        return self.type(expression)

    def named(self, expression: Named) -> str:
        target = self.aliases.get(expression.name)
        if isinstance(target, Choice) and not target.closed:
            opened = self.open_choice(target, expression.name)
            return f"{opened} | None" if expression.nullable else opened
        return super().named(expression)

    def module(self) -> str:
        mapping = "\n".join(
            f"    {literal(event)}: {self.class_name(name)}," for event, name in self.deliveries_by_event()
        )
        parts = [
            self.header() + _MODELS_DOC + "\n\n" + _MODELS_IMPORTS,
            self.all_names(["MODELS", "Integer", "QaseModel", "parse_delivery"]),
            self.version_line(),
            "class QaseModel(BaseModel):\n"
            + docstring(
                "The base of every model: keys the contract does not know are kept (drift is no error), "
                'types are checked strictly (no "1" for 1), the values cannot be reassigned, and each '
                "field's docstring is its description.",
                "    ",
            )
            + '\n    model_config = ConfigDict(extra="allow", strict=True, frozen=True, '
            + "use_attribute_docstrings=True)\n",
            _MODELS_INTEGER,
            *self.definitions(),
            self.event_names(),
            "QaseDelivery: TypeAlias = Annotated[\n"
            + "".join(f"    {line}\n" for line in _union_lines(self.deliveries(), trailing=","))
            + '    Field(discriminator="event_name"),\n]\n'
            + docstring(
                "Any of the 40 deliveries, told apart by event_name (for a FastAPI body, for instance).", ""
            ),
            f"MODELS: Final[dict[str, type[QaseDelivery]]] = {{\n{mapping}\n}}\n"
            + docstring("The model of each event, by event name.", ""),
        ]
        return "\n\n\n".join(part.rstrip("\n") for part in parts) + "\n" + _MODELS_TAIL

    def object_class(self, shape: ObjectShape) -> str:
        fields = []
        for field in shape.fields:
            annotation = self.type(field.type)
            if field.required:
                fields.append((f"{field.key}: {annotation}", field.description))
            else:
                optional = annotation if annotation.endswith("| None") else f"{annotation} | None"
                fields.append((f"{field.key}: {optional} = None", field.description))
        return class_text(f"class {self.class_name(shape.name)}(QaseModel):", shape.description, fields)

    def type(self, expression: TypeExpr) -> str:
        if isinstance(expression, Scalar):
            kind = "Integer" if expression.kind == "int" else expression.kind
            constraints = [
                f"{keyword}={value!r}"
                for keyword, value in (("ge", expression.minimum), ("le", expression.maximum))
                if value is not None
            ]
            if expression.pattern is not None:
                constraints.append(f"pattern={literal(expression.pattern)}")
            if not constraints:
                return kind
            return f"Annotated[{kind}, Field({', '.join(constraints)})]"
        if isinstance(expression, Choice):
            choice = f"Literal[{', '.join(literal(value) for value in expression.values)}]"
            return choice if expression.closed else self.open_choice(expression, choice)
        if isinstance(expression, Named):
            return self.named(expression)
        if isinstance(expression, ArrayOf):
            return f"list[{self.type(expression.item)}]"
        if isinstance(expression, MapOf):
            key = "str"
            if expression.key_pattern is not None:
                key = f"Annotated[str, Field(pattern={literal(expression.key_pattern)})]"
            return f"dict[{key}, {self.type(expression.value)}]"
        if isinstance(expression, AnyObject):
            return "dict[str, Any]"
        if isinstance(expression, AnyValue):
            return "Any"
        return self.union(self.type(member) for member in expression.members)


def literal(value: Any) -> str:
    """A Python literal of a JSON scalar, double-quoted as ``ruff format`` writes strings."""
    if value is None or isinstance(value, bool):
        return repr(value)
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def docstring(text: str, indent: str) -> str:
    """``text`` as a docstring: one line if it fits, else wrapped with the closing quotes alone."""
    text = " ".join(text.split()).replace("\\", "\\\\").replace('"""', '\\"""')
    if text.endswith('"'):
        text += " "
    one_line = f'{indent}"""{text}"""'
    if len(one_line) <= LINE:
        return one_line + "\n"
    # Narrow enough that a text which did not fit on one line takes two: ruff format would join a
    # lone line with its closing quotes into a line too long.
    lines = textwrap.wrap(text, LINE - len(indent) - 6, break_long_words=False, break_on_hyphens=False)
    body = "\n".join(f"{indent}{line}" for line in lines[1:])
    return f'{indent}"""{lines[0]}\n{body}\n{indent}"""\n'


def wrapped_subscript(head: str, items: list[str]) -> str:
    """``head[items]`` (or ``head = [items]``) laid out as ruff format does: on one line if it fits,
    else the items on one indented line if they fit, else one item a line with a trailing comma."""
    opener = f"{head} [" if head.endswith("=") else f"{head}["
    joined = ", ".join(items)
    if len(opener) + len(joined) + 1 <= LINE:
        return f"{opener}{joined}]\n"
    if len(joined) + 4 <= LINE:
        return f"{opener}\n    {joined}\n]\n"
    return opener + "\n" + "".join(f"    {item},\n" for item in items) + "]\n"


def split_top_level(text: str) -> list[str]:
    """``a, b[c, d], "e, f"`` -> ``["a", "b[c, d]", '"e, f"']``: commas outside brackets and strings."""
    items, depth, quote, start = [], 0, "", 0
    for index, character in enumerate(text):
        if quote:
            if character == quote and text[index - 1] != "\\":
                quote = ""
        elif character in "\"'":
            quote = character
        elif character in "([{":
            depth += 1
        elif character in ")]}":
            depth -= 1
        elif character == "," and depth == 0:
            items.append(text[start:index].strip())
            start = index + 1
    items.append(text[start:].strip())
    return items


def wrapped_union(head: str, members: list[str]) -> str:
    one_line = f"{head} {' | '.join(members)}"
    if len(one_line) <= LINE:
        return one_line + "\n"
    return f"{head} (\n" + "".join(f"    {line}\n" for line in _union_lines(members)) + ")\n"


def _union_lines(members: list[str], trailing: str = "") -> list[str]:
    return [members[0], *(f"| {member}" for member in members[1:-1]), f"| {members[-1]}{trailing}"]


def class_text(header: str, description: str, fields: list[tuple[str, str | None]]) -> str:
    """A class: its docstring, a blank line (as ruff format wants), then each field and its docstring."""
    text = f"{header}\n{docstring(description, '    ')}"
    if fields:
        text += "\n"
    for line, description_of_field in fields:
        text += f"    {line}\n"
        if description_of_field:
            text += docstring(description_of_field, "    ")
    return text


def _all_order(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then Classes, then the rest."""
    if name.isupper() or (name.replace("_", "").isupper()):
        return 0, name
    return (1, name) if name[:1].isupper() else (2, name)


if __name__ == "__main__":
    raise SystemExit(main())
