"""Deploy a bundle with the Databricks CLI, verify it through databricks-sdk, optionally run a job.

Order, each step stopping the next on failure: validate the bundle (brickgate's checks; the
CLI's own validation runs inside `bundle deploy`) → production guard (`--version` and the
phrase `deploy-to-production`) → Databricks CLI version → `databricks bundle deploy` (or, with
`--plan FILE`, a check that the reviewed plan is still current and `bundle deploy --plan`) →
`databricks bundle summary -o json` (job ids and URLs) → `jobs.get` for every job (exists,
expected name) → optionally `jobs.run-now` and polling `jobs/runs/get` with backoff.

Authentication is whatever databricks-sdk and the CLI resolve from the environment (PAT,
OAuth M2M, GitHub OIDC with `DATABRICKS_AUTH_TYPE=github-oidc`); brickgate never reads a
token itself, and CLI output is redacted before it is shown.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from brickgate import deadline
from brickgate.errors import ConfigError, InfraError, InputError, first_line
from brickgate.redaction import redact

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from brickgate.bundle import Bundle
    from brickgate.bundle.diagnostics import Diagnostic
    from brickgate.bundle.validate import ValidationResult
    from brickgate.databricks_cli import DatabricksCli
    from brickgate.deploy_plan import DeployPlan, ResourceChange

DeployStatus = Literal["planned", "deployed", "invalid", "unverified", "run-failed", "run-timeout"]

PRODUCTION_PHRASE = "deploy-to-production"
PRODUCTION_MISSING = (
    "target '{target}' is a production target (mode: production): missing {missing}; nothing was deployed"
)
WRONG_PHRASE = "--confirm '{given}' is not the confirmation phrase; type " + PRODUCTION_PHRASE
TERMINAL_STATES = frozenset({"TERMINATED", "SKIPPED", "INTERNAL_ERROR"})
NOT_A_FAILURE = frozenset({"SUCCESS", "UPSTREAM_FAILED", "UPSTREAM_CANCELED", "EXCLUDED", ""})
MAX_POLL_INTERVAL = 60.0


@dataclass(frozen=True, kw_only=True)
class DeployOptions:
    """Target, variables, the production guard, and what to run after the deploy."""

    target: str
    variables: Mapping[str, str] = field(default_factory=dict)
    run: str | None = None
    wait: bool = False
    timeout: float = 3600.0
    poll_interval: float = 10.0
    auto_approve: bool = False
    dry_run: bool = False
    version: str | None = None
    confirm: str | None = None
    command_timeout: float = 1800.0
    plan_out: Path | None = None  # write `bundle plan -o json` here and deploy nothing
    plan: Path | None = None  # deploy exactly this reviewed plan


@dataclass(frozen=True, kw_only=True)
class TaskPlan:
    key: str
    kind: str  # spark_python_task, notebook_task, ...
    compute: str  # "job cluster main", "existing cluster 0123-…", "serverless"


@dataclass(frozen=True, kw_only=True)
class JobPlan:
    """What a deploy would create or update for one job of the bundle."""

    key: str
    name: str
    tasks: tuple[TaskPlan, ...]
    clusters: tuple[str, ...]  # "main: i3.xlarge × 2 workers, 15.4.x-scala2.12"


@dataclass(frozen=True, kw_only=True)
class DeployedJob:
    key: str
    name: str
    job_id: int
    url: str
    verified: bool
    problem: str = ""


@dataclass(frozen=True, kw_only=True)
class TaskState:
    key: str
    life_cycle: str
    result: str


@dataclass(frozen=True, kw_only=True)
class RunOutcome:
    """A job run started after the deploy; `result` is empty while it runs."""

    job_key: str
    job_id: int
    run_id: int
    url: str
    life_cycle: str
    result: str
    tasks: tuple[TaskState, ...] = ()
    error: str = ""  # the failed task's error message
    timed_out: bool = False
    waited: bool = False

    @property
    def finished(self) -> bool:
        return self.life_cycle in TERMINAL_STATES

    @property
    def passed(self) -> bool:
        """Not waited for: starting it was the success. Waited for: only SUCCESS passes."""
        return not self.waited or (self.finished and self.result == "SUCCESS")


@dataclass(frozen=True, kw_only=True)
class DeployResult:
    """What deploy did; `passed` is False for invalid bundles, unverified jobs and failed runs."""

    bundle: str
    target: str
    mode: str | None
    status: DeployStatus
    message: str
    version: str | None = None
    plan: tuple[JobPlan, ...] = ()
    jobs: tuple[DeployedJob, ...] = ()
    run: RunOutcome | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    cli_version: str | None = None
    cli_output: str = ""
    changes: tuple[ResourceChange, ...] = ()  # per resource, from `bundle plan` (--plan-out / --plan)
    reviewed: DeployPlan | None = None

    @property
    def passed(self) -> bool:
        return self.status in ("planned", "deployed")


ProgressCallback = Callable[[RunOutcome], None]


def plan_jobs(bundle: Bundle) -> tuple[JobPlan, ...]:
    """Jobs, tasks and clusters of the resolved bundle, as `--dry-run` prints them."""
    plans = []
    for key, job in bundle.jobs.items():
        clusters = tuple(_describe_cluster(c) for c in _dicts(job.get("job_clusters")))
        tasks = tuple(
            TaskPlan(key=str(t.get("task_key", "?")), kind=_task_kind(t), compute=_task_compute(t))
            for t in _dicts(job.get("tasks"))
        )
        plans.append(JobPlan(key=key, name=str(job.get("name", key)), tasks=tasks, clusters=clusters))
    return tuple(plans)


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _task_kind(task: Mapping[str, Any]) -> str:
    return next((k for k in task if k.endswith("_task")), "task")


def _task_compute(task: Mapping[str, Any]) -> str:
    if task.get("job_cluster_key"):
        return f"job cluster {task['job_cluster_key']}"
    if task.get("existing_cluster_id"):
        return f"existing cluster {task['existing_cluster_id']}"
    if task.get("new_cluster"):
        return "new cluster"
    if task.get("environment_key"):
        return f"serverless (environment {task['environment_key']})"
    return "serverless"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _describe_cluster(cluster: Mapping[str, Any]) -> str:
    spec = _mapping(cluster.get("new_cluster"))
    autoscale = _mapping(spec.get("autoscale"))
    workers = (
        f"{autoscale.get('min_workers')}–{autoscale.get('max_workers')} workers (autoscale)"
        if autoscale
        else f"{spec.get('num_workers', 0)} workers"
    )
    node = spec.get("node_type_id") or spec.get("instance_pool_id") or "?"
    return f"{cluster.get('job_cluster_key', '?')}: {node} × {workers}, {spec.get('spark_version', '?')}"


def check_production(bundle: Bundle, options: DeployOptions) -> None:
    """Production targets need `--version` and the phrase `deploy-to-production`; raise ConfigError otherwise."""
    if bundle.mode != "production":
        return
    missing = []
    if not options.version:
        missing.append("--version V")
    if not options.confirm:
        missing.append(f"--confirm {PRODUCTION_PHRASE} (or BRICKGATE_CONFIRM)")
    if missing:
        raise ConfigError(PRODUCTION_MISSING.format(target=bundle.target, missing=" and ".join(missing)))
    if options.confirm != PRODUCTION_PHRASE:
        raise ConfigError(WRONG_PHRASE.format(given=options.confirm))


def check_version(options: DeployOptions) -> None:
    """A given `--version` must be a release tag (as tag-release makes), whatever the target."""
    if options.version is not None:
        from brickgate.release import parse_version

        try:
            parse_version(options.version)
        except InputError as exc:
            raise ConfigError(f"--version: {exc}") from exc


def deploy(
    directory: str | Path,
    options: DeployOptions,
    *,
    env: Mapping[str, str] | None = None,
    on_progress: ProgressCallback | None = None,
) -> DeployResult:
    """Validate, deploy with the Databricks CLI, verify through the SDK and optionally run a job.

    Parameters
    ----------
    directory:
        Folder holding `databricks.yml`.
    options:
        Target, variables, production guard, run settings. `--dry-run` stops after printing the
        plan and contacts neither the CLI nor a workspace.
    env:
        Environment for the CLI subprocesses (default: the process environment); the SDK reads
        its configuration (`DATABRICKS_HOST`, auth) from the process environment.
    on_progress:
        Called after each poll of a `--wait`ed run, for live output.

    Returns
    -------
    DeployResult
        ``planned`` / ``deployed`` (pass), ``invalid``, ``unverified``, ``run-failed`` or
        ``run-timeout`` (the failed verdicts, exit 1).

    Raises
    ------
    ConfigError
        Production guard, unknown `--run` job, a `--version` that is not a semantic version.
    InputError
        No `databricks.yml`, unknown target.
    InfraError
        CLI missing or too old, deploy or summary failed, workspace unreachable or auth failed.
    """
    from brickgate.bundle.validate import ValidateOptions, validate_bundle

    check_version(options)
    source = dict(os.environ if env is None else env)
    validation = validate_bundle(
        directory,
        ValidateOptions(target=options.target, variables=options.variables, env=source, databricks_cli=False),
    )
    # diagnostics quote resolved values, which may come from the environment: mask secrets once, here
    diagnostics = tuple(replace(d, message=redact(d.message, source)) for d in validation.diagnostics)
    if validation.bundle is None or validation.errors:
        return _invalid(validation, diagnostics, options)
    bundle = validation.bundle
    if options.run is not None:
        bundle.job(options.run)  # an unknown job key fails before anything is deployed
    base = DeployResult(
        bundle=bundle.name,
        target=bundle.target,
        mode=bundle.mode,
        status="planned",
        message="",
        version=options.version,
        plan=plan_jobs(bundle),
        diagnostics=diagnostics,
    )
    if options.dry_run:
        unguarded = bundle.mode == "production" and not (options.version and options.confirm == PRODUCTION_PHRASE)
        guard = " (production: needs --version and --confirm to deploy)" if unguarded else ""
        message = f"dry run: would deploy {len(base.plan)} job(s) of bundle {bundle.name} to {bundle.target}{guard}"
        return replace(base, message=message)
    if options.plan_out is None:
        check_production(bundle, options)  # making a plan for review changes nothing

    from brickgate.databricks_cli import require_cli

    cli = require_cli(source)
    check_host_reachable(source)
    if options.plan_out is not None:
        return _plan_for_review(cli, bundle, options, source, base)
    client = workspace_client()  # auth settings are checked before anything is deployed
    reviewed = _current_plan(cli, bundle, options, source) if options.plan is not None else None
    output = _deploy_with_cli(cli, bundle, options, source)
    if reviewed is not None:
        _upload_wheels(cli, bundle, reviewed, options, source)
    summary = _summary(cli, bundle, options, source)
    jobs = tuple(_verify(client, bundle, summary))
    result = replace(base, jobs=jobs, cli_version=cli.version_text, cli_output=output)
    if reviewed is not None:
        result = replace(result, changes=reviewed.changes, reviewed=reviewed)
    unverified = [job for job in jobs if not job.verified]
    if unverified:
        problems = "; ".join(f"{job.key}: {job.problem}" for job in unverified)
        return replace(result, status="unverified", message=f"deployed, but verification failed: {problems}")
    message = f"deployed {len(jobs)} job(s) of bundle {bundle.name} to {bundle.target}"
    result = replace(result, status="deployed", message=message)
    if options.run is None:
        return result
    job = next(j for j in jobs if j.key == options.run)
    run = run_job(client, job, options, on_progress=on_progress)
    return replace(result, run=run, **_run_verdict(run, options))


def _invalid(validation: ValidationResult, diagnostics: tuple[Diagnostic, ...], options: DeployOptions) -> DeployResult:
    bundle = validation.bundle
    count = len(validation.errors)
    return DeployResult(
        bundle=bundle.name if bundle else "?",
        target=bundle.target if bundle else options.target,
        mode=bundle.mode if bundle else None,
        status="invalid",
        message=f"bundle validation found {count} error(s); nothing was deployed",
        version=options.version,
        diagnostics=diagnostics,
    )


def _var_args(options: DeployOptions) -> list[str]:
    return [arg for name, value in options.variables.items() for arg in ("--var", f"{name}={value}")]


def _bundle_plan(cli: DatabricksCli, bundle: Bundle, options: DeployOptions, env: Mapping[str, str]) -> DeployPlan:
    """`databricks bundle plan -o json` for the target: what a deploy would do now."""
    from brickgate.databricks_cli import run_cli
    from brickgate.deploy_plan import parse_plan

    args = ["bundle", "plan", "-t", bundle.target, "-o", "json", *_var_args(options)]
    done = run_cli(cli.path, args, cwd=bundle.root, env=env, timeout=options.command_timeout)
    if done.returncode != 0:
        raise InfraError(
            f"databricks bundle plan -t {bundle.target} failed (exit {done.returncode}): {done.last_error()}"
        )
    try:
        return parse_plan(done.stdout, "the output of databricks bundle plan -o json")
    except InputError as exc:  # the CLI printed something else: not the user's input
        raise InfraError(str(exc)) from exc


def _plan_for_review(
    cli: DatabricksCli, bundle: Bundle, options: DeployOptions, env: Mapping[str, str], base: DeployResult
) -> DeployResult:
    """`--plan-out FILE`: write the CLI's plan for review; nothing is deployed."""
    from brickgate.deploy_plan import write_plan

    assert options.plan_out is not None
    plan = _bundle_plan(cli, bundle, options, env)
    write_plan(plan, options.plan_out)
    message = f"plan for {bundle.name} → {bundle.target}: {plan.headline()}; written to {options.plan_out}"
    return replace(base, message=message, cli_version=cli.version_text, changes=plan.changes, reviewed=plan)


