"""`brickgate doctor`: check a consuming repository's whole release path before the first release.

Each check is one line, ✓ or ✗, and a ✗ says how to fix it. The checks reuse what the other
commands do (validate-bundle's API, deploy's workspace client, the network deadline) and read
only: nothing is created, deployed or written. Credentials are resolved by databricks-sdk as the
CLI and deploy resolve them (PAT, OAuth, GitHub OIDC); only their kind is shown, never a value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brickgate import deadline
from brickgate.errors import BrickgateError, first_line, reason
from brickgate.redaction import redact

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from brickgate.bundle.model import Bundle

# Secret scope key of each alert channel, as the reference project's jobs read them (docs/setup.md).
ALERT_SECRET_KEYS = {"slack": "slack-webhook-url", "webhook": "webhook-url", "pagerduty": "pagerduty-routing-key"}
WORKFLOW_USES = re.compile(r"^\s*(?:-\s*)?uses:\s*['\"]?(?P<target>[^\s'\"#]+)", re.M)
BRICKGATE_USES = re.compile(r"^(?P<repo>[\w.-]+/brickgate)(?P<path>/[^@]*)?@(?P<ref>\S+)$", re.I)
NOT_FOUND_ERRORS = ("NotFound", "ResourceDoesNotExist")


@dataclass(frozen=True, kw_only=True)
class DoctorOptions:
    """What to check: the bundle target, its variables and the MLflow registry to reach."""

    target: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    registry_uri: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Check:
    """One line of the report: what was checked, whether it holds, and the fix when it does not."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = "✓" if self.ok else "✗"
        tail = "" if self.ok or not self.fix else f" — fix: {self.fix}"
        return f"{mark} {self.name}: {self.detail}{tail}"


@dataclass(frozen=True, kw_only=True)
class DoctorResult:
    """Every check that ran, in order; `passed` when none failed."""

    directory: Path
    target: str | None
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(c.ok for c in self.checks)


def doctor(directory: Path, options: DoctorOptions) -> DoctorResult:
    """Run every check that the earlier ones make possible (no workspace checks without credentials)."""
    return DoctorResult(directory=directory, target=options.target, checks=tuple(_checks(directory, options)))


def _checks(directory: Path, options: DoctorOptions) -> Iterator[Check]:
    from brickgate.bundle.validate import ValidateOptions, validate_bundle

    validation = validate_bundle(
        directory,
        ValidateOptions(target=options.target, variables=options.variables, databricks_cli=False, env=options.env),
    )
    bundle = validation.bundle
    errors = validation.errors
    if errors or bundle is None:
        first = errors[0] if errors else None
        where = f"{first.file}:{first.line}: {first.rule} {first.message}" if first else "cannot be read"
        yield Check(
            name="bundle",
            ok=False,
            detail=f"{len(errors)} error(s), first {where}",
            fix=f"run `brickgate validate-bundle {directory}` and fix what it reports",
        )
        yield from _workflow_checks(directory)
        return
    yield Check(name="bundle", ok=True, detail=f"{bundle.name} is valid for target {bundle.target}")
    yield from _target_checks(bundle, options)
    yield from _workflow_checks(directory)


def _target_checks(bundle: Bundle, options: DoctorOptions) -> Iterator[Check]:
    workspace = bundle.config.get("workspace")
    host = str(workspace.get("host") or "") if isinstance(workspace, Mapping) else ""
    host = host or options.env.get("DATABRICKS_HOST", "").strip()
    if not host:
        yield Check(
            name=f"target {bundle.target}",
            ok=False,
            detail="no workspace host",
            fix="set workspace.host in the target, or DATABRICKS_HOST",
        )
        return
    shown = deadline.origin(host)[0]
    yield Check(name=f"target {bundle.target}", ok=True, detail=f"workspace {shown}")
    try:  # first, as credentials are resolved from the host's metadata (minutes of SDK retries if down)
        deadline.check_reachable(host, "the Databricks workspace", "workspace.host / DATABRICKS_HOST")
    except BrickgateError as exc:
        yield Check(name="workspace", ok=False, detail=str(exc), fix="check the host name, port and network path")
        return
    yield Check(name="workspace", ok=True, detail=f"{shown} accepts connections")
    try:
        client = _client(host)
    except ValueError as exc:  # the SDK reports missing or conflicting auth settings this way
        yield Check(
            name="credentials",
            ok=False,
            detail=f"none resolved ({redact(first_line(str(exc)).split(',')[0])})",
            fix="set DATABRICKS_TOKEN (PAT), DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET (OAuth), "
            "or grant `id-token: write` for GitHub OIDC",
        )
        return
    yield Check(name="credentials", ok=True, detail=f"{client.config.auth_type} (value not shown)")
    try:
        me = deadline.within(client.current_user.me, f"the workspace at {shown}")
    except Exception as exc:  # noqa: BLE001 - a refused identity is this check's ✗, not a crash
        yield Check(
            name="identity",
            ok=False,
            detail=redact(reason(exc)),
            fix="the credentials are refused: renew the token or the service principal's grants",
        )
        return
    yield Check(name="identity", ok=True, detail=f"signed in as {me.user_name or me.id}")
    yield from _catalog_checks(bundle, client)
    yield from _secret_checks(bundle, client)
    yield _registry_check(options)


