"""Databricks Asset Bundles: load one target's resolved configuration and validate it.

`load_bundle` reads `databricks.yml` and its includes, merges the selected target and resolves
variables; `validate_bundle` also checks the bundle and returns diagnostics with positions.
"""

from __future__ import annotations

from brickgate.bundle.diagnostics import Diagnostic
from brickgate.bundle.model import Bundle, load_bundle
from brickgate.bundle.validate import ValidateOptions, ValidationResult, validate_bundle

__all__ = ["Bundle", "Diagnostic", "ValidateOptions", "ValidationResult", "load_bundle", "validate_bundle"]
