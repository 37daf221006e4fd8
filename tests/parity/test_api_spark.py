"""The public API on Spark DataFrames: counted by the Spark engine where the data lives (nothing
collected to the driver), with the pandas API's documents."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import brickgate
from tests.helpers.spark_jobs import count_spark_jobs

pytestmark = pytest.mark.spark
SAME_EXCEPT = ("engine", "run_id", "created_at", "current_source", "baseline", "headline")


def claims(seed: int, rows: int = 3_000, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], size=rows)
    return pd.DataFrame(
        {
            "score": rng.uniform(size=rows) + np.where(sex == "M", 0.1, 0.0) + shift,
            "sex": sex,
            "region": rng.choice(["A", "B", "C"], size=rows),
            "age": rng.normal(40, 9, rows),
        }
    )


def same(document: Any) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in SAME_EXCEPT}


def test_fairness_gate_on_a_spark_frame_runs_the_spark_engine(spark: Any) -> None:
    frame = claims(4)
    settings: dict[str, Any] = {"protected_attributes": "sex,region", "score_column": "score", "threshold": 0.8}
    local = brickgate.fairness_gate(frame, **settings)
    with count_spark_jobs(spark) as jobs:
        remote = brickgate.fairness_gate(spark.createDataFrame(frame), **settings)
    assert remote.document["engine"] == "spark" and jobs.count == 1  # a given threshold: one aggregation
    assert same(remote.document) == same(local.document)


def test_psi_profile_and_gate_on_spark_frames(spark: Any) -> None:
    reference, current = claims(1), claims(2, shift=0.2)
    local_profile = brickgate.psi_profile(reference, features="age,region", model_name="fraud")
    remote_profile = brickgate.psi_profile(
        spark.createDataFrame(reference),
        features="age,region",
        relative_error=0.0,
        model_name="fraud",
    )
    assert remote_profile.features == local_profile.features and remote_profile.engine == "spark"
    local = brickgate.psi_gate(current, profile=local_profile)
    remote = brickgate.psi_gate(spark.createDataFrame(current), profile=remote_profile)
    assert remote.document["engine"] == "spark" and remote.document["identity"] == "fraud"
    psi = {f["name"]: (f["status"], f["psi"]) for f in remote.document["features"]}
    assert psi.keys() == {"age", "region"}
    for feature in local.document["features"]:
        assert psi[feature["name"]][0] == feature["status"]
        assert psi[feature["name"]][1] == pytest.approx(feature["psi"], abs=1e-12)
