"""`brickgate psi-gate` (the drift gate) and `brickgate psi-gate profile` (its stored baseline)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from brickgate.cli.common import global_options, option, resolve_options
from brickgate.cli.gate_options import names, publishing_options

if TYPE_CHECKING:
    from brickgate.gates.engines import EngineName

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
COMMAND = "psi-gate"
PROFILE = "psi-gate profile"


@dataclass(frozen=True, kw_only=True)
class PsiArgs:
    """The options of `brickgate psi-gate`, resolved (defaults in defaults.toml [psi-gate.*])."""

    current: str | None
    reference: str | None
    profile: str | None
    features: tuple[str, ...]
    all_features: bool
    score_column: str | None
    bins: int
    warn: float
    fail: float
    epsilon: float
    fail_on_drift: bool
    engine: EngineName
    results_table: str | None
    report_dir: Path | None
    alert: tuple[str, ...]
    github_status: bool
    model_name: str | None


@dataclass(frozen=True, kw_only=True)
class ProfileArgs:
    """The options of `brickgate psi-gate profile`, resolved (defaults in defaults.toml ["psi-gate profile".*])."""

    reference: str | None
    features: tuple[str, ...]
    all_features: bool
    score_column: str | None
    bins: int
    engine: EngineName
    relative_error: float
    out: Path | None
    model_name: str | None


def _features(features: tuple[str, ...], all_features: bool) -> tuple[str, ...]:
    chosen = names(features)
    if chosen and all_features:
        from brickgate.errors import ConfigError

        raise ConfigError(BOTH_FEATURE_FLAGS)
    return chosen


@click.group(COMMAND, invoke_without_command=True)
@option(COMMAND, "--current", metavar="SOURCE")
@option(COMMAND, "--reference", metavar="SOURCE")
@option(COMMAND, "--profile", metavar="FILE_OR_URI")
@option(COMMAND, "--features", metavar="A,B")
@option(COMMAND, "--all-features/--no-all-features")
@option(COMMAND, "--score-column", metavar="COL")
@option(COMMAND, "--bins", metavar="N")
@option(COMMAND, "--warn", metavar="PSI")
@option(COMMAND, "--fail", metavar="PSI")
@option(COMMAND, "--epsilon", metavar="P")
@option(COMMAND, "--fail-on-drift/--no-fail-on-drift")
@option(COMMAND, "--engine")
@publishing_options(COMMAND)
@option(COMMAND, "--model-name", metavar="NAME")
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

    resolved = resolve_options(ctx)
    args = resolved.fill(PsiArgs)
    if not args.current:
        raise ConfigError(MISSING_CURRENT)
    if args.reference and args.profile:
        raise ConfigError(BOTH_BASELINES)
    if not args.reference and not args.profile:
        raise ConfigError(MISSING_BASELINE)
    features = _features(args.features, args.all_features)
    publishing = options_from(resolved.values, global_options(ctx).format)
    check_options(publishing)
    outcome = gate(
        args.current,
        profile=args.profile or None,
        reference=args.reference or None,
        features=features,
        score_column=args.score_column or None,
        bins=args.bins,
        warn=args.warn,
        fail=args.fail,
        epsilon=args.epsilon,
        fail_on_drift=args.fail_on_drift,
        model_name=args.model_name or None,
        engine=args.engine,
    )
    if outcome.document["current_rows"] == 0:
        from brickgate.output import warn

        warn(EMPTY_CURRENT.format(source=args.current))
    publish(outcome, publishing)
    return 0 if outcome.passed else 1


@psi_gate.command("profile")
@option(PROFILE, "--reference", metavar="SOURCE")
@option(PROFILE, "--features", metavar="A,B")
@option(PROFILE, "--all-features/--no-all-features")
@option(PROFILE, "--score-column", metavar="COL")
@option(PROFILE, "--bins", metavar="N")
@option(PROFILE, "--engine")
@option(PROFILE, "--relative-error", metavar="E")
@option(PROFILE, "--out", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE")
@option(PROFILE, "--model-name", metavar="NAME")
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

    args = resolve_options(ctx).fill(ProfileArgs)
    if not args.reference:
        raise ConfigError(MISSING_REFERENCE)
    features = _features(args.features, args.all_features)
    if not features and not args.all_features:
        raise ConfigError(MISSING_FEATURES)
    if not args.out:
        raise ConfigError(MISSING_OUT)
    built = psi_profile(
        args.reference,
        features=features,
        score_column=args.score_column or None,
        bins=args.bins,
        engine=args.engine,
        relative_error=args.relative_error,
        model_name=args.model_name or None,
    )
    path = save_profile(built, args.out)
    output_format = global_options(ctx).format
    if output_format == "json":
        click.echo(built.to_json())
        return 0
    numeric = sum(f.kind == "numeric" for f in built.features)
    click.echo(
        f"wrote {path}: {len(built.features)} features ({numeric} numeric, {len(built.features) - numeric} "
        f"categorical) from {built.rows:,} rows of {args.reference}"
    )
    if output_format == "github":
        from brickgate.github import write_outputs

        write_outputs({"profile-path": str(path), "features": [f.name for f in built.features]})
    return 0
