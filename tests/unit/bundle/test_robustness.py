"""Whatever shape a bundle has, validation reports diagnostics instead of crashing."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brickgate.bundle.validate import ValidateOptions, validate_bundle

KEYS = st.sampled_from(
    [
        "tasks",
        "task_key",
        "depends_on",
        "job_cluster_key",
        "job_clusters",
        "new_cluster",
        "spark_python_task",
        "python_file",
        "libraries",
        "whl",
        "schedule",
        "quartz_cron_expression",
        "timezone_id",
        "run_if",
        "environment_key",
        "environments",
        "existing_cluster_id",
        "aws_attributes",
        "availability",
        "x",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(["a", "./src/a.py", "${var.v}", "${var.nope}", "${resources.jobs.j.id}", "0 0 6 ? * *", "SPOT"]),
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=12
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(job=VALUES, target=VALUES)
def test_any_job_shape_gives_diagnostics_not_exceptions(job: Any, target: Any) -> None:
    document = {
        "bundle": {"name": "fuzz"},
        "variables": {"v": {"default": "x"}},
        "resources": {"jobs": {"j": job}},
        "targets": {"dev": {"default": True, "mode": "production", "resources": {"jobs": {"j": target}}}},
    }
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "databricks.yml").write_text(json.dumps(document), encoding="utf-8")  # JSON is YAML
        result = validate_bundle(folder, ValidateOptions(env={}, databricks_cli=False))
    assert all(d.rule.startswith("BG") for d in result.diagnostics)


VARIABLE_VALUES = st.recursive(
    st.one_of(
        st.none(), st.integers(0, 2), st.sampled_from(["complex", "x", "${var.v}", "${var.w}", "${bundle.name}"])
    ),
    lambda inner: (
        st.lists(inner, max_size=2)
        | st.dictionaries(st.sampled_from(["default", "lookup", "type", "description", "v"]), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    variables=st.dictionaries(st.sampled_from(["v", "w"]), VARIABLE_VALUES, max_size=2),
    target_variables=VARIABLE_VALUES,
    workspace=VARIABLE_VALUES,
    env=st.dictionaries(st.sampled_from(["BUNDLE_VAR_v", "BUNDLE_VAR_w"]), st.sampled_from(["", "1", "${var.w}"])),
    cli=st.dictionaries(st.sampled_from(["v", "w", "z"]), st.sampled_from(["", "a"])),
)
def test_any_variables_shape_gives_diagnostics_not_exceptions(
    variables: Any, target_variables: Any, workspace: Any, env: dict[str, str], cli: dict[str, str]
) -> None:
    document = {
        "bundle": {"name": "fuzz"},
        "variables": variables,
        "workspace": workspace,
        "resources": {
            "jobs": {"j": {"name": "${var.v} ${var.w}", "tasks": [{"task_key": "a", "max_retries": "${var.w}"}]}}
        },
        "targets": {"dev": {"default": True, "variables": target_variables, "workspace": workspace}},
    }
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "databricks.yml").write_text(json.dumps(document), encoding="utf-8")
        result = validate_bundle(folder, ValidateOptions(env=env, variables=cli, databricks_cli=False))
    assert all(d.rule.startswith("BG") for d in result.diagnostics)
