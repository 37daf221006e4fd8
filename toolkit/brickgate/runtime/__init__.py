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


def get_spark(*, remote: str | None = None, cluster_id: str | None = None) -> SparkSession:
    """The Spark session, in the documented order (`brickgate.runtime.spark.choose_session`):
    the active one (Databricks), Spark Connect (`remote` / ``SPARK_REMOTE``), Databricks
    Connect (``DATABRICKS_HOST`` and databricks-connect installed; serverless unless
    `cluster_id`), else a local Delta-enabled session (``local[*]``, or
    ``$BRICKGATE_SPARK_MASTER``) with the jars of `make spark-jars`.
    """
    from brickgate.runtime.spark import spark_session

    session: SparkSession = spark_session(remote=remote, cluster_id=cluster_id)
    return session


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
