"""The Databricks CLI version brickgate requires is the one its real-CLI tests build and run."""

from __future__ import annotations

from brickgate.databricks_cli import MIN_VERSION
from tests.helpers.workspace_server import REPO_ROOT, pinned_cli_version


def test_minimum_version_is_the_pinned_cli_and_the_docs_say_so() -> None:
    assert pinned_cli_version() == MIN_VERSION
    wanted = "v" + ".".join(map(str, MIN_VERSION))
    assert f"at least **{wanted}**" in (REPO_ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert f"older than {wanted}" in (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
