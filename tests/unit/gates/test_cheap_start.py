"""Issue 18 "cheap start": a gate run imports only what it uses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

UNUSED = ("scipy", "pyarrow.dataset", "pyarrow._dataset", "requests", "matplotlib", "brickgate.report")
"""Not imported by a text run of a gate on one Parquet file. jsonschema is, by PSI only: it
validates the profile it reads or writes."""
PROBE = """
import sys
from brickgate.cli import main
try:
    main({args!r})
except SystemExit as exit_:
    assert exit_.code in (0, 1), exit_.code
loaded = sorted(m for m in sys.modules if m.startswith({unused!r}))
assert not loaded, loaded
"""


def probe(args: list[str], cwd: Path, unused: tuple[str, ...] = UNUSED) -> None:
    code = PROBE.format(args=args, unused=unused)
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_text_run_imports_no_scipy_dataset_alerts_transport_or_report(tmp_path: Path) -> None:
    rows = 400
    frame = pd.DataFrame(
        {
            "score": [i / rows for i in range(rows)],
            "sex": ["F", "M"] * (rows // 2),
            "region": ["A", "B", "C", "D"] * (rows // 4),
            "age": [float(i % 37) for i in range(rows)],
        }
    )
    frame.to_parquet(tmp_path / "data.parquet")
    probe(
        ["fairness-gate", "--data", "data.parquet", "--score-column", "score", "--protected-attributes", "sex,region"],
        tmp_path,
        (*UNUSED, "jsonschema"),
    )
    probe(["psi-gate", "profile", "--reference", "data.parquet", "--all-features", "--out", "p.json"], tmp_path)
    probe(["psi-gate", "--current", "data.parquet", "--profile", "p.json"], tmp_path)
