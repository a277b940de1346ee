"""Importers for the ONS lookups (Sub-ICB locations, 2021 CCGs and STPs) and the CQC
local authority lookup."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from pcr_graph.core.namespaces import PCR
from pcr_graph.ingest.registries.accounting import Accounting
from pcr_graph.ingest.registries.kinds import (
    QCODE,
)
from pcr_graph.ingest.registries.run import Result, Run, columns_ident
from pcr_graph.ingest.registries.tables import (
    subicb_prefix,
)
from pcr_graph.ingest.registries.values import (
    area_node,
    name_key,
    subarea_node,
)


def import_subicb(run: Run) -> tuple[Graph, Accounting]:
    prefix = subicb_prefix(run.table.header)
    cd, cdh, nm, icb = run.table.columns(f"{prefix}CD", f"{prefix}CDH", f"{prefix}NM", "ICB22CDH")

    def handle(line: int, cells: list[str]) -> Result:
        cells = [c.strip() for c in cells]
        code, ons, name, area = cells[cdh], cells[cd], cells[nm], cells[icb]
        if not code:
            return run.reject(line, f"{prefix}CDH", "the Sub-ICB location has no ODS code")
        if not QCODE.match(area):
            return run.reject(line, "ICB22CDH", f"{area!r} is not an ICB ODS code (Q..)")
        facts: list[tuple[URIRef, Node]] = [
            (RDF.type, PCR.SubArea),
            (SKOS.prefLabel, Literal(name)),
            (PCR.odsCode, Literal(code)),
            (PCR.onsCode2022, Literal(ons)),
            (PCR.partOfArea, area_node(area)),
        ]
        run.session.nodes.setdefault(code, subarea_node(code))
        return run.put(subarea_node(code), facts, line)

    return run.run(handle, columns_ident(cdh, nm))


def import_ccg21(run: Run) -> tuple[Graph, Accounting]:
    cd, cdh, nm = run.table.columns("CCG21CD", "CCG21CDH", "CCG21NM")
    lookup = run.lookup

    def handle(line: int, cells: list[str]) -> Result:
        cells = [c.strip() for c in cells]
        ons, code, name = cells[cd], cells[cdh], cells[nm]
        subarea = lookup.subarea_by_ons.get(ons)
        if subarea is None:
            if code not in lookup.subarea_area:
                return run.reject(
                    line,
                    "CCG21CD",
                    f"neither {ons} nor {code} is a 2022 Sub-ICB location of the ONS lookup",
                )
            subarea = code
            new = next((e for e, c in lookup.subarea_by_ons.items() if c == code), "?")
            run.report(
                line,
                "CCG21CD",
                f"{name} ({ons}) has no 2022 Sub-ICB location with that ONS code: its boundary "
                f"changed in 2022 and Sub-ICB location {code} now has ONS code {new}; "
                f"joined on the ODS code {code}",
            )
        facts: list[tuple[URIRef, Node]] = [
            (SKOS.altLabel, Literal(name)),
            (PCR.onsCode2021, Literal(ons)),
        ]
        return run.put(subarea_node(subarea), facts, line, exists=True)

    return run.run(handle, columns_ident(cdh, nm))


def import_stp21(run: Run) -> tuple[Graph, Accounting]:
    cd, cdh, nm = run.table.columns("STP21CD", "STP21CDH", "STP21NM")
    areas = run.lookup.areas

    def handle(line: int, cells: list[str]) -> Result:
        cells = [c.strip() for c in cells]
        if cells[cdh] not in areas:
            return run.reject(line, "STP21CDH", f"{cells[cdh]!r} is not one of the 42 areas")
        facts: list[tuple[URIRef, Node]] = [
            (PCR.odsCode, Literal(cells[cdh])),
            (PCR.onsCode2021, Literal(cells[cd])),
            (SKOS.altLabel, Literal(cells[nm])),
        ]
        return run.put(area_node(cells[cdh]), facts, line, exists=True)

    return run.run(handle, columns_ident(cdh, nm))


def import_la_lookup(run: Run) -> tuple[Graph, Accounting]:
    """Each row is a local authority → area entry of the lookup; no triples but provenance."""
    la, icb = run.table.columns("LOCATION.LOCAL.AUTHORITY", "ICB22CDH")
    seen: set[tuple[str, str]] = set()
    areas = run.lookup.areas

    def handle(line: int, cells: list[str]) -> Result:
        name, area = cells[la].strip(), cells[icb].strip()
        if not name:
            return run.reject(line, "Location.Local.Authority", "no local authority named")
        if area not in areas:
            return run.reject(line, "ICB22CDH", f"{area!r} is not one of the 42 areas")
        pair = (name_key(name), area)
        if pair in seen:
            return "merged"
        seen.add(pair)
        return "imported"

    return run.run(handle, columns_ident(icb, la))
