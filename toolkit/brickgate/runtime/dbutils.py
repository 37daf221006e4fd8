"""A local stand-in for the few `dbutils` calls job code uses: widgets and task values.

It is what `brickgate run` injects as `dbutils` into source-format notebooks, so a notebook
that reads ``dbutils.widgets.get("day")`` runs unchanged. It is not the Databricks
implementation: only ``widgets`` (text, dropdown, combobox, multiselect, get, getArgument,
getAll, remove, removeAll) and ``jobs.taskValues`` (set, get) exist; ``fs``, ``secrets`` and
``notebook`` raise AttributeError. Widget values come from the task's ``base_parameters``
and the job parameters (job parameters win, as on Databricks), passed by the runner as JSON
in ``BRICKGATE_WIDGETS``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from brickgate.runtime import task_values

UNDEFINED_WIDGET = "widget '{name}' is not defined: pass it in base_parameters or declare it with dbutils.widgets.text"


class InputWidgetNotDefined(LookupError):
    """Raised like Databricks' error of the same name for a widget nobody defined."""


class Widgets:
    """Widget values of the running notebook task."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        if values is None:
            values = json.loads(os.environ.get("BRICKGATE_WIDGETS", "") or "{}")
        self._given: dict[str, str] = dict(values)
        self._defaults: dict[str, str] = {}

    def text(self, name: str, defaultValue: str = "", label: str | None = None) -> None:
        self._defaults[name] = defaultValue

    def dropdown(self, name: str, defaultValue: str, choices: Sequence[str], label: str | None = None) -> None:
        self._defaults[name] = defaultValue

    def combobox(self, name: str, defaultValue: str, choices: Sequence[str], label: str | None = None) -> None:
        self._defaults[name] = defaultValue

    def multiselect(self, name: str, defaultValue: str, choices: Sequence[str], label: str | None = None) -> None:
        self._defaults[name] = defaultValue

    def get(self, name: str) -> str:
        if name in self._given:
            return self._given[name]
        if name in self._defaults:
            return self._defaults[name]
        raise InputWidgetNotDefined(UNDEFINED_WIDGET.format(name=name))

    def getArgument(self, name: str, defaultValue: str | None = None) -> str | None:
        try:
            return self.get(name)
        except InputWidgetNotDefined:
            return defaultValue

    def getAll(self) -> dict[str, str]:
        return {**self._defaults, **self._given}

    def remove(self, name: str) -> None:
        self._defaults.pop(name, None)

    def removeAll(self) -> None:
        self._defaults.clear()


class TaskValues:
    """`dbutils.jobs.taskValues` over `brickgate.runtime.task_values`."""

    def set(self, key: str, value: Any) -> None:
        task_values.set(key, value)

    def get(self, taskKey: str, key: str, default: Any = None, debugValue: Any = None) -> Any:
        return task_values.get(taskKey, key, default=default, debug_value=debugValue)


class Jobs:
    def __init__(self) -> None:
        self.taskValues = TaskValues()


class DBUtils:
    """`dbutils` for local notebook runs: `widgets` and `jobs.taskValues` only."""

    def __init__(self, widgets: Mapping[str, str] | None = None) -> None:
        self.widgets = Widgets(widgets)
        self.jobs = Jobs()
