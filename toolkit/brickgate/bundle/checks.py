"""The checks `validate-bundle` runs beyond the JSON Schema: jobs, targets, schedules and files.

Each check reads the merged, resolved configuration of the selected target (whose values
still know where they were written) or, for duplicates, the files as written: merging by
`task_key` would otherwise hide a task defined twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from brickgate import taskgraph
from brickgate.bundle import diagnostics as dg
from brickgate.bundle.artifacts import artifact_checks
from brickgate.bundle.cron import known_timezone, quartz_problem, timezone_names
from brickgate.bundle.locations import LocDict, YamlPath, child_location, format_path, locate
from brickgate.bundle.model import Loaded
from brickgate.suggest import did_you_mean

MODES = ("development", "production")
RUN_IF = ("ALL_SUCCESS", "ALL_DONE", "NONE_FAILED", "AT_LEAST_ONE_SUCCESS", "ALL_FAILED", "AT_LEAST_ONE_FAILED")
SPOT_FALLBACKS = (
    ("aws_attributes", "SPOT", "SPOT_WITH_FALLBACK"),
    ("azure_attributes", "SPOT_AZURE", "SPOT_WITH_FALLBACK_AZURE"),
    ("gcp_attributes", "PREEMPTIBLE_GCP", "PREEMPTIBLE_WITH_FALLBACK_GCP"),
)


def run_checks(loaded: Loaded) -> list[dg.Diagnostic]:
    """Every non-schema check on a loaded bundle."""
    found = [*duplicates_in_files(loaded), *target_checks(loaded), *missing_files(loaded), *artifact_checks(loaded)]
    for job_key, job in _mapping(_mapping(loaded.bundle.config.get("resources")).get("jobs")).items():
        if isinstance(job, dict):
            found.extend(job_checks(job_key, job))
    return found


def duplicates_in_files(loaded: Loaded) -> Iterator[dg.Diagnostic]:
    """Resources defined in two files (BG005); task and job cluster keys repeated in one list (BG401, BG407)."""
    first_file: dict[tuple[str, str], str] = {}
    for source in loaded.raw.files:
        resources = _mapping(_mapping(source.data).get("resources"))
        for kind, group in resources.items():
            for key in _mapping(group):
                seen_in = first_file.setdefault((kind, key), source.name)
                if seen_in != source.name:
                    where = child_location(group, key, key=True)
                    singular = kind[:-1] if kind.endswith("s") else kind
                    yield dg.diagnostic(
                        dg.DUPLICATE_RESOURCE,
                        where,
                        ("resources", kind, key),
                        kind=singular,
                        key=key,
                        first=seen_in,
                        second=source.name,
                    )
        for base, jobs in _job_sections(source.data):
            for job_key, job in jobs.items():
                yield from _repeated_keys(job, "tasks", "task_key", dg.DUPLICATE_TASK_KEY, (*base, job_key), job_key)
                yield from _repeated_keys(
                    job, "job_clusters", "job_cluster_key", dg.DUPLICATE_JOB_CLUSTER, (*base, job_key), job_key
                )


def _job_sections(data: Any) -> Iterator[tuple[YamlPath, Mapping[str, Any]]]:
    """`resources.jobs` of a file and of each of its targets."""
    top = _mapping(data)
    yield ("resources", "jobs"), _mapping(_mapping(top.get("resources")).get("jobs"))
    for name, target in _mapping(top.get("targets")).items():
        jobs = _mapping(_mapping(_mapping(target).get("resources")).get("jobs"))
        yield ("targets", name, "resources", "jobs"), jobs


def _repeated_keys(
    job: Any, list_name: str, key_name: str, rule: dg.Rule, path: YamlPath, job_key: str
) -> Iterator[dg.Diagnostic]:
    items = _mapping(job).get(list_name)
    first_line: dict[str, int] = {}
    for index, item in enumerate(items if isinstance(items, list) else []):
        key = _mapping(item).get(key_name)
        if not isinstance(key, str):
            continue
        where = child_location(item, key_name)
        if key in first_line:
            yield dg.diagnostic(
                rule, where, (*path, list_name, index, key_name), key=key, job=job_key, first_line=first_line[key]
            )
        else:
            first_line[key] = where.line if where else 0


def target_checks(loaded: Loaded) -> Iterator[dg.Diagnostic]:
    """Default targets (BG201, BG202), target modes (BG104) and the production-mode rules (BG203-BG205)."""
    top = loaded.top
    targets = _mapping(top.get("targets"))
    defaults = [name for name, target in targets.items() if _mapping(target).get("default") is True]
    if len(targets) > 1 and not defaults:
        where = child_location(top, "targets", key=True)
        yield dg.diagnostic(dg.NO_DEFAULT_TARGET, where, ("targets",), targets=", ".join(targets))
    if len(defaults) > 1:
        second = defaults[1]
        where = child_location(targets[second], "default")
        listed = ", ".join(defaults)
        yield dg.diagnostic(dg.MANY_DEFAULT_TARGETS, where, ("targets", second, "default"), targets=listed)
    for name, definition in targets.items():
        mode = _mapping(definition).get("mode")
        if mode is not None and mode not in MODES:  # the CLI's schema types `mode` as any string
            mode_path: YamlPath = ("targets", name, "mode")
            where = child_location(definition, "mode")
            value = json.dumps(mode)
            yield dg.diagnostic(
                dg.INVALID_VALUE, where, mode_path, path=format_path(mode_path), value=value, allowed=", ".join(MODES)
            )
    if loaded.bundle.mode == "production":
        yield from _production_rules(loaded)


def _production_rules(loaded: Loaded) -> Iterator[dg.Diagnostic]:
    bundle = loaded.bundle
    target = _mapping(loaded.target_node)
    mode_path: YamlPath = ("targets", bundle.target, "mode")
    where = child_location(target, "mode")
    if "root_path" not in _mapping(target.get("workspace")):  # as the CLI: set in the target itself
        yield dg.diagnostic(dg.PROD_NO_ROOT_PATH, where, mode_path, target=bundle.target)
    jobs = _mapping(_mapping(bundle.config.get("resources")).get("jobs")).values()
    if not bundle.config.get("run_as") and not (jobs and all(_mapping(job).get("run_as") for job in jobs)):
        yield dg.diagnostic(dg.PROD_NO_RUN_AS, where, mode_path, target=bundle.target)
    cluster_id = _mapping(bundle.config.get("bundle")).get("cluster_id")
    if isinstance(cluster_id, str):  # `cluster_id` on a target runs every task on that cluster
        location = child_location(target, "cluster_id")
        yield dg.diagnostic(
            dg.PROD_EXISTING_CLUSTER,
            location,
            ("targets", bundle.target, "cluster_id"),
            who="every task",
            cluster=cluster_id,
            target=bundle.target,
        )
    for path, task, cluster in _existing_clusters(bundle.config):
        yield dg.diagnostic(
            dg.PROD_EXISTING_CLUSTER,
            locate(bundle.config, path),
            path,
            who=f"task '{task}'",
            cluster=cluster,
            target=bundle.target,
        )


def _existing_clusters(config: Mapping[str, Any]) -> Iterator[tuple[YamlPath, str, str]]:
    for job_key, job in _mapping(_mapping(config.get("resources")).get("jobs")).items():
        for index, task in enumerate(_list(_mapping(job).get("tasks"))):
            cluster = _mapping(task).get("existing_cluster_id")
            if isinstance(cluster, str):
                path = ("resources", "jobs", job_key, "tasks", index, "existing_cluster_id")
                yield path, str(_mapping(task).get("task_key", index)), cluster


def missing_files(loaded: Loaded) -> Iterator[dg.Diagnostic]:
    """Local python files, notebooks, wheels and requirements that do not exist (BG406)."""
    for local in loaded.local_paths:
        if not local.exists:
            yield dg.diagnostic(
                dg.MISSING_FILE,
                local.location,
                local.path,
                what=local.what,
                value=local.value,
                resolved=local.rebased,
                declared_in=local.declared_in,
            )


def job_checks(job_key: str, job: Mapping[str, Any]) -> Iterator[dg.Diagnostic]:
    """Task graph, cluster and environment keys, run_if, job settings, spot fallback, schedule (BG402-BG425)."""
    base: YamlPath = ("resources", "jobs", job_key)
    tasks = [(index, _mapping(task)) for index, task in enumerate(_list(job.get("tasks")))]
    task_keys = [str(task.get("task_key")) for _, task in tasks if isinstance(task.get("task_key"), str)]
    cluster_keys = [_mapping(c).get("job_cluster_key") for c in _list(job.get("job_clusters"))]
    environment_keys = [_mapping(e).get("environment_key") for e in _list(job.get("environments"))]
    for index, task in tasks:
        path = (*base, "tasks", index)
        name = str(task.get("task_key", index))
        for position, dependency in enumerate(_list(task.get("depends_on"))):
            other = _mapping(dependency).get("task_key")
            if isinstance(other, str) and other not in task_keys:
                hint = did_you_mean(other, task_keys)
                dep_path = (*path, "depends_on", position, "task_key")
                yield dg.diagnostic(
                    dg.UNKNOWN_DEPENDENCY,
                    locate(job, dep_path[3:]),
                    dep_path,
                    task=name,
                    dependency=other,
                    job=job_key,
                    hint=hint,
                )
        for key, known, rule in (
            ("job_cluster_key", cluster_keys, dg.UNKNOWN_JOB_CLUSTER),
            ("environment_key", environment_keys, dg.UNKNOWN_ENVIRONMENT),
        ):
            value = task.get(key)
            if isinstance(value, str) and "${" not in value and value not in known:
                hint = did_you_mean(value, [k for k in known if isinstance(k, str)])
                where = child_location(task, key)
                yield dg.diagnostic(rule, where, (*path, key), task=name, key=value, job=job_key, hint=hint)
        run_if = task.get("run_if")
        if isinstance(run_if, str) and "${" not in run_if and run_if not in RUN_IF:
            yield dg.diagnostic(
                dg.INVALID_RUN_IF,
                child_location(task, "run_if"),
                (*path, "run_if"),
                value=run_if,
                task=name,
                allowed=", ".join(RUN_IF),
            )
    yield from _cycles(job_key, job, tasks)
    yield from job_settings(job, base)
    yield from _spot(job, base)
    yield from _schedule(job, base)


def _cycles(
    job_key: str, job: Mapping[str, Any], tasks: list[tuple[int, Mapping[str, Any]]]
) -> Iterator[dg.Diagnostic]:
    """One diagnostic per dependency cycle (`taskgraph.cycles`), at the first task's depends_on."""
    graph: dict[str, list[str]] = {}
    index_of: dict[str, int] = {}
    for index, task in tasks:
        key = task.get("task_key")
        if isinstance(key, str) and key not in graph:
            index_of[key] = index
            deps = [_mapping(d).get("task_key") for d in _list(task.get("depends_on"))]
            graph[key] = [d for d in deps if isinstance(d, str)]
    for cycle in taskgraph.cycles(graph):
        yield _cycle_diagnostic(job_key, job, index_of[cycle[0]], cycle)


