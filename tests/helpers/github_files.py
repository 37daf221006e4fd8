"""Fake GitHub runner files: `$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY` and a parser for outputs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class GitHubFiles:
    output: Path
    summary: Path

    def outputs(self) -> dict[str, str]:
        """Parse the heredoc blocks written to `$GITHUB_OUTPUT`."""
        text = self.output.read_text(encoding="utf-8") if self.output.exists() else ""
        found: dict[str, str] = {}
        for match in re.finditer(r"^([\w-]+)<<(\S+)\n(.*?)\n\2\n", text, flags=re.S | re.M):
            found[match.group(1)] = match.group(3)
        return found

    def summary_text(self) -> str:
        return self.summary.read_text(encoding="utf-8") if self.summary.exists() else ""


def fake_github(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitHubFiles:
    """Point the GitHub Actions variables at files under `tmp_path`."""
    files = GitHubFiles(output=tmp_path / "github_output", summary=tmp_path / "step_summary.md")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(files.output))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(files.summary))
    return files
