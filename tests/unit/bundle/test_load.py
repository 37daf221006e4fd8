"""The Bundle API: target selection, merging, variable precedence and path rebasing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from brickgate.bundle import Bundle, Diagnostic, load_bundle
from brickgate.errors import InputError

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"
MINIMAL = BUNDLES / "valid" / "minimal"


def test_minimal_default_target_is_dev() -> None:
    bundle = load_bundle(MINIMAL, env={})
    assert isinstance(bundle, Bundle)
    assert (bundle.name, bundle.target, bundle.mode, bundle.root) == ("minimal", "dev", "development", MINIMAL)
    assert bundle.variables == {"catalog": "dev_catalog", "node_type": "i3.xlarge"}
    assert [t["task_key"] for t in bundle.job("train")["tasks"]] == ["prepare", "train", "evaluate"]
    assert bundle.job("train")["name"] == "minimal-train-dev"


def test_prod_target_values_and_rebased_paths() -> None:
    bundle = load_bundle(MINIMAL, target="prod", env={})
    task = bundle.job("train")["tasks"][0]
    assert task["spark_python_task"] == {"python_file": "src/prepare.py", "parameters": ["--catalog", "prod_catalog"]}
    assert bundle.config["workspace"]["root_path"] == "/Workspace/Shared/.bundle/minimal/prod"
    assert bundle.config["bundle"] == {"name": "minimal", "target": "prod", "mode": "production"}


def test_variable_precedence_cli_over_env_over_target_over_default() -> None:
    env = {"BUNDLE_VAR_catalog": "from_env", "BUNDLE_VAR_node_type": "m5.large"}
    assert load_bundle(MINIMAL, target="prod", env=env).variables["catalog"] == "from_env"
    assert load_bundle(MINIMAL, target="prod", env=env, variables={"catalog": "cli"}).variables["catalog"] == "cli"
    assert load_bundle(MINIMAL, target="prod", env={}).variables["catalog"] == "prod_catalog"
    assert load_bundle(MINIMAL, target="dev", env=env).variables["node_type"] == "m5.large"


def test_target_from_environment() -> None:
    assert load_bundle(MINIMAL, env={"DATABRICKS_BUNDLE_TARGET": "prod"}).target == "prod"


def test_unknown_target_is_input_error() -> None:
    with pytest.raises(
        InputError, match=r"^databricks.yml: no target 'prd'; did you mean 'prod'\? \(targets: dev, prod\)$"
    ):
        load_bundle(MINIMAL, target="prd", env={})


def test_unknown_job_names_the_closest() -> None:
    with pytest.raises(InputError, match=r"^unknown job 'trian'; did you mean 'train'\? \(jobs: train\)$"):
        load_bundle(MINIMAL, env={}).job("trian")


def test_missing_databricks_yml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no databricks\.yml found"):
        load_bundle(tmp_path)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "databricks.yml").write_text("bundle:\n  name: x\n  bad: [1, 2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^databricks.yml:4:1: invalid YAML: "):
        load_bundle(tmp_path)


def test_scalars_follow_yaml_1_2_like_the_databricks_cli() -> None:
    from brickgate.bundle.load import parse_text

    text = "on: yes\ncountry: NO\nmode: 0777\nhex: 0x1F\nratio: 1.5\nnothing: ~\nflag: True\nclock: 12:30\n"
    assert parse_text(text, "f.yml", []) == {
        "on": "yes",
        "country": "NO",
        "mode": 777,
        "hex": 31,
        "ratio": 1.5,
        "nothing": None,
        "flag": True,
        "clock": "12:30",
    }


def test_anchors_and_merge_keys_keep_positions() -> None:
    from brickgate.bundle.load import parse_text

    found: list[Diagnostic] = []
    data = parse_text("base: &base\n  a: 1\n  b: 2\nuse:\n  <<: *base\n  b: 3\n  b: 4\n", "f.yml", found)
    assert data["use"] == {"b": 4, "a": 1}
    assert data["use"].value_locs["a"].line == 2  # where the anchored value was written
    assert [(d.rule, d.line) for d in found] == [("BG002", 7)]


def test_load_bundle_refuses_several_default_targets() -> None:
    with pytest.raises(InputError, match=r"targets dev, staging are all marked 'default: true'; choose one with -t$"):
        load_bundle(MINIMAL.parent.parent / "broken" / "BG202-two-default-targets", env={})


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: &x [*x]\n", "f.yml:1:4: invalid YAML: an alias refers to a collection that contains it"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcde", "bcdef", strict=True)),
            "invalid YAML: aliases expand the file to more than 1000000 values",
        ),
        ("a: " + "[" * 150 + "]" * 150 + "\n", "f.yml:1:103: invalid YAML: values nest more than 100 levels deep"),
    ],
)
def test_alias_bombs_are_syntax_errors(text: str, problem: str) -> None:
    from brickgate.bundle.load import BundleSyntaxError, parse_text

    with pytest.raises(BundleSyntaxError, match=re.escape(problem)):
        parse_text(text, "f.yml", [])
