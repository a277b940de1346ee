"""The command line: argument parsing only; every command calls into the library."""

from pcr_graph.cli.commands import main

__all__ = ["main"]
