"""Face 1: the ``lifecycle`` command, one module per command group, registered in
:mod:`lifecycle.cli.main`. It calls the application layer only (and config, logs)."""

from lifecycle.cli.main import cli, exit_code, main

__all__ = ["cli", "exit_code", "main"]
