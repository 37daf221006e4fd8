"""`brickgate init`: write brickgate's workflows, a bundle skeleton and settings into a repository.

The bundle has the reference project's layout (examples/claims-fraud): a package under
`src/<project>/` whose `tasks/` modules are the wheel's entry points, built by the bundle's
`artifacts:` section and run as python_wheel_tasks; a schema resource; jobs under
`resources/jobs/`. The files come from the shipped `templates/` folder. Nothing a user has written is lost: an
existing file with other content is left alone unless `force`, an existing `[tool.brickgate]`
table is kept unless `force`, and running init twice changes nothing (the second run reports
every file as `unchanged`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from brickgate import __version__
from brickgate.errors import ConfigError, InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

Action = Literal["created", "unchanged", "skipped", "overwritten", "updated"]

# template (under templates/) → destination (under the target folder; placeholders filled)
MANIFEST: tuple[tuple[str, str], ...] = (
    ("workflows/brickgate-ci.yml", ".github/workflows/brickgate-ci.yml"),
    ("workflows/brickgate-cd-dev.yml", ".github/workflows/brickgate-cd-dev.yml"),
    ("workflows/brickgate-cd-prod.yml", ".github/workflows/brickgate-cd-prod.yml"),
    ("bundle/databricks.yml", "databricks.yml"),
    ("bundle/resources/schemas.yml", "resources/schemas.yml"),
    ("bundle/resources/jobs/jobs.yml", "resources/jobs/jobs.yml"),
    ("bundle/src/package/__init__.py", "src/__PROJECT_IDENTIFIER__/__init__.py"),
    ("bundle/src/package/tasks/__init__.py", "src/__PROJECT_IDENTIFIER__/tasks/__init__.py"),
    ("bundle/src/package/tasks/smoke.py", "src/__PROJECT_IDENTIFIER__/tasks/smoke.py"),
    ("bundle/src/package/tasks/train.py", "src/__PROJECT_IDENTIFIER__/tasks/train.py"),
    ("bundle/src/package/tasks/validate.py", "src/__PROJECT_IDENTIFIER__/tasks/validate.py"),
    ("bundle/tests/test_tasks.py", "tests/test_tasks.py"),
)
PYPROJECT_TEMPLATE = "pyproject-brickgate.toml"
PROJECT_TEMPLATE = "pyproject-project.toml"  # a new pyproject.toml starts with the package
PYPROJECT = "pyproject.toml"

REPOSITORY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$")
REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
PROJECT_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
TOOL_TABLE_HEADER = re.compile(r"^\s*\[\s*tool\s*\.\s*brickgate\s*[\].]")
ANY_TABLE_HEADER = re.compile(r"^\s*\[")

BAD_PROJECT = "invalid project name '{name}': use letters, digits, '-' and '_', starting with a letter (--project-name)"
BAD_REPOSITORY = "invalid repository '{value}': expected owner/name, e.g. brickgate/brickgate (--repository)"
BAD_REF = "invalid ref '{value}': expected a tag, branch or commit SHA such as v1.2.0 (--ref)"
NOT_A_FOLDER = "{path}: not a folder; brickgate init writes into a repository folder"
BAD_PYPROJECT = "{path}: not valid TOML ({error}); fix it or move it away before brickgate init"


@dataclass(frozen=True, kw_only=True)
class InitOptions:
    """What to write: names substituted into the templates, and whether to overwrite."""

    project_name: str | None = None
    repository: str = "brickgate/brickgate"
    ref: str | None = None
    force: bool = False


@dataclass(frozen=True, kw_only=True)
class WrittenFile:
    path: str
    action: Action


@dataclass(frozen=True, kw_only=True)
class InitResult:
    """Per file what init did, in manifest order (pyproject.toml last)."""

    root: Path
    files: tuple[WrittenFile, ...]

    @property
    def changed(self) -> bool:
        return any(f.action in ("created", "overwritten", "updated") for f in self.files)


def default_ref() -> str:
    """The release tag of the installed brickgate, e.g. ``v0.1.0``: a pinned, immutable ref."""
    return f"v{__version__}"


def identifier(name: str) -> str:
    """A project name as a Python/SQL identifier.

    >>> identifier("Claims-Fraud")
    'claims_fraud'
    """
    return re.sub(r"[^0-9a-z_]", "_", name.lower())


def placeholders(root: Path, options: InitOptions) -> dict[str, str]:
    """The values substituted into the templates; raises ConfigError for invalid ones."""
    project = options.project_name or root.resolve().name
    ref = options.ref or default_ref()
    if not PROJECT_PATTERN.match(project):
        raise ConfigError(BAD_PROJECT.format(name=project))
    if not REPOSITORY_PATTERN.match(options.repository):
        raise ConfigError(BAD_REPOSITORY.format(value=options.repository))
    if not REF_PATTERN.match(ref) or ".." in ref:
        raise ConfigError(BAD_REF.format(value=ref))
    return {
        "__PROJECT__": project,
        "__PROJECT_IDENTIFIER__": identifier(project),
        "__BRICKGATE_REPOSITORY__": options.repository,
        "__BRICKGATE_REF__": ref,
        "__BRICKGATE_VERSION__": __version__,
    }


def render(text: str, values: Mapping[str, str]) -> str:
    """Replace each ``__NAME__`` placeholder; templates hold no other double-underscore names.

    >>> render("uses: __BRICKGATE_REPOSITORY__@__BRICKGATE_REF__", {"__BRICKGATE_REPOSITORY__": "o/r",
    ...        "__BRICKGATE_REF__": "v1.0.0"})
    'uses: o/r@v1.0.0'
    """
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def templates() -> Traversable:
    return resources.files("brickgate").joinpath("templates")


def init(root: Path, options: InitOptions) -> InitResult:
    """Write the brickgate files into `root` (created if missing).

    Parameters
    ----------
    root:
        The consuming repository's folder.
    options:
        Project name (default: the folder's name), the repository and pinned ref of the reusable
        workflows, and `force` to overwrite files and the `[tool.brickgate]` table.

    Returns
    -------
    InitResult
        One entry per file: ``created``, ``unchanged`` (same content already there), ``skipped``
        (different content kept; use force), ``overwritten`` or, for pyproject.toml, ``updated``.

    Raises
    ------
    ConfigError
        For an invalid project name, repository or ref.
    InputError
        When `root` is a file, a file cannot be written, or pyproject.toml is not valid TOML.
    """
    if root.exists() and not root.is_dir():
        raise InputError(NOT_A_FOLDER.format(path=root))
    values = placeholders(root, options)
    source = templates()
    written = [
        _write(
            root,
            render(destination, values),
            render(source.joinpath(template).read_text(encoding="utf-8"), values),
            options.force,
        )
        for template, destination in MANIFEST
    ]
    table = render(source.joinpath(PYPROJECT_TEMPLATE).read_text(encoding="utf-8"), values)
    project = render(source.joinpath(PROJECT_TEMPLATE).read_text(encoding="utf-8"), values)
    written.append(_merge_pyproject(root / PYPROJECT, table, options.force, project=project))
    return InitResult(root=root, files=tuple(written))


def _write(root: Path, relative: str, content: str, force: bool) -> WrittenFile:
    path = root / relative
    if path.is_file():
        existing = path.read_text(encoding="utf-8", errors="replace")
        if existing == content:
            return WrittenFile(path=relative, action="unchanged")
        if not force:
            return WrittenFile(path=relative, action="skipped")
    action: Action = "overwritten" if path.exists() else "created"
    _save(path, content)
    return WrittenFile(path=relative, action=action)


def _merge_pyproject(path: Path, table: str, force: bool, *, project: str) -> WrittenFile:
    """Append the `[tool.brickgate]` table; an existing one is replaced only with `force`.

    A new pyproject.toml also gets the package (`project`): name, pinned brickgate, entry points.
    An existing one keeps its own `[project]`.
    """
    if not path.exists():
        _save(path, _append_table(project, table))
        return WrittenFile(path=PYPROJECT, action="created")
    text = path.read_text(encoding="utf-8")
    try:
        has_table = "brickgate" in tomllib.loads(text).get("tool", {})
    except tomllib.TOMLDecodeError as exc:
        raise InputError(BAD_PYPROJECT.format(path=path, error=exc)) from exc
    if has_table:
        kept = strip_brickgate_tables(text)
        if _append_table(kept, table) == text:
            return WrittenFile(path=PYPROJECT, action="unchanged")
        if not force:
            return WrittenFile(path=PYPROJECT, action="skipped")
        text = kept
    _save(path, _append_table(text, table))
    return WrittenFile(path=PYPROJECT, action="updated")


def _append_table(text: str, table: str) -> str:
    """`text` with `table` after one blank line (or `table` alone when `text` is empty)."""
    body = text.rstrip("\n")
    return body + "\n\n" + table.strip("\n") + "\n" if body.strip() else table.strip("\n") + "\n"


def strip_brickgate_tables(text: str) -> str:
    """`text` without its `[tool.brickgate]` and `[tool.brickgate.*]` tables (header to next header).

    >>> strip_brickgate_tables("[project]\\nname = 'x'\\n\\n[tool.brickgate]\\nformat = 'json'\\n[tool.ruff]\\n")
    "[project]\\nname = 'x'\\n\\n[tool.ruff]\\n"
    """
    kept: list[str] = []
    inside = False
    for line in text.splitlines(keepends=True):
        if ANY_TABLE_HEADER.match(line):
            inside = bool(TOOL_TABLE_HEADER.match(line))
        if not inside:
            kept.append(line)
    return "".join(kept)


def _save(path: Path, content: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
