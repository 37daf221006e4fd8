"""Variables, references, includes and target overrides on the valid fixtures."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from brickgate.bundle import load_bundle
from brickgate.bundle.model import load
from brickgate.errors import InputError
from tests.unit.bundle.conftest import VALID

VARIABLES = VALID / "variables"


def test_complex_simple_derived_and_lookup_variables() -> None:
    bundle = load_bundle(VARIABLES, target="dev", env={})
    job = bundle.job("train")
    assert job["name"] == "train-dev_catalog_fraud"
    assert job["email_notifications"] == {"on_failure": ["ml-team@example.com"]}
    assert job["job_clusters"][0]["new_cluster"]["spark_conf"] == {"spark.sql.shuffle.partitions": "8"}
    train, report = job["tasks"]
    assert train["max_retries"] == 1  # a whole-string reference keeps the value's type
    assert train["spark_python_task"]["parameters"] == [
        "--table",
        "dev_catalog.dev_catalog_fraud.claims",
        "--runtime",
        "15.4.x-scala2.12",
    ]
    assert report["notebook_task"]["warehouse_id"] == "${var.warehouse}"  # lookup: resolved at deploy time
    assert bundle.variables["warehouse"] == "${var.warehouse}"


def test_target_values_for_simple_and_complex_variables() -> None:
    bundle = load_bundle(VARIABLES, target="prod", env={})
    assert bundle.variables["catalog"] == "prod_catalog"
    assert bundle.variables["schema"] == "prod_catalog_fraud"
    assert bundle.job("train")["job_clusters"][0]["new_cluster"]["num_workers"] == 8


@pytest.mark.parametrize(
    ("cli", "env", "expected"),
    [
        ({}, {}, "prod_catalog"),  # target value beats the default
        ({}, {"BUNDLE_VAR_catalog": "env_catalog"}, "env_catalog"),  # BUNDLE_VAR_ beats the target
        ({"catalog": "cli_catalog"}, {"BUNDLE_VAR_catalog": "env_catalog"}, "cli_catalog"),  # --var beats all
    ],
)
def test_variable_precedence(cli: dict[str, str], env: dict[str, str], expected: str) -> None:
    bundle = load_bundle(VARIABLES, target="prod", variables=cli, env=env)
    assert bundle.variables["catalog"] == expected
    assert bundle.job("train")["name"] == f"train-{expected}_fraud"


def test_lookup_variable_is_an_info_diagnostic() -> None:
    (info,) = load(VARIABLES, target="dev", env={}).diagnostics
    assert (info.rule, info.severity, info.line, info.path) == ("BG303", "info", 30, "variables.warehouse.lookup")


def test_includes_rebase_paths_on_the_bundle_root_and_keep_resource_references() -> None:
    bundle = load_bundle(VALID / "includes", env={})
    assert set(bundle.jobs) == {"train", "score"}
    train = bundle.job("train")["tasks"][0]
    assert train["spark_python_task"]["python_file"] == "src/train.py"
    assert train["libraries"] == [{"requirements": "requirements.txt"}]
    score, retrain = bundle.job("score")["tasks"]
    assert score["notebook_task"]["notebook_path"] == "src/score"
    assert retrain["run_job_task"]["job_id"] == "${resources.jobs.train.id}"


def test_target_overrides_merge_tasks_and_clusters_by_key() -> None:
    job = load_bundle(VALID / "target-overrides", target="prod", env={}).job("train")
    assert [(t["task_key"], t.get("max_retries")) for t in job["tasks"]] == [
        ("prepare", 3),
        ("train", None),
        ("publish", None),
    ]
    assert job["tasks"][0]["spark_python_task"] == {"python_file": "src/prepare.py"}
    (cluster,) = job["job_clusters"]
    assert cluster["new_cluster"]["num_workers"] == 8
    assert cluster["new_cluster"]["node_type_id"] == "i3.xlarge"
    assert job["schedule"] == {
        "quartz_cron_expression": "0 0 6 ? * MON-FRI",
        "timezone_id": "Europe/Paris",
        "pause_status": "UNPAUSED",
    }


def test_merging_does_not_change_the_files_as_read() -> None:
    loaded = load(VALID / "target-overrides", target="prod", env={})
    top_tasks = loaded.top["resources"]["jobs"]["train"]["tasks"]
    assert [t["task_key"] for t in top_tasks] == ["prepare", "train"]
    assert "max_retries" not in top_tasks[0]
    assert "target" not in loaded.top["bundle"]


def test_workspace_defaults_follow_the_databricks_cli() -> None:
    workspace = load_bundle(VALID / "minimal", target="dev", env={}).config["workspace"]
    assert workspace["root_path"] == "/Workspace/Users/${workspace.current_user.userName}/.bundle/minimal/dev"
    assert workspace["file_path"] == workspace["root_path"] + "/files"


def _write(folder: Path, text: str) -> Path:
    (folder / "databricks.yml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def test_target_semantics_follow_the_databricks_cli(tmp_path: Path) -> None:
    """run_as is replaced, job parameters merge by name, mode/cluster_id/git land under bundle."""
    bundle = _write(
        tmp_path,
        """\
        bundle: {name: semantics, git: {branch: main}}
        run_as: {user_name: alice@example.com}
        resources:
          jobs:
            train:
              parameters:
                - {name: rows, default: "100"}
                - {name: seed, default: "1"}
        targets:
          prod:
            mode: production
            cluster_id: 0923-164208-abc
            git: {origin_url: https://example.com/repo.git}
            run_as: {service_principal_name: sp-1}
            resources:
              jobs:
                train:
                  parameters:
                    - {name: rows, default: all}
        """,
    )
    config = load_bundle(bundle, target="prod", env={}).config
    assert config["run_as"] == {"service_principal_name": "sp-1"}
    assert config["resources"]["jobs"]["train"]["parameters"] == [
        {"name": "rows", "default": "all"},
        {"name": "seed", "default": "1"},
    ]
    assert config["bundle"] == {
        "name": "semantics",
        "git": {"branch": "main", "origin_url": "https://example.com/repo.git"},
        "mode": "production",
        "cluster_id": "0923-164208-abc",
        "target": "prod",
    }


def test_target_variable_definitions_and_shorthands(tmp_path: Path) -> None:
    bundle = _write(
        tmp_path,
        """\
        bundle: {name: vars}
        variables:
          cluster: {type: complex, default: {num_workers: 1}}
          warehouse: {lookup: {warehouse: Shared}}
          owner: {default: alice}
        targets:
          a:
            default: true
            variables:
              cluster: {num_workers: 4}          # shorthand: the complex value itself
              warehouse: {default: abc123}        # a default replaces the lookup
              owner: {lookup: {service_principal: deployer}}
        """,
    )
    loaded = load(bundle, env={})
    assert loaded.bundle.variables == {"cluster": {"num_workers": 4}, "warehouse": "abc123", "owner": "${var.owner}"}
    assert [(d.rule, d.path) for d in loaded.diagnostics] == [("BG303", "targets.a.variables.owner.lookup")]


def test_variable_overrides_file_sits_between_env_and_default(tmp_path: Path) -> None:
    bundle = _write(
        tmp_path,
        """\
        bundle: {name: overrides}
        variables:
          catalog: {default: main}
          cluster: {type: complex, default: {num_workers: 1}}
        targets:
          dev: {default: true}
        """,
    )
    overrides = tmp_path / ".databricks" / "bundle" / "dev" / "variable-overrides.json"
    overrides.parent.mkdir(parents=True)
    overrides.write_text('{"catalog": "from_file", "cluster": {"num_workers": 3}}', encoding="utf-8")
    assert load_bundle(bundle, env={}).variables == {"catalog": "from_file", "cluster": {"num_workers": 3}}
    assert load_bundle(bundle, env={"BUNDLE_VAR_catalog": "env"}).variables["catalog"] == "env"
    overrides.write_text("[1]", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read variable overrides: expected a JSON object"):
        load_bundle(bundle, env={})


def test_deprecated_environments_key_is_read_as_targets(tmp_path: Path) -> None:
    bundle = _write(
        tmp_path, "bundle: {name: legacy}\nenvironments:\n  dev: {default: true}\n  prod: {mode: production}\n"
    )
    assert load_bundle(bundle, target="prod", env={}).mode == "production"
    assert load_bundle(bundle, env={}).target == "dev"


def test_package_exports_the_api() -> None:
    import brickgate.bundle as api

    assert {"Bundle", "load_bundle", "validate_bundle", "ValidateOptions", "ValidationResult"} <= set(api.__all__)


def test_empty_bundle_var_is_a_value_as_in_the_cli() -> None:
    assert load_bundle(VARIABLES, target="prod", env={"BUNDLE_VAR_catalog": ""}).variables["catalog"] == ""


def test_very_long_variable_chains_are_reported_not_crashing(tmp_path: Path) -> None:
    chain = "".join(f'  v{i}: {{default: "${{var.v{i + 1}}}"}}\n' for i in range(60))
    bundle = _write(tmp_path, f"bundle: {{name: chain}}\nvariables:\n{chain}  v60: {{default: end}}\n")
    found = load(bundle, env={}).diagnostics
    assert {d.rule for d in found} == {"BG306"}
    assert found[0].message.endswith("; references chain more than 50 deep")


def test_resource_fields_as_written_resolve_and_ids_stay_references(tmp_path: Path) -> None:
    (tmp_path / "databricks.yml").write_text(
        textwrap.dedent(
            """\
            bundle: {name: fields}
            resources:
              schemas:
                fraud:
                  catalog_name: main
                  name: fraud_${bundle.target}
              jobs:
                train:
                  name: train
                  description: "schema ${resources.schemas.fraud.name} of job ${resources.jobs.train.id}"
            targets:
              dev: {mode: development, default: true}
            """
        ),
        encoding="utf-8",
    )
    job = load_bundle(tmp_path, env={}).job("train")
    assert job["description"] == "schema fraud_dev of job ${resources.jobs.train.id}"
