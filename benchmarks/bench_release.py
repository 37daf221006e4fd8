"""Wall time of the release path: promote-model, tag-release and deploy, each against its floor.

Every command runs as a fresh subprocess (interpreter start included): warm-up runs, then N
timed runs. Each run does real work (a new version promoted, a new tag created).

- `promote-model` against a local SQLite registry and a real `mlflow server` on 127.0.0.1, with
  `--require-gates` (run tags) and `--metric auc --max-regression 0.05`; peer: a Python script
  that only moves the `champion` alias with `MlflowClient` (what a hand-written promotion step
  does, with no checks, no `previous`, no audit trail).
- `tag-release` (annotated tag, remote conflict check, push to a bare remote); peer: `git tag -a`
  followed by `git push` of the same ref.
- `deploy -t dev` through the Databricks CLI stand-in and the fake workspace (validation,
  version check, deploy, summary, SDK verification), and `deploy --dry-run`. The real Databricks
  CLI and a workspace are not reachable here, so the stand-in's own start-up is part of the time.

Run: `PYTHONPATH=. .venv/bin/python benchmarks/bench_release.py [--runs 8] [--warmup 1]`
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MINIMAL = REPO / "tests" / "fixtures" / "bundles" / "valid" / "minimal"
PEER_PROMOTE = (
    "import sys\nfrom mlflow import MlflowClient\n"
    "uri, name, version = sys.argv[1:4]\n"
    "MlflowClient(tracking_uri=uri, registry_uri=uri).set_registered_model_alias(name, 'champion', version)\n"
)


Sample = tuple[float, float]  # (wall seconds, CPU seconds of the process and its children)


def timed(commands: Sequence[Sequence[str]], env: dict[str, str], cwd: Path | None = None) -> list[Sample]:
    """Wall and CPU seconds per command; each one must exit 0.

    CPU time (user + system, children included) is reported next to wall time because the
    machine is shared: wall time grows with other people's load, CPU time much less.
    """
    samples = []
    for command in commands:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(list(command), capture_output=True, env=env, cwd=cwd, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        samples.append((wall, cpu))
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()[-800:]}")
    return samples


def registry_versions(uri: str, model: str, count: int, workdir: Path) -> list[str]:
    """`count` versions of `model`, each from a run with passing gate tags and auc 0.80."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    location = (workdir / "artifacts").as_uri() if uri.startswith("sqlite") else None
    experiment = client.create_experiment(f"bench-{model}", artifact_location=location)
    client.create_registered_model(model)
    versions = []
    for _ in range(count):
        run_id = client.create_run(experiment).info.run_id
        client.log_metric(run_id, "auc", 0.80)
        client.set_tag(run_id, "brickgate.gate.fairness", "pass")
        client.set_tag(run_id, "brickgate.gate.psi", "pass")
        versions.append(str(client.create_model_version(model, f"runs:/{run_id}/model", run_id=run_id).version))
    return versions


def bench_promotion(
    uri: str, label: str, runs: int, warmup: int, env: dict[str, str], workdir: Path
) -> dict[str, list[Sample]]:
    brickgate = str(Path(sys.executable).parent / "brickgate")
    total = runs + warmup
    ours = registry_versions(uri, f"{label}_brickgate", total, workdir)
    peers = registry_versions(uri, f"{label}_peer", total, workdir)
    checks = ["--require-gates", "--metric", "auc", "--max-regression", "0.05", "--tracking-uri", uri]
    our_commands = [
        [brickgate, "promote-model", "--model", f"{label}_brickgate", "--version", v, *checks] for v in ours
    ]
    peer_commands = [[sys.executable, "-c", PEER_PROMOTE, uri, f"{label}_peer", v] for v in peers]
    return {
        f"brickgate promote-model ({label})": timed(our_commands, env, workdir)[warmup:],
        f"peer: MlflowClient alias move ({label})": timed(peer_commands, env, workdir)[warmup:],
    }


