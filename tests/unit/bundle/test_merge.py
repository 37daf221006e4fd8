"""Merging as the Databricks CLI does: maps by key, sequences concatenated, job lists by their key."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from brickgate.bundle.merge import merge, merge_by_key

TASKS = st.lists(
    st.fixed_dictionaries({"task_key": st.sampled_from("abcd")}, optional={"x": st.integers(0, 3)}), max_size=8
)


@given(TASKS)
def test_merge_by_key_keeps_first_positions_and_last_values(tasks: list[dict[str, Any]]) -> None:
    merged = merge_by_key(tasks, "task_key")
    keys = [t["task_key"] for t in tasks]
    assert [t["task_key"] for t in merged] == list(dict.fromkeys(keys))
    for item in merged:
        same = [t for t in tasks if t["task_key"] == item["task_key"]]
        values = [t["x"] for t in same if "x" in t]
        assert item.get("x") == (values[-1] if values else None)


def test_merge_concatenates_sequences_and_overrides_scalars() -> None:
    base = {"a": [1], "b": {"c": 1, "d": 2}, "e": "x"}
    assert merge(base, {"a": [2], "b": {"d": 3}, "e": "y"}) == {"a": [1, 2], "b": {"c": 1, "d": 3}, "e": "y"}
    assert base == {"a": [1], "b": {"c": 1, "d": 2}, "e": "x"}  # inputs are not modified