def _current_plan(cli: DatabricksCli, bundle: Bundle, options: DeployOptions, env: Mapping[str, str]) -> DeployPlan:
    """The reviewed `--plan`, refused (ConfigError) when a fresh plan against the same
    deployment state differs from it; a plan made against an older state is left to the
    CLI, which refuses it itself before touching anything."""
    from brickgate.deploy_plan import STALE, read_plan, stale_reasons

    assert options.plan is not None
    reviewed = read_plan(options.plan)
    fresh = _bundle_plan(cli, bundle, options, env)  # also builds the bundle's artifacts
    if reviewed.state == fresh.state:
        reasons = stale_reasons(reviewed, fresh)
        if reasons:
            raise ConfigError(STALE.format(path=options.plan, reasons="; ".join(reasons)))
    return reviewed


def _upload_wheels(
    cli: DatabricksCli, bundle: Bundle, plan: DeployPlan, options: DeployOptions, env: Mapping[str, str]
) -> None:
    """Upload the wheels the plan's jobs install from the bundle's build output.

    `bundle deploy --plan` (CLI v1.10.0) neither builds nor uploads artifacts, so jobs would
    point at wheels missing from the workspace; the fresh plan has just built them. Done after
    the deploy, so a plan the CLI refuses leaves the workspace untouched.
    """
    from brickgate.databricks_cli import run_cli
    from brickgate.deploy_plan import wheel_paths

    for remote in wheel_paths(plan):
        name = remote.rsplit("/", 1)[-1]
        local = next((p for p in sorted(bundle.root.rglob(name)) if ".databricks" not in p.parts), None)
        if local is None:
            raise ConfigError(f"the plan installs the wheel {remote}, but {name} was not built in {bundle.root}")
        for args in (
            ["workspace", "mkdirs", remote.rsplit("/", 1)[0]],
            ["workspace", "import", remote, "--file", str(local), "--format", "AUTO", "--overwrite"],
        ):
            done = run_cli(cli.path, args, cwd=bundle.root, env=env, timeout=options.command_timeout)
            if done.returncode != 0:
                raise InfraError(f"uploading the wheel {name} failed (exit {done.returncode}): {done.last_error()}")


