"""Diagnostics of `validate-bundle` and the catalogue of their stable rule ids.

Every problem found in a bundle is a `Diagnostic` naming a rule (`BG101` …), a severity, a
message, and where it is: file, line, column and YAML path. Rule ids are documented in
`docs/cli.md` and never reused; a retired rule keeps its number. Message templates are the
constants below, so tests and docs quote them verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from brickgate import taskgraph
from brickgate.bundle.locations import Location, YamlPath, format_path

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[str, ...] = get_args(Severity)


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A check: stable id, default severity, short title and message template."""

    id: str
    severity: Severity
    title: str
    template: str


@dataclass(frozen=True, kw_only=True)
class Diagnostic:
    """One problem in a bundle; `file` is relative to the bundle root, lines and columns 1-based."""

    rule: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
        }


def _rule(id: str, severity: Severity, title: str, template: str) -> Rule:
    return Rule(id=id, severity=severity, title=title, template=template)


# 0xx: reading the files
YAML_SYNTAX = _rule("BG001", "error", "YAML syntax error", "invalid YAML: {problem}")
DUPLICATE_YAML_KEY = _rule("BG002", "error", "duplicate YAML key", "key '{key}' is defined twice in this mapping")
INCLUDE_NO_MATCH = _rule(  # an error for a file named literally, a warning for a glob
    "BG003", "error", "include matches no file", "include '{pattern}' does not match any file"
)
NOT_A_MAPPING = _rule("BG004", "error", "file is not a mapping", "{file} must contain a YAML mapping, not {kind}")
DUPLICATE_RESOURCE = _rule(
    "BG005",
    "error",
    "resource defined twice",
    "{kind} '{key}' is defined in both {first} and {second}; a resource key must be unique across files",
)
INCLUDE_NOT_YAML = _rule(
    "BG006",
    "error",
    "include matches a file that is not YAML",
    "include pattern '{pattern}' matches {file}, which is not a .yml, .yaml or .json file"
    " (files to upload belong in sync.include)",
)
INCLUDE_ABSOLUTE = _rule(
    "BG007", "error", "absolute include path", "include '{pattern}' must be a path relative to the bundle root"
)
# 1xx: schema
UNKNOWN_KEY = _rule("BG101", "warning", "unknown key", "unknown key '{key}' in {parent}{hint}")
WRONG_TYPE = _rule("BG102", "error", "wrong type", "{path} must be {expected}, not {actual}")
MISSING_KEY = _rule("BG103", "error", "required key missing", "{parent} is missing required key '{key}'")
INVALID_VALUE = _rule("BG104", "error", "value not allowed", "{path} is {value}; allowed: {allowed}")
SCHEMA_KEYWORDS_UNCHECKED = _rule(
    "BG105", "info", "schema keywords not checked", "the JSON Schema uses keywords brickgate does not check: {keywords}"
)
# 2xx: targets
NO_DEFAULT_TARGET = _rule(
    "BG201", "warning", "no default target", "no target is marked 'default: true' (targets: {targets})"
)
MANY_DEFAULT_TARGETS = _rule(
    "BG202", "error", "several default targets", "targets {targets} are all marked 'default: true'; mark exactly one"
)
PROD_NO_ROOT_PATH = _rule(
    "BG203",
    "error",
    "production target without root_path",
    "production target '{target}' must set workspace.root_path explicitly"
    " (e.g. /Workspace/Shared/.bundle/${{bundle.name}}/${{bundle.target}})",
)
PROD_NO_RUN_AS = _rule(
    "BG204",
    "error",
    "production target without run_as",
    "production target '{target}' must set run_as (a service_principal_name or user_name)",
)
PROD_EXISTING_CLUSTER = _rule(
    "BG205",
    "error",
    "production target uses an existing cluster",
    "{who} runs on existing cluster '{cluster}' in production target '{target}';"
    " production jobs should run on job clusters, not a personal interactive cluster",
)
# 3xx: variables and references
UNDEFINED_VARIABLE = _rule(
    "BG301", "error", "undefined variable", "variable '{name}' is not defined (used in {path}){hint}"
)
VARIABLE_WITHOUT_VALUE = _rule(
    "BG302",
    "error",
    "variable has no value",
    "variable '{name}' has no value: set a default, a value in target '{target}', --var {name}=… or BUNDLE_VAR_{name}",
)
LOOKUP_VARIABLE = _rule(
    "BG303", "info", "lookup variable", "variable '{name}' is a lookup of {kind} '{value}', resolved at deploy time"
)
VARIABLE_CYCLE = _rule("BG304", "error", "variable cycle", "variables refer to each other in a cycle: {cycle}")
COMPLEX_FROM_STRING = _rule(
    "BG305",
    "error",
    "complex variable set from a string",
    "complex variable '{name}' cannot be set from {source}; set it in the configuration",
)
UNKNOWN_REFERENCE = _rule(
    "BG306", "error", "unknown reference", "reference '${{{reference}}}' in {path} cannot be resolved{hint}"
)
UNKNOWN_RESOURCE_REFERENCE = _rule(
    "BG307",
    "error",
    "reference to an undefined resource",
    "'${{{reference}}}' in {path} refers to {kind} '{key}', which is not defined{hint}",
)
VAR_NOT_DECLARED = _rule(
    "BG308",
    "error",
    "value for an undeclared variable",
    "{source} sets variable '{name}', which is not declared under 'variables'{hint}",
)
# 4xx: jobs
DUPLICATE_TASK_KEY = _rule(
    "BG401", "error", "duplicate task key", "task_key '{key}' is used twice in job '{job}' (first at line {first_line})"
)
UNKNOWN_DEPENDENCY = _rule(
    "BG402",
    "error",
    "depends_on an unknown task",
    taskgraph.UNKNOWN_DEPENDENCY,
)
DEPENDENCY_CYCLE = _rule("BG403", "error", "dependency cycle", taskgraph.CYCLE)
UNKNOWN_JOB_CLUSTER = _rule(
    "BG404",
    "error",
    "unknown job_cluster_key",
    "task '{task}' uses job_cluster_key '{key}', which is not in job '{job}' job_clusters{hint}",
)
INVALID_RUN_IF = _rule("BG405", "error", "invalid run_if", "run_if '{value}' of task '{task}' is not one of {allowed}")
MISSING_FILE = _rule(
    "BG406",
    "error",
    "file not found",
    "{what} '{value}' does not exist (looked for {resolved}, relative to {declared_in})",
)
DUPLICATE_JOB_CLUSTER = _rule(
    "BG407", "error", "duplicate job_cluster_key", "job_cluster_key '{key}' is defined twice in job '{job}'"
)
SPOT_WITHOUT_FALLBACK = _rule(
    "BG408",
    "warning",
    "spot instances without fallback",
    "{path} is {value}: without on-demand fallback the job fails when spot capacity runs out; use {fallback}",
)
INVALID_CRON = _rule(
    "BG409", "error", "invalid Quartz cron expression", "quartz_cron_expression '{expression}' is invalid: {problem}"
)
UNKNOWN_TIMEZONE = _rule("BG410", "error", "unknown timezone", "timezone_id '{value}' is not a known time zone{hint}")
UNKNOWN_ENVIRONMENT = _rule(
    "BG411",
    "error",
    "unknown environment_key",
    "task '{task}' uses environment_key '{key}', which is not in job '{job}' environments{hint}",
)
# 42x: job settings as the Jobs API defines them (whole numbers; -1 retries forever)
BAD_TIMEOUT = _rule(
    "BG420",
    "error",
    "invalid timeout_seconds",
    "{path} is {value}: timeout_seconds must be a whole number of seconds from 0 (no timeout) to {high}",
)
BAD_MAX_RETRIES = _rule(
    "BG421",
    "error",
    "invalid max_retries",
    "{path} is {value}: max_retries must be a whole number from 0 to {high}, or -1 to retry forever",
)
BAD_RETRY_INTERVAL = _rule(
    "BG422",
    "error",
    "invalid min_retry_interval_millis",
    "{path} is {value}: min_retry_interval_millis must be a whole number of milliseconds from 0 to {high}",
)
BAD_CONCURRENT_RUNS = _rule(
    "BG423",
    "error",
    "invalid max_concurrent_runs",
    "{path} is {value}: max_concurrent_runs must be a whole number from 0 to {high}",
)
RETRIES_FOREVER = _rule(
    "BG424",
    "warning",
    "task retried forever",
    "{path} is -1: a failing task is retried without limit; give a number of retries",
)
NO_CONCURRENT_RUNS = _rule(
    "BG425",
    "warning",
    "every run skipped",
    "{path} is 0: the Jobs API skips every new run of this job; use 1 or more",
)
# 5xx: the Databricks CLI
CLI_ERROR = _rule("BG501", "error", "databricks bundle validate error", "databricks bundle validate: {summary}")
CLI_WARNING = _rule("BG502", "warning", "databricks bundle validate warning", "databricks bundle validate: {summary}")
CLI_RECOMMENDATION = _rule(
    "BG503", "info", "databricks bundle validate recommendation", "databricks bundle validate: {summary}"
)
CLI_FAILED = _rule(
    "BG504", "error", "databricks bundle validate failed", "databricks bundle validate exited with {code}: {output}"
)
# 6xx: artifacts (wheels the bundle builds) and the serverless environments that install them
ARTIFACT_NO_PROJECT = _rule(
    "BG601",
    "error",
    "artifact without a Python project",
    "artifact '{name}': {path} has no pyproject.toml or setup.py, so there is no wheel to build",
)
ARTIFACT_NO_BUILD = _rule(
    "BG602",
    "warning",
    "artifact without a build command",
    "artifact '{name}' sets no build command and {path} has no setup.py for the Databricks CLI to infer one "
    "from; set build, e.g. 'python3 -m pip wheel --no-deps --wheel-dir dist .'",
)
WHEEL_NOT_BUILT = _rule(
    "BG603",
    "error",
    "wheel that no artifact builds",
    "{what} '{value}' matches no wheel an artifact builds (looked for {resolved} among {outputs})",
)
WHEEL_TASK_WITHOUT_WHEEL = _rule(
    "BG604",
    "error",
    "python_wheel_task without its package",
    "task '{task}' runs package '{package}' but installs nothing: attach the wheel under libraries (- whl: …) "
    "or, on serverless, list it in its environment's dependencies",
)
SERVERLESS_LIBRARIES = _rule(
    "BG605",
    "error",
    "libraries on a serverless task",
    "task '{task}' runs in environment '{key}' (serverless), where libraries are not supported; "
    "list them in that environment's spec.dependencies",
)
TWO_COMPUTES = _rule(
    "BG606",
    "error",
    "task on a cluster and in an environment",
    "task '{task}' sets environment_key '{key}' (serverless) and {cluster}; choose one",
)
UNUSED_ENVIRONMENT = _rule(
    "BG607",
    "warning",
    "environment no task uses",
    "environment '{key}' of job '{job}' is used by no task (tasks name it with environment_key)",
)
ENVIRONMENT_NO_VERSION = _rule(
    "BG608",
    "error",
    "environment without a version",
    "environment '{key}' of job '{job}' sets none of spec.environment_version, spec.client and "
    'spec.base_environment; serverless needs one (environment_version: "2")',
)

