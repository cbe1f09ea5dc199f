"""The only code that knows where the schema files are.

A wheel carries them inside the package (``qase_contract/schemas``); a source checkout
and an editable install keep them in the repository's top-level ``schemas`` folder.
"""

from __future__ import annotations

import functools
from pathlib import Path

from qase_contract.errors import SchemasNotFound

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


@functools.cache
def schemas_root() -> Path:
    """The folder holding ``envelope.schema.json``, ``common/``, ``events/`` and ``examples/``."""
    for candidate in (_PACKAGE_DIR / "schemas", _PACKAGE_DIR.parent / "schemas"):
        if (candidate / "envelope.schema.json").is_file():
            return candidate
    raise SchemasNotFound(
        f"no schemas folder next to {_PACKAGE_DIR}; reinstall qase-contract (the build is incomplete)"
    )


def examples_root() -> Path:
    return schemas_root() / "examples"
