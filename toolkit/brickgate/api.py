"""The public Python API: the gates and promotion as functions, exported from `brickgate`.

Each gate takes a pandas or Spark DataFrame (or a SOURCE string: a Parquet/CSV file or folder,
a Delta folder, ``catalog.schema.table``) and returns a `GateOutcome`: ``passed``, ``status``,
``headline``, the typed ``result`` and ``document``, the very JSON that ``--format json``
prints. Nothing is written or sent until you call `publish`. A Spark DataFrame is counted by
the Spark engine where it lives; nothing is collected to the driver.

Settings left at ``None`` take the gate's defaults (those of ``brickgate <gate> --help``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from brickgate.gates.engines import EngineName
    from brickgate.gates.psi.profile import Profile
    from brickgate.gates.publish import PublishReport
    from brickgate.gates.result import GateOutcome, RunContext
    from brickgate.output import OutputFormat
    from brickgate.registry import PromotionResult

BOTH_BASELINES = "give psi_gate either profile= or reference=, not both"
NO_BASELINE = "psi_gate needs profile= (a Profile, JSON file or MLflow URI) or reference= (data to profile)"


def _names(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"a, b"`` or ``["a", "b"]`` → ``("a", "b")``."""
    items = [value] if isinstance(value, str) else list(value or ())
    return tuple(part.strip() for item in items for part in item.split(",") if part.strip())


def _given(**settings: Any) -> dict[str, Any]:
    return {name: value for name, value in settings.items() if value is not None}


def fairness_gate(
    data: Any,
    *,
    protected_attributes: str | Sequence[str],
    score_column: str | None = None,
    prediction_column: str | None = None,
    label_column: str | None = None,
    threshold: float | None = None,
    threshold_percentile: float | None = None,
    intersectional: Sequence[str] = (),
    reference: str | None = None,
    reference_groups: Mapping[str, str] | None = None,
    di_min: float | None = None,
    di_max: float | None = None,
    alpha: float | None = None,
    min_group_size: int | None = None,
    gate_metrics: str | Sequence[str] | None = None,
    fail_on_bias: bool = False,
    model_name: str | None = None,
    model_version: str | None = None,
    engine: EngineName | None = None,
    context: RunContext | None = None,
) -> GateOutcome:
    """Gate `data` on disparate impact across protected groups; see docs/fairness-gate.md.

    `engine` only matters for a SOURCE string (``"spark"`` reads it with the active Spark
    session); a DataFrame is counted by the engine of its kind.

    Raises
    ------
    ConfigError
        Conflicting or out-of-range settings (the message names the setting as its CLI flag).
    InputError
        Unreadable data, a missing column, no rows, an attribute with one group.
    """
    from brickgate.gates.fairness.core import FairnessConfig
    from brickgate.gates.fairness.gate import run

    config = FairnessConfig(
        protected_attributes=_names(protected_attributes),
        intersectional=tuple(intersectional),
        reference_groups=dict(reference_groups or {}),
        fail_on_bias=fail_on_bias,
        **_given(
            score_column=score_column,
            prediction_column=prediction_column,
            label_column=label_column,
            threshold=threshold,
            threshold_percentile=threshold_percentile,
            reference=reference,
            di_min=di_min,
            di_max=di_max,
            alpha=alpha,
            min_group_size=min_group_size,
            gate_metrics=_names(gate_metrics) or None,
            model_name=model_name,
            model_version=model_version,
        ),
    )
    return run(data, config, engine=engine, context=context)


def psi_profile(
    reference: Any,
    *,
    features: str | Sequence[str] | None = None,
    score_column: str | None = None,
    bins: int | None = None,
    engine: EngineName | None = None,
    relative_error: float | None = None,
    model_name: str | None = None,
) -> Profile:
    """The PSI baseline of `reference` (every column when `features` is empty).

    Store it with ``profile.to_json()`` / `brickgate.gates.psi.save_profile`, or next to the
    model with `brickgate.gates.psi.log_profile`. `model_name` becomes the profile's identity
    (alert dedup keys ``brickgate/psi/<model>/<feature>``); without it, a hash of its content.
    """
    from brickgate.gates.psi.gate import make_profile

    return make_profile(
        reference,
        features=_names(features),
        score_column=score_column,
        engine=engine,
        relative_error=relative_error,
        model_name=model_name,
        **_given(bins=bins),
    )


