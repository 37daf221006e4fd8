"""What job code imports to run unchanged on Databricks and under `brickgate run`.

`get_spark()` returns the cluster's session on Databricks and a lazily created local session
elsewhere; `get_dbutils()` returns Databricks' `dbutils` there and the local stand-in
(`brickgate.runtime.dbutils`: widgets and task values) elsewhere; `job_parameters()` gives the
job parameters of a `brickgate run` task; `task_values` mirrors `dbutils.jobs.taskValues`.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def get_spark() -> SparkSession:
    """The active Spark session, or a new local one outside Databricks.

    The local session (`local[2]`, or ``$BRICKGATE_SPARK_MASTER``) is Delta-enabled with the
    jars of `make spark-jars` (`brickgate.runtime.spark`); without them it raises one line
    saying so.
    """
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName("brickgate")
    if not os.environ.get("DATABRICKS_RUNTIME_VERSION"):
        from brickgate.runtime.spark import local_conf

        builder = builder.master(os.environ.get("BRICKGATE_SPARK_MASTER", "local[2]"))
        for key, value in local_conf().items():
            builder = builder.config(key, value)
    return builder.getOrCreate()


def active_spark() -> SparkSession | None:
    """The Spark session already running in this process (a Spark engine started it, or the
    cluster's), without importing pyspark or starting one: writers use Spark when it is
    there and deltalake otherwise."""
    if "pyspark.sql" not in sys.modules:
        return None
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession()


def get_dbutils() -> Any:
    """`dbutils` on Databricks; elsewhere the local stand-in (widgets and task values only)."""
    if os.environ.get("DATABRICKS_RUNTIME_VERSION"):
        from pyspark.dbutils import DBUtils

        return DBUtils(get_spark())
    from brickgate.runtime.dbutils import DBUtils as LocalDBUtils

    return LocalDBUtils()


def job_parameters() -> dict[str, str]:
    """The job parameters of the running `brickgate run` task (``{}`` outside one).

    `brickgate run` passes them as JSON in ``BRICKGATE_JOB_PARAMETERS``. On Databricks, pass
    them to a Python task explicitly (``{{job.parameters.<name>}}`` in its parameters); notebooks
    read them as widgets.
    """
    parameters: dict[str, str] = json.loads(os.environ.get("BRICKGATE_JOB_PARAMETERS", "") or "{}")
    return parameters
