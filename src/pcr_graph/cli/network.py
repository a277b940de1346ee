"""The network commands: ``metrics``, ``compare``, ``diff`` and ``what-if``.

A thin shell over :mod:`pcr_graph.analysis.network`;
:mod:`pcr_graph.cli.commands` registers the commands on
its group. The shared options come from :mod:`pcr_graph.cli.common`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pcr_graph.cli.common import emit, output_options, project_of
from pcr_graph.core.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ("table", "csv", "json", "md")


def _expect_option(func: F) -> F:
    return click.option(
        "--expect",
        nargs=2,
        multiple=True,
        metavar="FROM TO",
        help="Also expect a pathway between two sectors (notations or labels; repeatable).",
    )(func)


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option}: not a date: {text!r} (expected YYYY-MM-DD)") from None


METRIC_COLUMNS = ("section", "item", "value", "explanation")


@click.command("metrics")
@click.option("--area", required=True, help="Area id, ODS or ONS code.")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Providers listed per ranking.",
)
@click.option("--at", "at", metavar="DATE", help="Count only links active on DATE (YYYY-MM-DD).")
@_expect_option
@output_options()
@click.pass_context
def metrics(
    ctx: click.Context,
    area: str,
    top: int,
    at: str | None,
    expect: tuple[tuple[str, str], ...],
    fmt: str,
    output: Path | None,
) -> None:
    """Network metrics of one area, each number with a plain-English explanation.

    Density, centrality, cross-sector brokers, single points of failure, communities
    against planning forums, the sector mixing matrix and the cross-sector integration
    index (see docs/network.md for every definition).

    \b
    Example:
      pcr-graph metrics --area wv
      pcr-graph metrics --area wv --expect hospice pharmacy --format csv -o wv.csv
    """
    # Imported here to keep `pcr-graph --help` fast.
    from pcr_graph.analysis.network import metric_rows, metrics_for, resolve_pairs
    from pcr_graph.render.tables import format_rows

    store = project_of(ctx).open()
    result = metrics_for(
        store,
        area,
        expected_pairs=resolve_pairs(expect),
        at=_date(at, "--at") if at else None,
        top=top,
    )
    emit(format_rows(METRIC_COLUMNS, metric_rows(result), fmt), output)


@click.command("compare")
@click.argument("areas", nargs=-1, required=True)
@_expect_option
@output_options()
@click.pass_context
def compare(
    ctx: click.Context,
    areas: tuple[str, ...],
    expect: tuple[tuple[str, str], ...],
    fmt: str,
    output: Path | None,
) -> None:
    """Compare areas side by side: one row per metric, one column per area.

    \b
    Example:
      pcr-graph compare wv mb tl
      pcr-graph compare wv mb --format md -o compare.md
    """
    # Imported here to keep `pcr-graph --help` fast.
    from pcr_graph.analysis.network import compare_rows, metrics_for, resolve_pairs
    from pcr_graph.render.tables import format_rows

    if len(areas) < 2:
        raise UsageError("compare needs at least two areas, e.g. `pcr-graph compare wv mb`")
    store = project_of(ctx).open()
    pairs = resolve_pairs(expect)
    items = [(area, metrics_for(store, area, expected_pairs=pairs)) for area in areas]
    columns, rows = compare_rows(items)
    emit(format_rows(columns, rows, fmt), output)


@click.command("diff")
@click.argument("snapshots", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--at",
    "dates",
    multiple=True,
    metavar="DATE",
    help="Compare the data on two dates instead (give --at twice: old, then new).",
)
@click.option("--area", "areas", multiple=True, help="Only this area (repeatable).")
@output_options()
@click.pass_context
def diff(
    ctx: click.Context,
    snapshots: tuple[Path, ...],
    dates: tuple[str, ...],
    areas: tuple[str, ...],
    fmt: str,
    output: Path | None,
) -> None:
    """What changed between two snapshots, or between two dates of the data.

    Links gained, lost or changed; sectors joining or leaving the planning table; gap-rule
    hits opened and closed. A snapshot is an RDF file (loaded with the ontology and
    reference data), a workspace folder (with imports/) or a workbook folder (CSV).
    With --at DATE --at DATE the current data is compared with itself on two dates, using
    the start and end dates of links and memberships.

    \b
    Example:
      pcr-graph diff round1.ttl round2.ttl --area wv
      pcr-graph diff --at 2020-04-01 --at 2021-03-31 --format md
    """
    # Imported here to keep `pcr-graph --help` fast.
    from pcr_graph.analysis.change import CHANGE_COLUMNS, change_rows, diff_dates, diff_files
    from pcr_graph.render.tables import format_rows
    from pcr_graph.store.engines import OxigraphStore

    project = project_of(ctx)
    if snapshots and dates:
        raise UsageError("give either two snapshots (OLD NEW) or --at DATE twice, not both")
    if dates:
        if len(dates) != 2:
            raise UsageError("--at needs exactly two dates: --at OLD --at NEW")
        old_day, new_day = (_date(d, "--at") for d in dates)
        store = project.open()
        # Opening twice is cheaper than copying a whole store; with --area on Oxigraph only
        # the areas' part is copied (diff_dates), and no second store is needed.
        whole = not areas or not isinstance(store, OxigraphStore)
        copies = (store, project.open()) if whole else None
        changes = diff_dates(store, old_day, new_day, areas, copies=copies)
    elif len(snapshots) == 2:
        changes = diff_files(snapshots[0], snapshots[1], project, areas)
    else:
        raise UsageError("diff needs two snapshots (OLD NEW) or --at DATE --at DATE")
    emit(format_rows(CHANGE_COLUMNS, change_rows(changes), fmt), output)


@click.command("what-if")
@click.option(
    "--remove",
    "provider",
    required=True,
    metavar="PROVIDER",
    help="Provider to take out: workbook provider id, ODS code, CQC location id or IRI.",
)
@click.option("--area", help="Only this area (default: every area the provider works in).")
@output_options()
@click.pass_context
def what_if(
    ctx: click.Context, provider: str, area: str | None, fmt: str, output: Path | None
) -> None:
    """What breaks if one provider drops out: sectors, pathways and gaps.

    Works on a copy of the data (yours is never changed): the provider, its memberships and
    every link left with fewer than two participants are removed, then the network is
    measured and the gap rules run again. Lists sectors lost or cut off from every other
    sector, expected pathways lost or weakened, providers left without links, the
    integration index before and after, and gap-rule hits opened and closed.

    \b
    Example:
      pcr-graph what-if --remove wv-acute
      pcr-graph what-if --remove mb-acute --area mb --format md
    """
    # Imported here to keep `pcr-graph --help` fast.
    from pcr_graph.analysis.change import CHANGE_COLUMNS, what_if_remove
    from pcr_graph.render.tables import format_rows
    from pcr_graph.store.engines import OxigraphStore

    project = project_of(ctx)
    store = project.open()
    # On Oxigraph only the areas concerned are copied (what_if_remove): no second store.
    scratch = None if isinstance(store, OxigraphStore) else project.open()
    report = what_if_remove(store, provider, area, scratch=scratch)
    emit(format_rows(CHANGE_COLUMNS, report.rows(), fmt), output)


COMMANDS = (metrics, compare, diff, what_if)
"""The commands to register on the main group."""
