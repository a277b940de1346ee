"""Importing one registry file or a whole folder: the order, current releases and history."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph

from pcr_graph.core.errors import DataError
from pcr_graph.core.namespaces import bind_prefixes
from pcr_graph.ingest.registries.accounting import Accounting
from pcr_graph.ingest.registries.cqc import import_care_homes
from pcr_graph.ingest.registries.kinds import (
    CQC_HOMES,
    CQC_LA_LOOKUP,
    GP_PCN_MAP,
    KINDS,
    LOOKUP_KINDS,
    ODS_COMMISSIONERS,
    ODS_PCN,
    ODS_PRACTICES,
    ODS_SUCCESSIONS,
    ODS_TRUSTS,
    ONS_CCG21,
    ONS_STP21,
    ONS_SUBICB,
    UNRECOGNISED,
    FileProgress,
    Progress,
)
from pcr_graph.ingest.registries.lookup import Lookup, reference_area_codes
from pcr_graph.ingest.registries.ods import (
    import_commissioners,
    import_practices,
    import_trusts,
)
from pcr_graph.ingest.registries.ons import (
    import_ccg21,
    import_la_lookup,
    import_stp21,
    import_subicb,
)
from pcr_graph.ingest.registries.pcn import import_epcn, import_practice_map
from pcr_graph.ingest.registries.run import Run, Session
from pcr_graph.ingest.registries.successions import import_successions
from pcr_graph.ingest.registries.tables import (
    Table,
    detect,
    files_in,
    read_table,
    workbook_table,
)
from pcr_graph.ingest.registries.values import (
    release_key,
    release_of,
)
from pcr_graph.ingest.registries.xlsx import is_xlsx

IMPORTERS: dict[str, Callable[[Run], tuple[Graph, Accounting]]] = {
    ONS_SUBICB: import_subicb,
    ONS_CCG21: import_ccg21,
    ONS_STP21: import_stp21,
    CQC_LA_LOOKUP: import_la_lookup,
    ODS_TRUSTS: import_trusts,
    ODS_PRACTICES: import_practices,
    CQC_HOMES: import_care_homes,
    ODS_COMMISSIONERS: import_commissioners,
    ODS_PCN: import_epcn,
    GP_PCN_MAP: import_practice_map,
    ODS_SUCCESSIONS: import_successions,
}


def import_table(
    table: Table,
    session: Session,
    current: bool,
    progress: Progress | None,
    graph: Graph | None = None,
) -> tuple[Graph, Accounting]:
    started = time.perf_counter()
    history = not current and table.kind in (ODS_TRUSTS, ODS_PRACTICES, ODS_PCN)
    graph = bind_prefixes(Graph()) if graph is None else graph
    run = Run(table, session, release_of(table), not history, progress, graph)
    graph, accounting = IMPORTERS[table.kind](run)
    accounting.seconds = table.seconds + time.perf_counter() - started
    return graph, accounting


# --------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------


def import_file(
    path: Path,
    kind: str | None = None,
    *,
    current: bool = True,
    progress: Progress | None = None,
    lookup: Lookup | None = None,
) -> tuple[Graph, Accounting]:
    """Import one registry file.

    Parameters
    ----------
    path
        The file.
    kind
        One of :data:`KINDS`; None detects it from the header or row shape.
    current
        For ODS files: False keeps the rows as history (``pcr:RegistryRecord``) instead of
        putting them on the provider nodes. Other kinds ignore it.
    progress
        Called as ``progress(rows_done, rows_total)`` every :data:`PROGRESS_EVERY` rows.
    lookup
        Area codes and lookups; None reads them from the file's own folder.

    Returns
    -------
    (Graph, Accounting)
        The triples, and what happened to every row.

    Raises
    ------
    DataError
        When the file is not a registry file of ``kind`` (or of any known kind).
    """
    path = Path(path)
    kind = kind or detect(path)
    if kind is None:
        raise DataError(f"{path.name}: not a registry file pcr-graph recognises")
    if kind not in IMPORTERS:
        raise DataError(f"unknown registry kind {kind!r} (one of {', '.join(KINDS)})")
    table = read_table(path, kind)
    session = Session(lookup if lookup is not None else Lookup.from_folder(path.parent))
    return import_table(table, session, current, progress)


def import_registries(
    folder: Path, *, progress: FileProgress | None = None, lookup: Lookup | None = None
) -> tuple[Graph, list[Accounting]]:
    """Import every registry file in ``folder`` into one graph.

    Files are found in ``folder`` and its subfolders. Lookups come first, then
    commissioners, trusts, practices, care homes, PCN releases and maps, and successions
    last. Of several releases of one ODS register (files of one kind sharing most of their
    codes), the newest is current and the older ones are kept as history. CQC lists are
    imported newest first, so homes with a CQC location id keep it as their IRI when an
    older list without ids names them too.
    Files that are not recognised are listed with kind ``unrecognised`` and nothing read.

    Parameters
    ----------
    folder
        A folder of registry files (other files are listed, not read).
    progress
        Called as ``progress(file_name, rows_done, rows_total)``.
    lookup
        Area codes and lookups; None reads them from ``folder``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder")
    tables: list[Table] = []
    accountings: list[Accounting] = []
    for path in files_in(folder):
        table = _sniff(path)
        if table is None:
            accountings.append(Accounting(path.name, UNRECOGNISED, ""))
        else:
            tables.append(table)
    session = Session(lookup if lookup is not None else _lookup_of(tables))
    graph = bind_prefixes(Graph())
    for table, current in _plan(tables):
        name = table.path.name

        def file_progress(done: int, total: int, name: str = name) -> None:
            if progress is not None:
                progress(name, done, total)

        # One graph for all files: adding each triple once halves the time of a big import.
        _, accounting = import_table(table, session, current, file_progress, graph)
        accountings.append(accounting)
    return graph, accountings


def _sniff(path: Path) -> Table | None:
    """The file read as the kind it is, or None; a workbook is opened once, not twice."""
    if is_xlsx(path):
        try:
            return workbook_table(path)
        except DataError:
            return None
    kind = detect(path)
    return None if kind is None else read_table(path, kind)


def _lookup_of(tables: list[Table]) -> Lookup:
    lookup = Lookup()
    for table in tables:
        if table.kind in LOOKUP_KINDS:
            lookup.add(table)
    if not lookup.areas:
        lookup.areas = reference_area_codes()
    return lookup


def _codes(table: Table) -> set[str]:
    if table.parts:  # a workbook: the codes of its first part (the PCNs)
        return _codes(table.parts[0])
    return {cells[0].strip() for _, cells in table.rows if cells}


def _plan(tables: list[Table]) -> list[tuple[Table, bool]]:
    """The order of import, and whether each file is current."""
    plan: list[tuple[Table, bool]] = []
    for kind in KINDS:
        group = sorted(
            (t for t in tables if t.kind == kind),
            key=lambda t: (release_key(release_of(t)), "CQC_ID" in t.header, t.path.name),
            reverse=True,
        )
        current_codes: set[str] = set()
        for table in group:
            current = True
            if kind in (ODS_TRUSTS, ODS_PRACTICES, ODS_PCN):
                codes = _codes(table)
                # An older file sharing most codes with a newer one is an earlier release of
                # the same register (etr and ect share none, so both stay current).
                current = len(codes & current_codes) * 2 <= len(codes)
                if current:
                    current_codes |= codes
            plan.append((table, current))
    return plan
