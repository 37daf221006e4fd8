from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from brickgate import __version__
from brickgate.cli import cli, main
from brickgate.cli.common import resolve_options
from brickgate.errors import InputError

HEAVY_MODULES = ("pandas", "numpy", "pyspark", "mlflow", "catboost", "xgboost", "scipy", "deltalake")


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--version"], capsys)
    assert code == 0 and out.strip() == f"brickgate {__version__}"


def test_unknown_command_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["no-such-command"], capsys)
    assert code == 2 and "No such command 'no-such-command'" in err


def test_bad_format_env_is_usage_error(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRICKGATE_FORMAT", "yaml")
    monkeypatch.setitem(cli.commands, "noop", click.Command("noop", callback=lambda: 0))
    code, _, err = run_main(["noop"], capsys)
    assert (code, err) == (
        2,
        "brickgate: error: BRICKGATE_FORMAT: Invalid value for '--format': "
        "'yaml' is not one of 'text', 'json', 'github'.\n",
    )


def _raiser(exc: BaseException) -> click.Command:
    def callback() -> None:
        raise exc

    return click.Command("boom", callback=callback)


def test_user_error_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli.commands, "boom", _raiser(InputError("data.csv: column 'scroe' not found")))
    code, out, err = run_main(["boom"], capsys)
    assert (code, out, err) == (2, "", "brickgate: error: data.csv: column 'scroe' not found\n")


def test_user_error_in_github_format_also_annotates(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setitem(cli.commands, "boom", _raiser(InputError("bad: input")))
    code, out, _ = run_main(["boom"], capsys)
    assert code == 2 and out == "::error::bad: input\n"


def test_internal_error_hides_traceback_and_secrets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "https://hooks.example/T000/secret")
    monkeypatch.setitem(cli.commands, "boom", _raiser(RuntimeError("POST https://hooks.example/T000/secret failed")))
    code, _, err = run_main(["boom"], capsys)
    assert code == 2
    assert err == "brickgate: internal error: RuntimeError: POST *** failed (rerun with -v for the traceback)\n"
    code, _, err = run_main(["-v", "boom"], capsys)
    assert "Traceback" in err and "secret" not in err


def test_keyboard_interrupt_exits_130(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli.commands, "boom", _raiser(KeyboardInterrupt()))
    code, _, err = run_main(["boom"], capsys)
    assert code == 130 and err.strip() == "brickgate: interrupted"


def test_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "fairness and drift gates" in result.output


MINIMAL_BUNDLE = str(Path(__file__).resolve().parents[1] / "fixtures" / "bundles" / "valid" / "minimal")


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["validate-bundle", "--help"],
        ["validate-bundle", MINIMAL_BUNDLE, "-t", "dev"],
        ["--format", "json", "validate-bundle", MINIMAL_BUNDLE, "-t", "prod"],  # jsonschema must not pull numpy
        [
            "--format",
            "github",
            "validate-bundle",
            str(Path(MINIMAL_BUNDLE).parent.parent / "broken" / "BG409-cron-no-question-mark"),
        ],
    ],
)
def test_light_commands_import_no_heavy_modules(args: list[str]) -> None:
    probe = (
        "import sys\n"
        "from brickgate.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"print('HEAVY:' + ','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-1] == "HEAVY:", result.stdout


def test_toml_lists_fill_comma_separated_and_repeatable_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.brickgate.probe]\nattributes = ["gender", "age_band"]\nalert = ["slack", "email"]\n'
    )
    monkeypatch.chdir(tmp_path)

    @click.command("probe")
    @click.option("--attributes", default=None)
    @click.option("--alert", multiple=True)
    @click.pass_context
    def probe(ctx: click.Context, attributes: str | None, alert: tuple[str, ...]) -> int:
        resolved = resolve_options(ctx)
        click.echo(f"{resolved['attributes']}|{list(resolved['alert'])}")
        return 0

    monkeypatch.setitem(cli.commands, "probe", probe)
    code, out, _ = run_main(["probe"], capsys)
    assert (code, out) == (0, "gender,age_band|['slack', 'email']\n")


def test_usage_error_is_one_line_naming_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["runs", "show"], capsys)
    assert code == 2
    assert err == "brickgate: error: Missing argument 'RUN_ID'. (see 'brickgate runs show --help')\n"
