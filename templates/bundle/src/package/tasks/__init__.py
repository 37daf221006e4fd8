"""The job tasks: one module per entry point of the wheel (`[project.scripts]`)."""
