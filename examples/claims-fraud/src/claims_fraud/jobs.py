"""Plumbing shared by the job entry points in `claims_fraud.tasks`.

Entry points parse `sys.argv` with argparse (a Databricks `python_wheel_task` passes its
`parameters` the same way `brickgate run` does) and call `run` so that a bad parameter or bad
data ends the task with one line on stderr and exit code 2, like the `brickgate` commands.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from typing import Any, NoReturn

# The secret each alert channel needs: (key in the job's secret scope, variable brickgate reads).
ALERT_SECRETS = {
    "slack": ("slack-webhook-url", "BRICKGATE_SLACK_WEBHOOK_URL"),
    "webhook": ("webhook-url", "BRICKGATE_WEBHOOK_URL"),
    "pagerduty": ("pagerduty-routing-key", "BRICKGATE_PAGERDUTY_ROUTING_KEY"),
}


def run(main: Callable[[Sequence[str]], int], argv: Sequence[str] | None = None, *, program: str) -> NoReturn:
    """Call `main(argv)` and exit with its code; user errors become one line `program: error: …` and exit 2.

    `program` is the entry point's name: a python_wheel_task's `sys.argv[0]` is the package name.
    """
    from brickgate.errors import BrickgateError

    try:
        code = main(list(sys.argv[1:] if argv is None else argv))
    except (ValueError, BrickgateError) as exc:
        print(f"{program}: error: {exc}", file=sys.stderr)
        code = 2
    sys.exit(code)


def table_name(catalog: str, schema: str, table: str) -> str:
    """`catalog.schema.table`.

    >>> table_name("main", "claims_fraud", "claims_raw")
    'main.claims_fraud.claims_raw'
    """
    return f"{catalog}.{schema}.{table}"


def word_list(text: str) -> tuple[str, ...]:
    """A comma-separated parameter as a tuple (empty items dropped).

    >>> word_list("patient_gender, geographic_region,,")
    ('patient_gender', 'geographic_region')
    """
    return tuple(part.strip() for part in text.split(",") if part.strip())


def table_arguments(parser: argparse.ArgumentParser) -> None:
    """`--catalog` and `--schema`, which every task needs to name its tables."""
    parser.add_argument("--catalog", required=True, help="Unity Catalog catalog (a folder of the local warehouse)")
    parser.add_argument("--schema", required=True, help="schema holding the project's tables")


def set_task_values(**values: str | int | float) -> None:
    """Hand small results to downstream tasks (`{{tasks.<key>.values.<name>}}`)."""
    from brickgate.runtime import task_values

    for key, value in values.items():
        task_values.set(key, value)


def load_alert_secrets(
    channels: Iterable[str],
    scope: str,
    *,
    env: MutableMapping[str, str] | None = None,
    dbutils: Any = None,
) -> list[str]:
    """Read the secrets of the alert channels switched on from Databricks secret scope `scope`.

    Only those channels need their key in the scope (a fresh workspace with alerts off needs no
    scope at all). A value already in `env` is kept, so local runs use exported variables; off
    Databricks (no `dbutils`) nothing is read. Returns the variables set, never their values.

    >>> class Secrets:
    ...     def get(self, scope, key): return f"<{scope}/{key}>"
    >>> class DBUtils: secrets = Secrets()
    >>> env = {"BRICKGATE_PAGERDUTY_ROUTING_KEY": "exported"}
    >>> load_alert_secrets(["slack", "pagerduty", "email"], "claims-fraud", env=env, dbutils=DBUtils())
    ['BRICKGATE_SLACK_WEBHOOK_URL']
    >>> env["BRICKGATE_SLACK_WEBHOOK_URL"], env["BRICKGATE_PAGERDUTY_ROUTING_KEY"]
    ('<claims-fraud/slack-webhook-url>', 'exported')
    """
    target = os.environ if env is None else env
    wanted = [ALERT_SECRETS[c] for c in dict.fromkeys(channels) if c in ALERT_SECRETS]
    missing = [(key, variable) for key, variable in wanted if not target.get(variable)]
    if not missing or not scope:
        return []
    if dbutils is None:
        if not os.environ.get("DATABRICKS_RUNTIME_VERSION"):
            return []
        from brickgate.runtime import get_dbutils

        dbutils = get_dbutils()
    for key, variable in missing:
        target[variable] = dbutils.secrets.get(scope, key)
    return [variable for _, variable in missing]
