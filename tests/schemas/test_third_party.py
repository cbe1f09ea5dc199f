"""The schema files work as they are with a third-party validator, offline."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLES, SCHEMAS, load_json

CASE_CREATED = SCHEMAS / "events" / "case" / "created.schema.json"


def check_jsonschema(
    instance: Path, schemafile: Path = CASE_CREATED, with_base_uri: bool = True
) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or "check-jsonschema"
    # Relative $refs resolve against the schema's $id; --base-uri points them at the local files.
    # A bundled schema has no $ref, so it needs no base URI.
    base_uri = ["--base-uri", schemafile.as_uri()] if with_base_uri else []
    command = [executable, "--schemafile", str(schemafile), *base_uri, "--no-cache", str(instance)]
    # An unroutable proxy: any attempt to fetch a schema over HTTP(S) would fail the run.
    env = dict(os.environ, HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9", NO_PROXY="")
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_check_jsonschema_accepts_the_canonical_example_offline() -> None:
    completed = check_jsonschema(EXAMPLES / "case.created" / "canonical.json")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "ok -- validation done" in completed.stdout


def test_check_jsonschema_rejects_a_broken_delivery_offline(tmp_path: Path) -> None:
    delivery = load_json(EXAMPLES / "case.created" / "canonical.json")
    delivery["payload"]["priority"] = "high"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(delivery), encoding="utf-8")
    completed = check_jsonschema(broken)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "$.payload.priority" in completed.stdout
    assert "'high' is not of type 'object'" in completed.stdout
