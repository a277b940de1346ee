"""What every command module shares: the project, output options, atomic output.

:mod:`pcr_graph.cli.commands` and the command modules it registers (network, sharing, scale) all
import these, so the options look and behave the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pcr_graph.core.errors import UsageError
from pcr_graph.store.project import Project

F = TypeVar("F", bound=Callable[..., Any])
ROW_FORMATS = ("table", "csv", "json", "md")


def project_of(ctx: click.Context) -> Project:
    """The :class:`Project` the ``pcr-graph`` group built from the global options."""
    project = ctx.find_object(Project)
    if project is None:
        raise UsageError("no project: run this command through `pcr-graph`")
    return project


def emit(text: str, output: Path | None) -> None:
    """Print ``text``, or write it atomically to ``output``."""
    if output is None:
        click.echo(text, nl=False)
    else:
        from pcr_graph.core.files import atomic_write_text

        atomic_write_text(output, text)
        click.echo(f"wrote {output}", err=True)


def output_options(
    formats: tuple[str, ...] = ROW_FORMATS, default: str = "table"
) -> Callable[[F], F]:
    """The shared ``--format`` and ``-o/--output`` options."""

    def decorate(func: F) -> F:
        func = click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write to FILE (atomically) instead of standard output.",
        )(func)
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(formats),
            default=default,
            show_default=True,
            help="Output format.",
        )(func)

    return decorate
