"""The work behind each command, as functions: the command line only parses arguments.

Each function takes a :class:`~pcr_graph.store.project.Project` (the sources a command sees)
and plain values, does the command's work through the library, and returns what happened,
so that :mod:`pcr_graph.cli` only turns options into arguments and results into lines of
text. Notebook users reach the same work through :mod:`pcr_graph.app.api`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph

from pcr_graph.analysis.queries import resolve_areas
from pcr_graph.core.errors import DataError, UsageError
from pcr_graph.store.engines import Store, Table
from pcr_graph.store.project import Project

if TYPE_CHECKING:
    from pcr_graph.analysis.gaps import GapReport
    from pcr_graph.ingest.registries import Accounting
    from pcr_graph.ingest.synth import SyntheticEngland
    from pcr_graph.ingest.workbook import ImportResult
    from pcr_graph.share.push import PushReport
    from pcr_graph.validation.results import Violation

Progress = Callable[[str, int, int], None]
"""``progress(file, rows_done, rows_total)``, called while a registry file is read."""


def query_catalogue() -> Table:
    """The named queries and gap rules in ``queries/``: name, family, severity, params, summary."""
    from rdflib import Literal

    from pcr_graph.analysis.queries import library

    rows = tuple(
        tuple(
            Literal(text)
            for text in (
                q.name,
                q.family,
                q.header.get("severity", ""),
                ", ".join(p.name for p in q.params),
                q.summary,
            )
        )
        for q in library()
    )
    return Table(("name", "family", "severity", "params", "summary"), rows)


def run_query(project: Project, name_or_file: str, params: dict[str, str]) -> Table | bool:
    """Run a named query (or a ``.rq`` file) with its parameters bound."""
    from pcr_graph.analysis.queries import find_query, run_named

    return run_named(project.open(), find_query(name_or_file), params)


def format_answer(answer: Table | bool, fmt: str) -> str:
    """A query's answer as text: a table in ``fmt`` (table, csv, json, md), or true/false."""
    from pcr_graph.render.tables import format_table

    if isinstance(answer, Table):
        return format_table(answer, fmt)
    return ("true" if answer else "false") + "\n"


@dataclass(frozen=True)
class WorkbookImport:
    """What :func:`import_workbook_into` did."""

    result: ImportResult
    target: Path
    """The Turtle file written."""
    rejects_written: list[Path]
    """The rejected rows' workbook files (lenient mode with a rejects folder)."""
    label: str = ""
    """The import's name."""
    merged_into: str | None = None
    """The earlier import this folder was merged into (a corrected rejects folder)."""


def import_workbook_into(
    project: Project,
    folder: Path,
    *,
    name: str | None = None,
    lenient: bool = False,
    fictional: bool = False,
    rejects: Path | None = None,
    into: str | None = None,
    output: Path | None = None,
) -> WorkbookImport:
    """Import a workbook into the project's workspace (or into ``output``).

    An import into the workspace records the time it ran; one written to ``output`` records
    none, so that it is byte-identical each time. ``rejects`` (lenient mode) is checked
    writable before anything is read. A folder with a ``REJECTS.txt`` (a rejects folder,
    corrected) merges into the import it names, unless ``name`` is given; ``into`` names
    the import to merge into explicitly.
    """
    from pcr_graph.ingest.workbook import import_of_rejects, import_workbook, write_rejects
    from pcr_graph.store.turtle import parse_file, write_turtle

    if rejects is not None and not lenient:
        raise UsageError("--rejects goes with --lenient (a strict import writes nothing)")
    if rejects is not None:
        _check_writable(rejects)
    into = into or (import_of_rejects(folder) if name is None else None)
    label = into or name or folder.resolve().name
    base = None
    if into is not None:
        base_path = project.import_path(into)
        if not base_path.is_file():
            known = ", ".join(p.stem for p in project.imports()) or "none yet"
            raise UsageError(
                f"no import called {into!r} to merge {folder} into (imports: {known}); "
                "use --name to import it on its own"
            )
        base = parse_file(base_path)
    when = None if output is not None else dt.datetime.now(dt.UTC).replace(microsecond=0)
    result = import_workbook(
        folder, name=label, lenient=lenient, fictional=fictional, recorded_at=when, into=base
    )
    target = output or project.import_path(label)
    write_turtle(result.graph, target, header=f"Imported from workbook {label} by pcr-graph.")
    written = []
    if rejects is not None and (result.rejects or result.kept):
        written = write_rejects(
            rejects, result.rejects, kept=result.kept, warnings=result.warnings, import_name=label
        )
    return WorkbookImport(result, target, written, label, into)


