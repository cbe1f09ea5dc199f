"""check-jsonschema, run as a user would: a separate process that must never reach the network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers.data import SCHEMAS

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