def _deploy_with_cli(cli: DatabricksCli, bundle: Bundle, options: DeployOptions, env: Mapping[str, str]) -> str:
    from brickgate.databricks_cli import run_cli

    args = ["bundle", "deploy", "-t", bundle.target, *_var_args(options)]
    if options.plan is not None:
        args += ["--plan", str(options.plan.resolve())]
    if options.auto_approve:
        args.append("--auto-approve")
    done = run_cli(cli.path, args, cwd=bundle.root, env=env, timeout=options.command_timeout)
    if done.returncode != 0:
        raise InfraError(
            f"databricks bundle deploy -t {bundle.target} failed (exit {done.returncode}): {done.last_error()}"
        )
    return (done.stderr + done.stdout).strip()


def _summary(cli: DatabricksCli, bundle: Bundle, options: DeployOptions, env: Mapping[str, str]) -> Mapping[str, Any]:
    """`resources.jobs` of `databricks bundle summary -o json`: each job's id, url and name."""
    import json

    from brickgate.databricks_cli import run_cli

    args = ["bundle", "summary", "-t", bundle.target, "-o", "json", *_var_args(options)]
    done = run_cli(cli.path, args, cwd=bundle.root, env=env, timeout=options.command_timeout)
    if done.returncode != 0:
        raise InfraError(f"databricks bundle summary failed (exit {done.returncode}): {done.last_error()}")
    try:
        document = json.loads(done.stdout)
    except ValueError as exc:
        raise InfraError(
            f"databricks bundle summary -o json did not print JSON: {done.stdout.strip()[:200]!r}"
        ) from exc
    resources = document.get("resources") if isinstance(document, Mapping) else None
    jobs = resources.get("jobs") if isinstance(resources, Mapping) else None
    return jobs if isinstance(jobs, Mapping) else {}