def _check_writable(folder: Path) -> None:
    """Refuse, before importing anything, a rejects folder that cannot be written."""
    import tempfile

    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: --rejects needs a folder (rejected rows are a workbook)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError as exc:
        raise UsageError(
            f"{folder}: cannot write the rejects folder there ({exc.strerror or exc}); "
            "nothing was imported"
        ) from None


@dataclass(frozen=True)
class RegistryImport:
    """What :func:`import_registries_into` did."""

    graph: Graph
    accountings: list[Accounting]
    target: Path


def import_registries_into(
    project: Project,
    folder: Path,
    *,
    name: str = "registries",
    rejects: Path | None = None,
    output: Path | None = None,
    progress: Progress | None = None,
) -> RegistryImport:
    """Import every registry file recognised in ``folder`` into the workspace (or ``output``)."""
    from pcr_graph.core.files import atomic_write_text
    from pcr_graph.ingest.registries import UNRECOGNISED, import_registries, write_problems
    from pcr_graph.store.engines import OxigraphStore
    from pcr_graph.store.turtle import store_to_turtle

    graph, accountings = import_registries(folder, progress=progress)
    if all(a.kind == UNRECOGNISED for a in accountings):
        # A folder of nothing recognised (say /etc) must not replace a good import with an
        # empty one.
        raise DataError(
            f"{folder}: no registry file recognised in it or its subfolders "
            f"({len(accountings)} files looked at); nothing imported"
            + (f", and the import {name!r} is left as it was" if output is None else "")
        )
    target = output or project.import_path(name)
    # Through Oxigraph: the same bytes as write_turtle (store_to_turtle is to_turtle
    # character for character), 9 s instead of 45 s of CPU for the 450,000 triples of the
    # real registry files.
    store = OxigraphStore()
    store.load(graph.serialize(format="nt", encoding="utf-8"), "nt", "registries")
    header = f"Imported from registry files in {folder.name} by pcr-graph."
    atomic_write_text(target, store_to_turtle(store, header))
    if rejects is not None:
        write_problems(rejects, accountings)
    return RegistryImport(graph, accountings, target)


def remove_import(project: Project, name: str) -> Path:
    """Delete the import called ``name`` from the workspace; the file removed."""
    path = project.import_path(name)
    if not path.exists():
        raise UsageError(f"no import called {name!r} in {path.parent}")
    path.unlink()
    return path


def gap_report(
    project: Project,
    areas: Sequence[str] = (),
    rules: Sequence[str] = (),
    params: dict[str, str] | None = None,
) -> GapReport:
    """Run the gap rules over the named areas (default every area) as a report object.

    The report carries the citations of its hits (evidence title, publisher, date, web
    address, quote) and the notices about the data (an incomplete import, the demo shown).
    """
    from pcr_graph.analysis.citations import cite
    from pcr_graph.analysis.gaps import run_gaps

    store = project.open()
    report = run_gaps(
        store, areas=resolve_areas(store, areas), rules=list(rules) or None, params=params or {}
    )
    report.notes[:0] = project.notices(store)
    return cite(store, report)


@dataclass(frozen=True)
class ReportText:
    """A gap report as the ``gaps`` command writes it, and how many hits it has at each
    severity or worse (for ``--fail-on``)."""

    text: str
    at_least: dict[str, int]
    reused: bool = False
    """True when it was read back from the workspace's cache."""


