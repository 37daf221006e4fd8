"""defaults.toml is the one list of options: every click option has its entry, env variable and
TOML key (and --help names both), every entry has its click option, and numbers are checked the
same way wherever they come from."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from brickgate import config, settings
from brickgate.cli import cli, main
from brickgate.cli.common import command_options
from brickgate.cli.deploy import DeployArgs
from brickgate.cli.fairness_gate import FairnessArgs
from brickgate.cli.init import InitArgs
from brickgate.cli.promote_model import PromoteArgs
from brickgate.cli.psi_gate import ProfileArgs, PsiArgs
from brickgate.cli.run import RunArgs
from brickgate.cli.runs import ListArgs
from brickgate.cli.tag_release import TagArgs
from brickgate.cli.validate_bundle import ValidateArgs
from brickgate.errors import ConfigError
from brickgate.settings import Number


def walk(command: click.Command, path: str = "") -> Iterator[tuple[str, click.Command]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, f"{path} {name}".strip())


def click_options() -> list[tuple[str, click.Option]]:
    return [
        (path, param)
        for path, command in walk(cli)
        for param in command.params
        if isinstance(param, click.Option) and param.expose_value
    ]


@pytest.mark.parametrize(("command", "param"), click_options(), ids=lambda v: getattr(v, "name", v) or "global")
def test_each_click_option_has_its_entry_env_and_toml_key_in_help(command: str, param: click.Option) -> None:
    assert param.name is not None
    spec = settings.spec(command, param.name)
    assert param.default is None, "defaults live in defaults.toml, not in click"
    assert spec.env == config.env_name(command, param.name) and spec.env in (param.help or "")
    assert f"TOML {spec.key}" in (param.help or "")
    long_flags = [flag for flag in param.opts if flag.startswith("--")]
    assert f"--{spec.key}" in long_flags or (param.name, long_flags) == ("from_task", ["--from"])
    assert param.multiple == spec.multiple
    if spec.number is not None:
        assert param.type is spec.number


def test_each_defaults_entry_has_its_click_option() -> None:
    declared = {(command, name) for command, names in command_options(cli).items() for name in names}
    listed = {(command, name) for command, options in settings.specs().items() for name in options}
    assert listed - declared == set()
    assert declared - listed == set()


ARGS = {
    "deploy": DeployArgs,
    "fairness-gate": FairnessArgs,
    "psi-gate": PsiArgs,
    "psi-gate profile": ProfileArgs,
    "init": InitArgs,
    "promote-model": PromoteArgs,
    "run": RunArgs,
    "runs list": ListArgs,
    "tag-release": TagArgs,
    "validate-bundle": ValidateArgs,
}


@pytest.mark.parametrize(("command", "args"), ARGS.items(), ids=list(ARGS))
def test_each_command_has_a_typed_options_class_with_its_options(command: str, args: type) -> None:
    """`Resolved.fill` checks this at run time too; here every command is covered without running it."""
    assert dataclasses.is_dataclass(args) and args.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert sorted(f.name for f in dataclasses.fields(args)) == sorted(command_options(cli)[command])


@pytest.mark.parametrize(
    ("number", "raw", "problem"),
    [
        (Number("float", gt=0, le=60), "nan", "'nan' is not a finite number"),
        (Number("float", gt=0, le=60), "inf", "'inf' is not a finite number"),
        (Number("float", gt=0, le=60), math.nan, "nan is not a finite number"),
        (Number("float", gt=0, le=60), "0", "0 is not in the range 0 < x ≤ 60"),
        (Number("float", gt=0, le=60), "61", "61 is not in the range 0 < x ≤ 60"),
        (Number("float", ge=-1e15, le=1e15), "1e308", "1e+308 is not in the range -1e+15 ≤ x ≤ 1e+15"),
        (Number("float"), "1_0", "'1_0' is not a number"),
        (Number("float"), True, "True is not a number"),
        (Number("int", ge=1), "1.5", "'1.5' is not an integer"),
        (Number("int", ge=1), 1.5, "1.5 is not an integer"),
        (Number("int", ge=1), 2.0, "2.0 is not an integer"),
        (Number("int", ge=1), "0", "0 is not in the range 1 ≤ x"),
        (Number("int", ge=2, le=1000), "1000000000", "1000000000 is not in the range 2 ≤ x ≤ 1000"),
    ],
)
def test_numbers_are_finite_in_range_and_integers_where_expected(number: Number, raw: object, problem: str) -> None:
    with pytest.raises(click.BadParameter) as error:
        number.convert(raw, None, None)
    assert error.value.message == problem


def test_numbers_in_range_convert() -> None:
    assert Number("int", ge=0).convert(" 7 ", None, None) == 7
    assert Number("float", gt=0).convert("2.5", None, None) == 2.5
    assert Number("float", gt=0).convert(3, None, None) == 3.0
    assert Number("float", gt=0, le=60, unit="seconds").describe() == "seconds, 0 < x ≤ 60"
    assert Number("int").describe() == "integer, finite"


def test_help_names_unit_range_env_toml_and_default() -> None:
    assert settings.spec("deploy", "poll_interval").help_text() == (
        "First wait between run polls, growing ×1.5 up to 60 s. [seconds, 0 < x ≤ 60] "
        "Env BRICKGATE_DEPLOY_POLL_INTERVAL; TOML poll-interval in [tool.brickgate.deploy]. Default: 10."
    )
    assert (
        settings.spec("runs list", "limit")
        .help_text()
        .endswith("Env BRICKGATE_RUNS_LIST_LIMIT; TOML limit in [tool.brickgate.runs.list]. Default: 20.")
    )


OPTIONS = {"": ["format"], "deploy": ["timeout"], "runs list": ["limit"], "psi-gate": ["profile", "bins"]}
OPTIONS["psi-gate profile"] = ["bins"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"formt": "json"}, "unknown key 'formt' in [tool.brickgate]; did you mean 'format'?"),
        ({"deplyo": {"timeout": 1}}, "unknown key 'deplyo' in [tool.brickgate]; did you mean 'deploy'?"),
        ({"deploy": {"timout": 1}}, "unknown key 'timout' in [tool.brickgate.deploy]; did you mean 'timeout'?"),
        ({"runs": {"limit": 1}}, "unknown key 'limit' in [tool.brickgate.runs]; did you mean 'list'?"),
        ({"runs": {"list": {"limits": 1}}}, "unknown key 'limits' in [tool.brickgate.runs.list]; did you mean"),
        ({"psi-gate": {"profile": {"binz": 1}}}, "unknown key 'binz' in [tool.brickgate.psi-gate.profile]"),
        ({"deploy": {"timeout": {"x": 1}}}, "timeout in [tool.brickgate.deploy] must be a value, not a table"),
    ],
)
def test_unknown_keys_anywhere_in_the_table_are_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        config.check_pyproject(table, OPTIONS)
    assert message in str(error.value)


def test_known_keys_pass_and_a_key_may_be_an_option_or_a_subcommand() -> None:
    config.check_pyproject({"format": "json", "psi-gate": {"profile": "p.json", "bins": 5}}, OPTIONS)
    config.check_pyproject({"psi-gate": {"profile": {"bins": 5}}, "runs": {"list": {"limit": 3}}}, OPTIONS)


@pytest.mark.parametrize(
    ("toml", "args", "message"),
    [
        (
            "[tool.brickgate.run]\nmax-parallel = 1.5\n",
            ["run", "ok", "train"],
            "pyproject.toml [tool.brickgate.run] max-parallel: Invalid value for '--max-parallel': "
            "1.5 is not an integer",
        ),
        (
            "[tool.brickgate.deploy]\ntimeout = nan\n",
            ["deploy", "ok", "-t", "dev"],
            "pyproject.toml [tool.brickgate.deploy] timeout: Invalid value for '--timeout': nan is not a finite number",
        ),
        (
            "[tool.brickgate]\nverbos = 1\n",
            ["runs", "list", "ok"],
            "pyproject.toml: unknown key 'verbos' in [tool.brickgate]; did you mean 'verbose'? (valid keys: ",
        ),
    ],
)
def test_pyproject_values_get_the_flag_checks(
    toml: str,
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "ok").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(toml)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.startswith(f"brickgate: error: {message}") and err.count("\n") == 1


def test_global_options_resolve_like_command_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.brickgate]\nformat = "json"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRICKGATE_VERBOSE", "1")
    with pytest.raises(SystemExit):
        main(["runs", "list", "."])
    out, err = capsys.readouterr()
    assert out.startswith("{") and "brickgate: brickgate format from pyproject.toml [tool.brickgate] format" in err
