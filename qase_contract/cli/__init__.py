"""The ``qase-contract`` command: the only package that imports click."""

from __future__ import annotations

from qase_contract.cli._main import main

__all__ = ["main"]
