"""The ``corett`` command: the only layer that prints to the terminal or sets exit codes."""
