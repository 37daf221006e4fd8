"""Merge bundle files and a target over the top level, as the Databricks CLI does.

Mappings merge key by key (the override wins for scalars), sequences are concatenated, and then
job tasks merge by `task_key`, job clusters by `job_cluster_key` and environments by
`environment_key`: an override of one task in a target only changes the keys it names.
Locations travel with the values, so a merged value still points at the file that set it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from brickgate.bundle.locations import LocDict, LocList, copy_tree

# Keys of a target merged over the top-level configuration; `run_as` replaces it instead.
TARGET_OVERRIDES = ("bundle", "workspace", "artifacts", "resources", "sync", "permissions", "presets")
# Job sequences whose items the CLI merges by a key instead of concatenating.
KEYED_JOB_LISTS = (
    ("tasks", "task_key"),
    ("job_clusters", "job_cluster_key"),
    ("environments", "environment_key"),
    ("parameters", "name"),
)


def merge(base: Any, override: Any) -> Any:
    """`override` merged over `base`, neither modified.

    >>> merge({"a": 1, "b": {"c": 2}}, {"b": {"d": 3}})
    {'a': 1, 'b': {'c': 2, 'd': 3}}
    """
    if isinstance(base, dict) and isinstance(override, dict):
        out = LocDict(getattr(base, "loc", None))
        _copy_into(out, base)
        for key, value in override.items():
            current = out.get(key)
            if _same_container(current, value):  # a merged container keeps its first position
                key_loc = out.key_locs.get(key) or _key_loc(override, key)
                value_loc = out.value_locs.get(key) or _value_loc(override, key)
                out.put(key, merge(current, value), key_loc, value_loc)
            else:
                out.put(key, value, _key_loc(override, key), _value_loc(override, key))
        return out
    if isinstance(base, list) and isinstance(override, list):
        items = LocList(getattr(base, "loc", None))
        for source in (base, override):
            for index, value in enumerate(source):
                items.push(value, _item_loc(source, index))
        return items
    return override


def merge_by_key(items: list[Any], key: str) -> LocList:
    """Merge items that share `key` into the first of them; items without the key are kept.

    >>> merge_by_key([{"task_key": "a", "x": 1}, {"task_key": "b"}, {"task_key": "a", "x": 2}], "task_key")
    [{'task_key': 'a', 'x': 2}, {'task_key': 'b'}]
    """
    out = LocList(getattr(items, "loc", None))
    first: dict[object, int] = {}
    for index, item in enumerate(items):
        name = item.get(key) if isinstance(item, dict) else None
        if isinstance(name, str) and name in first:
            position = first[name]
            out[position] = merge(out[position], item)
            continue
        if isinstance(name, str):
            first[name] = len(out)
        out.push(item, _item_loc(items, index))
    return out


def merge_files(documents: Iterable[Any]) -> LocDict:
    """The configuration of the root file with every included file merged over it."""
    merged: Any = LocDict()
    for document in documents:
        if isinstance(document, dict):
            merged = merge(merged, document)
    return merged if isinstance(merged, LocDict) else LocDict()


def apply_target(top: LocDict, target: Any) -> LocDict:
    """The top-level configuration (without `targets`) with the selected target applied.

    As `databricks bundle`: `bundle`, `workspace`, `artifacts`, `resources`, `sync`,
    `permissions` and `presets` merge; `run_as` replaces; `mode` and `cluster_id` become
    `bundle.mode` and `bundle.cluster_id`; `git` merges into `bundle.git`.
    """
    base = LocDict(top.loc)
    _copy_into(base, top, skip=("targets",))
    override = LocDict(getattr(target, "loc", None))
    target = target if isinstance(target, LocDict) else LocDict()
    for key in TARGET_OVERRIDES:
        if key in target:
            override.put(key, target[key], _key_loc(target, key), _value_loc(target, key))
    bundle_keys = LocDict()
    for key, bundle_key in (("mode", "mode"), ("cluster_id", "cluster_id"), ("git", "git")):
        if key in target:
            bundle_keys.put(bundle_key, target[key], _key_loc(target, key), _value_loc(target, key))
    if bundle_keys:
        override.put("bundle", merge(override.get("bundle", LocDict()), bundle_keys), None, None)
    merged: LocDict = copy_tree(merge(base, override))
    if "run_as" in target:
        merged.put("run_as", copy_tree(target["run_as"]), _key_loc(target, "run_as"), _value_loc(target, "run_as"))
    merge_job_lists(merged)
    return merged


def merge_job_lists(config: LocDict) -> None:
    """Merge each job's tasks, job clusters and environments by their keys, in place."""
    resources = config.get("resources")
    jobs = resources.get("jobs") if isinstance(resources, dict) else None
    if not isinstance(jobs, dict):
        return
    for job in jobs.values():
        if not isinstance(job, dict):
            continue
        for list_name, key in KEYED_JOB_LISTS:
            if isinstance(job.get(list_name), list):
                job[list_name] = merge_by_key(job[list_name], key)


def _same_container(a: object, b: object) -> bool:
    return (isinstance(a, dict) and isinstance(b, dict)) or (isinstance(a, list) and isinstance(b, list))


def _copy_into(out: LocDict, source: dict[str, Any], skip: tuple[str, ...] = ()) -> None:
    for key, value in source.items():
        if key not in skip:
            out.put(key, value, _key_loc(source, key), _value_loc(source, key))


def _key_loc(container: object, key: str) -> Any:
    return container.key_locs.get(key) if isinstance(container, LocDict) else None


def _value_loc(container: object, key: str) -> Any:
    return container.value_locs.get(key) if isinstance(container, LocDict) else None


def _item_loc(container: object, index: int) -> Any:
    return container.item_locs[index] if isinstance(container, LocList) else None
