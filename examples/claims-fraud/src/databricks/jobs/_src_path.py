"""Put the bundle's `src/` folder on `sys.path`, so the entry points can import `claims_fraud`.

On Databricks a `spark_python_task` runs its file with only the file's own folder on the path
(this folder, which is how this module is found); `brickgate run` also adds `src/` through
`PYTHONPATH`. Importing this module first makes both the same. (There is deliberately no
`__init__.py` in `src/databricks/`: it must never shadow the `databricks` namespace package of
databricks-sdk.)
"""

from __future__ import annotations

import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2])
if SRC not in sys.path:
    sys.path.insert(0, SRC)