def check_host_reachable(env: Mapping[str, str]) -> None:
    """Fail in seconds when `DATABRICKS_HOST` does not accept connections at all.

    databricks-sdk resolves the host's metadata while it is configured, retrying for up to five
    minutes; a mistyped or unreachable host would look like a hang. A host from a config profile
    is left to the SDK (whose timeouts `workspace_client` bounds).
    """
    host = env.get("DATABRICKS_HOST", "").strip()
    if host:
        deadline.check_reachable(host, "the Databricks workspace", "DATABRICKS_HOST")


def workspace_client() -> WorkspaceClient:
    """A databricks-sdk client configured from the environment (any auth type the SDK supports)."""
    try:
        from databricks.sdk import WorkspaceClient
        from databricks.sdk.core import Config
    except ImportError as exc:
        raise InfraError("databricks-sdk is not installed: pip install 'brickgate[databricks]'") from exc
    try:
        limit = deadline.seconds()  # the SDK's own default is five minutes of retries per call
        return WorkspaceClient(config=Config(http_timeout_seconds=limit, retry_timeout_seconds=int(limit)))
    except ValueError as exc:  # the SDK reports missing or conflicting auth settings this way
        raise InfraError(f"cannot configure the Databricks workspace client: {first_line(str(exc))}") from exc


