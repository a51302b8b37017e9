"""The ``tc8`` command: one module per command (``tc8.cli.<name>``, registered in
:data:`tc8.cli.main.COMMANDS`), plus shared options and error handling. The top stage: it may
import every other stage, and nothing imports it."""
