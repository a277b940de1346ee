"""Merging a corrected rejects folder into the import it came from, without duplicates.

Every record keeps the IRI its workbook id gives it, so a row imported twice is the same
triples; what changes is where it was read from (``pcr:sourceLocation``), the note on a
link that waited for a rejected evidence row, and the import run's count of rows still
missing (recorded by the importer).
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, SKOS

from pcr_graph.core.namespaces import PCR, bind_prefixes
from pcr_graph.ingest.workbook.template import PENDING_NOTE


def merge_graphs(base: Graph, new: Graph, run: URIRef) -> tuple[Graph, int, int]:
    """``base`` with ``new`` added: the merged graph, rows missing before, records added.

    ``run`` is the import run of both: its count of rejected rows and its end time are
    dropped from ``base`` (the caller records new ones).
    """
    before = base.value(run, PCR.rejectedRowCount)
    missing_before = int(before.toPython()) if isinstance(before, Literal) else 0
    known = set(base.subjects(PCR.sourceLocation))
    read = set(new.subjects(PCR.sourceLocation))
    replaced = read & known
    merged = bind_prefixes(Graph())
    for s, p, o in base:
        if s == run and p in (PCR.rejectedRowCount, PROV.endedAtTime):
            continue
        if s in replaced and (
            p == PCR.sourceLocation or (p == SKOS.note and str(o).startswith(PENDING_NOTE))
        ):
            continue
        merged.add((s, p, o))
    for triple in new:
        merged.add(triple)
    return merged, missing_before, len(read - known)
