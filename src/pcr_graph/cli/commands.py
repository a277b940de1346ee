"""The ``pcr-graph`` command line: a thin shell over the library.

Exit codes: 0 fine; 1 the data has problems (SHACL violations, or gaps at or above
``--fail-on``); 2 a usage or runtime error. A user's mistake gets a one-line message
naming the file, line or field, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pcr_graph import __version__
from pcr_graph.cli.common import emit, output_options, project_of
from pcr_graph.cli.network import COMMANDS as NETWORK_COMMANDS
from pcr_graph.cli.scale import COMMANDS as SCALE_COMMANDS
from pcr_graph.cli.share import COMMANDS as SHARE_COMMANDS
from pcr_graph.core.errors import ImportProblems, PcrGraphError
from pcr_graph.render.report_text import REPORT_FORMATS
from pcr_graph.store.project import Project

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="pcr-graph")
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".pcr-graph"),
    envvar="PCR_GRAPH_WORKSPACE",
    show_default=True,
    help="Folder holding your imports (env PCR_GRAPH_WORKSPACE).",
)
@click.option(
    "--demo/--no-demo",
    "demo",
    default=None,
    help="Include / leave out the fictional demo system (default: included only while the "
    "workspace holds no import).",
)
@click.option(
    "--profile",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="An expectation profile (Turtle) to use instead of graph/profile-default.ttl.",
)
@click.option(
    "--engine",
    type=click.Choice(["oxigraph", "rdflib"]),
    default="oxigraph",
    show_default=True,
    help="Triple store: embedded Oxigraph, or rdflib's in-memory reference engine.",
)
@click.option(
    "--store",
    "store",
    envvar="PCR_GRAPH_STORE",
    metavar="DIR|URL",
    help="DIR: keep an on-disk Oxigraph store there (rebuilt only when a source changes); "
    "URL: run against a remote SPARQL 1.1 endpoint (env PCR_GRAPH_STORE).",
)
@click.pass_context
def cli(
    ctx: click.Context,
    workspace: Path,
    demo: bool | None,
    profile: Path | None,
    engine: str,
    store: str | None,
) -> None:
    """pcr-graph: where is collaboration between health and social care providers missing?

    Builds an RDF knowledge graph of providers, planning forums and collaboration links
    (modelled on the CQC provider collaboration reviews), finds expected-but-missing
    collaboration with named gap rules, and draws offline network maps per area.
    """
    ctx.obj = Project(
        workspace=workspace, include_demo=demo, profile=profile, engine=engine, store=store
    )


@cli.command()
@click.option(
    "--raw",
    "raw_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("../shared/data/raw"),
    show_default=True,
    help="Folder with the ONS lookup files.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("graph"),
    show_default=True,
    help="Folder to write the Turtle to.",
)
def reference(raw_dir: Path, out_dir: Path) -> None:
    """Generate the 42 reference areas and the review programme from the ONS files.

    Writes areas.ttl and programme.ttl; running it again gives byte-identical files.

    \b
    Example:
      pcr-graph reference --raw ../shared/data/raw --out graph
    """
    from pcr_graph.ingest.reference import write_reference

    for path in write_reference(raw_dir, out_dir):
        click.echo(f"wrote {path}")


@cli.command("queries")
def list_queries() -> None:
    """List the named queries and gap rules in queries/ with their summaries.

    \b
    Example:
      pcr-graph queries
    """
    from pcr_graph.app.tasks import query_catalogue
    from pcr_graph.render.tables import format_table

    click.echo(format_table(query_catalogue(), "table"), nl=False)


@cli.command()
@click.argument("name_or_file")
@click.option(
    "-p",
    "--param",
    "params",
    nargs=2,
    multiple=True,
    metavar="NAME VALUE",
    help="Bind a parameter (repeatable); values are bound, never spliced in.",
)
@output_options(("table", "csv", "json", "md"), "table")
@click.pass_context
def query(
    ctx: click.Context,
    name_or_file: str,
    params: tuple[tuple[str, str], ...],
    fmt: str,
    output: Path | None,
) -> None:
    """Run a named query from queries/ (or a .rq file) with bound parameters.

    \b
    Example:
      pcr-graph query providers-in-area -p area wv --format csv
    """
    from pcr_graph.app.tasks import format_answer, run_query

    emit(format_answer(run_query(project_of(ctx), name_or_file, dict(params)), fmt), output)


@cli.group("import")
def import_group() -> None:
    """Import data: spreadsheet workbooks (csv) and public registry files (registries)."""


@import_group.command("csv")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--name", help="Name of the import (default: the folder's name).")
@click.option(
    "--lenient", is_flag=True, help="Import the good rows; write the bad ones to --rejects."
)
@click.option(
    "--rejects",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --lenient: folder for the rejected rows, as a workbook to fix and import "
    "again (it merges back into this import), plus problems.csv with the reasons.",
)
@click.option(
    "--into",
    metavar="NAME",
    help="Merge FOLDER (a corrected rejects folder) into the existing import NAME. A rejects "
    "folder names its import in REJECTS.txt, so this is only needed to override it.",
)
@click.option(
    "--fictional", is_flag=True, help="Mark everything imported as fictional (demo data)."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Turtle here instead of into the workspace.",
)
@click.pass_context
def import_csv(
    ctx: click.Context,
    folder: Path,
    name: str | None,
    lenient: bool,
    rejects: Path | None,
    into: str | None,
    fictional: bool,
    output: Path | None,
) -> None:
    """Import a workbook: a folder of template CSV files (providers.csv, links.csv …).

    Strict by default: every bad row is listed (file, line, column) and nothing is written.
    A row that only refers to a rejected row is not listed on its own: the rejected row's
    message counts it. The import becomes part of the data every later command sees, until
    removed.

    \b
    Example:
      pcr-graph import csv my-review/ --lenient --rejects fix-me/
      pcr-graph import csv fix-me/    # once corrected: merges into the import my-review
      pcr-graph import csv my-review/ --name my-review    # strict: all rows or none
    """
    from pcr_graph.app.tasks import import_workbook_into

    done = import_workbook_into(
        project_of(ctx),
        folder,
        name=name,
        lenient=lenient,
        fictional=fictional,
        rejects=rejects,
        into=into,
        output=output,
    )
    result = done.result
    for file, count in result.rows_read.items():
        click.echo(f"{file}: {count} rows read, {result.rows_imported.get(file, 0)} imported")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for problem in result.problems:
        click.echo(f"rejected: {problem}", err=True)
    label = done.label
    held = sum(1 for r in result.rejects if r.held_back)
    if held:
        click.echo(
            f"{held} more rows are held back only because they refer to a rejected row "
            "(counted above, listed in problems.csv)",
            err=True,
        )
    if done.rejects_written and rejects is not None:
        click.echo(
            f"wrote {len(result.rejects)} rejected rows to {rejects}/ (fix them there, then "
            f"`pcr-graph import csv {rejects}` merges them into {label!r}); "
            f"reasons in {rejects / 'problems.csv'}",
            err=True,
        )
    if done.merged_into is not None:
        click.echo(f"merged {result.merged_rows} rows of {folder} into the import {label!r}")
    if result.rejected_rows:
        click.echo(
            f"the import {label!r} is incomplete: {result.rejected_rows} rows are missing "
            "(every report says so until they are imported)",
            err=True,
        )
    click.echo(f"wrote {done.target} ({len(result.graph)} triples)")


@import_group.command("registries")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--name", default="registries", show_default=True, help="Name of the import.")
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file for rejected and reported rows with their reasons.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Turtle here instead of into the workspace.",
)
@click.pass_context
def import_registries_cmd(
    ctx: click.Context, folder: Path, name: str, rejects: Path | None, output: Path | None
) -> None:
    """Import every public registry file recognised in FOLDER (ONS, NHS ODS, CQC lists).

    Files are found in FOLDER and its subfolders and recognised by their header, sheets or
    shape, not their name. A folder with no recognised file changes nothing (exit 2). Of
    two releases of one register, the newer is current and the older is kept as history.
    Each file ends with an accounting: rows read = imported + merged + rejected, every
    rejection with a reason.

    \b
    Example:
      pcr-graph import registries ../shared/data/raw --rejects rejects.csv
    """
    from pcr_graph.app.tasks import import_registries_into

    bars: dict[str, Any] = {}

    def progress(file: str, done: int, total: int) -> None:
        if total < 2000:
            return
        bar = bars.get(file)
        if bar is None:
            bar = click.progressbar(length=total, label=file, file=sys.stderr)
            bar.__enter__()
            bars[file] = bar
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    done = import_registries_into(
        project_of(ctx), folder, name=name, rejects=rejects, output=output, progress=progress
    )
    for bar in bars.values():
        if not bar.finished:
            bar.__exit__(None, None, None)
    for accounting in done.accountings:
        click.echo(accounting.summary())
    if rejects is not None:
        click.echo(f"wrote rejected and reported rows to {rejects}", err=True)
    click.echo(f"wrote {done.target} ({len(done.graph)} triples)")


@cli.command("release-diff")
@click.option("--old", help="The older release (default: the oldest ePCN release loaded).")
@click.option("--new", help="The newer release (default: the newest ePCN release loaded).")
@click.option("--limit", default=10, show_default=True, help="Examples listed per change.")
@click.pass_context
def release_diff_cmd(ctx: click.Context, old: str | None, new: str | None, limit: int) -> None:
    """Compare two releases of the published PCN register (ePCN workbooks imported).

    Practices that joined, left or moved between Primary Care Networks, and PCNs that
    opened, closed or merged. These describe the published register, not observed practice.

    \b
    Example:
      pcr-graph import registries ../shared/data/raw
      pcr-graph release-diff --old "ePCN 2019-12" --new "ePCN 2023-01"
    """
    from pcr_graph.analysis.release_diff import release_diff

    click.echo(release_diff(project_of(ctx).open(), old, new).text(limit), nl=False)


@cli.command("imports")
@click.pass_context
def list_imports(ctx: click.Context) -> None:
    """List the imports in the workspace.

    \b
    Example:
      pcr-graph imports
    """
    for path in project_of(ctx).imports():
        click.echo(path.stem)


@cli.command()
@click.argument("name")
@click.pass_context
def remove(ctx: click.Context, name: str) -> None:
    """Remove an import from the workspace.

    \b
    Example:
      pcr-graph remove my-review
    """
    from pcr_graph.app.tasks import remove_import

    click.echo(f"removed {remove_import(project_of(ctx), name)}")


@cli.command("validate")
@click.option(
    "--engine",
    "validator",
    type=click.Choice(["auto", "fast", "pyshacl"]),
    default="auto",
    show_default=True,
    help="fast: the shapes compiled to SPARQL and run in the store (scales to the whole "
    "country); pyshacl: the reference implementation; auto: fast, except on the rdflib "
    "engine or for shapes only pySHACL supports. Both report the same violations.",
)
@click.pass_context
def validate(ctx: click.Context, validator: str) -> None:
    """Check the ontology, graph and imports against the SHACL shapes.

    Prints one line per violation (source file or CSV row, focus node, path, message).
    Exit 0 when the data conforms, 1 when it does not, 2 on error.

    \b
    Example:
      pcr-graph validate
      pcr-graph validate --engine pyshacl
    """
    from pcr_graph.app.tasks import validate_project

    store, violations = validate_project(project_of(ctx), validator)
    for violation in violations:
        click.echo(str(violation))
    if violations:
        click.echo(f"{len(violations)} violation(s) in {len(store)} triples", err=True)
        ctx.exit(1)
    click.echo(f"conforms: {len(store)} triples, {len(store.sources())} sources")


SEVERITY_CHOICE = click.Choice(["high", "medium", "low"])


@cli.command()
@click.option(
    "--area",
    "areas",
    multiple=True,
    help="Area name (or its start, any case), id, ODS or ONS code (repeatable; default all).",
)
@click.option("--rule", "rules", multiple=True, help="Run only this rule (repeatable).")
@click.option(
    "-p",
    "--param",
    "params",
    nargs=2,
    multiple=True,
    metavar="NAME VALUE",
    help="Rule parameter, passed to every rule that declares it.",
)
@click.option(
    "--fail-on", type=SEVERITY_CHOICE, help="Exit 1 if any gap of this severity or worse."
)
@output_options(REPORT_FORMATS, "md")
@click.pass_context
def gaps(
    ctx: click.Context,
    areas: tuple[str, ...],
    rules: tuple[str, ...],
    params: tuple[tuple[str, str], ...],
    fail_on: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Report expected-but-missing collaboration, per area, with evidence and findings.

    \b
    Example:
      pcr-graph gaps --area "wyndle vale" --format md
      pcr-graph gaps --fail-on high --format json -o gaps.json
    """
    from pcr_graph.app.tasks import gap_report_text

    report = gap_report_text(project_of(ctx), fmt, areas, rules, dict(params))
    emit(report.text, output)
    if fail_on and report.at_least[fail_on]:
        click.echo(f"{report.at_least[fail_on]} gap(s) at {fail_on} or worse", err=True)
        ctx.exit(1)


