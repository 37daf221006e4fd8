"""Count the Spark jobs an engine runs, so tests can prove "one aggregation pass"."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class JobCount:
    jobs: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.jobs)


@contextmanager
def count_spark_jobs(spark: Any) -> Iterator[JobCount]:
    """Tag every job started inside the block with a fresh job group and count them after."""
    context = spark.sparkContext
    group = f"brickgate-test-{uuid.uuid4().hex}"
    context.setJobGroup(group, "counted by a brickgate test")
    result = JobCount()
    try:
        yield result
    finally:
        result.jobs = list(context.statusTracker().getJobIdsForGroup(group))
        context.setLocalProperty("spark.jobGroup.id", None)