def _cycle_diagnostic(job_key: str, job: Mapping[str, Any], index: int, cycle: list[str]) -> dg.Diagnostic:
    """Reported at the `depends_on` of the cycle's first task, where it reads naturally."""
    path: YamlPath = ("tasks", index, "depends_on")
    return dg.diagnostic(
        dg.DEPENDENCY_CYCLE,
        locate(job, path, key=True),
        ("resources", "jobs", job_key, *path),
        job=job_key,
        cycle=" -> ".join(cycle),
    )


INT32_MAX = 2**31 - 1  # the Jobs API stores these settings as 32-bit integers
# setting → (rule for a value out of range, lowest, highest); the job's own and each task's
JOB_SETTINGS: Mapping[str, tuple[dg.Rule, int, int]] = {
    "timeout_seconds": (dg.BAD_TIMEOUT, 0, INT32_MAX),
    "max_concurrent_runs": (dg.BAD_CONCURRENT_RUNS, 0, 1000),
}
TASK_SETTINGS: Mapping[str, tuple[dg.Rule, int, int]] = {
    "timeout_seconds": (dg.BAD_TIMEOUT, 0, INT32_MAX),
    "max_retries": (dg.BAD_MAX_RETRIES, -1, INT32_MAX),
    "min_retry_interval_millis": (dg.BAD_RETRY_INTERVAL, 0, INT32_MAX),
}
# a value that is allowed but rarely meant (setting, value) → warning
SURPRISING_SETTINGS: Mapping[tuple[str, int], dg.Rule] = {
    ("max_retries", -1): dg.RETRIES_FOREVER,
    ("max_concurrent_runs", 0): dg.NO_CONCURRENT_RUNS,
}


