"""What failed, engine-neutral: each schema engine's errors read into one structure.

Findings are built from :class:`Failure` values only (:mod:`._explain`), so jsonschema-rs,
which decides and explains, and python-jsonschema, the fallback and the oracle of the
differential tests, cannot disagree by construction of the findings, only by what they report.
jsonschema-rs's errors are read from their structure (error kinds, instance paths, keyword
locations), never from message texts.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from qase_contract._util.pointer import child, pointer

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


class Failure(NamedTuple):  # made once per failed keyword: a named tuple is the cheapest to make
    """One schema keyword an instance failed.

    ``path`` is the JSON Pointer of the value, ``place`` the keyword's file and pointer
    (``common/defs.schema.json#/$defs/priority/type``), ``value`` the keyword's value in the
    schema (types, options, a limit, a pattern). ``keys`` names the object keys at fault: the
    unexpected ones of ``additionalProperties``/``unevaluatedProperties``, the missing one of
    ``required``, the refused one of ``propertyNames`` (whose ``inner`` failure says why).
    ``branches`` holds the failures of each ``anyOf``/``oneOf`` alternative.
    """

    keyword: str
    path: str
    place: str
    instance: object
    value: object = None
    keys: tuple[str, ...] = ()
    inner: Failure | None = None
    branches: tuple[tuple[Failure, ...], ...] = ()


_new = tuple.__new__

#: jsonschema-rs error kind -> the keyword it reports and the kind attribute holding its value.
_RS_KINDS: dict[str, tuple[str, str | None]] = {
    "AdditionalItems": ("additionalItems", "limit"),
    "AdditionalProperties": ("additionalProperties", None),
    "AnyOf": ("anyOf", None),
    "Constant": ("const", "expected_value"),
    "Contains": ("contains", None),
    "ContentEncoding": ("contentEncoding", "content_encoding"),
    "ContentMediaType": ("contentMediaType", "content_media_type"),
    "Enum": ("enum", "options"),
    "ExclusiveMaximum": ("exclusiveMaximum", "limit"),
    "ExclusiveMinimum": ("exclusiveMinimum", "limit"),
    "Format": ("format", "format"),
    "MaxItems": ("maxItems", "limit"),
    "MaxLength": ("maxLength", "limit"),
    "MaxProperties": ("maxProperties", "limit"),
    "Maximum": ("maximum", "limit"),
    "MinItems": ("minItems", "limit"),
    "MinLength": ("minLength", "limit"),
    "MinProperties": ("minProperties", "limit"),
    "Minimum": ("minimum", "limit"),
    "MultipleOf": ("multipleOf", "multiple_of"),
    "Not": ("not", "schema"),
    "OneOfMultipleValid": ("oneOf", None),
    "OneOfNotValid": ("oneOf", None),
    "Pattern": ("pattern", "pattern"),
    "PropertyNames": ("propertyNames", None),
    "Required": ("required", None),
    "Type": ("type", "types"),
    "UnevaluatedItems": ("unevaluatedItems", None),
    "UnevaluatedProperties": ("unevaluatedProperties", None),
    "UniqueItems": ("uniqueItems", None),
}


class _Keyword(NamedTuple):
    """A keyword of the schema as jsonschema-rs's errors at one location report it."""

    kind_name: str
    keyword: str
    attribute: str | None  # the attribute of the error kind holding the keyword's value
    place: str
    value: object  # the keyword's value in the schema, or None: read from the error kind


class RustErrors:
    """Reads jsonschema-rs errors of one instance into failures.

    ``relative_name`` turns an absolute keyword location into a ``place``; ``schema_at`` finds
    the schema object at one, for the one error jsonschema-rs 0.61 reports without its keys
    (``additionalProperties: false`` with no ``properties`` beside it comes as one
    ``FalseSchema`` error for the first unexpected key, at the object's path).
    """

    def __init__(
        self,
        relative_name: Callable[[str], str],
        schema_at: Callable[[str], object],
        declared_keys: Callable[[Mapping[str, Any], str], bool],
    ) -> None:
        self._relative_name = relative_name
        self._schema_at = schema_at
        self._declared = declared_keys
        #: (error kind class, keyword location) -> what such an error reports.
        self._keywords: dict[tuple[type, str], _Keyword] = {}

    def failures(self, errors: Iterable[Any], instance: object) -> list[Failure] | None:
        """The failures of jsonschema-rs's errors, or None when one may be misplaced: it leaves
        an empty key out of an instance path (0.61: the failure at ``{"": null}``'s value is
        reported at the object), so where one could be, python-jsonschema explains instead."""
        found: list[Failure] = []
        for error in errors:
            failure = self._failure(error, instance)
            if failure is None:
                return None
            found.append(failure)
        return found

    def _failure(self, error: Any, root: object) -> Failure | None:
        """The failure of one error (``root`` is the value its path starts from), or None when
        its place is uncertain (see :meth:`failures`)."""
        parts = error.instance_path
        if _may_have_lost_an_empty_key(root, parts):
            return None
        kind = error.kind
        # As text: a schema built by hand without "$id" has no location (None), named as such.
        location = str(error.absolute_keyword_location)
        known = self._keywords.get((type(kind), location))
        if known is None:
            known = self._keywords[(type(kind), location)] = self._keyword(type(kind).__name__, location)
        kind_name, keyword, attribute, place, value = known
        path = pointer(parts)
        if kind_name == "FalseSchema":
            if location.endswith("/additionalProperties"):
                return self._additional_without_keys(error, root, location, place, path)
            return Failure("false", path, place, error.instance)
        if value is None and attribute is not None:
            value = getattr(kind, attribute)
        # The common failures are made as the tuples they are (see make_finding).
        if kind_name in ("AdditionalProperties", "UnevaluatedProperties"):
            return _new(
                Failure, (keyword, path, place, error.instance, False, tuple(kind.unexpected), None, ())
            )
        if kind_name == "Required":
            return _new(Failure, (keyword, path, place, error.instance, None, (kind.property,), None, ()))
        if kind_name == "PropertyNames":
            inner = kind.error
            key = inner.instance
            refused = self._failure(inner, key)
            if refused is None:
                return None
            return Failure(keyword, path, place, error.instance, keys=(key,), inner=refused)
        if kind_name in ("AnyOf", "OneOfNotValid"):
            branches = []
            for branch in kind.context:
                failures = self.failures(branch, root)
                if failures is None:
                    return None
                branches.append(tuple(failures))
            return Failure(keyword, path, place, error.instance, branches=tuple(branches))
        return _new(Failure, (keyword, path, place, error.instance, value, (), None, ()))

    def _keyword(self, kind_name: str, location: str) -> _Keyword:
        """What an error of ``kind_name`` at ``location`` reports, the same for every error
        there: a corpus fails the same few keywords again and again."""
        keyword, attribute = _RS_KINDS.get(kind_name, (kind_name, None))
        # The keyword's value as the schema writes it (jsonschema-rs reorders a type list).
        value = self._schema_at(location) if attribute is not None else None
        return _Keyword(kind_name, keyword, attribute, self._relative_name(location), value)

    def _additional_without_keys(
        self, error: Any, root: object, location: str, place: str, path: str
    ) -> Failure:
        holder = self._schema_at(location.rsplit("/", 1)[0])
        target = _value_at(root, error.instance_path)
        keys: tuple[str, ...] = ()
        if isinstance(holder, Mapping) and isinstance(target, dict):
            keys = tuple(key for key in target if not self._declared(holder, key))
        return Failure("additionalProperties", path, place, target, False, keys)


def _may_have_lost_an_empty_key(root: object, parts: Iterable[object]) -> bool:
    """Whether an object on the path (its ends included) has the key ``""``: only then can the
    path have lost one. A few dict look-ups per error; such keys are rare."""
    node = root
    for part in parts:
        if isinstance(node, dict):
            if "" in node:
                return True
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return False
    return isinstance(node, dict) and "" in node


def _value_at(root: object, parts: Iterable[object]) -> object:
    node = root
    for part in parts:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


# -- python-jsonschema: the fallback and the oracle ----------------------------------------------

_UNEXPECTED = re.compile(r"\((?P<keys>.*) (?:was|were) unexpected\)$", re.DOTALL)
_REQUIRED = re.compile(r"^(?P<key>.*) is a required property$", re.DOTALL)


class PythonErrors:
    """Reads python-jsonschema errors into failures. ``locations`` maps the id of every schema
    object of the set to its place, so a keyword reached through ``$ref`` is named where it
    stands; ``declared_keys`` says whether a key is declared by an object schema."""

    def __init__(
        self,
        root_name: str,
        locations: Mapping[int, str],
        declared_keys: Callable[[Mapping[str, Any], str], bool],
    ) -> None:
        self._root_name = root_name
        self._locations = locations
        self._declared = declared_keys

    def failures(self, errors: Iterable[ValidationError]) -> list[Failure]:
        return [self._failure(error) for error in errors]

    def _place(self, error: ValidationError) -> str:
        keyword = str(error.validator)
        place = self._locations.get(id(error.schema))
        if place is not None:
            return child(place, keyword)
        return f"{self._root_name}#{pointer(error.absolute_schema_path)}"

    def _failure(self, error: ValidationError) -> Failure:
        keyword = "false" if error.validator is None else str(error.validator)
        path = pointer(error.absolute_path)
        place = self._place(error)
        value: Any = error.validator_value
        if "propertyNames" in error.relative_schema_path:
            # The instance of a propertyNames error is the offending key itself.
            key = str(error.instance)
            inner = Failure(keyword, path, place, error.instance, value)
            return Failure("propertyNames", path, place, None, keys=(key,), inner=inner)
        if keyword in ("anyOf", "oneOf") and error.context:
            by_branch: dict[object, list[ValidationError]] = defaultdict(list)
            for suberror in error.context:
                by_branch[suberror.relative_schema_path[0]].append(suberror)
            branches = tuple(tuple(self.failures(suberrors)) for suberrors in by_branch.values())
            return Failure(keyword, path, place, error.instance, branches=branches)
        if keyword in ("additionalProperties", "unevaluatedProperties") and value is False:
            return Failure(keyword, path, place, error.instance, False, tuple(self._unexpected_keys(error)))
        if keyword == "required":
            return Failure(keyword, path, place, error.instance, keys=(self._required_key(error),))
        return Failure(keyword, path, place, error.instance, value)

    def _unexpected_keys(self, error: ValidationError) -> list[str]:
        """For ``additionalProperties`` the keys follow from the schema itself. For
        ``unevaluatedProperties`` (evaluated keys depend on every ``$ref`` and branch applied)
        they are read back from python-jsonschema's message, which lists them as reprs."""
        instance = error.instance if isinstance(error.instance, dict) else {}
        if error.validator == "additionalProperties" and isinstance(error.schema, Mapping):
            schema = error.schema
            return [key for key in instance if not self._declared(schema, key)]
        match = _UNEXPECTED.search(error.message)
        if match:
            try:
                parsed = ast.literal_eval(f"({match['keys']},)")
            except (ValueError, SyntaxError):
                parsed = ()
            return [key for key in parsed if isinstance(key, str)]
        return []

    @staticmethod
    def _required_key(error: ValidationError) -> str:
        match = _REQUIRED.match(error.message)
        if match:
            try:
                key = ast.literal_eval(match["key"])
            except (ValueError, SyntaxError):
                key = None
            if isinstance(key, str):
                return key
        instance = error.instance if isinstance(error.instance, dict) else {}
        required: Any = error.validator_value
        missing = [key for key in required if key not in instance]
        return str(missing[0]) if missing else "?"
