"""Run the examples in the reference project's docstrings (pytest collects only `tests/`)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import claims_fraud

MODULES = sorted(info.name for info in pkgutil.iter_modules(claims_fraud.__path__, "claims_fraud."))


@pytest.mark.parametrize("name", [m for m in MODULES if not m.endswith("pyfunc_entry")])
def test_docstring_examples(name: str) -> None:
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(importlib.import_module(name), optionflags=flags)
    assert result.failed == 0
