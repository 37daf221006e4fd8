"""What the HTTP channels share: JSON encoding and the standard headers."""

from __future__ import annotations

import json
from typing import Any

from brickgate import __version__


def json_body(document: dict[str, Any]) -> bytes:
    """Compact, key-sorted JSON: the exact bytes a signature is computed over."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def headers() -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": f"brickgate/{__version__}"}
