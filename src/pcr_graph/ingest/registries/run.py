"""The import of one file: its graph, its accounting, and the state shared across files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal as Outcome

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS
from rdflib.term import Node

from pcr_graph.core.files import sha256_of
from pcr_graph.core.ids import mint
from pcr_graph.core.namespaces import PCR
from pcr_graph.ingest.registries.accounting import Accounting, RegistryProblem
from pcr_graph.ingest.registries.kinds import (
    MULTI_VALUED,
    ODS_CODE,
    ODS_COLUMNS,
    PROGRESS_EVERY,
    Progress,
)
from pcr_graph.ingest.registries.lookup import Lookup
from pcr_graph.ingest.registries.tables import (
    Table,
)
from pcr_graph.ingest.registries.values import (
    date_literal,
)

Result = Outcome["imported", "merged", "rejected"]

Ident = Callable[[list[str]], tuple[str, str]]
"""A row's key and name, as its problems show them."""


def first_two(cells: list[str]) -> tuple[str, str]:
    """The first two cells, stripped: code and name in ODS and ONS files."""
    key = cells[0].strip() if cells else ""
    name = cells[1].strip() if len(cells) > 1 else ""
    return key, name


def columns_ident(key: int, name: int) -> Ident:
    """A row's key and name from the given columns."""

    def ident(cells: list[str]) -> tuple[str, str]:
        return (
            cells[key].strip() if key < len(cells) else "",
            cells[name].strip() if name < len(cells) else "",
        )

    return ident


class Session:
    """State shared by the files of one :func:`import_registries` call (or one file)."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup
        self.predicates: dict[URIRef, set[URIRef]] = {}
        self.homes: dict[tuple[str, str], URIRef] = {}
        self.home_ids: dict[URIRef, str] = {}
        self.current_providers: set[URIRef] = set()
        self.practice_codes: set[str] = set()
        """Codes of every row of every practice register release read (any outcome)."""
        self.nodes: dict[str, URIRef] = {}
        """ODS code → node, for every organisation imported (successions link these)."""


class Run:
    """The import of one file: its graph and its accounting."""

    def __init__(
        self,
        table: Table,
        session: Session,
        release: str,
        current: bool,
        progress: Progress | None,
        graph: Graph,
    ) -> None:
        self.table = table
        self.file = table.path.name
        self.session = session
        self.lookup = session.lookup
        self.graph = graph
        self.accounting = Accounting(self.file, table.kind, release, current=current)
        self.progress = progress
        self.where = self.file
        """How ``pcr:sourceLocation`` names the file (a workbook adds the sheet)."""
        self.row: tuple[str, str] = ("", "")
        """The key and name of the row being imported, for its problems."""

    # -- writing
    def put(
        self, node: URIRef, facts: Iterable[tuple[URIRef, Node]], line: int, *, exists: bool = False
    ) -> Result:
        """Add a row's facts to ``node``: all of them to a new node, only the missing ones
        (and the multi-valued ones) to a node that exists already (a merge)."""
        predicates = self.session.predicates.get(node)
        merged = exists or predicates is not None
        if predicates is None:
            predicates = self.session.predicates[node] = set()
        before = frozenset(predicates) if merged else frozenset()
        add = self.graph.add
        for p, o in facts:
            if not merged or p in MULTI_VALUED or p not in before:
                add((node, p, o))
                predicates.add(p)
        add((node, PCR.sourceLocation, Literal(f"{self.where} line {line}")))
        predicates.add(PCR.sourceLocation)
        return "merged" if merged else "imported"

    # -- accounting
    def reject(self, line: int, column: str, reason: str) -> Result:
        key, name = self.row
        problem = RegistryProblem(self.file, line, column, reason, key=key, name=name)
        self.accounting.rejections.append(problem)
        return "rejected"

    def report(self, line: int, column: str, problem: str) -> None:
        key, name = self.row
        found = RegistryProblem(self.file, line, column, problem, key=key, name=name)
        self.accounting.reported.append(found)

    def run(
        self, handle: Callable[[int, list[str]], Result], ident: Ident = first_two
    ) -> tuple[Graph, Accounting]:
        """Import every row with ``handle``, then add the provenance and check the sums."""
        self.run_rows(self.table.rows, handle, ident)
        return self.finish()

    def finish(self) -> tuple[Graph, Accounting]:
        """Add the import's provenance and check that every row read is accounted for."""
        self._provenance()
        self.accounting.check()
        return self.graph, self.accounting

    def run_rows(
        self,
        rows: list[tuple[int, list[str]]],
        handle: Callable[[int, list[str]], Result],
        ident: Ident = first_two,
        *,
        done: int = 0,
        total: int = 0,
    ) -> None:
        """Import ``rows`` with ``handle``, counting each outcome; ``ident`` gives a row's
        key and name for its problems. ``done`` and ``total`` place these rows in a file
        of several parts, for progress."""
        total = total or len(rows)
        acc = self.accounting
        for index, (line, cells) in enumerate(rows, done + 1):
            self.row = ident(cells)
            outcome = handle(line, cells)
            acc.read += 1
            if outcome == "imported":
                acc.imported += 1
            elif outcome == "merged":
                acc.merged += 1
            else:
                acc.rejected += 1
            if self.progress is not None and (index % PROGRESS_EVERY == 0 or index == total):
                self.progress(index, total)
        self.row = ("", "")

    def _provenance(self) -> None:
        digest = sha256_of(self.table.path)
        run = mint("import", "registry", digest)
        source = mint("import", "file", digest)
        self.graph.add((run, RDF.type, PCR.ImportRun))
        self.graph.add((run, SKOS.prefLabel, Literal(f"Import of registry file {self.file}")))
        self.graph.add((run, PCR.release, Literal(self.accounting.release)))
        self.graph.add((run, PCR.sha256, Literal(digest)))
        self.graph.add((run, PCR.rowCount, Literal(self.accounting.read)))
        self.graph.add((run, PROV.used, source))
        self.graph.add((source, RDF.type, PROV.Entity))
        self.graph.add((source, DCTERMS.title, Literal(self.file)))
        self.graph.add((source, PCR.sha256, Literal(digest)))

    # -- ODS helpers
    def ods_cells(self, line: int, cells: list[str]) -> list[str] | Result:
        if len(cells) != ODS_COLUMNS:
            return self.reject(line, "", f"{len(cells)} cells, expected the {ODS_COLUMNS} of ODS")
        cells = [c.strip() for c in cells]
        if not ODS_CODE.match(cells[0]):
            return self.reject(line, "1", f"organisation code {cells[0]!r} is not an ODS code")
        if not cells[1]:
            return self.reject(line, "2", "the organisation has no name")
        return cells

    def ods_common(self, line: int, cells: list[str]) -> list[tuple[URIRef, Node]]:
        """Name, code, address, postcode, dates and telephone of an ODS row."""
        facts: list[tuple[URIRef, Node]] = [
            (SKOS.prefLabel, Literal(cells[1])),
            (PCR.odsCode, Literal(cells[0])),
        ]
        address = ", ".join(c for c in cells[4:9] if c)
        if address:
            facts.append((PCR.address, Literal(address)))
        if cells[9]:
            facts.append((PCR.postcode, Literal(cells[9])))
        else:
            self.report(line, "10", f"{cells[0]} has no postcode")
        for column, prop in ((10, PCR.openDate), (11, PCR.closeDate)):
            if cells[column]:
                day = date_literal(cells[column])
                if day is None:
                    self.report(line, str(column + 1), f"{cells[column]!r} is not a YYYYMMDD date")
                else:
                    facts.append((prop, day))
        return facts
