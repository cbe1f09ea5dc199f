"""The contract has a version of its own, recorded in the changelog and bumped with any change of meaning."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from qase_contract import SchemaSet
from qase_contract.contract._provenance import contract_version, provenance, with_provenance
from tests.helpers.data import ROOT, SCHEMAS, load_json

RECORD = ROOT / "tests" / "data" / "contract-meaning.json"
#: Keywords that never change a verdict; editing them is a patch at most.
ANNOTATIONS = frozenset({"title", "description", "$comment", "examples", "default", "deprecated"})
NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})


def meaning(node: Any) -> Any:
    """A schema without its annotations: what decides verdicts (property names are kept)."""
    if isinstance(node, list):
        return [meaning(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key in ANNOTATIONS:
            continue
        if key in NAME_MAPS and isinstance(value, dict):
            result[key] = {name: meaning(subschema) for name, subschema in value.items()}
        elif key in ("enum", "const"):
            result[key] = value
        else:
            result[key] = meaning(value)
    return result


def meaning_digest() -> str:
    resources = SchemaSet.builtin().resources
    canonical = json.dumps(
        {schema_id: meaning(resources[schema_id]) for schema_id in sorted(resources)},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_the_contract_version_is_a_semantic_version_read_from_schemas_version() -> None:
    assert re.fullmatch(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)", contract_version())
    assert contract_version() == (SCHEMAS / "VERSION").read_text(encoding="utf-8").strip()


def test_the_newest_changelog_entry_is_the_current_version() -> None:
    changelog = (SCHEMAS / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\]", changelog, re.MULTILINE)
    assert headings
    assert headings[0] == contract_version()


def test_the_schemas_mean_what_the_recorded_version_meant() -> None:
    record = load_json(RECORD)
    assert record["version"] == contract_version(), (
        f"schemas/VERSION says {contract_version()} but {RECORD.name} records {record['version']}: "
        "record the digest of the new version"
    )
    assert record["sha256"] == meaning_digest(), (
        f"the schemas changed meaning since contract {record['version']}: bump schemas/VERSION, add an "
        f"entry to schemas/CHANGELOG.md, then record the new version and sha256 {meaning_digest()} "
        f"in {RECORD.relative_to(ROOT)}"
    )


def test_the_meaning_ignores_annotations_but_not_keywords_or_property_names() -> None:
    schema = {"description": "x", "properties": {"description": {"type": "string", "$comment": "y"}}}
    assert meaning(schema) == {"properties": {"description": {"type": "string"}}}
    assert meaning({"enum": [{"title": 1}]}) == {"enum": [{"title": 1}]}


def test_provenance_names_the_contract_version_the_package_and_any_overlay() -> None:
    builtin = SchemaSet.builtin()
    assert provenance(builtin).startswith(f"Qase webhook contract {contract_version()}; rendered by")
    overlaid = SchemaSet(builtin.resources, builtin.event_schemas, ("builtin", "/tmp/overlay"))
    assert f"{contract_version()}, with the overlay /tmp/overlay;" in provenance(overlaid)


def test_provenance_goes_first_in_the_root_comment_after_the_identifiers() -> None:
    builtin = SchemaSet.builtin()
    schema = {"$schema": "s", "$id": "i", "$comment": "old", "type": "object"}
    result = with_provenance(schema, builtin)
    assert list(result) == ["$schema", "$id", "$comment", "type"]
    assert result["$comment"] == provenance(builtin) + ". old"
    assert with_provenance({"type": "object"}, builtin) == {
        "$comment": provenance(builtin) + ".",
        "type": "object",
    }
    assert schema["$comment"] == "old"
