"""The official `databricks` executable, as brickgate's deploy uses it: version check and runs.

The CLI does the deploy itself (`bundle deploy`, `bundle summary`): brickgate never re-implements
the upload or the Terraform/direct state handling. Its output is captured and every secret
value of the environment is masked before anything is shown.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from brickgate.errors import InfraError, reason
from brickgate.redaction import redact

# The release brickgate's tests run against (the real CLI built from tools/workspace-server/go.mod,
# whose pin a test keeps equal to this): bundle plan and deploy --plan, direct engine by default.
MIN_VERSION = (1, 10, 0)
INSTALL_HINT = (
    "install it with `curl -fsSL https://raw.githubusercontent.com/databricks/setup-cli/main/install.sh | sh` "
    "(in GitHub Actions: uses: databricks/setup-cli)"
)
CLI_MISSING = "the Databricks CLI (databricks) is not on PATH; brickgate deploy needs v{minimum} or newer: {hint}"
CLI_TOO_OLD = "the Databricks CLI at {path} is v{found}; brickgate deploy needs v{minimum} or newer: {hint}"
CLI_UNKNOWN_VERSION = (
    "cannot tell the version of the Databricks CLI at {path} (`databricks version` printed {output!r})"
)
_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True, kw_only=True)
class DatabricksCli:
    path: str
    version: tuple[int, int, int]

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))


@dataclass(frozen=True, kw_only=True)
class CliRun:
    """One finished CLI call; `stdout` and `stderr` are already redacted."""

    command: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def last_error(self) -> str:
        """The most telling line: the last `Error:` line, else the last non-empty line."""
        lines = [line.strip() for line in (self.stderr + "\n" + self.stdout).splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("Error:")]
        return (errors or lines or ["no output"])[-1]


def find_databricks(env: Mapping[str, str]) -> str | None:
    """The `databricks` executable on `env`'s PATH, if any."""
    return shutil.which("databricks", path=env.get("PATH", os.defpath))


def parse_version(text: str) -> tuple[int, int, int] | None:
    """The first `MAJOR.MINOR.PATCH` in `databricks version` output.

    >>> parse_version("Databricks CLI v0.250.0")
    (0, 250, 0)
    >>> parse_version("command not found") is None
    True
    """
    match = _VERSION.search(text)
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def require_cli(env: Mapping[str, str], minimum: tuple[int, int, int] = MIN_VERSION) -> DatabricksCli:
    """The CLI on `env`'s PATH, checked to be at least `minimum`; InfraError with an install hint otherwise."""
    wanted = ".".join(map(str, minimum))
    path = find_databricks(env)
    if path is None:
        raise InfraError(CLI_MISSING.format(minimum=wanted, hint=INSTALL_HINT))
    done = run_cli(path, ["version"], cwd=None, env=env, timeout=60)
    version = parse_version(done.stdout + done.stderr)
    if version is None:
        raise InfraError(CLI_UNKNOWN_VERSION.format(path=path, output=(done.stdout + done.stderr).strip()[:200]))
    if version < minimum:
        found = ".".join(map(str, version))
        raise InfraError(CLI_TOO_OLD.format(path=path, found=found, minimum=wanted, hint=INSTALL_HINT))
    return DatabricksCli(path=path, version=version)


def run_cli(
    executable: str, args: Sequence[str], *, cwd: Path | None, env: Mapping[str, str], timeout: float
) -> CliRun:
    """Run `databricks ARGS` with captured, redacted output; a crash or timeout is an InfraError."""
    command = (executable, *args)
    try:
        done = subprocess.run(
            command, cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise InfraError(f"databricks {' '.join(args[:2])} did not finish within {timeout:g} s") from exc
    except OSError as exc:
        raise InfraError(f"cannot run databricks {' '.join(args[:2])}: {reason(exc)}") from exc
    return CliRun(
        command=tuple(args),
        returncode=done.returncode,
        stdout=redact(done.stdout, env),
        stderr=redact(done.stderr, env),
    )
