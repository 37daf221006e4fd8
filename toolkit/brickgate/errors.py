"""Exceptions that stop a command before it reaches a verdict (exit code 2).

A verdict (a gate failed, a bundle has errors) is a return value, never an exception.
Only `brickgate.cli.main` catches these and turns them into one line on stderr.
"""

from __future__ import annotations


class BrickgateError(Exception):
    """A problem the user can fix: the message names the file, key or flag at fault."""

    exit_code = 2


class ConfigError(BrickgateError):
    """Invalid flags, environment variables or `[tool.brickgate]` settings."""


class InputError(BrickgateError):
    """Input data or files that cannot be read or do not fit the command."""


class InfraError(BrickgateError):
    """A service or tool the command depends on failed (CLI missing, server down)."""
