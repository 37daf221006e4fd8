"""The job tasks: one module per entry point of the wheel (`[project.scripts]` in pyproject.toml).

Each module's `main(argv)` parses the task's `parameters`; its `run()` is the entry point a
`python_wheel_task` calls (`package_name: claims_fraud`, `entry_point: <module name>`).
"""
