"""`brickgate doctor` without a workspace: the bundle, a refusing port, workflow refs, formats, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from brickgate import __version__
from brickgate.doctor import DoctorOptions, doctor
from brickgate.output import validate_against_schema
from tests.helpers.smtp_server import free_port
from tests.unit.test_deadline import brickgate

BUNDLE = """\
bundle:
  name: doctor-demo
targets:
  ws:
    default: true
"""


def repository(tmp_path: Path, *refs: str, bundle: str = BUNDLE) -> Path:
    root = tmp_path / "repo"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / "databricks.yml").write_text(bundle, encoding="utf-8")
    uses = "".join(f"      - uses: acme/brickgate@{ref}\n" for ref in refs)
    workflow = (
        f"on: push\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{uses}"
    )
    (root / ".github" / "workflows" / "gates.yml").write_text(workflow, encoding="utf-8")
    return root


def test_a_refusing_workspace_port_is_one_failed_check_naming_the_host_in_seconds(tmp_path: Path) -> None:
    port = free_port()
    root = repository(tmp_path, f"v{__version__}")
    code, out, err, seconds = brickgate(
        ["doctor", str(root)], tmp_path, DATABRICKS_HOST=f"http://127.0.0.1:{port}", DATABRICKS_TOKEN="dapi-canary"
    )
    assert code == 1, out + err
    assert out.splitlines() == [
        "✓ bundle: doctor-demo is valid for target ws",
        f"✓ target ws: workspace http://127.0.0.1:{port}",
        f"✗ workspace: cannot reach the Databricks workspace at http://127.0.0.1:{port}: connection refused "
        "(check workspace.host / DATABRICKS_HOST) — fix: check the host name, port and network path",
        f"✓ workflow gates.yml: uses acme/brickgate@v{__version__}",
        "1 of 4 checks failed",
    ]
    assert "dapi-canary" not in out + err
    assert seconds < 30


def test_no_host_and_an_invalid_bundle_each_say_how_to_fix_them(tmp_path: Path) -> None:
    root = repository(tmp_path, "main")
    result = doctor(root, DoctorOptions(env={}))
    lines = [c.line() for c in result.checks]
    assert lines == [
        "✓ bundle: doctor-demo is valid for target ws",
        "✗ target ws: no workspace host — fix: set workspace.host in the target, or DATABRICKS_HOST",
        "✗ workflow gates.yml: uses acme/brickgate@main — "
        f"fix: use @v{__version__}, the release of the installed brickgate",
    ]
    broken = repository(tmp_path / "b", bundle=BUNDLE + "resources:\n  jobs:\n    j:\n      tasks: 3\n")
    first = doctor(broken, DoctorOptions(env={})).checks[0]
    assert not first.ok and first.name == "bundle" and "brickgate validate-bundle" in first.fix


def test_a_repository_without_workflows_fails_that_check(tmp_path: Path) -> None:
    root = repository(tmp_path)
    (root / ".github" / "workflows" / "gates.yml").unlink()
    last = doctor(root, DoctorOptions(env={})).checks[-1]
    assert (last.name, last.ok) == ("workflows", False)


def test_json_follows_its_schema_and_github_annotates_each_failure(tmp_path: Path) -> None:
    root = repository(tmp_path, f"v{__version__}")
    code, out, _, _ = brickgate(["--format", "json", "doctor", str(root)], tmp_path)
    document = json.loads(out)
    validate_against_schema(document, "doctor")
    assert code == 1 and document["passed"] is False
    assert [c["name"] for c in document["checks"] if not c["ok"]] == ["target ws"]
    summary = tmp_path / "summary.md"
    code, out, _, _ = brickgate(["--format", "github", "doctor", str(root)], tmp_path, GITHUB_STEP_SUMMARY=str(summary))
    assert code == 1
    assert "::error title=doctor::✗ target ws: no workspace host" in out
    assert "| ❌ | target ws | no workspace host |" in summary.read_text(encoding="utf-8")


def test_bad_input_is_exit_2_on_one_line(tmp_path: Path) -> None:
    root = repository(tmp_path, f"v{__version__}")
    code, out, err, _ = brickgate(["doctor", str(root), "--var", "nonsense"], tmp_path)
    assert code == 2 and len(err.strip().splitlines()) == 1 and err.startswith("brickgate: error:"), out + err
    code, _, err, _ = brickgate(["doctor", str(root), "-t", "nope"], tmp_path)
    assert code == 2 and err.count("\n") == 1 and "no target 'nope'" in err
