"""How many documented examples the suite runs and how many are marked not runnable, and why.

.venv/bin/python -m tests.docs.census
"""

from __future__ import annotations

from collections import Counter

from tests.docs.examples import REPO, RUNNERS, blocks, documents, parse


def main() -> None:
    totals: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for path in documents():
        counts: Counter[str] = Counter()
        for block in blocks(parse(path)):
            if block.skip_reason is not None:
                kind = "marked"
                reasons[block.skip_reason] += 1
            else:
                kind = "run" if block.language in RUNNERS else "unmarked"
            counts[kind] += 1
        totals.update(counts)
        summary = ", ".join(f"{counts[k]} {k}" for k in ("run", "marked", "unmarked") if counts[k])
        print(f"{path.relative_to(REPO)}: {summary or 'no examples'}")
    print(f"total: {', '.join(f'{totals[k]} {k}' for k in ('run', 'marked', 'unmarked'))}")
    for reason, count in reasons.most_common():
        print(f"  marked {count}x: {reason}")


if __name__ == "__main__":
    main()
