"""One did-you-mean for every "unknown name" error, so all of them suggest alike."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.6


def suggest(name: str, choices: Iterable[object]) -> str | None:
    """The closest of `choices` to `name`, or ``None`` when none is close enough.

    >>> suggest("trian", ["train", "score"])
    'train'
    >>> suggest("zzz", ["train"]) is None
    True
    """
    close = difflib.get_close_matches(name, [str(choice) for choice in choices], n=1, cutoff=CUTOFF)
    return close[0] if close else None


def did_you_mean(name: str, choices: Iterable[object]) -> str:
    """`"; did you mean 'x'?"` for the closest choice, or `""`: the suffix every error message uses.

    >>> did_you_mean("trian", ["train", "score"])
    "; did you mean 'train'?"
    """
    match = suggest(name, choices)
    return f"; did you mean '{match}'?" if match else ""
