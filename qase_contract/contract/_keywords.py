"""What the JSON Schema keywords are, for the code that walks schemas (bundling, checking
references, generating deliveries): one list of each kind."""

from __future__ import annotations

#: Keywords that never change a verdict: they may be merged, dropped or ignored freely.
ANNOTATIONS = frozenset(
    {"title", "description", "$comment", "examples", "default", "deprecated", "readOnly", "writeOnly"}
)
#: Identity and storage keywords: they name or hold schemas but constrain nothing themselves.
IDENTITY = frozenset({"$schema", "$id", "$anchor", "$dynamicAnchor", "$defs", "definitions"})
#: Keywords whose value maps names to subschemas (the names are data, not keywords).
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
#: Keywords whose values are instance data, never schemas.
DATA_KEYWORDS = frozenset({"enum", "const", "examples", "default"})
#: The keyword that limits an object's keys; drift reports a broken one at the object's path.
KEY_PATTERN = "propertyNames"
