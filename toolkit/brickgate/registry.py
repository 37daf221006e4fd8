"""Model promotion in the MLflow registry by aliases (`champion`, `challenger`, `previous`).

Stages are deprecated in MLflow and never used. A promotion moves two aliases — the current
champion becomes `previous`, the candidate becomes `champion` — and writes an audit trail as
tags on the candidate version. MLflow has no transactions: each alias move is its own request.
So the moves are ordered to keep serving safe (`previous` first, `champion` second, audit tags
last) and, when any step fails, the aliases and tags already written are put back, retrying
while the registry is unreachable for up to `restore_wait` seconds. If the registry stays
unreachable, the error states exactly which aliases may have moved and what to set them to.

Works with any MLflow registry: a local SQLite file (the default, `.brickgate/mlflow.db`), an
MLflow server, Databricks (`databricks`) and Unity Catalog (`databricks-uc`, three-level
names `catalog.schema.model`).
"""

from __future__ import annotations

import getpass
import json
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from brickgate import deadline
from brickgate.errors import ConfigError, InfraError, InputError, first_line, reason
from brickgate.github import workflow_run_url
from brickgate.suggest import did_you_mean

if TYPE_CHECKING:
    from mlflow import MlflowClient

PromotionStatus = Literal["promoted", "unchanged", "planned", "refused", "rolled-back"]

DEFAULT_TRACKING_URI = "sqlite:///.brickgate/mlflow.db"
UC_REGISTRY = "databricks-uc"
GATE_TAG_PREFIX = "brickgate.gate."  # run tag `brickgate.gate.<gate>` = pass | fail
GATE_RESULT_FILE = "{gate}-result.json"  # what `gates.publish` writes and training logs as an artifact
AUDIT_PREFIX = "brickgate.promotion."
PASS_VALUES = frozenset({"pass", "passed", "true", "success", "ok"})
FAIL_VALUES = frozenset({"fail", "failed", "false", "failure"})
ALIAS_PATTERN = re.compile(r"^(?![vV]\d+$)(?!latest$)[\w-]{1,255}$")
UC_NAME_PATTERN = re.compile(r"^[^.\s/`]+\.[^.\s/`]+\.[^.\s/`]+$")

INVALID_ALIAS = "{flag} '{alias}' is not a valid alias: letters, digits, '_' and '-', not 'latest' nor v<number>"
INVALID_UC_NAME = (
    "--model '{name}' is not a Unity Catalog model name: with registry databricks-uc use catalog.schema.model"
)
UNKNOWN_MODEL = "model '{name}' not found in registry {uri}{hint}"
PROBE_SOURCE = "--tracking-uri / --registry-uri"
NO_SUCH_ALIAS = "model '{name}' has no alias '{alias}' (aliases: {aliases})"
ALREADY = "version {version} of {name} is already {alias}; nothing changed"
GATE_MISSING = (
    "gate '{gate}' has no result: no run tag " + GATE_TAG_PREFIX + "{gate}, no artifact {gate}-result.json "
    "on run {run_id} and no --gate-result file"
)


@dataclass(frozen=True, kw_only=True)
class PromoteOptions:
    """What to promote and the checks a promotion must pass."""

    version: str | None = None
    from_alias: str | None = None
    to_alias: str = "champion"
    previous_alias: str = "previous"
    require_gates: bool = False
    gates: Sequence[str] = ("fairness", "psi")
    gate_results: Sequence[Path] = ()
    metric: str | None = None
    max_regression: float | None = None
    higher_is_better: bool = True
    dry_run: bool = False
    rollback: bool = False
    tracking_uri: str | None = None
    registry_uri: str | None = None
    restore_wait: float = 60.0


@dataclass(frozen=True, kw_only=True)
class GateVerdict:
    """One gate's verdict and where it was read (`run tag …`, `artifact …`, `file …`)."""

    gate: str
    passed: bool
    source: str


