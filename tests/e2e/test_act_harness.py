"""The act harness serves brickgate as github.com would: only refs that exist, and `$/` meaning
"this repository at the commit being run" (fast: git only, no act)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.e2e.act import existing_refs, git_repo, refused_refs, served


def small_release(folder: Path) -> Path:
    workflows = folder / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "called.yml").write_text(
        "jobs:\n  j:\n    steps:\n      - uses: $/actions/gate\n      - uses: $/\n", encoding="utf-8"
    )
    git_repo(folder)
    subprocess.run(["git", "-C", str(folder), "tag", "v0.1.0"], check=True)
    return folder


def test_only_existing_refs_are_served(tmp_path: Path) -> None:
    refs = existing_refs(small_release(tmp_path / "brickgate"))
    caller = tmp_path / "caller.yml"
    sha = next(ref for ref in refs if len(ref) == 40)
    caller.write_text(
        "jobs:\n"
        "  a: {uses: brickgate/brickgate/.github/workflows/ci.yml@v0.1.0}\n"
        f"  b: {{uses: brickgate/brickgate/.github/workflows/ci.yml@{sha}}}\n"
        "  c: {uses: brickgate/brickgate/.github/workflows/ci.yml@v1}\n",
        encoding="utf-8",
    )
    assert set(refs) == {"v0.1.0", sha}
    assert refused_refs([caller], refs) == ["caller.yml: v1"]


def test_self_references_resolve_to_the_served_commit(tmp_path: Path) -> None:
    source = small_release(tmp_path / "brickgate")
    text = (served(source, "v0.1.0") / ".github" / "workflows" / "called.yml").read_text(encoding="utf-8")
    assert "uses: brickgate/brickgate/actions/gate@v0.1.0\n" in text
    assert "uses: brickgate/brickgate@v0.1.0\n" in text
