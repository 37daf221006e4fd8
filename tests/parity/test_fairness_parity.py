"""Same seeded data through the pandas engine, the Spark engine and independent oracles
(fairlearn for rates and ratios, scipy for the tests, numpy for the Katz interval)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from brickgate.gates.fairness import FairnessConfig, FairnessResult, evaluate
from brickgate.gates.fairness.core import MISSING
from brickgate.stats import Z_95
from tests.helpers.spark_jobs import count_spark_jobs

N = 20_000
ATTRIBUTES = ("gender", "age_band", "region")


def make_data(n: int = N, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    gender = rng.choice(np.array(["F", "M", "X", None], dtype=object), n, p=[0.48, 0.48, 0.02, 0.02])
    age = rng.choice(["18-30", "31-50", "51-70", "70+"], n, p=[0.3, 0.4, 0.25, 0.05])
    region = rng.integers(1, 6, n)
    score = rng.beta(2, 5, n) + np.where(gender == "F", 0.04, 0.0) + np.where(age == "70+", -0.05, 0.0)
    label = (rng.random(n) < np.clip(score, 0, 1)).astype(np.int64)
    return pd.DataFrame({"score": score, "gender": gender, "age_band": age, "region": region, "label": label})


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return make_data()


def config(**settings: Any) -> FairnessConfig:
    base: dict[str, Any] = {
        "score_column": "score",
        "threshold_percentile": 90.0,
        "protected_attributes": ATTRIBUTES,
        "intersectional": ("gender*age_band",),
        "label_column": "label",
        "reference": "max-rate",
    }
    return FairnessConfig(**{**base, **settings})


def oracle_groups(frame: pd.DataFrame, column: str) -> pd.Series[Any]:
    return frame[column].astype(object).where(frame[column].notna(), MISSING).astype(str)


def check_against_oracles(result: FairnessResult, frame: pd.DataFrame) -> None:
    from fairlearn.metrics import (
        MetricFrame,
        demographic_parity_ratio,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )

    threshold = np.quantile(frame["score"].to_numpy(), 0.9, method="inverted_cdf")
    assert result.threshold.value == threshold
    flags = (frame["score"] >= threshold).astype(int)
    for attribute in result.attributes[: len(ATTRIBUTES)]:
        sensitive = oracle_groups(frame, attribute.name)
        metrics = MetricFrame(
            metrics={"rate": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate},
            y_true=frame["label"],
            y_pred=flags,
            sensitive_features=sensitive,
        )
        by_group = metrics.by_group
        reference = attribute.reference
        for group in attribute.groups:
            assert group.selection_rate == pytest.approx(by_group.loc[group.label, "rate"], abs=1e-12)
            expected_di = by_group.loc[group.label, "rate"] / by_group.loc[reference, "rate"]
            assert group.di.value == pytest.approx(expected_di, rel=1e-9)
            assert group.metrics is not None
            assert group.metrics.tpr == pytest.approx(by_group.loc[group.label, "tpr"], abs=1e-12)
            assert group.metrics.fpr == pytest.approx(by_group.loc[group.label, "fpr"], abs=1e-12)
            if group.label == reference:
                continue
            # scipy on an independently built 2×2 table.
            mine, ref = sensitive == group.label, sensitive == reference
            a, n1 = int(flags[mine].sum()), int(mine.sum())
            c, n2 = int(flags[ref].sum()), int(ref.sum())
            table = np.array([[a, n1 - a], [c, n2 - c]])
            expected = stats.contingency.expected_freq(table)
            if expected.min() < 5:
                p = stats.fisher_exact(table).pvalue
                assert group.test is not None and group.test.test == "fisher"
            else:
                p = stats.chi2_contingency(table, correction=False).pvalue
                assert group.test is not None and group.test.test == "chi2"
            assert group.test.p_value == pytest.approx(p, rel=1e-9, abs=1e-300)
            if a and c:
                se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
                assert group.di.ci_low == pytest.approx(expected_di * math.exp(-Z_95 * se), rel=1e-9)
                assert group.di.ci_high == pytest.approx(expected_di * math.exp(Z_95 * se), rel=1e-9)
        # With the max-rate reference the smallest DI is fairlearn's demographic parity ratio.
        ratio = demographic_parity_ratio(frame["label"], flags, sensitive_features=sensitive)
        assert min(g.di.value or 0.0 for g in attribute.groups) == pytest.approx(ratio, rel=1e-9)
        omnibus = pd.crosstab(sensitive[sensitive.isin([g.label for g in attribute.groups if g.sufficient])], flags)
        assert attribute.chi2 is not None
        assert attribute.chi2.p_value == pytest.approx(stats.chi2_contingency(omnibus, correction=False).pvalue)


def test_pandas_engine_matches_fairlearn_and_scipy(data: pd.DataFrame) -> None:
    result = evaluate(data, config())
    check_against_oracles(result, data)


def _same(left: FairnessResult, right: FairnessResult) -> None:
    assert (left.rows, left.flagged, left.threshold.value) == (right.rows, right.flagged, right.threshold.value)
    for a, b in zip(left.attributes, right.attributes, strict=True):
        assert (a.name, a.reference, a.status) == (b.name, b.reference, b.status)
        assert [(g.label, g.rows, g.flagged, g.metrics) for g in a.groups] == [
            (g.label, g.rows, g.flagged, g.metrics) for g in b.groups
        ]
        for g, h in zip(a.groups, b.groups, strict=True):
            assert g.di == h.di and g.test == h.test and g.status == h.status


@pytest.mark.spark
def test_spark_engine_equals_pandas_and_oracles_in_two_jobs(spark: Any, data: pd.DataFrame) -> None:
    frame = spark.createDataFrame(data.astype({"gender": object}))
    frame.cache().count()
    with count_spark_jobs(spark) as jobs:
        result = evaluate(frame, config())
    assert jobs.count == 2  # the percentile, then every group of every attribute
    assert result.engine == "spark" and result.threshold.exact and result.threshold.rank_error == 0
    _same(result, evaluate(data, config()))
    check_against_oracles(result, data)
    with count_spark_jobs(spark) as fixed:
        given = evaluate(frame, config(threshold_percentile=None, threshold=0.4))
    assert fixed.count == 1  # a given threshold needs no threshold job
    _same(given, evaluate(data, config(threshold_percentile=None, threshold=0.4)))
    frame.unpersist()


@pytest.mark.spark
def test_spark_approximate_percentile_stays_within_its_rank_bound(
    spark: Any, data: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brickgate.gates.fairness import spark as spark_engine

    monkeypatch.setattr(spark_engine, "ACCURACY", 100)  # rank error ≤ ⌊20000/100⌋ = 200 rows
    result = evaluate(
        spark.createDataFrame(data[["score", "gender"]]),
        config(protected_attributes=("gender",), intersectional=(), label_column=None),
    )
    assert result.threshold.exact is False and result.threshold.rank_error == 200
    scores = data["score"].to_numpy()
    rank = int((scores <= result.threshold.value).sum())
    assert abs(rank - math.ceil(N * 0.9)) <= result.threshold.rank_error
    # Counts are exact for the threshold actually used: pandas with that threshold agrees.
    pinned = evaluate(
        data,
        config(
            protected_attributes=("gender",),
            intersectional=(),
            label_column=None,
            threshold_percentile=None,
            threshold=result.threshold.value,
        ),
    )
    assert [(g.rows, g.flagged) for g in pinned.attributes[0].groups] == [
        (g.rows, g.flagged) for g in result.attributes[0].groups
    ]


@pytest.mark.spark
def test_cli_spark_engine_gives_the_pandas_json(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from brickgate.cli import main

    monkeypatch.chdir(tmp_path)
    make_data(2_000).to_parquet(tmp_path / "claims.parquet")
    args = ["--format", "json", "fairness-gate", "--data", "claims.parquet", "--score-column", "score"]
    args += ["--protected-attributes", "gender,age_band", "--label-column", "label", "--min-group-size", "5"]
    documents = []
    for engine in ("pandas", "spark"):
        with pytest.raises(SystemExit):
            main([*args, "--engine", engine])
        document = json.loads(capsys.readouterr().out)
        documents.append({k: v for k, v in document.items() if k not in ("engine", "run_id", "created_at")})
    assert documents[0] == documents[1]


@pytest.mark.spark
def test_read_spark_sources_and_errors(spark: Any, tmp_path: Path) -> None:
    from brickgate.errors import InputError
    from brickgate.gates.sources import read_spark

    frame = make_data(50)
    frame.to_parquet(tmp_path / "d.parquet")
    frame.to_csv(tmp_path / "d.csv", index=False)
    parquet = read_spark(spark, str(tmp_path / "d.parquet"), ["score", "gender"])
    assert parquet.columns == ["score", "gender"]
    csv = read_spark(spark, str(tmp_path / "d.csv"), ["score", "region"])
    assert dict(csv.dtypes) == {"score": "double", "region": "int"}
    with pytest.raises(InputError, match=r"d.parquet: column 'gendr' not found; did you mean 'gender'\?"):
        read_spark(spark, str(tmp_path / "d.parquet"), ["gendr"])
    with pytest.raises(InputError, match=r"^main.nope.claims: no such file, folder or table"):
        read_spark(spark, "main.nope.claims")
