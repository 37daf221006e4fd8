"""The hash-locked requirement sets the actions install (requirements/<extras>.txt, made by
`make locks`) agree with pyproject.toml: every dependency of the package and of those extras is
pinned at a version its specifier allows, and every pin carries hashes (uv installs them with
--require-hashes). A dependency added to pyproject.toml without `make locks` fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
LOCKS = REPO / "requirements"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
ACTION_EXTRAS = {
    "actions/fairness-gate": "plots",
    "actions/psi-gate": "plots",
    "actions/deploy": "databricks",
    "actions/promote-model": "databricks,mlflow",
}


def lock_sets() -> dict[str, list[str]]:
    """Lock name → the extras it holds, from the Makefile's LOCK_SETS."""
    line = next(x for x in (REPO / "Makefile").read_text(encoding="utf-8").splitlines() if x.startswith("LOCK_SETS"))
    sets = line.split(":=", 1)[1].split()
    return {name: [e for e in extras.split(",") if e] for name, extras in (s.split("=", 1) for s in sets)}


def pins(path: Path) -> dict[str, tuple[str, int]]:
    """Package → (pinned version, number of hashes)."""
    found: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            found[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
    return found


def requirements(extras: list[str]) -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = [*project["dependencies"], *(r for e in extras for r in project["optional-dependencies"][e])]
    return [Requirement(r) for r in listed]


@pytest.mark.parametrize("name", sorted(lock_sets()))
def test_lock_pins_every_dependency_within_its_specifier(name: str) -> None:
    locked = pins(LOCKS / f"{name}.txt")
    for requirement in requirements(lock_sets()[name]):
        key = canonicalize_name(requirement.name)
        applies = requirement.marker is None or any(
            requirement.marker.evaluate({"python_version": v, "python_full_version": f"{v}.0"})
            for v in ("3.10", "3.13")
        )
        if not applies:
            continue
        assert key in locked, f"{name}.txt lacks {requirement} (run make locks)"
        assert requirement.specifier.contains(locked[key][0], prereleases=True), (
            f"{name}.txt pins {key}=={locked[key][0]}, outside {requirement} (run make locks)"
        )


@pytest.mark.parametrize("name", sorted([*lock_sets(), "uv"]))
def test_every_pin_has_hashes(name: str) -> None:
    locked = pins(LOCKS / f"{name}.txt")
    assert locked and all(hashes for _, hashes in locked.values()), [k for k, (_, h) in locked.items() if not h]


def test_no_stray_lock_and_every_action_extras_set_is_locked() -> None:
    assert {p.stem for p in LOCKS.glob("*.txt")} == {*lock_sets(), "uv"}
    for action, extras in ACTION_EXTRAS.items():
        text = (REPO / action / "action.yml").read_text(encoding="utf-8")
        assert f"BRICKGATE_EXTRAS: {extras}\n" in text, action
        assert "-".join(sorted(extras.split(","))) in lock_sets()
