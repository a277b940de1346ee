"""Importer for CQC care-home lists."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD
from rdflib.term import Node

from pcr_graph.core.ids import mint, provider_iri
from pcr_graph.core.namespaces import PCR, SECTOR
from pcr_graph.ingest.registries.accounting import Accounting
from pcr_graph.ingest.registries.run import Result, Run
from pcr_graph.ingest.registries.values import (
    area_node,
    missing,
    name_key,
    postcode_key,
    release_key,
    restore_telephone,
)

CQC_COLUMNS = (
    "NAME",
    "CQC_ID",
    "TYPE",
    "ADDRESS",
    "POSTCODE",
    "TELEPHONE",
    "WEBSITE",
    "PROVIDER",
    "AREA_NAME",
)


def import_care_homes(run: Run) -> tuple[Graph, Accounting]:
    header = run.table.header
    col = {name: header.index(name) for name in CQC_COLUMNS if name in header}
    tag = release_key(run.accounting.release) or "undated"
    session = run.session

    def cell(cells: list[str], name: str) -> str:
        index = col.get(name)
        value = cells[index].strip() if index is not None and index < len(cells) else ""
        return "" if missing(value) else value

    def handle(line: int, cells: list[str]) -> Result:
        name, postcode, cqc_id = cell(cells, "NAME"), cell(cells, "POSTCODE"), cell(cells, "CQC_ID")
        if not name:
            return run.reject(line, "name", "the care home has no name")
        authority = cell(cells, "AREA_NAME")
        areas, note = run.lookup.place_local_authority(authority)
        if not areas:
            return run.reject(
                line,
                "area_name",
                f"local authority {authority or '(empty)'} is not in a local authority → "
                "ICB lookup and no 2021 CCG is named after it: no area can be determined",
            )
        key = (name_key(name), postcode_key(postcode))
        node = session.homes.get(key)
        if cqc_id and (node is None or session.home_ids.get(node, cqc_id) != cqc_id):
            # Same name and postcode but another CQC location: a different home.
            node = provider_iri(cqc_location_id=cqc_id)
        if node is None:
            node = mint("provider", "cqc-list", tag, name, postcode)
        session.homes.setdefault(key, node)
        if cqc_id:
            session.home_ids.setdefault(node, cqc_id)
        if note:
            run.report(line, "area_name", note)
        if len(areas) > 1:
            run.report(
                line,
                "area_name",
                f"local authority {authority} lies in {len(areas)} areas "
                f"({', '.join(areas)}); the home is placed in each",
            )
        facts: list[tuple[URIRef, Node]] = [
            (RDF.type, PCR.Provider),
            (SKOS.prefLabel, Literal(name)),
            (PCR.sector, SECTOR["care-home"]),
            *((PCR.operatesIn, area_node(a)) for a in areas),
        ]
        if cqc_id:
            facts.append((PCR.cqcLocationId, Literal(cqc_id)))
        if postcode:
            facts.append((PCR.postcode, Literal(postcode)))
        else:
            run.report(line, "postcode", f"{name} has no postcode")
        for column, prop in (("ADDRESS", PCR.address), ("PROVIDER", PCR.operatorName)):
            if cell(cells, column):
                facts.append((prop, Literal(cell(cells, column))))
        if cell(cells, "WEBSITE"):
            facts.append((PCR.website, Literal(cell(cells, "WEBSITE"), datatype=XSD.anyURI)))
        if cell(cells, "TYPE"):
            facts.append((SKOS.note, Literal(f"CQC list type: {cell(cells, 'TYPE')}")))
        phone, problem = restore_telephone(cell(cells, "TELEPHONE"))
        if phone:
            facts.append((PCR.telephone, Literal(phone)))
        if problem:
            run.report(line, "telephone", problem)
        session.current_providers.add(node)
        return run.put(node, facts, line)

    def ident(cells: list[str]) -> tuple[str, str]:
        return cell(cells, "CQC_ID") or cell(cells, "POSTCODE"), cell(cells, "NAME")

    return run.run(handle, ident)