@dataclass(frozen=True, kw_only=True)
class MetricCheck:
    """Candidate against champion on one metric.

    ``regression = champion − candidate`` when higher is better, ``candidate − champion`` when
    lower is better; the check passes when ``regression ≤ max_regression`` (absolute units of
    the metric). Without a current champion there is nothing to regress from and it passes.
    """

    name: str
    candidate: float
    champion: float | None
    max_regression: float
    higher_is_better: bool

    @property
    def regression(self) -> float | None:
        if self.champion is None:
            return None
        delta = self.champion - self.candidate
        return delta if self.higher_is_better else -delta

    @property
    def passed(self) -> bool:
        regression = self.regression
        return regression is None or regression <= self.max_regression


@dataclass(frozen=True, kw_only=True)
class AliasChange:
    """Alias `alias` moves from version `before` (None: unset) to version `after`."""

    alias: str
    before: str | None
    after: str


@dataclass(frozen=True, kw_only=True)
class PromotionResult:
    """Outcome of promote-model; `status == "refused"` is the failed verdict (exit 1)."""

    model: str
    version: str
    status: PromotionStatus
    message: str
    changes: tuple[AliasChange, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    gates: tuple[GateVerdict, ...] = ()
    metric: MetricCheck | None = None
    reasons: tuple[str, ...] = ()
    audit_tags: Mapping[str, str] = field(default_factory=dict)
    registry_uri: str = ""

    @property
    def passed(self) -> bool:
        return self.status != "refused"


def validate_alias(alias: str, flag: str) -> str:
    """MLflow's alias rule, checked before any request.

    >>> validate_alias("champion", "--to-alias")
    'champion'
    >>> validate_alias("v2", "--to-alias")
    Traceback (most recent call last):
    ...
    brickgate.errors.ConfigError: --to-alias 'v2' is not a valid alias: letters, digits, '_' and '-', \
not 'latest' nor v<number>
    """
    if not ALIAS_PATTERN.match(alias):
        raise ConfigError(INVALID_ALIAS.format(flag=flag, alias=alias))
    return alias


def validate_model_name(name: str, registry_uri: str) -> str:
    """Unity Catalog needs `catalog.schema.model`; other registries take any non-empty name.

    >>> validate_model_name("main.fraud.claims_model", "databricks-uc")
    'main.fraud.claims_model'
    >>> validate_model_name("claims_model", "databricks-uc")
    Traceback (most recent call last):
    ...
    brickgate.errors.ConfigError: --model 'claims_model' is not a Unity Catalog model name: with registry \
databricks-uc use catalog.schema.model
    """
    if not name.strip():
        raise ConfigError("--model must not be empty")
    if registry_uri.split(":", 1)[0] == UC_REGISTRY and not UC_NAME_PATTERN.match(name):
        raise ConfigError(INVALID_UC_NAME.format(name=name))
    return name


def resolve_uris(options: PromoteOptions, env: Mapping[str, str]) -> tuple[str, str]:
    """(tracking, registry) URIs: options, then `MLFLOW_TRACKING_URI`/`MLFLOW_REGISTRY_URI`, then the local file.

    The registry follows the tracking URI unless set; a `databricks` tracking URI means the
    Unity Catalog registry, as in MLflow 3.
    """
    tracking = options.tracking_uri or env.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI
    registry = options.registry_uri or env.get("MLFLOW_REGISTRY_URI") or ""
    if not registry:
        registry = UC_REGISTRY if tracking.split(":", 1)[0] == "databricks" else tracking
    return tracking, registry


def read_gate_file(path: Path) -> GateVerdict:
    """A gate's `--format json` result (or `<gate>-result.json` report file): needs a boolean `passed`.

    The gate name is the document's `gate` key, else the file name before `-result.json`.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"--gate-result {path}: cannot read JSON: {reason(exc)}") from exc
    return _verdict_from_document(document, default_gate=path.name.removesuffix("-result.json"), source=f"file {path}")


def _verdict_from_document(document: Any, *, default_gate: str, source: str) -> GateVerdict:
    if not isinstance(document, dict) or not isinstance(document.get("passed"), bool):
        raise InputError(f"{source}: a gate result needs a boolean 'passed' key")
    gate = document.get("gate") if isinstance(document.get("gate"), str) else default_gate
    return GateVerdict(gate=str(gate), passed=document["passed"], source=source)


def _tag_verdict(gate: str, value: str, run_id: str) -> GateVerdict:
    """A run tag's verdict; a value that is neither pass nor fail counts as a failure (fail closed)."""
    word = value.strip().lower()
    source = f"run {run_id} tag {GATE_TAG_PREFIX}{gate}={value}"
    if word not in PASS_VALUES | FAIL_VALUES:
        source += " (not a verdict: counted as failed)"
    return GateVerdict(gate=gate, passed=word in PASS_VALUES, source=source)


def run_gate_verdicts(client: MlflowClient, run_id: str, gates: Sequence[str]) -> list[GateVerdict]:
    """Verdicts the training run logged: tags `brickgate.gate.<gate>` and `<gate>-result.json` artifacts.

    Artifacts are looked for at the artifact root and one folder down (e.g. `gates/`, `reports/`).
    """
    run = client.get_run(run_id)
    verdicts = [
        _tag_verdict(key.removeprefix(GATE_TAG_PREFIX), value, run_id)
        for key, value in sorted(run.data.tags.items())
        if key.startswith(GATE_TAG_PREFIX)
    ]
    wanted = {GATE_RESULT_FILE.format(gate=gate): gate for gate in gates}
    found: list[str] = []
    for info in client.list_artifacts(run_id):
        if info.is_dir:
            found += [i.path for i in client.list_artifacts(run_id, info.path) if not i.is_dir]
        else:
            found.append(info.path)
    for artifact in found:
        gate = wanted.get(artifact.rsplit("/", 1)[-1])
        if gate is None:
            continue
        with tempfile.TemporaryDirectory() as folder:
            local = client.download_artifacts(run_id, artifact, dst_path=folder)
            try:
                document = json.loads(Path(local).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError):
                document = None
        verdicts.append(_verdict_from_document(document, default_gate=gate, source=f"run {run_id} artifact {artifact}"))
    return verdicts


def _metric_value(client: MlflowClient, run_id: str | None, metric: str, who: str) -> float:
    if not run_id:
        raise InputError(f"--metric {metric}: the {who} version has no source run to read metrics from")
    metrics = client.get_run(run_id).data.metrics
    if metric not in metrics:
        hint = did_you_mean(metric, metrics)
        available = ", ".join(sorted(metrics)) or "none"
        raise InputError(f"--metric {metric}: not logged on the {who}'s run {run_id}{hint} (metrics: {available})")
    return float(metrics[metric])


def audit_tags(
    *, action: str, gates: Sequence[GateVerdict], replaced: str | None, env: Mapping[str, str]
) -> dict[str, str]:
    """Who, when (UTC), which commit and workflow run, and the gate verdicts behind a promotion."""
    who = env.get("GITHUB_ACTOR") or _local_user()
    tags = {
        f"{AUDIT_PREFIX}action": action,
        f"{AUDIT_PREFIX}by": who,
        f"{AUDIT_PREFIX}at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        f"{AUDIT_PREFIX}git_sha": env.get("GITHUB_SHA") or _git_head() or "unknown",
        f"{AUDIT_PREFIX}workflow_run": workflow_run_url(env) or "none",
        f"{AUDIT_PREFIX}gates": gate_summary(gates),
        f"{AUDIT_PREFIX}replaced_version": replaced or "none",
    }
    return tags


def gate_summary(verdicts: Sequence[GateVerdict]) -> str:
    """One verdict per gate, in first-seen order: a gate passes only if all its verdicts pass.

    >>> gate_summary([GateVerdict(gate="psi", passed=True, source="tag"),
    ...               GateVerdict(gate="fairness", passed=True, source="tag"),
    ...               GateVerdict(gate="psi", passed=False, source="file")])
    'psi=fail,fairness=pass'
    """
    passed: dict[str, bool] = {}
    for verdict in verdicts:
        passed[verdict.gate] = passed.get(verdict.gate, True) and verdict.passed
    return ",".join(f"{gate}={'pass' if ok else 'fail'}" for gate, ok in passed.items()) or "not checked"


def _local_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _git_head() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _registry_errors() -> tuple[type[BaseException], ...]:
    """What a failed registry request raises: MLflow wraps HTTP failures, sockets may leak through,
    and a SQLite registry that is not a database fails in SQLAlchemy."""
    import requests
    from mlflow.exceptions import MlflowException
    from sqlalchemy.exc import SQLAlchemyError

    return (MlflowException, requests.RequestException, OSError, SQLAlchemyError)


def _client(tracking_uri: str, registry_uri: str) -> MlflowClient:
    """A client for the two URIs (a local SQLite registry gets its folder)."""
    from mlflow import MlflowClient

    if tracking_uri.startswith("sqlite:///"):
        Path(tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return MlflowClient(tracking_uri=tracking_uri, registry_uri=registry_uri)


def _load_model(client: MlflowClient, name: str, registry_uri: str) -> dict[str, str]:
    """The model's aliases (alias → version); an unknown model is an InputError with suggestions."""
    from mlflow.exceptions import MlflowException

    try:
        model = client.get_registered_model(name)
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise InfraError(f"registry {registry_uri}: {first_line(str(exc))}") from exc
        names = [m.name for m in client.search_registered_models(max_results=1000)]
        hint = did_you_mean(name, names)
        raise InputError(UNKNOWN_MODEL.format(name=name, uri=registry_uri, hint=hint)) from exc
    return {str(alias): str(version) for alias, version in model.aliases.items()}


def promote_model(model: str, options: PromoteOptions, *, env: Mapping[str, str] | None = None) -> PromotionResult:
    """Point `options.to_alias` at the candidate version, after the gate and metric checks.

    Parameters
    ----------
    model:
        Registered model name (`catalog.schema.model` in Unity Catalog).
    options:
        The candidate (`version` or `from_alias`), or `rollback`; checks; URIs; `dry_run`.
    env:
        Environment for MLflow URIs and the audit trail (default: the process environment).

    Returns
    -------
    PromotionResult
        ``promoted``, ``rolled-back``, ``unchanged`` (already there), ``planned`` (dry run)
        or ``refused`` (a gate missing or failed, or the metric regressed: nothing changed).

    Raises
    ------
    ConfigError
        Conflicting or invalid options, or a malformed model name.
    InputError
        Unknown model, version or alias; unreadable gate files; missing metric.
    InfraError
        The registry failed; the message says whether the aliases were restored.
    """
    source = os.environ if env is None else env
    _check_options(options)
    tracking_uri, registry_uri = resolve_uris(options, source)
    validate_model_name(model, registry_uri)
    file_verdicts = [read_gate_file(path) for path in options.gate_results]
    for uri in dict.fromkeys((tracking_uri, registry_uri)):  # before any side effect, and before mlflow loads
        deadline.check_mlflow(uri, source, PROBE_SOURCE)
    try:
        client = _client(tracking_uri, registry_uri)
        with deadline.bounded_mlflow():
            aliases = _load_model(client, model, registry_uri)
            if options.rollback:
                return _rollback(client, model, aliases, options, source, registry_uri)
            return _promote(client, model, aliases, file_verdicts, options, source, registry_uri)
    except _registry_errors() as exc:
        raise InfraError(f"registry {registry_uri}: {first_line(str(exc))}") from exc


def _check_options(options: PromoteOptions) -> None:
    candidates = [
        flag for flag, value in (("--version", options.version), ("--from-alias", options.from_alias)) if value
    ]
    if options.rollback and candidates:
        raise ConfigError(f"--rollback takes no {' or '.join(candidates)}: it moves {options.to_alias} back")
    if not options.rollback and len(candidates) != 1:
        raise ConfigError("give exactly one of --version N or --from-alias ALIAS (or --rollback)")
    if options.version is not None and not options.version.isdigit():
        raise ConfigError(f"--version '{options.version}' is not a model version number")
    for flag, alias in (("--to-alias", options.to_alias), ("--previous-alias", options.previous_alias)):
        validate_alias(alias, flag)
    if options.from_alias:
        validate_alias(options.from_alias, "--from-alias")
    if len({options.to_alias, options.previous_alias, options.from_alias or ""} - {""}) != (
        3 if options.from_alias else 2
    ):
        raise ConfigError("--from-alias, --to-alias and --previous-alias must be different aliases")
    if (options.metric is None) != (options.max_regression is None):
        raise ConfigError("--metric and --max-regression go together")
    if options.max_regression is not None and options.max_regression < 0:
        raise ConfigError(f"--max-regression must be ≥ 0, got {options.max_regression}")


def _describe(aliases: Mapping[str, str]) -> str:
    return ", ".join(f"{alias}={version}" for alias, version in sorted(aliases.items())) or "none"


def _promote(
    client: MlflowClient,
    model: str,
    aliases: dict[str, str],
    file_verdicts: Sequence[GateVerdict],
    options: PromoteOptions,
    env: Mapping[str, str],
    registry_uri: str,
) -> PromotionResult:
    from mlflow.exceptions import MlflowException

    if options.from_alias:
        if options.from_alias not in aliases:
            raise InputError(NO_SUCH_ALIAS.format(name=model, alias=options.from_alias, aliases=_describe(aliases)))
        version = aliases[options.from_alias]
    else:
        version = str(options.version)
    try:
        candidate = client.get_model_version(model, version)
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
        raise InputError(f"model '{model}' has no version {version}") from exc
    base = PromotionResult(
        model=model, version=version, status="unchanged", message="", aliases=aliases, registry_uri=registry_uri
    )
    champion = aliases.get(options.to_alias)
    if champion == version:
        return replace(base, message=ALREADY.format(version=version, name=model, alias=options.to_alias))

    reasons: list[str] = []
    verdicts = list(file_verdicts)
    if options.require_gates:
        if candidate.run_id:
            verdicts += run_gate_verdicts(client, candidate.run_id, options.gates)
        for gate in options.gates:
            if not any(v.gate == gate for v in verdicts):
                reasons.append(GATE_MISSING.format(gate=gate, run_id=candidate.run_id or "(none)"))
    reasons += [f"gate '{v.gate}' failed ({v.source})" for v in verdicts if not v.passed]
    metric = None
    if options.metric is not None and options.max_regression is not None:
        champion_run = client.get_model_version(model, champion).run_id if champion else None
        metric = MetricCheck(
            name=options.metric,
            candidate=_metric_value(client, candidate.run_id, options.metric, "candidate"),
            champion=_metric_value(client, champion_run, options.metric, "champion") if champion else None,
            max_regression=options.max_regression,
            higher_is_better=options.higher_is_better,
        )
        if not metric.passed:
            reasons.append(
                f"{metric.name} regresses by {metric.regression:.6g} (candidate {metric.candidate:.6g}, "
                f"{options.to_alias} {metric.champion:.6g}), more than --max-regression {metric.max_regression:g}"
            )
    base = replace(base, gates=tuple(verdicts), metric=metric)
    if reasons:
        message = f"promotion of {model} version {version} refused: " + "; ".join(reasons)
        return replace(base, status="refused", message=message, reasons=tuple(reasons))

    changes = [AliasChange(alias=options.to_alias, before=champion, after=version)]
    if champion is not None:
        previous = AliasChange(alias=options.previous_alias, before=aliases.get(options.previous_alias), after=champion)
        changes.insert(0, previous)  # first: while `previous` moves, serving (champion) is untouched
    tags = audit_tags(action="promote", gates=verdicts, replaced=champion, env=env)
    what = f"{model} version {version} to {options.to_alias}"
    return _move(
        client, base, changes, tags, options, status="promoted", plan=f"promote {what}", done=f"promoted {what}"
    )


def _rollback(
    client: MlflowClient,
    model: str,
    aliases: dict[str, str],
    options: PromoteOptions,
    env: Mapping[str, str],
    registry_uri: str,
) -> PromotionResult:
    """`to_alias` back to the `previous_alias` version; `previous_alias` stays, so a re-run changes nothing."""
    target = aliases.get(options.previous_alias)
    if target is None:
        raise InputError(
            f"model '{model}' has no alias '{options.previous_alias}': nothing to roll back to "
            f"(aliases: {_describe(aliases)})"
        )
    current = aliases.get(options.to_alias)
    base = PromotionResult(
        model=model, version=target, status="unchanged", message="", aliases=aliases, registry_uri=registry_uri
    )
    if current == target:
        return replace(base, message=ALREADY.format(version=target, name=model, alias=options.to_alias))
    changes = [AliasChange(alias=options.to_alias, before=current, after=target)]
    tags = audit_tags(action="rollback", gates=(), replaced=current, env=env)
    return _move(
        client,
        base,
        changes,
        tags,
        options,
        status="rolled-back",
        plan=f"roll {model} back",
        done=f"rolled {model} back",
    )


def _move(
    client: MlflowClient,
    base: PromotionResult,
    changes: Sequence[AliasChange],
    tags: Mapping[str, str],
    options: PromoteOptions,
    *,
    status: PromotionStatus,
    plan: str,
    done: str,
) -> PromotionResult:
    """Apply (or, in a dry run, only describe) the alias changes and audit tags of `base`."""
    steps = ", ".join(f"{c.alias}: {c.before or 'unset'} → {c.after}" for c in changes)
    planned = replace(base, changes=tuple(changes), audit_tags=dict(tags))
    if options.dry_run:
        return replace(planned, status="planned", message=f"dry run: would {plan} ({steps}); nothing changed")
    _apply(client, base.model, base.version, changes, tags, options.restore_wait)
    after = {**base.aliases, **{c.alias: c.after for c in changes}}
    return replace(planned, status=status, message=f"{done} ({steps})", aliases=after)


def _apply(
    client: MlflowClient,
    model: str,
    version: str,
    changes: Sequence[AliasChange],
    tags: Mapping[str, str],
    restore_wait: float,
) -> None:
    """Move the aliases in order, then write the audit tags; on any failure put everything back."""
    moved: list[AliasChange] = []
    written: list[str] = []
    step = ""
    try:
        for change in changes:
            step = f"moving alias '{change.alias}' to version {change.after}"
            moved.append(change)  # before the request: a request that fails in flight may still have landed
            client.set_registered_model_alias(model, change.alias, change.after)
        for key, value in tags.items():
            step = f"writing audit tag {key} on version {version}"
            written.append(key)
            client.set_model_version_tag(model, version, key, value)
    except _registry_errors() as exc:
        failure = f"promotion of {model} version {version} failed while {step}: {first_line(str(exc))}"
        unrestored, tags_left = _restore(client, model, version, moved, written, restore_wait)
        if not unrestored and not tags_left:
            restored = ", ".join(f"{c.alias}={c.before or 'unset'}" for c in moved)
            raise InfraError(f"{failure}; aliases restored ({restored})") from exc
        left = f"; audit tags that may remain on version {version}: {', '.join(tags_left)}" if tags_left else ""
        if not unrestored:
            raise InfraError(f"{failure}; aliases restored, but the registry became unreachable{left}") from exc
        state = ", ".join(f"{c.alias}={c.before or 'unset'} or {c.after}" for c in unrestored)
        fix = ", ".join(f"{c.alias}={c.before or 'unset'}" for c in unrestored)
        raise InfraError(
            f"{failure}; the registry stayed unreachable for {restore_wait:g} s, so the aliases could not be "
            f"restored: they may now be {state}; restore them by setting {fix}{left}"
        ) from exc


def _restore(
    client: MlflowClient,
    model: str,
    version: str,
    moved: Sequence[AliasChange],
    written: Sequence[str],
    wait: float,
) -> tuple[list[AliasChange], list[str]]:
    """Undo alias moves (newest first) and audit tags, retrying until `wait` runs out.

    Returns the alias changes and tag keys that could not be undone (both empty: the registry
    is as before).
    Undoing is idempotent (set to the old version, or delete the alias), so retrying is safe.
    """
    from mlflow.exceptions import MlflowException

    pending_aliases = list(reversed(moved))
    pending_tags = list(written)
    deadline = time.monotonic() + wait
    while pending_aliases or pending_tags:
        try:
            while pending_aliases:
                change = pending_aliases[0]
                if change.before is None:
                    try:
                        client.delete_registered_model_alias(model, change.alias)
                    except MlflowException as exc:
                        if exc.error_code not in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
                            raise
                else:
                    client.set_registered_model_alias(model, change.alias, change.before)
                pending_aliases.pop(0)
            while pending_tags:
                client.delete_model_version_tag(model, version, pending_tags[0])
                pending_tags.pop(0)
        except _registry_errors():
            if time.monotonic() >= deadline:
                break
            time.sleep(1.0)
    return list(reversed(pending_aliases)), pending_tags
