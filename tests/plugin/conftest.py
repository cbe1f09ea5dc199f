"""Shared by the plugin's tests, which run pytest sessions in-process with ``pytester``."""

from __future__ import annotations

# pytester forgets, after every in-process run, the modules that run imported; Hypothesis's
# pytest plugin would then import Hypothesis afresh in each run (about a second). Imported
# here once, it stays.
import hypothesis  # noqa: F401
