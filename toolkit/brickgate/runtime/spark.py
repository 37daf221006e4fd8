"""Which Spark session brickgate uses (`spark_session`), the local one with Delta Lake, and
Spark failures as one-line errors.

Locally, Spark reads and writes Delta tables as on Databricks: the session loads the Delta
jars that `make spark-jars` copies into ``.tools/spark-jars`` (pinned in
``tools/spark-jars/pom.xml``, the same version as ``delta-spark`` in the ``spark`` extra) as
local ``spark.jars``, so nothing is downloaded while a job or test runs.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from brickgate.errors import BrickgateError, InfraError, InputError, first_line

JARS_ENV = "BRICKGATE_SPARK_JARS"
JARS_FOLDER = Path(".tools") / "spark-jars"
DELTA_JARS = ("delta-spark_", "delta-storage-")
MISSING_JARS = (
    "local Spark needs the Delta Lake jars (delta-spark, delta-storage) and found none in {looked}: "
    "run `make spark-jars` in the brickgate checkout, or set {env} to a folder holding them"
)
SPARK_ERROR = "Spark {condition}: {message}"
SPARK_LOST = "Spark connection lost: {message}"

DELTA_SPARK_CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
    # Small tables: the default 50 snapshot partitions make every Delta read/commit slow.
    "spark.databricks.delta.snapshotPartitions": "2",
}
LOCAL_SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.memory": "2g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    **DELTA_SPARK_CONF,
}


REMOTE_ENV = "SPARK_REMOTE"
NO_SESSION = (
    "no Spark session ({reason}): run on a Databricks cluster, set SPARK_REMOTE=sc://host:port "
    "(Spark Connect), set DATABRICKS_HOST with databricks-connect installed (serverless, or "
    "DATABRICKS_CLUSTER_ID), or install Java 17 and run `make spark-jars` for local Spark"
)

SessionKind = Literal["active", "remote", "databricks-connect", "local"]


@dataclass(frozen=True, kw_only=True)
class SessionChoice:
    """Which Spark session `spark_session` uses and why (for -v and tests)."""

    kind: SessionKind
    detail: str


def choose_session(
    *,
    remote: str | None = None,
    cluster_id: str | None = None,
    env: Mapping[str, str] | None = None,
    active: bool = False,
    databricks_connect: bool | None = None,
) -> SessionChoice:
    """The documented order, as a pure function of the settings.

    1. an active session (a Databricks cluster or job, or one the caller started);
    2. `remote` or ``SPARK_REMOTE`` (Spark Connect, ``sc://host:port``);
    3. Databricks Connect when ``DATABRICKS_HOST`` is set and ``databricks-connect`` is
       installed: serverless unless `cluster_id` or ``DATABRICKS_CLUSTER_ID`` names a cluster
       (auth as databricks-sdk resolves it: PAT, OAuth M2M, GitHub OIDC);
    4. local Spark (``local[*]``) with the Delta jars.

    >>> choose_session(env={"SPARK_REMOTE": "sc://127.0.0.1:15002"}).kind
    'remote'
    >>> choose_session(env={"DATABRICKS_HOST": "https://x"}, databricks_connect=True).detail
    'serverless'
    >>> choose_session(env={"DATABRICKS_HOST": "https://x"}, databricks_connect=False).kind
    'local'
    """
    variables = os.environ if env is None else env
    if active:
        return SessionChoice(kind="active", detail="the running session")
    url = remote or variables.get(REMOTE_ENV, "")
    if url:
        return SessionChoice(kind="remote", detail=url)
    if variables.get("DATABRICKS_HOST"):
        installed = _databricks_connect_installed() if databricks_connect is None else databricks_connect
        if installed:
            cluster = cluster_id or variables.get("DATABRICKS_CLUSTER_ID", "")
            return SessionChoice(kind="databricks-connect", detail=f"cluster {cluster}" if cluster else "serverless")
    return SessionChoice(kind="local", detail=variables.get("BRICKGATE_SPARK_MASTER", "") or "local[*]")


def spark_session(
    *, remote: str | None = None, cluster_id: str | None = None, env: Mapping[str, str] | None = None
) -> Any:
    """The Spark session of `choose_session`'s choice, created if needed.

    Raises
    ------
    InfraError
        One line naming every option when the chosen session cannot be had (or the Delta jars
        line when only they are missing for local Spark).
    """
    from pyspark.sql import SparkSession

    variables = os.environ if env is None else env
    active = SparkSession.getActiveSession()
    choice = choose_session(remote=remote, cluster_id=cluster_id, env=variables, active=active is not None)
    if active is not None:
        return active
    try:
        if choice.kind == "remote":
            return SparkSession.builder.remote(choice.detail).getOrCreate()
        if choice.kind == "databricks-connect":
            from databricks.connect import DatabricksSession

            builder = DatabricksSession.builder
            cluster = choice.detail.removeprefix("cluster ") if choice.detail != "serverless" else ""
            return (builder.clusterId(cluster) if cluster else builder.serverless()).getOrCreate()
        builder = SparkSession.builder.appName("brickgate")
        if variables.get("DATABRICKS_RUNTIME_VERSION"):  # a cluster: its own settings
            return builder.getOrCreate()
        for key, value in local_conf(variables).items():
            builder = builder.config(key, value)
        return builder.master(choice.detail).getOrCreate()
    except BrickgateError:
        raise
    except Exception as exc:
        reason = f"{choice.kind} {choice.detail}: {first_line(str(exc)) or type(exc).__name__}"
        raise InfraError(NO_SESSION.format(reason=reason)) from exc


def _databricks_connect_installed() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("databricks.connect") is not None
    except ModuleNotFoundError:  # no `databricks` package at all
        return False


def jar_folders(env: Mapping[str, str] | None = None) -> list[Path]:
    """Where the Delta jars may be: ``$BRICKGATE_SPARK_JARS`` if set, else ``.tools/spark-jars``
    in the working folder and in the brickgate checkout this module runs from."""
    value = (os.environ if env is None else env).get(JARS_ENV, "")
    if value:
        return [Path(value)]
    checkout = Path(__file__).resolve().parents[3]
    return list(dict.fromkeys([Path.cwd() / JARS_FOLDER, checkout / JARS_FOLDER]))


def delta_jars(env: Mapping[str, str] | None = None) -> list[Path]:
    """The Delta jars of the first folder that holds both.

    Raises
    ------
    InfraError
        One line naming `make spark-jars` when no folder holds them.
    """
    folders = jar_folders(env)
    for folder in folders:
        jars = sorted(folder.glob("delta-*.jar")) if folder.is_dir() else []
        if all(any(jar.name.startswith(prefix) for jar in jars) for prefix in DELTA_JARS):
            return jars
    raise InfraError(MISSING_JARS.format(looked=", ".join(str(f) for f in folders), env=JARS_ENV))


def local_conf(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Settings of a local session: small, quiet (Spark logs errors only), UTC, Delta-enabled
    with local jars."""
    logging = Path(__file__).with_name("log4j2.properties")
    return {
        **LOCAL_SPARK_CONF,
        "spark.jars": ",".join(str(jar) for jar in delta_jars(env)),
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={logging.as_uri()}",
    }


def spark_error(exc: BaseException) -> BrickgateError | None:
    """The one-line error for a Spark or Spark Connect failure, or None when `exc` is not one.

    Spark's error class (``getCondition()``, e.g. ``TABLE_OR_VIEW_NOT_FOUND``) and the first
    line of its message make the line; a lost connection (py4j gateway or Connect channel)
    is an `InfraError`, anything Spark refused about the query an `InputError`. pyspark is
    only looked at when it is already imported: no other failure can come from it.
    """
    if "pyspark" not in sys.modules:
        return None
    from pyspark.errors import PySparkException

    if isinstance(exc, PySparkException):
        condition, message = _spark_message(exc)
        if _is_connection(condition, message):
            return InfraError(SPARK_LOST.format(message=message))
        return InputError(SPARK_ERROR.format(condition=condition, message=message))
    kind = type(exc).__name__
    if kind in ("Py4JNetworkError", "ConnectionRefusedError") or (
        kind == "Py4JError" and "connect" in str(exc).lower()
    ):
        return InfraError(SPARK_LOST.format(message=first_line(str(exc)) or kind))
    if kind == "Py4JJavaError":
        java = getattr(exc, "java_exception", None)
        text = str(java) if java is not None else str(exc)
        return InputError(SPARK_ERROR.format(condition="error", message=first_line(text)))
    return None


def _spark_message(exc: Any) -> tuple[str, str]:
    """Spark's error class and the first line of its message, without the ``[CLASS]``
    prefixes Spark repeats and the ``SQLSTATE`` it appends.

    >>> from pyspark.errors import AnalysisException
    >>> _spark_message(AnalysisException("[X_Y] [X_Y] Table `t` not found. SQLSTATE: 42P01\\nhint", errorClass="X_Y"))
    ('X_Y', 'Table `t` not found.')
    """
    condition: str | None = exc.getCondition()
    line = first_line(exc.getMessage() or str(exc))
    while match := re.match(r"\[([A-Za-z0-9_.]+)\]\s*", line):
        condition = condition or (match.group(1) if match.group(1) != "None" else None)
        line = line[match.end() :]
    return condition or type(exc).__name__, re.sub(r"\s*SQLSTATE: \w+\.?$", "", line)


def _is_connection(condition: str, message: str) -> bool:
    text = f"{condition} {message}".lower()
    return any(word in text for word in ("unavailable", "connection refused", "failed to connect", "channel"))
