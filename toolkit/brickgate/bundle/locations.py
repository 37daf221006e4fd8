"""YAML values that remember where they were written: file, line, column and YAML path.

The loader builds `LocDict` / `LocList` containers: plain `dict` / `list` subclasses (so the
configuration stays JSON-serialisable and usable as ordinary mappings) that also record the
location of each child. Merging and variable resolution copy those records along, so a
diagnostic about the merged target still points at the line a user wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

PathPart = str | int
YamlPath = tuple[PathPart, ...]


@dataclass(frozen=True, kw_only=True)
class Location:
    """A position in a bundle file: `file` relative to the bundle root (posix), 1-based line and column."""

    file: str
    line: int
    column: int


class LocDict(dict[str, Any]):
    """A mapping that knows the location of each key and of each value."""

    __slots__ = ("key_locs", "loc", "value_locs")

    def __init__(self, loc: Location | None = None) -> None:
        super().__init__()
        self.loc = loc
        self.key_locs: dict[str, Location] = {}
        self.value_locs: dict[str, Location] = {}

    def put(self, key: str, value: Any, key_loc: Location | None, value_loc: Location | None) -> None:
        self[key] = value
        if key_loc is not None:
            self.key_locs[key] = key_loc
        if value_loc is not None:
            self.value_locs[key] = value_loc


class LocList(list[Any]):
    """A sequence that knows the location of each item."""

    __slots__ = ("item_locs", "loc")

    def __init__(self, loc: Location | None = None) -> None:
        super().__init__()
        self.loc = loc
        self.item_locs: list[Location | None] = []

    def push(self, value: Any, loc: Location | None) -> None:
        self.append(value)
        self.item_locs.append(loc)


def format_path(path: Iterable[PathPart]) -> str:
    """The YAML path as the Databricks CLI prints it.

    >>> format_path(("resources", "jobs", "train", "tasks", 0, "task_key"))
    'resources.jobs.train.tasks[0].task_key'
    """
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def child_location(container: object, part: PathPart, *, key: bool = False) -> Location | None:
    """Where `container[part]` was written (its key with `key=True`), if known."""
    if isinstance(container, LocDict) and isinstance(part, str):
        if key:
            return container.key_locs.get(part) or container.value_locs.get(part)
        return container.value_locs.get(part) or container.key_locs.get(part)
    if isinstance(container, LocList) and isinstance(part, int) and 0 <= part < len(container.item_locs):
        return container.item_locs[part]
    return None


def locate(root: object, path: YamlPath, *, key: bool = False) -> Location | None:
    """The location of the node at `path`, else of its nearest located ancestor."""
    node: Any = root
    best = root.loc if isinstance(root, (LocDict, LocList)) else None
    for index, part in enumerate(path):
        last = index == len(path) - 1
        found = child_location(node, part, key=key and last)
        if found is not None:
            best = found
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return best


def copy_tree(node: Any) -> Any:
    """A deep copy of located containers (scalars are shared), so merging never edits the files' trees."""
    if isinstance(node, LocDict):
        out = LocDict(node.loc)
        for key, value in node.items():
            out[key] = copy_tree(value)
        out.key_locs.update(node.key_locs)
        out.value_locs.update(node.value_locs)
        return out
    if isinstance(node, LocList):
        items = LocList(node.loc)
        items.extend(copy_tree(value) for value in node)
        items.item_locs.extend(node.item_locs)
        return items
    if isinstance(node, dict):
        return {key: copy_tree(value) for key, value in node.items()}
    if isinstance(node, list):
        return [copy_tree(value) for value in node]
    return node
