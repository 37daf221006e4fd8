"""Model gates (fairness, PSI drift) and the machinery they share.

`sources` reads a SOURCE for the pandas or Spark engine, `result` is the gate-neutral outcome a
gate hands to `publish`, which writes reports, results-table rows, GitHub output, commit statuses
and alerts. Each gate is a sub-package: ``core`` (the maths, once) plus one module per engine.
"""
