"""Report building blocks shared by the gates: markdown, self-contained HTML and PNG charts.

`charts.BarChart` describes a chart once; `markdown.mermaid_bar_chart` draws it for GitHub job
summaries and `charts.render_png` draws it with matplotlib (the ``plots`` extra, imported lazily).
"""
