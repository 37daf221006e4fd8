"""One version story: the package version, the release tag, the refs every document and test
workflow shows, and what `brickgate init` writes all agree; inside brickgate's own workflows the
actions are used at the running commit (`$/`), never at a tag that could point elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from brickgate import __version__
from brickgate.scaffold import default_ref

REPO = Path(__file__).resolve().parents[2]
RELEASE_TAG = f"v{__version__}"
OWN_REF = re.compile(r"\bbrickgate/brickgate(?:/[\w./-]*)?@([\w.-]+)")
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)", re.M)
SHOWN = sorted(
    [
        REPO / "README.md",
        *REPO.glob("docs/**/*.md"),
        *REPO.glob("templates/**/*.md"),
        *REPO.glob(".github/workflows/*.yml"),
        *REPO.glob("tests/e2e/workflows/*.yml"),
        REPO / "action.yml",
        *REPO.glob("actions/*/action.yml"),
    ]
)
WORKFLOWS_AND_ACTIONS = sorted(
    [*REPO.glob(".github/workflows/*.yml"), REPO / "action.yml", *REPO.glob("actions/*/action.yml")]
)


def test_init_writes_the_release_tag_of_the_installed_package() -> None:
    assert default_ref() == RELEASE_TAG


@pytest.mark.parametrize("path", SHOWN, ids=lambda p: str(p.relative_to(REPO)))
def test_every_ref_to_brickgate_is_the_release_tag(path: Path) -> None:
    """A ref a reader copies must exist once this version is released: `v<package version>`."""
    refs = OWN_REF.findall(path.read_text(encoding="utf-8"))
    assert all(ref == RELEASE_TAG for ref in refs), f"{path.name}: {sorted(set(refs))} (package is {RELEASE_TAG})"


@pytest.mark.parametrize("path", WORKFLOWS_AND_ACTIONS, ids=lambda p: str(p.relative_to(REPO)))
def test_own_actions_are_used_at_the_running_commit(path: Path) -> None:
    """`$/` is this repository at the commit being run: a SHA-pinned workflow runs exactly that
    commit's actions, and a fork or mirror runs its own. A tag or `./` would run other code."""
    for reference in USES.findall(path.read_text(encoding="utf-8")):
        reference = reference.strip("'\"")
        assert not reference.startswith("./"), f"{path.name}: {reference} (the caller's workspace, not brickgate)"
        assert not reference.startswith("brickgate/"), f"{path.name}: {reference} (a tag, not this commit)"
