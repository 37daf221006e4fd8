"""The `brickgate` command line: argument parsing, output format and exit codes only.

Each subcommand lives in a module of this package and calls one typed function of its
capability module. Exit codes: 0 pass, 1 verdict failed, 2 no verdict (usage, input,
config or infrastructure error), 130 interrupted.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

import click

from brickgate import __version__, config, deadline
from brickgate.cli.common import GlobalOptions, Session, command_options, option, resolve_options
from brickgate.errors import BrickgateError
from brickgate.output import ERROR_PREFIX, OutputFormat
from brickgate.redaction import RedactingStream, Redactor, redact
from brickgate.settings import GLOBAL

INTERNAL_ERROR = "brickgate: internal error: {kind}: {message} (rerun with -v for the traceback)"
EXIT_INTERRUPTED = 130


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="brickgate", message="%(prog)s %(version)s")
@option(GLOBAL, "--format", "format")
@option(GLOBAL, "-v", "--verbose", count=True)
@option(GLOBAL, "--network-timeout", "network_timeout")
@click.pass_context
def cli(ctx: click.Context, /, **_: object) -> None:
    """Ship Databricks ML models through fairness and drift gates.

    brickgate validates Databricks Asset Bundles, runs bundle jobs on one machine, gates models
    on fairness (disparate impact) and input drift (PSI), and deploys and promotes them; the same
    commands power its GitHub Actions. Exit codes: 0 pass, 1 a gate or check failed, 2 usage,
    input or infrastructure error.
    """
    session = ctx.ensure_object(Session)
    config.check_pyproject(config.load_pyproject_table(config.find_pyproject()), command_options(ctx.command))
    resolved = resolve_options(ctx)
    chosen: OutputFormat = resolved["format"] or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    session.options = GlobalOptions(format=chosen, verbose=resolved["verbose"])
    ctx.with_resource(deadline.use(resolved["network_timeout"]))
    if not resolved["verbose"]:
        ctx.with_resource(_quiet_logging())


@contextmanager
def _quiet_logging() -> Iterator[None]:
    """Log records below WARNING (MLflow's and alembic's INFO lines, SDK chatter) are dropped for
    the command unless -v; the error line is then the one thing the user reads."""
    before = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(before)


def _register_commands() -> None:
    """Add every real subcommand; each module imports only click at import time."""
    # One import and one add_command per command module, in alphabetical order.
    from brickgate.cli.deploy import deploy
    from brickgate.cli.doctor import doctor
    from brickgate.cli.fairness_gate import fairness_gate
    from brickgate.cli.init import init
    from brickgate.cli.promote_model import promote_model
    from brickgate.cli.psi_gate import psi_gate
    from brickgate.cli.run import run
    from brickgate.cli.runs import runs
    from brickgate.cli.tag_release import tag_release
    from brickgate.cli.validate_bundle import validate_bundle

    cli.add_command(deploy)
    cli.add_command(doctor)
    cli.add_command(fairness_gate)
    cli.add_command(init)
    cli.add_command(promote_model)
    cli.add_command(psi_gate)
    cli.add_command(run)
    cli.add_command(runs)
    cli.add_command(tag_release)
    cli.add_command(validate_bundle)


_register_commands()


def _help_hint(exc: click.ClickException) -> str:
    """Point a usage error at the right `--help`, on the same line."""
    ctx = getattr(exc, "ctx", None)
    return f" (see '{ctx.command_path} --help')" if isinstance(exc, click.UsageError) and ctx is not None else ""


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console-script entry point: the one place that turns errors into exit codes.

    For the command's duration stdout and stderr are masked by `brickgate.redaction` (whatever
    prints: brickgate, a library, a warning), and restored afterwards.
    """
    clean = Redactor()
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(sys.stdout, clean), RedactingStream(sys.stderr, clean)
    try:
        code = _run(argv)
    finally:
        sys.stdout, sys.stderr = streams
    sys.exit(code)


def _run(argv: Sequence[str] | None) -> int:
    session = Session()
    try:
        code = cli.main(
            args=list(argv) if argv is not None else None, prog_name="brickgate", standalone_mode=False, obj=session
        )
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.exceptions.Abort:
        click.echo("brickgate: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except KeyboardInterrupt:
        click.echo("brickgate: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except click.ClickException as exc:
        click.echo(f"{ERROR_PREFIX}{redact(exc.format_message())}{_help_hint(exc)}", err=True)
        code = 2
    except BrickgateError as exc:
        code = _report(exc, session.options)
    except Exception as exc:  # noqa: BLE001 - the one broad handler, by design
        from brickgate.runtime.spark import spark_error

        spark_failure = spark_error(exc)
        if spark_failure is not None:  # Spark's own error class and message, one line
            code = _report(spark_failure, session.options)
        else:
            click.echo(INTERNAL_ERROR.format(kind=type(exc).__name__, message=redact(str(exc))), err=True)
            code = 2
        if session.options.verbose:
            import traceback  # only here: costs tens of ms on every start

            click.echo(redact(traceback.format_exc()), err=True)
    return code if isinstance(code, int) else 0


def _report(exc: BrickgateError, options: GlobalOptions) -> int:
    """One ``brickgate: error:`` line (and an annotation in github format); the exit code."""
    message = redact(str(exc))
    click.echo(f"{ERROR_PREFIX}{message}", err=True)
    if options.format == "github":
        from brickgate.github import annotation

        click.echo(annotation("error", message))
    return exc.exit_code