def bench_tags(runs: int, warmup: int, env: dict[str, str], workdir: Path) -> dict[str, list[Sample]]:
    brickgate = str(Path(sys.executable).parent / "brickgate")
    remote, work = workdir / "origin.git", workdir / "work"
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    subprocess.run(["git", "clone", "-q", str(remote), str(work)], check=True, capture_output=True)
    subprocess.run([*git, "-C", str(work), "commit", "-q", "--allow-empty", "-m", "c"], check=True)
    total = runs + warmup
    ours = [[brickgate, "tag-release", f"v1.0.{i}", "--push"] for i in range(total)]
    peers: list[list[str]] = [
        ["sh", "-c", f"git tag -a v2.0.{i} -m r && git push -q origin refs/tags/v2.0.{i}"] for i in range(total)
    ]
    tag_env = {**env, "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
    return {
        "brickgate tag-release --push": timed(ours, tag_env, work)[warmup:],
        "peer: git tag -a && git push": timed(peers, tag_env, work)[warmup:],
    }


def bench_deploy(runs: int, warmup: int, env: dict[str, str], workdir: Path) -> dict[str, list[Sample]]:
    from tests.helpers.fake_databricks_cli import FOLDER
    from tests.helpers.fake_workspace import FakeWorkspace

    brickgate = str(Path(sys.executable).parent / "brickgate")
    total = runs + warmup
    with FakeWorkspace() as workspace:
        job_id = workspace.add_job("[dev ci] minimal-train-dev", tasks=["prepare", "train", "evaluate"])
        job = {"id": str(job_id), "name": "[dev ci] minimal-train-dev", "url": workspace.job_url(job_id)}
        responses = workdir / "responses.json"
        responses.write_text(
            json.dumps({"bundle summary": {"stdout": json.dumps({"resources": {"jobs": {"train": job}}})}})
        )
        deploy_env = {
            **env,
            **workspace.env(),
            "PATH": f"{FOLDER}{os.pathsep}{env['PATH']}",
            "FAKE_DATABRICKS_RESPONSES": str(responses),
        }
        full = timed([[brickgate, "deploy", str(MINIMAL), "-t", "dev"]] * total, deploy_env)[warmup:]
    dry = timed([[brickgate, "deploy", str(MINIMAL), "-t", "dev", "--dry-run"]] * total, env)[warmup:]
    return {"brickgate deploy -t dev (stand-in + fake workspace)": full, "brickgate deploy --dry-run": dry}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from tests.helpers.mlflow_server import MlflowServer

    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRICKGATE_", "GITHUB_", "MLFLOW_", "DATABRICKS_"))}
    results: dict[str, list[Sample]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        steps: list[Callable[[], dict[str, list[Sample]]]] = [
            lambda: bench_promotion(f"sqlite:///{root / 'mlflow.db'}", "sqlite", args.runs, args.warmup, env, root),
            lambda: bench_tags(args.runs, args.warmup, env, root),
            lambda: bench_deploy(args.runs, args.warmup, env, root),
        ]
        for step in steps:
            results.update(step())
        server = MlflowServer(root=root / "server")
        server.start()
        try:
            results.update(bench_promotion(server.url, "server", args.runs, args.warmup, env, root))
        finally:
            server.stop()
    print(
        f"# {args.runs} runs after {args.warmup} warm-up; Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )
    print("| command | wall mean ± sd (s) | wall median (s) | CPU median (s) |")
    print("|---|---|---|---|")
    for name, samples in results.items():
        walls, cpus = [w for w, _ in samples], [c for _, c in samples]
        sd = statistics.stdev(walls) if len(walls) > 1 else 0.0
        mean, median = statistics.fmean(walls), statistics.median(walls)
        print(f"| `{name}` | {mean:.2f} ± {sd:.2f} | {median:.2f} | {statistics.median(cpus):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