@cli.command()
@click.option("--area", required=True, help="Area name (or its start), id, ODS or ONS code.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="HTML file to write.",
)
@click.pass_context
def render(ctx: click.Context, area: str, output: Path) -> None:
    """Draw one area's network as a self-contained, offline HTML map.

    \b
    Example:
      pcr-graph render --area wv -o wyndle-vale.html
    """
    from pcr_graph.app.build import render_area

    render_area(project_of(ctx), area, output)
    click.echo(f"wrote {output}")


@cli.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder for the results.",
)
@click.pass_context
def build(ctx: click.Context, out_dir: Path) -> None:
    """The main job: build the graph, validate it, report gaps, draw every area's map.

    Writes into OUT: graph.ttl (the whole dataset); gaps.md, gaps.html, gaps.json and
    gaps.csv (the national gap report); maps/<area>.html and maps/<area>-heatmap.svg for
    each area with data; overview.html (areas and the links between them); index.html.
    Exits 1 if the data does not conform to the shapes (nothing else is written then).

    \b
    Example:
      pcr-graph build --out out
    """
    from pcr_graph.app.build import run_build

    code = run_build(project_of(ctx), out_dir, echo=click.echo)
    ctx.exit(code)


# metrics … what-if; serve, push, export; synth
for _command in (*NETWORK_COMMANDS, *SHARE_COMMANDS, *SCALE_COMMANDS):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning user errors into messages and exit codes."""
    try:
        code = cli.main(args=argv, prog_name="pcr-graph", standalone_mode=False)
    except ImportProblems as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        rows = any(p.line > 1 for p in exc.problems)
        hint = (
            " (correct them and import again, or import the good rows with --lenient "
            "--rejects FOLDER and correct the rest there)"
            if rows
            else ""
        )
        click.echo(f"error: {exc}{hint}", err=True)
        sys.exit(exc.exit_code)
    except PcrGraphError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except OSError as exc:
        click.echo(f"error: {exc.filename or ''}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
