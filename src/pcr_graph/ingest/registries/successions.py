"""Importer for ODS successions (``succ``): which organisation code succeeded which.

Organisations change code when they merge or are reorganised: trust RW6 went into RM3 and
R0A in 2021, CCGs became Sub-ICB locations in 2022. Each row of ``succ`` becomes one
``pcr:Succession`` (``pcr:predecessor``, ``pcr:successor``, ``dcterms:date`` the effective
date) plus the shortcut ``old dcterms:isReplacedBy new``, so a trust or practice that changed
code is one history, and memberships of old and new codes meet.

Only successions touching an organisation this import holds are kept: a row linking two
codes the import knows nothing of (most of ``succ`` is health authorities of the 1990s and
2000s) is rejected with that reason, never guessed into a node. The other side of a kept
row gets the IRI of the same kind of organisation as the side that is known.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS
from rdflib.term import Node

from pcr_graph.core.ids import mint
from pcr_graph.core.namespaces import ID, PCR
from pcr_graph.ingest.registries.accounting import Accounting
from pcr_graph.ingest.registries.kinds import DATE8, ODS_CODE
from pcr_graph.ingest.registries.run import Result, Run
from pcr_graph.ingest.registries.values import date_literal


def _same_kind(known: URIRef, code: str) -> URIRef:
    """The IRI ``code`` would have as an organisation of the same kind as ``known``."""
    kind = str(known)[len(str(ID)) :].rsplit("/", 1)[0]
    return mint(*kind.split("/"), code)


def import_successions(run: Run) -> tuple[Graph, Accounting]:
    nodes = run.session.nodes

    def handle(line: int, cells: list[str]) -> Result:
        cells = [c.strip() for c in cells]
        if len(cells) != 5:
            return run.reject(line, "", f"{len(cells)} cells, expected the 5 of ODS succ")
        old, new, reason, effective, indicator = cells
        for column, code in (("1", old), ("2", new)):
            if not ODS_CODE.match(code):
                return run.reject(line, column, f"{code!r} is not an ODS code")
        day = date_literal(effective) if DATE8.match(effective) else None
        if day is None:
            return run.reject(line, "4", f"effective date {effective!r} is not a YYYYMMDD date")
        before, after = nodes.get(old), nodes.get(new)
        if before is None and after is None:
            return run.reject(
                line,
                "1",
                f"neither {old} nor {new} is an organisation of this import (NHS trust, GP "
                "practice, CCG or Sub-ICB location, PCN)",
            )
        before = before or _same_kind(after, old)  # type: ignore[arg-type]
        after = after or _same_kind(before, new)
        facts: list[tuple[URIRef, Node]] = [
            (RDF.type, PCR.Succession),
            (PCR.predecessor, before),
            (PCR.successor, after),
            (DCTERMS.date, day),
            (PCR.release, Literal(run.accounting.release)),
            (SKOS.prefLabel, Literal(f"{old} succeeded by {new} on {day}")),
        ]
        if reason:
            facts.append((SKOS.note, Literal(f"succession reason: {reason}")))
        if indicator:
            facts.append((SKOS.note, Literal(f"ODS succession indicator: {indicator}")))
        run.graph.add((before, DCTERMS.isReplacedBy, after))
        return run.put(mint("succession", old, new, effective), facts, line)

    def ident(cells: list[str]) -> tuple[str, str]:
        old = cells[0].strip() if cells else ""
        new = cells[1].strip() if len(cells) > 1 else ""
        return old, f"{old} -> {new}"

    return run.run(handle, ident)