RULES: tuple[Rule, ...] = (
    YAML_SYNTAX,
    DUPLICATE_YAML_KEY,
    INCLUDE_NO_MATCH,
    NOT_A_MAPPING,
    DUPLICATE_RESOURCE,
    INCLUDE_NOT_YAML,
    INCLUDE_ABSOLUTE,
    UNKNOWN_KEY,
    WRONG_TYPE,
    MISSING_KEY,
    INVALID_VALUE,
    SCHEMA_KEYWORDS_UNCHECKED,
    NO_DEFAULT_TARGET,
    MANY_DEFAULT_TARGETS,
    PROD_NO_ROOT_PATH,
    PROD_NO_RUN_AS,
    PROD_EXISTING_CLUSTER,
    UNDEFINED_VARIABLE,
    VARIABLE_WITHOUT_VALUE,
    LOOKUP_VARIABLE,
    VARIABLE_CYCLE,
    COMPLEX_FROM_STRING,
    UNKNOWN_REFERENCE,
    UNKNOWN_RESOURCE_REFERENCE,
    VAR_NOT_DECLARED,
    DUPLICATE_TASK_KEY,
    UNKNOWN_DEPENDENCY,
    DEPENDENCY_CYCLE,
    UNKNOWN_JOB_CLUSTER,
    INVALID_RUN_IF,
    MISSING_FILE,
    DUPLICATE_JOB_CLUSTER,
    SPOT_WITHOUT_FALLBACK,
    INVALID_CRON,
    UNKNOWN_TIMEZONE,
    UNKNOWN_ENVIRONMENT,
    BAD_TIMEOUT,
    BAD_MAX_RETRIES,
    BAD_RETRY_INTERVAL,
    BAD_CONCURRENT_RUNS,
    RETRIES_FOREVER,
    NO_CONCURRENT_RUNS,
    CLI_ERROR,
    CLI_WARNING,
    CLI_RECOMMENDATION,
    CLI_FAILED,
    ARTIFACT_NO_PROJECT,
    ARTIFACT_NO_BUILD,
    WHEEL_NOT_BUILT,
    WHEEL_TASK_WITHOUT_WHEEL,
    SERVERLESS_LIBRARIES,
    TWO_COMPUTES,
    UNUSED_ENVIRONMENT,
    ENVIRONMENT_NO_VERSION,
)


def diagnostic(
    rule: Rule,
    location: Location | None,
    yaml_path: YamlPath | str | None = None,
    *,
    severity: Severity | None = None,
    **fields: object,
) -> Diagnostic:
    """A diagnostic of `rule` at `location`, its message filled from `fields`."""
    return Diagnostic(
        rule=rule.id,
        severity=severity or rule.severity,
        message=rule.template.format(**fields),
        file=location.file if location else None,
        line=location.line if location else None,
        column=location.column if location else None,
        path=yaml_path if isinstance(yaml_path, str) or yaml_path is None else (format_path(yaml_path) or None),
    )