def _client(host: str) -> WorkspaceClient:
    """A workspace client with the credentials databricks-sdk resolves, its calls bounded by the deadline."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    limit = deadline.seconds()
    config = Config(host=host, http_timeout_seconds=limit, retry_timeout_seconds=int(limit))
    return deadline.within(lambda: WorkspaceClient(config=config), "resolving Databricks credentials")


def _missing(exc: Exception) -> bool:
    return type(exc).__name__ in NOT_FOUND_ERRORS or "does not exist" in str(exc).lower()


def _catalog_checks(bundle: Bundle, client: WorkspaceClient) -> Iterator[Check]:
    """Catalogs must exist; schemas too, unless the bundle declares them (deploy creates those)."""
    resources = bundle.config.get("resources")
    declared = resources.get("schemas") if isinstance(resources, Mapping) else None
    created = {
        f"{s.get('catalog_name')}.{s.get('name')}"
        for s in (declared.values() if isinstance(declared, Mapping) else ())
        if isinstance(s, Mapping)
    }
    catalog, schema = bundle.variables.get("catalog"), bundle.variables.get("schema")
    catalogs = {name.split(".")[0] for name in created} | ({str(catalog)} if catalog else set())
    for name in sorted(catalogs):
        yield _exists(f"catalog {name}", partial(client.catalogs.get, name), f"create catalog {name} (docs/setup.md)")
    if catalog and schema:
        full = f"{catalog}.{schema}"
        if full in created:
            yield Check(name=f"schema {full}", ok=True, detail="declared by the bundle: deploy creates it")
        else:
            yield _exists(f"schema {full}", partial(client.schemas.get, full), f"create schema {full}")


def _exists(name: str, call: Callable[[], Any], fix: str) -> Check:
    try:
        deadline.within(call, name)
    except Exception as exc:  # noqa: BLE001 - a missing or unreadable object is this check's ✗
        detail = "does not exist" if _missing(exc) else redact(reason(exc))
        return Check(name=name, ok=False, detail=detail, fix=fix)
    return Check(name=name, ok=True, detail="exists")


def _secret_checks(bundle: Bundle, client: WorkspaceClient) -> Iterator[Check]:
    """The keys of the alert channels switched on (bundle variables alert_channels, secret_scope)."""
    channels = [c.strip() for c in str(bundle.variables.get("alert_channels") or "").split(",") if c.strip()]
    keys = [ALERT_SECRET_KEYS[c] for c in dict.fromkeys(channels) if c in ALERT_SECRET_KEYS]
    if not keys:
        return
    scope = str(bundle.variables.get("secret_scope") or "")
    name = f"secret scope {scope or '(unset)'}"
    if not scope:
        yield Check(name=name, ok=False, detail="alert channels are on but no scope", fix="set var secret_scope")
        return
    try:
        present = {s.key for s in deadline.within(lambda: list(client.secrets.list_secrets(scope)), name)}
    except Exception as exc:  # noqa: BLE001 - a missing scope is this check's ✗
        detail = "does not exist" if _missing(exc) else redact(reason(exc))
        yield Check(name=name, ok=False, detail=detail, fix=f"databricks secrets create-scope {scope}")
        return
    for key in keys:
        ok = key in present
        yield Check(
            name=f"secret {scope}/{key}",
            ok=ok,
            detail="present (value not read)" if ok else "missing",
            fix=f"databricks secrets put-secret {scope} {key}",
        )


def _registry_check(options: DoctorOptions) -> Check:
    """The MLflow model registry answers a search (no model is read or written)."""
    env = options.env
    uri = options.registry_uri or env.get("MLFLOW_REGISTRY_URI") or env.get("MLFLOW_TRACKING_URI") or "databricks-uc"
    shown = redact(uri)
    fix = "set --registry-uri (MLFLOW_REGISTRY_URI) to a reachable registry, e.g. databricks-uc"
    try:
        deadline.check_mlflow(uri, env, "--registry-uri")
        with deadline.bounded_mlflow():
            from mlflow import MlflowClient

            client = MlflowClient(tracking_uri=uri, registry_uri=uri)
            deadline.within(lambda: client.search_registered_models(max_results=1), f"model registry {shown}")
    except Exception as exc:  # noqa: BLE001 - an unreachable registry is this check's ✗
        return Check(name="model registry", ok=False, detail=redact(reason(exc)), fix=fix)
    return Check(name="model registry", ok=True, detail=f"{shown} answers")


def _workflow_checks(directory: Path) -> Iterator[Check]:
    """brickgate workflows and actions are used at the ref of this brickgate's release (v<version>)."""
    from brickgate.scaffold import default_ref

    folder = directory / ".github" / "workflows"
    files = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]) if folder.is_dir() else []
    if not files:
        yield Check(
            name="workflows",
            ok=False,
            detail=f"no workflow files in {folder}",
            fix="run `brickgate init` or copy templates/workflows (docs/setup.md)",
        )
        return
    expected = default_ref()
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        refs = [m for m in (BRICKGATE_USES.match(u.group("target")) for u in WORKFLOW_USES.finditer(text)) if m]
        for match in refs:
            ref = match.group("ref")
            yield Check(
                name=f"workflow {path.name}",
                ok=ref == expected,
                detail=f"uses {match.group('repo')}{match.group('path') or ''}@{ref}",
                fix=f"use @{expected}, the release of the installed brickgate",
            )
