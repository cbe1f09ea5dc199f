"""GitLab CI, offline: GitLab's JSON Schema as check-jsonschema vendors it, and the job template."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import check_jsonschema
import jsonschema
import yaml

from tests.helpers.data import ROOT, load_json

TEMPLATE = ROOT / "ci" / "gitlab" / "qase-contract.gitlab-ci.yml"
VENDOR = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor"
#: The template's hidden job, which a project's job extends.
JOB = ".qase-contract"


def gitlab_ci_schema() -> dict[str, Any]:
    """SchemaStore's GitLab CI schema, checked against the sha256 check-jsonschema records."""
    path = VENDOR / "gitlab-ci.json"
    recorded = (VENDOR / "sha256" / "gitlab-ci.sha256").read_text(encoding="utf-8").split()[0]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == recorded
    schema: dict[str, Any] = load_json(path)
    return schema


def gitlab_errors(document: dict[str, Any]) -> list[str]:
    schema = gitlab_ci_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def template() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    return document


def extended(job: dict[str, Any]) -> dict[str, Any]:
    """A job that extends the template's, as GitLab merges it (variables merged key by key)."""
    base = template()[job["extends"]]
    merged = {**base, **{key: value for key, value in job.items() if key != "extends"}}
    merged["variables"] = {**base.get("variables", {}), **job.get("variables", {})}
    return merged
