"""Hand-worked fairness numbers on ≤ 12-row tables (arithmetic in the comments)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from brickgate.errors import ConfigError, InputError
from brickgate.gates.fairness import FairnessConfig, FairnessResult, evaluate
from brickgate.gates.fairness.core import (
    BAD_PERCENTILE,
    METRIC_NEEDS_LABEL,
    ONE_GROUP,
    PREDICTION_THRESHOLD,
    THRESHOLD_CONFLICT,
    AttributeResult,
    GroupResult,
)
from brickgate.gates.sources import read_pandas
from brickgate.stats import Z_95, holm, katz_interval, two_by_two_test

SMALL = Path(__file__).resolve().parents[3] / "fixtures" / "tables" / "fairness_small.csv"


def small() -> pd.DataFrame:
    return read_pandas(str(SMALL))


def run(frame: pd.DataFrame | None = None, **settings: Any) -> FairnessResult:
    base: dict[str, Any] = {"score_column": "score", "threshold": 0.5, "protected_attributes": ("sex",)}
    base["min_group_size"] = 1
    base.update(settings)
    return evaluate(small() if frame is None else frame, FairnessConfig(**base))


def attribute(result: FairnessResult, name: str) -> AttributeResult:
    return next(a for a in result.attributes if a.name == name)


def group(result: FairnessResult, name: str, label: str) -> GroupResult:
    return next(g for g in attribute(result, name).groups if g.label == label)


def test_sex_selection_rates_di_ci_and_fisher() -> None:
    result = run()
    # Flagged (score ≥ 0.5): rows 1, 2, 3 (F) and 7 (M) → F 3/6, M 1/6.
    assert (result.rows, result.flagged) == (12, 4)
    sex = attribute(result, "sex")
    # Largest group: F and M tie at 6 rows → the first label, F.
    assert sex.reference == "F"
    m = group(result, "sex", "M")
    assert (m.rows, m.flagged) == (6, 1)
    assert m.selection_rate == pytest.approx(1 / 6)
    # DI = (1/6)/(3/6) = 1/3.
    assert m.di.value == pytest.approx(1 / 3)
    # Katz: se = sqrt(1/1 − 1/6 + 1/3 − 1/6) = 1 → CI = (1/3)·exp(∓1.959964).
    assert m.di.ci_low == pytest.approx(math.exp(-Z_95) / 3)
    assert m.di.ci_high == pytest.approx(math.exp(Z_95) / 3)
    assert (round(m.di.ci_low, 6), round(m.di.ci_high, 6)) == (0.046954, 2.366357)  # type: ignore[arg-type]
    # Expected flagged count per row of [[1,5],[3,3]] = 6·4/12 = 2 < 5 → Fisher. Hypergeometric
    # (N=12, K=4, n=6): P(k) ∝ 28, 224, 420, 224, 28 of 924; observed k=1 → p = (28+224+224+28)/924 = 6/11.
    assert m.test is not None and m.test.test == "fisher"
    assert m.test.p_value == pytest.approx(6 / 11)
    # k×2 chi-square of [[3,3],[1,5]]: expected 2 and 4 per row → 0.5+0.25+0.5+0.25 = 1.5, dof 1.
    assert sex.chi2 is not None and sex.chi2.statistic == pytest.approx(1.5)
    assert sex.chi2.p_value == pytest.approx(math.erfc(math.sqrt(1.5 / 2)))
    # Holm over {6/11, 0.220671}: 2·0.220671 = 0.441343; then max(0.441343, 6/11) = 6/11.
    assert sex.chi2.p_adjusted == pytest.approx(2 * math.erfc(math.sqrt(0.75)))
    assert m.test.p_adjusted == pytest.approx(6 / 11)
    # DI 1/3 is below 0.8 → CRITICAL, but one attribute does not escalate and no --fail-on-bias.
    assert sex.status == "critical" and m.status == "outside_band"
    assert (result.passed, result.status, result.escalated) == (True, "critical", False)
    assert result.worst_di == pytest.approx(1 / 3)


def test_fail_on_bias_fails_on_one_critical_attribute() -> None:
    result = run(fail_on_bias=True)
    assert (result.passed, result.status) == (False, "critical")


def test_region_missing_group_zero_rate_and_escalation() -> None:
    result = run(protected_attributes=("sex", "region"))
    region = attribute(result, "region")
    # A: rows 1,2,6,8,11,12 → 2/6; B: rows 3,4,7,10 → 2/4; (missing): rows 5, 9 → 0/2.
    assert [(g.label, g.rows, g.flagged) for g in region.groups] == [("A", 6, 2), ("B", 4, 2), ("(missing)", 2, 0)]
    assert region.reference == "A"
    b, missing = group(result, "region", "B"), group(result, "region", "(missing)")
    assert b.di.value == pytest.approx(1.5)  # (2/4)/(2/6)
    # se = sqrt(1/2 − 1/4 + 1/2 − 1/6) = sqrt(7/12) = 0.763763 → 1.5·exp(∓1.496950).
    assert b.di.ci_low == pytest.approx(1.5 * math.exp(-Z_95 * math.sqrt(7 / 12)))
    assert b.di.ci_high == pytest.approx(1.5 * math.exp(Z_95 * math.sqrt(7 / 12)))
    # The (missing) group has DI 0 (defined: the reference rate is 1/3) but no CI (a = 0).
    assert missing.di.value == 0.0 and missing.di.ci_low is None
    assert missing.di.reason == "no flagged rows in the group: confidence interval undefined"
    # Fisher [[2,2],[2,4]]: P(k) ∝ 15, 80, 90, 24, 1 of 210, observed 90 is the mode → p = 1.
    assert b.test is not None and b.test.test == "fisher" and b.test.p_value == pytest.approx(1.0)
    # k×2: expected flagged 2, 4/3, 2/3 → χ² = 0 + 0 + 1/3 + 1/6 + 2/3 + 1/3 = 1.5, dof 2 → p = e^−0.75.
    assert region.chi2 is not None and region.chi2.statistic == pytest.approx(1.5)
    assert region.chi2.p_value == pytest.approx(math.exp(-0.75))
    # Both attributes CRITICAL → escalation: the gate fails without --fail-on-bias.
    assert region.status == "critical"
    assert (result.passed, result.status, result.escalated) == (False, "escalated", True)
    assert result.critical_attributes == ("sex", "region")
    assert result.worst_di == 0.0


def test_label_metrics() -> None:
    result = run(label_column="label")
    f, m = group(result, "sex", "F"), group(result, "sex", "M")
    assert f.metrics is not None and m.metrics is not None
    # F: flagged rows 1,2,3 with labels 1,1,0; unflagged 4,5,6 with labels 1,0,0 → TP 2, FP 1, FN 1, TN 2.
    assert (f.metrics.tpr, f.metrics.fpr, f.metrics.precision) == pytest.approx((2 / 3, 1 / 3, 2 / 3))
    # M: flagged row 7 (label 1); unflagged labels 1,0,0,0,0 → TP 1, FP 0, FN 1, TN 3.
    assert (m.metrics.tpr, m.metrics.fpr, m.metrics.precision) == pytest.approx((1 / 2, 0.0, 1.0))
    assert m.metrics.tpr_ratio.value == pytest.approx(0.75)  # (1/2)/(2/3)
    assert m.metrics.fpr_ratio.value == 0.0
    assert m.metrics.precision_ratio.value == pytest.approx(1.5)


def test_gate_metric_tpr_only() -> None:
    # Gating on TPR alone: ratio 0.75 < 0.8 → still CRITICAL; with a band down to 0.7 it is fine.
    assert attribute(run(label_column="label", gate_metrics=("tpr",)), "sex").status == "critical"
    relaxed = run(label_column="label", gate_metrics=("tpr",), di_min=0.7)
    assert group(relaxed, "sex", "M").status == "ok"


def test_percentile_threshold_nearest_rank() -> None:
    # ⌈12·0.75⌉ = 9th smallest of 0.05,0.1,0.1,0.2,0.2,0.3,0.3,0.4,0.6,… = 0.6 → 4 flagged (≥ 25 %).
    result = run(threshold=None, threshold_percentile=75.0)
    assert result.threshold.value == 0.6 and result.threshold.mode == "percentile"
    assert result.flagged == 4 and result.flag_rate == pytest.approx(1 / 3)


def test_ties_at_the_threshold_are_all_flagged() -> None:
    frame = pd.DataFrame({"score": [0.1, 0.5, 0.5, 0.5, 0.9, 0.2], "g": list("aabbab")})
    # ⌈6·0.5⌉ = 3rd smallest of 0.1,0.2,0.5,0.5,0.5,0.9 = 0.5; all three 0.5s are flagged → 4 of 6.
    result = evaluate(frame, FairnessConfig(score_column="score", threshold_percentile=50, protected_attributes=("g",)))
    assert (result.threshold.value, result.flagged) == (0.5, 4)


def test_reference_modes() -> None:
    # max-rate: F (1/2) → DI_M = 1/3 as before; overall: rate 4/12 → DI_F = 1.5, DI_M = 0.5.
    assert attribute(run(reference="max-rate"), "sex").reference == "F"
    overall = run(reference="overall")
    assert attribute(overall, "sex").reference == "(overall)"
    assert group(overall, "sex", "F").di.value == pytest.approx(1.5)
    assert group(overall, "sex", "M").di.value == pytest.approx(0.5)
    # Overall mode tests each group against the rest: F [[3,3],[1,5]] (Fisher, p = 6/11).
    f_test = group(overall, "sex", "F").test
    assert f_test is not None and f_test.p_value == pytest.approx(6 / 11)
    explicit = run(reference_groups={"sex": "M"})
    assert group(explicit, "sex", "F").di.value == pytest.approx(3.0)


def test_reference_rate_zero_makes_di_undefined() -> None:
    # Reference M has no flags; F has 1/2 → DI undefined, reported with its reason, and CRITICAL
    # because the disparity is unbounded (never shown as inf or 0).
    frame = pd.DataFrame({"flag": [1, 0, 0, 0], "sex": ["F", "F", "M", "M"]})
    result = evaluate(
        frame,
        FairnessConfig(
            prediction_column="flag", protected_attributes=("sex",), reference_groups={"sex": "M"}, min_group_size=1
        ),
    )
    f = group(result, "sex", "F")
    assert f.di.value is None and f.di.reason == "reference selection rate is 0"
    assert f.status == "outside_band" and attribute(result, "sex").status == "critical"
    # The charts still speak: selection rates with the reference marked, and ∞ written where
    # the DI is unbounded (never a bar of 0 or a row of "undefined" labels only).
    from brickgate.gates.fairness.render import chart, rate_chart

    rates = rate_chart(attribute(result, "sex"))
    assert (rates.labels, rates.values, rates.lines) == (("F", "M (ref)"), (0.5, 0.0), (("reference M", 0.0),))
    di = chart(attribute(result, "sex"), result)
    assert di.values[0] is None and di.missing_text(0) == "∞"
    # The result says plainly that the reference is the group that is never selected.
    assert any(
        "reference group 'M' is never selected (selection rate 0 of 2 rows)" in w
        for w in attribute(result, "sex").warnings
    )
    # Nobody flagged at all: DI undefined everywhere, no test (one empty column): nothing was
    # measured, so the attribute and the run are undetermined, never a pass.
    none = evaluate(
        frame.assign(flag=0), FairnessConfig(prediction_column="flag", protected_attributes=("sex",), min_group_size=1)
    )
    sex = attribute(none, "sex")
    assert group(none, "sex", "M").status == "undefined" and sex.status == "undetermined"
    assert sex.chi2 is None and sex.undetermined == ("nobody is flagged (4 rows): no DI is defined",)
    assert (none.status, none.passed, none.undetermined_attributes) == ("undetermined", True, ("sex",))
    failing = evaluate(
        frame.assign(flag=0),
        FairnessConfig(prediction_column="flag", protected_attributes=("sex",), min_group_size=1, fail_on_bias=True),
    )
    assert (failing.status, failing.passed) == ("undetermined", False)
    # Everybody flagged: every DI is 1 by construction; nothing is compared either.
    every = evaluate(
        frame.assign(flag=1), FairnessConfig(prediction_column="flag", protected_attributes=("sex",), min_group_size=1)
    )
    assert attribute(every, "sex").status == "undetermined" and every.status == "undetermined"


def test_unbounded_disparity_outranks_undetermined() -> None:
    # Reference M (the largest) and F are never selected, G is: G's DI is unbounded (∞), outside
    # the band → critical, although F's DI is undefined.
    frame = pd.DataFrame({"flag": [0, 0, 0, 0, 0, 1, 0], "sex": ["M", "M", "M", "F", "F", "G", "G"]})
    result = evaluate(frame, FairnessConfig(prediction_column="flag", protected_attributes=("sex",), min_group_size=1))
    assert attribute(result, "sex").status == "critical" and group(result, "sex", "F").status == "undefined"


def test_undefined_tpr_ratio_is_undetermined() -> None:
    # Gating on TPR: the reference F (ties go to the first label) has no true positives (TPR 0),
    # M neither → M's TPR ratio is undefined and M finds no positives → undetermined, not a pass.
    frame = pd.DataFrame(
        {"flag": [1, 0, 0, 0, 1, 0], "label": [0, 1, 1, 0, 0, 1], "sex": ["M", "M", "M", "F", "F", "F"]}
    )
    config = FairnessConfig(
        prediction_column="flag",
        label_column="label",
        protected_attributes=("sex",),
        min_group_size=1,
        gate_metrics=("tpr",),
    )
    result = evaluate(frame, config)
    sex = attribute(result, "sex")
    assert (sex.status, result.status) == ("undetermined", "undetermined")
    assert sex.undetermined == ("group 'M': TPR ratio undefined (reference TPR is 0)",)


def test_insufficient_groups_warn_and_do_not_decide() -> None:
    # min group size 5: region (missing) has 2 rows → insufficient; B (4 rows) too; A alone is
    # left → the attribute cannot be gated.
    result = run(protected_attributes=("region",), min_group_size=5)
    region = attribute(result, "region")
    assert group(result, "region", "(missing)").status == "insufficient_data"
    assert region.status == "skipped"
    assert "group '(missing)' has 2 rows (< --min-group-size 5): reported, not gated" in region.warnings
    # The only attribute could not be gated: nothing was measured.
    assert (result.passed, result.status, result.undetermined_attributes) == (True, "undetermined", ("region",))


def test_intersection_labels_and_counts() -> None:
    result = run(protected_attributes=("sex",), intersectional=("sex*region",))
    cells = {g.label: (g.rows, g.flagged) for g in attribute(result, "sex*region").groups}
    # F: A rows 1,2,6 (2 flagged), B rows 3,4 (1), missing row 5; M: A rows 8,11,12, B 7,10, missing 9.
    assert cells == {
        "F*A": (3, 2),
        "F*B": (2, 1),
        "F*(missing)": (1, 0),
        "M*A": (3, 0),
        "M*B": (2, 1),
        "M*(missing)": (1, 0),
    }


def test_two_by_two_switches_to_chi_square_at_expected_five() -> None:
    # [[30,70],[50,50]]: expected flagged 40 per row → chi-square; χ² = 4·(10²/40 + 10²/60)/2 = 8.3333.
    name, statistic, p = two_by_two_test(30, 100, 50, 100)
    assert name == "chi2" and statistic == pytest.approx(25 / 3)
    assert p == pytest.approx(math.erfc(math.sqrt(25 / 6)))
    assert two_by_two_test(4, 100, 5, 100)[0] == "fisher"  # expected flagged 4.5 < 5


def test_katz_interval_edge_cases() -> None:
    assert katz_interval(0, 10, 3, 10) is None
    assert katz_interval(3, 10, 0, 10) is None
    low, high = katz_interval(10, 10, 10, 10)  # type: ignore[misc]  # se = sqrt(0.1−0.1+0.1−0.1) = 0
    assert low == high == 1.0


def test_holm_by_hand() -> None:
    # m = 5: 5·0.01 = 0.05; 4·0.02 = 0.08; 3·0.03 = 0.09; 2·0.04 = 0.08 → 0.09; 1·0.05 → 0.09.
    assert holm([0.05, 0.01, 0.03, 0.02, 0.04]) == pytest.approx([0.09, 0.05, 0.09, 0.08, 0.09])
    assert holm([0.5, 0.9]) == [1.0, 1.0]
    assert holm([]) == []


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"threshold": 0.5, "threshold_percentile": 90.0}, THRESHOLD_CONFLICT),
        ({"threshold": None, "threshold_percentile": 100.0}, BAD_PERCENTILE.format(value=100.0)),
        ({"threshold": None, "threshold_percentile": 0.0}, BAD_PERCENTILE.format(value=0.0)),
        ({"score_column": None, "prediction_column": "p"}, PREDICTION_THRESHOLD),
        ({"gate_metrics": ("tpr",)}, METRIC_NEEDS_LABEL.format(metric="tpr")),
        ({"di_min": 1.3}, "--di-min must be positive and below --di-max (got 1.3 and 1.25)"),
        ({"intersectional": ("sex*",)}, "--intersectional 'sex*' must join two or more column names with '*'"),
        ({"reference_groups": {"nope": "x"}}, "--reference-group nope=…: 'nope' is not a protected attribute (sex)"),
    ],
)
def test_config_errors(settings: dict[str, Any], message: str) -> None:
    base: dict[str, Any] = {"score_column": "score", "threshold": 0.5, "protected_attributes": ("sex",)}
    with pytest.raises(ConfigError) as info:
        FairnessConfig(**{**base, **settings})
    assert str(info.value).startswith(message)


def test_data_errors() -> None:
    with pytest.raises(InputError) as info:
        run(small().query("sex == 'F'"))
    assert str(info.value) == ONE_GROUP.format(attribute="sex", group="'F'")
    with pytest.raises(InputError, match=r"^--reference-group sex=X: no such group in 'sex' \(groups: F, M\)$"):
        run(reference_groups={"sex": "X"})
    with pytest.raises(InputError, match="score column 'score' has 1 missing or NaN value"):
        run(small().assign(score=[*[0.1] * 11, float("nan")]))
    with pytest.raises(InputError, match=r"score column 'score' is not numeric \(dtype object\)"):
        run(small().assign(score="high"))
    with pytest.raises(InputError, match=r"^the data has no rows$"):
        run(small().iloc[:0])
    with pytest.raises(InputError, match=r"column 'label' must hold only 0/1"):
        run(small().assign(label=2), label_column="label")