def _verify(client: WorkspaceClient, bundle: Bundle, summary: Mapping[str, Any]) -> list[DeployedJob]:
    """Each job of the bundle: its id from the summary, then `jobs.get` must find it with the same name."""
    from databricks.sdk.errors.base import DatabricksError
    from databricks.sdk.errors.platform import InvalidParameterValue, NotFound

    found = []
    for key in bundle.jobs:
        entry = _mapping(summary.get(key))
        name = str(entry.get("name") or bundle.jobs[key].get("name") or key)
        raw_id = str(entry.get("id") or "")
        if not raw_id.isdigit():
            found.append(
                DeployedJob(key=key, name=name, job_id=0, url="", verified=False, problem="no job id in bundle summary")
            )
            continue
        job_id, url = int(raw_id), str(entry.get("url") or "")
        try:
            settings = client.jobs.get(job_id=job_id).settings
        except (NotFound, InvalidParameterValue):
            found.append(
                DeployedJob(
                    key=key,
                    name=name,
                    job_id=job_id,
                    url=url,
                    verified=False,
                    problem=f"job {job_id} not found in the workspace",
                )
            )
            continue
        except (DatabricksError, TimeoutError) as exc:  # TimeoutError: the SDK's retries ran out
            raise InfraError(f"workspace jobs.get({job_id}) failed: {first_line(str(exc))}") from exc
        actual = settings.name if settings else None
        problem = "" if actual == name else f"job {job_id} is named {actual!r}, expected {name!r}"
        found.append(DeployedJob(key=key, name=name, job_id=job_id, url=url, verified=not problem, problem=problem))
    return found


