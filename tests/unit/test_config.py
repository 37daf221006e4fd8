from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from brickgate import config
from brickgate.errors import ConfigError

CONVERTERS: dict[str, Callable[[object], object]] = {
    "di_min": lambda v: float(str(v)),
    "fail_on_bias": lambda v: str(v).lower() in ("1", "true"),
    "name": str,
}
DEFAULTS = {"fairness-gate": {"di-min": 0.8, "fail-on-bias": False, "name": ""}}


def resolve(flags: dict[str, object], env: dict[str, str], pyproject: Mapping[str, Any]) -> config.Resolved:
    return config.resolve(
        "fairness-gate", flags, converters=CONVERTERS, env=env, pyproject=pyproject, defaults=DEFAULTS
    )


def test_flag_beats_env_beats_toml_beats_default() -> None:
    toml = {"fairness-gate": {"di-min": 0.7}}
    env = {"BRICKGATE_FAIRNESS_GATE_DI_MIN": "0.75"}
    assert resolve({"di_min": 0.9}, env, toml)["di_min"] == 0.9
    assert resolve({"di_min": None}, env, toml).sources["di_min"] == "env BRICKGATE_FAIRNESS_GATE_DI_MIN"
    assert resolve({"di_min": None}, env, toml)["di_min"] == 0.75
    assert resolve({"di_min": None}, {}, toml)["di_min"] == 0.7
    resolved = resolve({"di_min": None}, {}, {})
    assert resolved["di_min"] == 0.8 and resolved.sources["di_min"] == "default"


def test_empty_env_value_is_unset() -> None:
    assert resolve({}, {"BRICKGATE_FAIRNESS_GATE_DI_MIN": ""}, {})["di_min"] == 0.8


def test_empty_default_means_no_default() -> None:
    resolved = resolve({}, {}, {})
    assert resolved["name"] is None and resolved.sources["name"] == "unset"


def test_unknown_toml_key_is_config_error() -> None:
    with pytest.raises(
        ConfigError, match=r"unknown key 'di-mni' in \[tool.brickgate.fairness-gate\]; did you mean 'di-min'"
    ):
        resolve({}, {}, {"fairness-gate": {"di-mni": 0.7}})


def test_bad_env_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"^BRICKGATE_FAIRNESS_GATE_DI_MIN: could not convert"):
        resolve({}, {"BRICKGATE_FAIRNESS_GATE_DI_MIN": "high"}, {})


def test_env_names() -> None:
    assert config.env_name("psi-gate profile", "bins") == "BRICKGATE_PSI_GATE_PROFILE_BINS"
    assert config.env_name("", "format") == "BRICKGATE_FORMAT"


def test_find_pyproject_stops_at_git_root(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.brickgate]\nformat = 'json'\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert config.find_pyproject(repo) is None
    assert config.find_pyproject(tmp_path) == tmp_path / "pyproject.toml"
    assert config.load_pyproject_table(tmp_path / "pyproject.toml") == {"format": "json"}


def test_broken_pyproject_is_config_error(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.brickgate\n")
    with pytest.raises(ConfigError, match="cannot read"):
        config.load_pyproject_table(path)


def test_subcommand_table_is_not_an_option_value() -> None:
    """`psi-gate` has a `--profile` option and a `profile` subcommand: the table is not the value."""
    defaults = {"psi-gate": {"bins": 10}, "psi-gate profile": {"bins": 10}}
    pyproject = {"psi-gate": {"profile": {"bins": 12}}}
    resolved = config.resolve(
        "psi-gate",
        {},
        converters={"profile": str, "bins": lambda v: int(str(v))},
        env={},
        pyproject=pyproject,
        defaults=defaults,
    )
    assert resolved["profile"] is None and resolved.sources["profile"] == "unset"
    assert resolved["bins"] == 10
