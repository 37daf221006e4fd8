"""Exceptions that stop a command before it reaches a verdict (exit code 2).

A verdict (a gate failed, a bundle has errors) is a return value, never an exception.
Only `brickgate.cli.main` catches these and turns them into one line on stderr.
"""

from __future__ import annotations

import json


class BrickgateError(Exception):
    """A problem the user can fix: the message names the file, key or flag at fault."""

    exit_code = 2


class ConfigError(BrickgateError):
    """Invalid flags, environment variables or `[tool.brickgate]` settings."""


class InputError(BrickgateError):
    """Input data or files that cannot be read or do not fit the command."""


class InfraError(BrickgateError):
    """A service or tool the command depends on failed (CLI missing, server down)."""


def first_line(text: str) -> str:
    """The first non-blank line of a service's error text, for a one-line message.

    >>> first_line("\\n  job 12 not found\\nTraceback ...")
    'job 12 not found'
    """
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def reason(exc: BaseException) -> str:
    """Why reading a file failed, in words a user can act on (no errno, no Python type names).

    >>> reason(FileNotFoundError(2, "No such file or directory", "x.json"))
    'no such file or directory'
    >>> reason(UnicodeDecodeError("utf-8", b"\\xa5", 0, 1, "invalid start byte"))
    'not UTF-8 text (byte 0xa5 at offset 0)'
    >>> import json
    >>> try:
    ...     json.loads("{")
    ... except ValueError as error:
    ...     reason(error)
    'invalid JSON at line 1, column 2: Expecting property name enclosed in double quotes'
    """
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    return first_line(str(exc)) or type(exc).__name__