def run_job(
    client: WorkspaceClient, job: DeployedJob, options: DeployOptions, *, on_progress: ProgressCallback | None = None
) -> RunOutcome:
    """Start `job` (run-now) and, with `options.wait`, poll it to a terminal state or `options.timeout`.

    Polls back off from `poll_interval` by ×1.5 up to 60 s; 429/503 replies are retried by the
    SDK itself (it honours `Retry-After`). A failed task's error comes from `runs/get-output`.
    """
    from databricks.sdk.errors.base import DatabricksError

    try:
        started = client.jobs.run_now(job_id=job.job_id).response
        run_id = int(started.run_id or 0) if started is not None else 0
        raw = client.jobs.get_run(run_id=run_id)
        outcome = _outcome(raw, job, waited=options.wait)
        if not options.wait:
            return outcome
        deadline = time.monotonic() + options.timeout
        interval = options.poll_interval
        while True:
            if on_progress is not None:
                on_progress(outcome)
            if outcome.finished:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return replace(outcome, timed_out=True)
            time.sleep(min(interval, remaining))
            interval = min(interval * 1.5, MAX_POLL_INTERVAL)
            raw = client.jobs.get_run(run_id=run_id)
            outcome = _outcome(raw, job, waited=True)
        if outcome.result != "SUCCESS":
            outcome = replace(outcome, error=_failed_task_error(client, raw))
    except (DatabricksError, TimeoutError) as exc:
        raise InfraError(f"running job '{job.key}' ({job.job_id}) failed: {first_line(str(exc))}") from exc
    return outcome


def _enum_text(value: Any) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def _outcome(run: Any, job: DeployedJob, *, waited: bool) -> RunOutcome:
    state = run.state
    tasks = tuple(
        TaskState(
            key=str(t.task_key),
            life_cycle=_enum_text(t.state.life_cycle_state if t.state else None),
            result=_enum_text(t.state.result_state if t.state else None),
        )
        for t in (run.tasks or [])
    )
    return RunOutcome(
        job_key=job.key,
        job_id=job.job_id,
        run_id=int(run.run_id),
        url=str(run.run_page_url or ""),
        life_cycle=_enum_text(state.life_cycle_state if state else None),
        result=_enum_text(state.result_state if state else None),
        tasks=tasks,
        waited=waited,
    )


def _failed_task_error(client: WorkspaceClient, run: Any) -> str:
    """`task 'x' FAILED: <error>` for the first failed task, from its run output."""
    for task in run.tasks or []:
        result = _enum_text(task.state.result_state if task.state else None)
        if result in NOT_A_FAILURE:
            continue
        output = client.jobs.get_run_output(run_id=task.run_id)
        error = first_line(output.error or "") or (task.state.state_message if task.state else "") or "no error message"
        return redact(f"task '{task.task_key}' {result}: {error}")  # job output may echo a secret
    state = run.state
    return redact((state.state_message if state else "") or "no task failed; see the run page")


def _run_verdict(run: RunOutcome, options: DeployOptions) -> dict[str, Any]:
    """Status and message of a deploy that started `run`."""
    if not run.waited:
        return {"message": f"deployed; started run {run.run_id} of job '{run.job_key}': {run.url}"}
    if run.timed_out:
        return {
            "status": "run-timeout",
            "message": f"run {run.run_id} of job '{run.job_key}' did not finish within {options.timeout:g} s "
            f"(it keeps running): {run.url}",
        }
    if not run.passed:
        ended = run.result or run.life_cycle
        return {
            "status": "run-failed",
            "message": f"run {run.run_id} of job '{run.job_key}' ended {ended}: {run.error} ({run.url})",
        }
    return {"message": f"deployed; run {run.run_id} of job '{run.job_key}' succeeded: {run.url}"}


def task_states_line(run: RunOutcome) -> str:
    """`run 1002 RUNNING: prepare SUCCESS, train RUNNING` — one progress line."""
    tasks = ", ".join(f"{t.key} {t.result or t.life_cycle}" for t in run.tasks)
    return f"run {run.run_id} {run.result or run.life_cycle}" + (f": {tasks}" if tasks else "")


def outputs(result: DeployResult) -> dict[str, object]:
    """`$GITHUB_OUTPUT` keys: job ids and URLs (JSON by job key), run id and URL, result state."""
    return {
        "status": result.status,
        "target": result.target,
        "version": result.version or "",
        "job-ids": {job.key: job.job_id for job in result.jobs},
        "job-urls": {job.key: job.url for job in result.jobs},
        "run-id": result.run.run_id if result.run else "",
        "run-url": result.run.url if result.run else "",
        "result-state": (result.run.result or result.run.life_cycle) if result.run else "",
    }
