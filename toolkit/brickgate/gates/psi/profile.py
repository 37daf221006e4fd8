"""The baseline profile: what the PSI gate keeps of the reference data, computed once at training.

A profile holds, per feature, the bins fitted on the reference (quantile edges for numeric
features, categories for categorical ones) and the reference proportion of each bin, plus the
null rate and the row count. It is a small JSON document (schema `psi-profile`, versioned by
``SCHEMA_VERSION``) that can be stored next to the model as an MLflow artifact and read back
from a path or an MLflow artifact URI.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from brickgate import __version__
from brickgate.errors import InfraError, InputError

SCHEMA_VERSION = 1
SCHEMA_NAME = "psi-profile"
DEFAULT_ARTIFACT_PATH = "psi_profile.json"
MLFLOW_SCHEMES = ("runs:/", "models:/", "mlflow-artifacts:/")

FeatureKind = Literal["numeric", "categorical"]
ValueType = Literal["number", "string"]
Category = float | str

NULL_LABEL = "(null)"
UNSEEN_LABEL = "(unseen)"

UNREADABLE = "{location}: cannot read the PSI profile: {reason}"
NOT_JSON = "{location}: the PSI profile is not valid JSON: {reason}"
WRONG_VERSION = (
    "{location}: PSI profile schema version {found} is not supported by brickgate {version} "
    "(expected {expected}); rebuild it with `brickgate psi-gate profile`"
)
INVALID = "{location}: not a valid PSI profile: {reason}"
NO_MLFLOW = "{location}: reading an MLflow artifact needs the mlflow extra (pip install 'brickgate[mlflow]')"
DOWNLOAD_FAILED = "{location}: cannot download the PSI profile from MLflow: {reason}"


@dataclass(frozen=True, kw_only=True)
class FeatureProfile:
    """Reference bins of one feature.

    Numeric: ``edges`` e₁ < … < e_k (interior, finite) define the right-closed bins
    ``(−∞, e₁], (e₁, e₂], …, (e_k, +∞)``; ``proportions`` has k + 1 entries. Categorical:
    ``proportions[i]`` is the share of ``categories[i]``; values never seen in the reference
    fall in an ``(unseen)`` bin of reference share 0. Both kinds end with a null bin of share
    ``null_rate``; proportions are of all reference rows, so they sum with ``null_rate`` to 1.
    """

    name: str
    kind: FeatureKind
    value_type: ValueType
    proportions: tuple[float, ...]
    null_rate: float
    edges: tuple[float, ...] = ()
    categories: tuple[Category, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """Bin labels in count order, null bin last.

        >>> FeatureProfile(name="x", kind="numeric", value_type="number", edges=(1.0, 2.5),
        ...                proportions=(0.4, 0.3, 0.3), null_rate=0.0).labels
        ('(-inf, 1]', '(1, 2.5]', '(2.5, +inf)', '(null)')
        """
        if self.kind == "categorical":
            return (*(_format(c) for c in self.categories), UNSEEN_LABEL, NULL_LABEL)
        bounds = ("-inf", *(_format(e) for e in self.edges), "+inf")
        closing = ["]"] * len(self.edges) + [")"]
        return (
            *(f"({lo}, {hi}{end}" for lo, hi, end in zip(bounds[:-1], bounds[1:], closing, strict=True)),
            NULL_LABEL,
        )

    @property
    def reference_proportions(self) -> tuple[float, ...]:
        """Reference share of every bin, aligned with `labels`."""
        unseen = (0.0,) if self.kind == "categorical" else ()
        return (*self.proportions, *unseen, self.null_rate)


def _format(value: Category) -> str:
    """Short label of an edge or category: ``1.0`` → ``1``, strings as they are."""
    if isinstance(value, str):
        return value
    return f"{value:.6g}"


@dataclass(frozen=True, kw_only=True)
class Profile:
    """A baseline profile; build it with an engine's ``build_profile``, store it with `save_profile`."""

    rows: int
    bins: int
    features: tuple[FeatureProfile, ...]
    engine: str
    relative_error: float = 0.0
    score_column: str | None = None
    model_name: str | None = None
    identity: str | None = None
    brickgate_version: str = __version__
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    schema_version: int = SCHEMA_VERSION

    def feature(self, name: str) -> FeatureProfile:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)

    def content_hash(self) -> str:
        """16 hex digits of SHA-256 over what the gate compares against (rows, bins, features).

        The same reference data gives the same hash wherever the profile is stored; the time
        and brickgate version it was built with do not count.
        """
        content = {"rows": self.rows, "bins": self.bins, "features": [_feature_dict(f) for f in self.features]}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]

    @property
    def alert_identity(self) -> str:
        """Who the drift alerts are about: the identity stored at profiling time (the model name
        if known, else ``profile-<content hash>``); profiles from before it was stored fall back
        the same way. Never the path or URI the profile was read from."""
        return self.identity or self.model_name or f"profile-{self.content_hash()}"

    def identified(self, model_name: str | None) -> Profile:
        """This profile with its identity fixed now: `model_name` if given, else the content hash."""
        named = replace(self, model_name=model_name or self.model_name)
        return replace(named, identity=named.model_name or f"profile-{named.content_hash()}")

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (schema `psi-profile`)."""
        return {
            "schema_version": self.schema_version,
            "brickgate_version": self.brickgate_version,
            "created_at": self.created_at,
            "engine": self.engine,
            "relative_error": self.relative_error,
            "rows": self.rows,
            "bins": self.bins,
            "score_column": self.score_column,
            "model_name": self.model_name,
            "identity": self.alert_identity,
            "features": [_feature_dict(f) for f in self.features],
        }

    def to_json(self) -> str:
        from brickgate.output import to_json

        return to_json(self.to_dict(), SCHEMA_NAME)


def _feature_dict(feature: FeatureProfile) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": feature.name,
        "kind": feature.kind,
        "value_type": feature.value_type,
        "null_rate": feature.null_rate,
        "proportions": list(feature.proportions),
    }
    if feature.kind == "numeric":
        document["edges"] = list(feature.edges)
    else:
        document["categories"] = list(feature.categories)
    return document


def profile_from_dict(document: Mapping[str, Any], location: str = "profile") -> Profile:
    """Check `document` (schema version first, then the JSON Schema and bin counts) and build a `Profile`.

    Raises
    ------
    InputError
        For another schema version, a schema violation, or proportions that do not match the bins.
    """
    found = document.get("schema_version") if isinstance(document, Mapping) else None
    if found != SCHEMA_VERSION:
        raise InputError(WRONG_VERSION.format(location=location, found=found, version=__version__, expected=1))
    import jsonschema

    from brickgate.output import validate_against_schema

    try:
        validate_against_schema(document, SCHEMA_NAME)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "document"
        raise InputError(INVALID.format(location=location, reason=f"{where}: {exc.message}")) from exc
    features = tuple(_feature_from_dict(item, location) for item in document["features"])
    return Profile(
        rows=document["rows"],
        bins=document["bins"],
        features=features,
        engine=document["engine"],
        relative_error=document["relative_error"],
        score_column=document["score_column"],
        model_name=document.get("model_name"),
        identity=document.get("identity"),
        brickgate_version=document["brickgate_version"],
        created_at=document["created_at"],
    )


def _feature_from_dict(item: Mapping[str, Any], location: str) -> FeatureProfile:
    kind = item["kind"]
    edges = tuple(float(e) for e in item.get("edges", ()))
    categories = tuple(item.get("categories", ()))
    proportions = tuple(float(p) for p in item["proportions"])
    expected = len(edges) + 1 if kind == "numeric" else len(categories)
    if len(proportions) != expected:
        reason = f"feature '{item['name']}' has {len(proportions)} proportions for {expected} bins"
        raise InputError(INVALID.format(location=location, reason=reason))
    if list(edges) != sorted(set(edges)):
        reason = f"feature '{item['name']}' has edges that are not strictly increasing"
        raise InputError(INVALID.format(location=location, reason=reason))
    total = math.fsum(proportions) + item["null_rate"]
    if abs(total - 1) > 1e-6:
        reason = f"feature '{item['name']}' proportions and null rate sum to {total:.6g}, not 1"
        raise InputError(INVALID.format(location=location, reason=reason))
    return FeatureProfile(
        name=item["name"],
        kind=kind,
        value_type=item["value_type"],
        proportions=proportions,
        null_rate=float(item["null_rate"]),
        edges=edges,
        categories=categories,
    )


def is_mlflow_uri(location: str) -> bool:
    """``runs:/<run_id>/path``, ``models:/name@alias/path`` and ``mlflow-artifacts:/…``.

    >>> is_mlflow_uri("runs:/0a1b/psi_profile.json"), is_mlflow_uri("profile.json")
    (True, False)
    """
    return location.startswith(MLFLOW_SCHEMES)


def _artifact_uri(location: str) -> str:
    """``models:/name@alias/path`` or ``models:/name/version/path`` → ``runs:/<run_id>/path``.

    The profile is logged next to the model in the training run (see `log_profile`), so a
    model URI names the run that produced that model version; other URIs pass through.
    """
    if not location.startswith("models:/"):
        return location
    from mlflow import MlflowClient

    head, _, path = location.removeprefix("models:/").partition("/")
    client = MlflowClient()
    if "@" in head:
        name, _, alias = head.partition("@")
        version = client.get_model_version_by_alias(name, alias)
    else:
        number, _, path = path.partition("/")
        version = client.get_model_version(head, number)
    return f"runs:/{version.run_id}/{path}"


def _download(location: str) -> Path:
    from brickgate import deadline

    # before importing mlflow (seconds): an unreachable server is reported at once
    deadline.check_mlflow(os.environ.get("MLFLOW_TRACKING_URI", ""), os.environ, "MLFLOW_TRACKING_URI")
    try:
        import mlflow.artifacts
    except ImportError as exc:
        raise InfraError(NO_MLFLOW.format(location=location)) from exc
    try:
        with deadline.bounded_mlflow():
            fetched = deadline.within(
                lambda: mlflow.artifacts.download_artifacts(artifact_uri=_artifact_uri(location)), location
            )
        return Path(fetched)
    except InfraError:
        raise
    except Exception as exc:  # MlflowException, OSError, requests errors: all mean "not fetched"
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(DOWNLOAD_FAILED.format(location=location, reason=reason)) from exc


def load_profile(location: str | Path) -> Profile:
    """Read a profile from a JSON file or an MLflow artifact URI (downloaded with MLflow).

    Raises
    ------
    InputError
        When the file or artifact cannot be read, is not JSON, or is not a valid profile.
    InfraError
        When an MLflow URI is given and mlflow is not installed.
    """
    text_location = str(location)
    path = _download(text_location) if is_mlflow_uri(text_location) else Path(location)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(UNREADABLE.format(location=text_location, reason=reason)) from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(NOT_JSON.format(location=text_location, reason=str(exc))) from exc
    return profile_from_dict(document, text_location)


def save_profile(profile: Profile, path: str | Path) -> Path:
    """Write the validated JSON of `profile` to `path` (parent folders created)."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(profile.to_json() + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{target}: cannot write the PSI profile: {exc.strerror or exc}") from exc
    return target


def log_profile(profile: Profile, artifact_path: str = DEFAULT_ARTIFACT_PATH) -> str:
    """Log `profile` as a JSON artifact of the active MLflow run; returns its ``runs:/`` URI.

    Training code calls this next to ``mlflow.log_model`` so the gate can later read the
    baseline with ``--profile runs:/<run_id>/psi_profile.json``.
    """
    import mlflow

    mlflow.log_text(profile.to_json(), artifact_path)
    run = mlflow.active_run()
    if run is None:  # log_text starts a run when none is active and leaves it open
        raise InfraError("no active MLflow run after logging the PSI profile")
    return f"runs:/{run.info.run_id}/{artifact_path}"
