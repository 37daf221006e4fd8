"""Start a python_wheel_task the way Databricks does: by the package's entry point.

``python -m brickgate.runtime.wheel PACKAGE ENTRY_POINT [ARGS…]`` looks up ENTRY_POINT among
the entry points of the installed distribution PACKAGE (importlib.metadata) and calls it with
``sys.argv = [PACKAGE, *ARGS]``. Like Databricks, when the distribution declares no such entry
point it falls back to calling ``PACKAGE.ENTRY_POINT()`` (the module attribute of that name).
The package must already be installed in the environment: `brickgate run` installs no
libraries. A package the bundle builds from its own source (a `whl` artifact) is not installed:
`brickgate run` names its entry point (``module:attribute`` from pyproject.toml) in
``BRICKGATE_ENTRY_POINT`` and puts its source folder on ``PYTHONPATH``.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any

NOT_INSTALLED = "python_wheel_task: package '{package}' is not installed in {python} (pip install your wheel first)"
NO_ENTRY_POINT = "python_wheel_task: package '{package}' has no entry point '{entry}' and no function {module}.{entry}"


def find_entry_point(package: str, entry: str) -> Callable[[], Any]:
    """The callable for `entry` of distribution `package`.

    Raises
    ------
    LookupError
        When the distribution is not installed or has neither the entry point nor the function.
    """
    declared = os.environ.get("BRICKGATE_ENTRY_POINT", "")
    if declared:
        source: Callable[[], Any] = metadata.EntryPoint(name=entry, value=declared, group="brickgate").load()
        return source
    try:
        distribution = metadata.distribution(package)
    except metadata.PackageNotFoundError as exc:
        raise LookupError(NOT_INSTALLED.format(package=package, python=sys.executable)) from exc
    for point in distribution.entry_points:
        if point.name == entry:
            loaded: Callable[[], Any] = point.load()
            return loaded
    module_name = package.replace("-", "_")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise LookupError(NO_ENTRY_POINT.format(package=package, entry=entry, module=module_name)) from exc
    function = getattr(module, entry, None)
    if not callable(function):
        raise LookupError(NO_ENTRY_POINT.format(package=package, entry=entry, module=module_name))
    return function  # type: ignore[no-any-return]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2:
        sys.stderr.write("usage: python -m brickgate.runtime.wheel PACKAGE ENTRY_POINT [ARGS...]\n")
        return 2
    package, entry, rest = args[0], args[1], args[2:]
    try:
        function = find_entry_point(package, entry)
    except LookupError as exc:
        sys.stderr.write(f"{exc.args[0]}\n")
        return 1
    sys.argv = [package, *rest]
    result = function()
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