def gap_report_text(
    project: Project,
    fmt: str,
    areas: Sequence[str] = (),
    rules: Sequence[str] = (),
    params: dict[str, str] | None = None,
) -> ReportText:
    """The gap report in ``fmt`` (see :func:`gap_report`), kept in the workspace's cache.

    A report is a function of the files loaded, the rules, pcr-graph's code and the
    arguments; with all of them unchanged it is read back (a national report of 55,000
    providers in well under a second, instead of loading, deriving and running every rule).
    The key (:func:`pcr_graph.store.cache.output_key`) covers every byte of every source
    file, shape, query and module, the engine, the workspace as named, and the arguments;
    any change to any of them computes the report again. Only for the embedded store of a
    workspace that exists: a remote store's data can change without pcr-graph knowing.
    """
    import hashlib
    import json

    from pcr_graph.analysis.gaps import SEVERITIES
    from pcr_graph.render.report_text import format_report
    from pcr_graph.store import cache

    request = json.dumps(
        {
            "command": "gaps",
            "format": fmt,
            "areas": list(areas),
            "rules": list(rules),
            "params": sorted((params or {}).items()),
            "engine": project.engine,
            "workspace": str(project.workspace),
            "demo": project.include_demo,
            "profile": str(project.profile),
            "profile_sha256": (
                hashlib.sha256(Path(project.profile).read_bytes()).hexdigest()
                if project.profile is not None and Path(project.profile).is_file()
                else None
            ),
        },
        sort_keys=True,
    )
    keep = project.store is None and project.workspace.is_dir()
    name = f"gaps-{fmt}"
    key = cache.output_key(project.files(), request) if keep else ""
    if keep:
        found = cache.read_entry(project.cache_dir, name, key)
        if found is not None:
            counts, _, text = found.decode("utf-8").partition("\n")
            return ReportText(text, json.loads(counts), reused=True)
    report = gap_report(project, areas, rules, params)
    done = ReportText(format_report(report, fmt), {s: report.count_at_least(s) for s in SEVERITIES})
    if keep:
        entry = json.dumps(done.at_least, sort_keys=True) + "\n" + done.text
        cache.write_entry(project.cache_dir, name, key, entry.encode("utf-8"))
    return done


def validate_project(project: Project, validator: str = "auto") -> tuple[Store, list[Violation]]:
    """Check the project's data against the shapes: the store checked and the violations."""
    from pcr_graph.validation.validate import validate

    store = project.open()
    return store, validate(store, validator)


def synthesise_into(
    project: Project, providers: int, seed: int, output: Path | None = None
) -> tuple[Path, SyntheticEngland]:
    """Write a synthetic England to ``output`` (default: the workspace import
    ``synthetic-england``); the file written and what it holds."""
    from pcr_graph.ingest.synth import write_synthetic

    target = output or project.import_path("synthetic-england")
    return target, write_synthetic(target, providers, seed)


def export_project(
    project: Project, fmt: str, output: Path, areas: Sequence[str] = ()
) -> list[Path]:
    """Export the project's data in ``fmt`` (only the named areas, for network formats)."""
    from pcr_graph.share.export import export

    store = project.open()
    return export(store, fmt, output, resolve_areas(store, areas))


def push_project(
    project: Project,
    url: str,
    graph: str | None = None,
    *,
    update_url: str | None = None,
    store_url: str | None = None,
    retries: int = 4,
    connect_timeout: float = 10.0,
    read_timeout: float = 120.0,
) -> tuple[str, PushReport]:
    """Upload the project's data to the SPARQL server at ``url``: its query URL (without
    credentials), the report."""
    from pcr_graph.share.push import push_graph
    from pcr_graph.store.http import Endpoints, HttpClient, safe_url

    endpoints = Endpoints.from_url(url, update=update_url, store=store_url)
    client = HttpClient(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries=retries,
        retry_all_5xx=True,
    )
    report = push_graph(project.open().graph(), endpoints, graph, client=client)
    return safe_url(endpoints.query), report
