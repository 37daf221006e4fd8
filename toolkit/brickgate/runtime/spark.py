"""The local Spark session with Delta Lake, and Spark failures as one-line errors.

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
from pathlib import Path
from typing import Any

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
    """Settings of a local session: small, quiet, UTC, Delta-enabled with local jars."""
    return {**LOCAL_SPARK_CONF, "spark.jars": ",".join(str(jar) for jar in delta_jars(env))}


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
