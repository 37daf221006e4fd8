"""What job code imports to run unchanged on Databricks and under `brickgate run`.

`get_spark()` returns the cluster's session on Databricks and a lazily created local session
elsewhere.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOCAL_SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.memory": "2g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def get_spark() -> SparkSession:
    """The active Spark session, or a new local one (`local[2]`, UI off) outside Databricks."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName("brickgate")
    if not os.environ.get("DATABRICKS_RUNTIME_VERSION"):
        builder = builder.master(os.environ.get("BRICKGATE_SPARK_MASTER", "local[2]"))
        for key, value in LOCAL_SPARK_CONF.items():
            builder = builder.config(key, value)
    return builder.getOrCreate()
