"""The task graph of a bundle job: one cycle finder, one ordering and one message set.

`validate-bundle` (`bundle/checks.py`, rules BG402/BG403) and `brickgate run`
(`runner/dag.py`) both use it, so a job they disagree on cannot exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Graph = Mapping[str, Sequence[str]]
"""Task key → the keys it depends on, in declaration order."""

UNKNOWN_DEPENDENCY = "task '{task}' depends on '{dependency}', which is not a task of job '{job}'{hint}"
CYCLE = "tasks of job '{job}' depend on each other in a cycle: {cycle}"


def cycles(graph: Graph) -> list[list[str]]:
    """Every distinct dependency cycle, each as a path `[a, b, ..., a]`, in declaration order.

    Dependencies on keys missing from `graph` are ignored (they are reported on their own).
    The search is iterative: a job may chain hundreds of tasks.

    >>> cycles({"a": ["c"], "b": ["a"], "c": ["b"], "d": []})
    [['a', 'c', 'b', 'a']]
    """
    done: set[str] = set()
    reported: set[frozenset[str]] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in done:
            continue
        path, pending = [start], [iter(graph[start])]
        while pending:
            dependency = next(pending[-1], None)
            if dependency is None:
                done.add(path.pop())
                pending.pop()
            elif dependency in path:
                cycle = [*path[path.index(dependency) :], dependency]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    found.append(cycle)
            elif dependency in graph and dependency not in done:
                path.append(dependency)
                pending.append(iter(graph[dependency]))
    return found


def order(graph: Graph) -> list[str] | None:
    """Keys in dependency order, declaration order among independent ones; ``None`` on a cycle.

    >>> order({"d": ["b", "c"], "b": ["a"], "c": ["a"], "a": []})
    ['a', 'b', 'c', 'd']
    """
    remaining = {key: {dep for dep in deps if dep in graph} for key, deps in graph.items()}
    ordered: list[str] = []
    while remaining:
        ready = [key for key, deps in remaining.items() if not deps]
        if not ready:
            return None
        for key in ready:
            ordered.append(key)
            del remaining[key]
        for deps in remaining.values():
            deps.difference_update(ready)
    return ordered


def cycle_message(job: str, cycle: Sequence[str]) -> str:
    """The one wording of a cycle, for validation diagnostics and runner errors alike."""
    return CYCLE.format(job=job, cycle=" -> ".join(cycle))
