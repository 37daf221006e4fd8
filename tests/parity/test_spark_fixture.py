from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.spark_jobs import count_spark_jobs

pytestmark = pytest.mark.spark


def test_job_counter_counts_actions(spark: Any) -> None:
    frame = spark.createDataFrame([(1,), (2,), (3,)], ["x"])
    with count_spark_jobs(spark) as counted:
        assert frame.count() == 3
    assert counted.count >= 1
    with count_spark_jobs(spark) as none:
        pass
    assert none.count == 0