def psi_gate(
    current: Any,
    *,
    profile: Profile | str | Path | None = None,
    reference: Any = None,
    features: str | Sequence[str] | None = None,
    score_column: str | None = None,
    bins: int | None = None,
    warn: float | None = None,
    fail: float | None = None,
    epsilon: float | None = None,
    fail_on_drift: bool = False,
    model_name: str | None = None,
    engine: EngineName | None = None,
    context: RunContext | None = None,
) -> GateOutcome:
    """Gate `current` on drift (PSI per feature) against a stored `profile` (a `Profile`, a JSON
    file or an MLflow artifact URI) or `reference` data profiled on the fly; see docs/psi-gate.md.

    Raises
    ------
    ConfigError
        Both or neither of `profile` and `reference`; bad thresholds.
    InputError
        Unreadable data or profile, a feature not profiled or missing from `current`.
    """
    from brickgate.errors import ConfigError
    from brickgate.gates.engines import describe
    from brickgate.gates.psi import core
    from brickgate.gates.psi.gate import make_profile, run
    from brickgate.gates.psi.profile import Profile, load_profile
    from brickgate.gates.result import RunContext

    if (profile is None) == (reference is None):
        raise ConfigError(BOTH_BASELINES if profile is not None else NO_BASELINE)
    options = core.PsiGateOptions(fail_on_drift=fail_on_drift, **_given(warn=warn, fail=fail, epsilon=epsilon))
    wanted = _names(features)
    if profile is not None:
        baseline = "Profile" if isinstance(profile, Profile) else str(profile)
        stored = profile if isinstance(profile, Profile) else load_profile(profile)
    else:
        baseline = describe(reference)
        stored = make_profile(reference, features=wanted, score_column=score_column, engine=engine, **_given(bins=bins))
    if wanted and score_column and score_column not in wanted:
        wanted = (*wanted, score_column)
    return run(
        current,
        stored,
        options,
        features=wanted,
        engine=engine,
        context=context or RunContext.create(describe(current), baseline=baseline),
        model_name=model_name,
    )


def publish(
    outcome: GateOutcome,
    *,
    report_dir: str | Path | None = None,
    results_table: str | None = None,
    alert: str | Sequence[str] = (),
    github_status: bool = False,
    output_format: OutputFormat | None = None,
    env: Mapping[str, str] | None = None,
) -> PublishReport:
    """Write a gate's outcome where asked: report files, results-table rows (appended), console
    output (`output_format`; none by default), commit status ``brickgate/<gate>``, alerts.

    Raises
    ------
    ConfigError
        An unknown alert channel or missing alert settings (before anything is written).
    """
    from brickgate.gates import publish as publishing

    options = publishing.PublishOptions(
        output_format=output_format,
        report_dir=Path(report_dir) if report_dir else None,
        results_table=results_table or None,
        alert_channels=_names(alert),
        github_status=github_status,
        env=env,
    )
    publishing.check_options(options)
    return publishing.publish(outcome, options)


def promote(model: str, **options: Any) -> PromotionResult:
    """Promote a registered model version to an alias after gate and metric checks (or roll back).

    `options` are the fields of `brickgate.registry.PromoteOptions` (``version``,
    ``to_alias``, ``require_gates``, ``metric``, ``max_regression``, ``dry_run``,
    ``rollback`` …), as ``brickgate promote-model`` takes them. Its ``passed`` is the verdict.

    Raises
    ------
    ConfigError, InputError, InfraError
        As the command (exit 2): bad options, unreadable gate results, an unreachable registry.
    """
    from brickgate.registry import PromoteOptions, promote_model

    return promote_model(model, PromoteOptions(**options))