def job_settings(job: Mapping[str, Any], base: YamlPath) -> Iterator[dg.Diagnostic]:
    """Timeouts, retries and concurrency out of the Jobs API's range (BG420-BG423, BG424-BG425 warnings).

    `brickgate run` refuses what these refuse (it validates first), so a negative timeout never
    becomes "timed out after -5 s". `${...}` references, fractions and non-numbers are left to the schema.
    """
    places: list[tuple[Mapping[str, Any], YamlPath, Mapping[str, tuple[dg.Rule, int, int]]]] = [(job, (), JOB_SETTINGS)]
    places += [(_mapping(task), ("tasks", i), TASK_SETTINGS) for i, task in enumerate(_list(job.get("tasks")))]
    for owner, path, limits in places:
        for key, (rule, low, high) in limits.items():
            value = owner.get(key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
                continue  # a fraction is the schema's (BG102)
            where = child_location(owner, key)
            yaml_path = (*base, *path, key)
            shown = format_path(yaml_path)
            if not low <= value <= high:
                yield dg.diagnostic(rule, where, yaml_path, path=shown, value=f"{value:g}", high=high)
            elif (key, int(value)) in SURPRISING_SETTINGS:
                yield dg.diagnostic(SURPRISING_SETTINGS[(key, int(value))], where, yaml_path, path=shown)


def _spot(job: Mapping[str, Any], base: YamlPath) -> Iterator[dg.Diagnostic]:
    clusters: list[tuple[YamlPath, Any]] = [
        (("job_clusters", i, "new_cluster"), _mapping(c).get("new_cluster"))
        for i, c in enumerate(_list(job.get("job_clusters")))
    ]
    clusters += [
        (("tasks", i, "new_cluster"), _mapping(t).get("new_cluster")) for i, t in enumerate(_list(job.get("tasks")))
    ]
    for path, cluster in clusters:
        for attributes, spot, fallback in SPOT_FALLBACKS:
            availability = _mapping(_mapping(cluster).get(attributes)).get("availability")
            if availability == spot:
                where_path = (*path, attributes, "availability")
                yield dg.diagnostic(
                    dg.SPOT_WITHOUT_FALLBACK,
                    locate(job, where_path),
                    (*base, *where_path),
                    path=format_path((*base, *where_path)),
                    value=spot,
                    fallback=fallback,
                )


def _schedule(job: Mapping[str, Any], base: YamlPath) -> Iterator[dg.Diagnostic]:
    schedule = _mapping(job.get("schedule"))
    expression = schedule.get("quartz_cron_expression")
    if isinstance(expression, str) and "${" not in expression:
        problem = quartz_problem(expression)
        if problem:
            where = child_location(schedule, "quartz_cron_expression")
            path = (*base, "schedule", "quartz_cron_expression")
            yield dg.diagnostic(dg.INVALID_CRON, where, path, expression=expression, problem=problem)
    timezone = schedule.get("timezone_id")
    if isinstance(timezone, str) and "${" not in timezone and not known_timezone(timezone):
        where = child_location(schedule, "timezone_id")
        hint = did_you_mean(timezone, timezone_names())
        yield dg.diagnostic(dg.UNKNOWN_TIMEZONE, where, (*base, "schedule", "timezone_id"), value=timezone, hint=hint)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else LocDict()


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
