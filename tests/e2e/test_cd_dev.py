"""brickgate's reusable cd-dev workflow under act, called from a repository made by `brickgate init`:
deploy to dev, the smoke run and a training run through the fake workspace, the job summary, and
the Slack notice (a recording HTTP server as the webhook)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.act import act, git_repo
from tests.e2e.conftest import ENVIRONMENT_TOKENS, FakeDatabricksEnv
from tests.helpers.http_recorder import HttpRecorder

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_cd_dev_deploys_runs_summarises_and_notifies(
    consumer_repo: Path,
    act_source: Path,
    act_cache: Path,
    shared_venv: Path,
    fake_databricks_env: FakeDatabricksEnv,
) -> None:
    caller = consumer_repo / ".github" / "workflows" / "brickgate-cd-dev.yml"
    text = caller.read_text(encoding="utf-8")
    training = "      training-job: train\n      wait: false\n"  # started, not followed; the smoke run is followed
    text = text.replace("      smoke-job: smoke_test\n", "      smoke-job: smoke_test\n" + training)
    text = text.replace("    secrets:\n", "      slack-notify: true\n    secrets:\n")
    text += "      SLACK_WEBHOOK: ${{ secrets.SLACK_WEBHOOK }}\n"  # the name other pipelines use
    caller.write_text(text, encoding="utf-8")
    with HttpRecorder() as slack:
        run = act(
            git_repo(consumer_repo),
            "push",
            source=act_source,
            cache=act_cache,
            workflows=caller,
            env=fake_databricks_env.env | {"BRICKGATE_VENV": str(shared_venv)},
            secrets={"DATABRICKS_TOKEN_DEV": ENVIRONMENT_TOKENS["dev"], "SLACK_WEBHOOK": slack.url("/hook")},
            variables=fake_databricks_env.variables,
        )
        notices = [request.json()["text"] for request in slack.requests]
    assert run.job_results() == {"deploy": "success", "notify": "success"}, run.log()
    assert fake_databricks_env.deployed_targets() == ["dev", "dev"]
    assert fake_databricks_env.runs_of("smoke_test") == fake_databricks_env.runs_of("train") == 1
    assert "| smoke | SUCCESS |" in run.summary() and "when started (not followed) |" in run.summary()
    assert len(notices) == 1 and notices[0].startswith("✅ brickgate deploy to dev: success")
    assert ENVIRONMENT_TOKENS["dev"] not in run.log(tail=100000)
    assert {tuple(tokens) for _, tokens in fake_databricks_env.credentials_by_call()} == {("dev",)}
    assert set(fake_databricks_env.workspace.token_owners) == {"dev"}
