"""`brickgate psi-gate` (the drift gate) and `brickgate psi-gate profile` (its stored baseline)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from brickgate.cli.common import global_options, resolve_options
from brickgate.cli.gate_options import names, option, publishing_options

MISSING_CURRENT = (
    "missing --current SOURCE (or BRICKGATE_PSI_GATE_CURRENT): a Parquet/CSV file or folder, "
    "a Delta folder or catalog.schema.table"
)
MISSING_BASELINE = "missing --profile FILE_OR_URI or --reference SOURCE (or BRICKGATE_PSI_GATE_PROFILE / _REFERENCE)"
BOTH_BASELINES = "--reference and --profile are mutually exclusive: give the reference data or its stored profile"
BOTH_FEATURE_FLAGS = "--features and --all-features are mutually exclusive"
MISSING_FEATURES = "psi-gate profile needs --features a,b,... or --all-features"
MISSING_OUT = "missing --out FILE (or BRICKGATE_PSI_GATE_PROFILE_OUT): where to write the profile JSON"
MISSING_REFERENCE = "missing --reference SOURCE (or BRICKGATE_PSI_GATE_PROFILE_REFERENCE)"
EMPTY_CURRENT = "{source}: current data has no rows; no feature can be compared, drift is undetermined"
F = TypeVar("F", bound=Callable[..., Any])


def _gate(flag: str, text: str, shown_default: str | None = None, **kwargs: Any) -> Callable[[F], F]:
    return option("psi-gate", flag, text, shown_default, **kwargs)


def _profile(flag: str, text: str, shown_default: str | None = None, **kwargs: Any) -> Callable[[F], F]:
    return option("psi-gate profile", flag, text, shown_default, **kwargs)


def _features(opts: Mapping[str, Any]) -> tuple[str, ...]:
    features = names(opts["features"])
    if features and opts["all_features"]:
        from brickgate.errors import ConfigError

        raise ConfigError(BOTH_FEATURE_FLAGS)
    return features


@click.group("psi-gate", invoke_without_command=True)
@_gate(
    "--current", "Data to check: Parquet/CSV file or folder, Delta folder, or catalog.schema.table.", metavar="SOURCE"
)
@_gate("--reference", "Reference data (profiled on the fly); or give --profile.", metavar="SOURCE")
@_gate(
    "--profile", "Stored profile: a JSON file, runs:/<run_id>/path or models:/name@alias/path.", metavar="FILE_OR_URI"
)
@_gate("--features", "Features to compare (comma-separated; repeatable).", "every profiled feature", multiple=True)
@_gate("--all-features/--no-all-features", "Compare every profiled feature (the reference's columns).", "off")
@_gate("--score-column", "Also compare the model score column.", metavar="COL")
@_gate("--bins", "Quantile bins fitted on --reference.", "10", type=int)
@_gate("--warn", "PSI from which a feature is WARNING.", "0.1", type=float)
@_gate("--fail", "PSI from which a feature is CRITICAL.", "0.25", type=float)
@_gate("--epsilon", "Proportion used for empty bins.", "1e-4", type=float)
@_gate("--fail-on-drift/--no-fail-on-drift", "Exit 1 on any CRITICAL feature.", "off")
@_gate("--engine", "Counting engine.", "pandas", type=click.Choice(["pandas", "spark"]))
@publishing_options("psi-gate", gate="psi", rows="per-feature")
@_gate("--model-name", "Model the data feeds; part of alert dedup keys.")
@click.pass_context
def psi_gate(ctx: click.Context, /, **_: object) -> int:
    """Gate a model's inputs on drift (PSI per feature), or build the baseline with `profile`.

    Without a subcommand: PSI = Σ (cur − ref)·ln(cur / ref) per feature over bins fitted on the
    reference (quantile edges, or categories with an (unseen) bin; nulls are a bin), against a
    stored profile (--profile) or reference data (--reference). A feature is WARNING from --warn,
    CRITICAL from --fail; the chi-square 95 % critical PSI is shown as the sampling-noise level;
    UNDETERMINED when no feature could be compared (fails with --fail-on-drift).
    `brickgate psi-gate profile` stores the baseline at training time. Exit codes: 0 passed, 1
    --fail-on-drift and a CRITICAL feature or nothing measured, 2 bad input or settings.
    """
    if ctx.invoked_subcommand is not None:
        return 0
    from brickgate.api import psi_gate as gate
    from brickgate.errors import ConfigError
    from brickgate.gates.publish import check_options, options_from, publish

    opts = resolve_options(ctx).values
    if not opts["current"]:
        raise ConfigError(MISSING_CURRENT)
    if opts["reference"] and opts["profile"]:
        raise ConfigError(BOTH_BASELINES)
    if not opts["reference"] and not opts["profile"]:
        raise ConfigError(MISSING_BASELINE)
    features = _features(opts)
    publishing = options_from(opts, global_options(ctx).format)
    check_options(publishing)
    outcome = gate(
        opts["current"],
        profile=opts["profile"] or None,
        reference=opts["reference"] or None,
        features=features,
        score_column=opts["score_column"] or None,
        bins=opts["bins"],
        warn=opts["warn"],
        fail=opts["fail"],
        epsilon=opts["epsilon"],
        fail_on_drift=bool(opts["fail_on_drift"]),
        model_name=opts["model_name"] or None,
        engine=opts["engine"],
    )
    if outcome.document["current_rows"] == 0:
        from brickgate.output import warn

        warn(EMPTY_CURRENT.format(source=opts["current"]))
    publish(outcome, publishing)
    return 0 if outcome.passed else 1


@psi_gate.command("profile")
@_profile(
    "--reference",
    "Reference data: Parquet/CSV file or folder, Delta folder, or catalog.schema.table.",
    metavar="SOURCE",
)
@_profile("--features", "Features to profile (comma-separated; repeatable).", multiple=True)
@_profile("--all-features/--no-all-features", "Profile every column of the reference.", "off")
@_profile("--score-column", "Also profile the model score column.", metavar="COL")
@_profile("--bins", "Quantile bins per numeric feature (fewer when quantiles tie).", "10", type=int)
@_profile("--engine", "Profiling engine.", "pandas", type=click.Choice(["pandas", "spark"]))
@_profile(
    "--relative-error",
    "approxQuantile relative error of the Spark engine (0 = exact, slower).",
    "0.001",
    type=click.FloatRange(0, 1),
)
@_profile("--out", "Where to write the profile JSON.", type=click.Path(dir_okay=False, path_type=Path))
@_profile("--model-name", "Model the baseline belongs to; stored as the profile's identity.")
@click.pass_context
def profile(ctx: click.Context, /, **_: object) -> int:
    """Compute, once at training time, the baseline the PSI gate compares against.

    Per numeric feature the reference quantile edges (duplicates collapsed, open outer bins) and
    the share of each bin; per categorical feature (text, at most 20 distinct values, or
    constant) the category shares; null rates and row counts; versioned JSON (schema
    psi-profile). Log it next to the model with brickgate.gates.psi.log_profile and gate with
    --profile runs:/<run_id>/psi_profile.json. Exit codes: 0 written, 2 bad input or settings.
    """
    from brickgate.api import psi_profile
    from brickgate.errors import ConfigError
    from brickgate.gates.psi import save_profile

    opts = resolve_options(ctx).values
    if not opts["reference"]:
        raise ConfigError(MISSING_REFERENCE)
    features = _features(opts)
    if not features and not opts["all_features"]:
        raise ConfigError(MISSING_FEATURES)
    if not opts["out"]:
        raise ConfigError(MISSING_OUT)
    built = psi_profile(
        opts["reference"],
        features=features,
        score_column=opts["score_column"] or None,
        bins=opts["bins"],
        engine=opts["engine"],
        relative_error=opts["relative_error"],
        model_name=opts["model_name"] or None,
    )
    path = save_profile(built, opts["out"])
    output_format = global_options(ctx).format
    if output_format == "json":
        click.echo(built.to_json())
        return 0
    numeric = sum(f.kind == "numeric" for f in built.features)
    click.echo(
        f"wrote {path}: {len(built.features)} features ({numeric} numeric, {len(built.features) - numeric} "
        f"categorical) from {built.rows:,} rows of {opts['reference']}"
    )
    if output_format == "github":
        from brickgate.github import write_outputs

        write_outputs({"profile-path": str(path), "features": [f.name for f in built.features]})
    return 0
