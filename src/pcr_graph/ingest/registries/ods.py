"""Importers for the NHS ODS registers of trusts (etr, ect), practices (epraccur) and
commissioners (eccg: CCGs and Sub-ICB locations)."""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from pcr_graph.core.ids import mint, provider_iri
from pcr_graph.core.namespaces import PCR, SECTOR
from pcr_graph.ingest.registries.accounting import Accounting
from pcr_graph.ingest.registries.kinds import (
    SETTING_NAMES,
    SETTING_SECTORS,
    STATUS,
)
from pcr_graph.ingest.registries.run import Result, Run
from pcr_graph.ingest.registries.values import (
    area_node,
    date_literal,
    restore_telephone,
    subarea_node,
)


def ods_area(code: str, areas: frozenset[str]) -> str:
    return code if code in areas else ""


def import_trusts(run: Run) -> tuple[Graph, Accounting]:
    areas = run.lookup.areas
    history = not run.accounting.current

    def handle(line: int, raw: list[str]) -> Result:
        cells = run.ods_cells(line, raw)
        if isinstance(cells, str):
            return cells
        code, name, area = cells[0], cells[1], cells[3]
        run.session.nodes.setdefault(code, provider_iri(ods_code=code))
        if history:
            return history_record(run, line, cells, status="closed" if cells[11] else "active")
        if area not in areas:
            why = " (Wales and elsewhere)" if area == "Q99" else ""
            return run.reject(
                line,
                "4",
                f"commissioning code {area or '(empty)'}{why} is outside the 42 areas, "
                "and a provider needs an area in England",
            )
        sector = SECTOR["ambulance"] if "AMBULANCE" in name.upper() else SECTOR["nhs-trust"]
        facts: list[tuple[URIRef, Node]] = [
            (RDF.type, PCR.Provider),
            (PCR.sector, sector),
            (PCR.operatesIn, area_node(area)),
            (PCR.statedArea, area_node(area)),
            (PCR.status, Literal("closed" if cells[11] else "active")),
            *run.ods_common(line, cells),
        ]
        node = provider_iri(ods_code=code)
        run.session.current_providers.add(node)
        return run.put(node, facts, line)

    return run.run(handle)


def history_record(run: Run, line: int, cells: list[str], status: str) -> Result:
    """An older release's row, kept as a ``pcr:RegistryRecord`` of the provider."""
    code = cells[0]
    provider = provider_iri(ods_code=code)
    release = run.accounting.release
    facts: list[tuple[URIRef, Node]] = [
        (RDF.type, PCR.RegistryRecord),
        (PCR.recordOf, provider),
        (PCR.release, Literal(release)),
        (SKOS.prefLabel, Literal(cells[1])),
        (PCR.odsCode, Literal(code)),
    ]
    if status:
        facts.append((PCR.status, Literal(status)))
    for column, prop in ((10, PCR.openDate), (11, PCR.closeDate)):
        day = date_literal(cells[column])
        if day is not None:
            facts.append((prop, day))
    if cells[9]:
        facts.append((PCR.postcode, Literal(cells[9])))
    if cells[3]:
        facts.append((SKOS.note, Literal(f"commissioning area code: {cells[3]}")))
    if cells[14]:
        facts.append((SKOS.note, Literal(f"commissioner: {cells[14]}")))
    current = run.session.current_providers
    if current and provider not in current:
        run.report(
            line,
            "1",
            (
                f"{code} is in release {release} but is no current provider "
                "(its row in the current release was rejected or is missing)"
            ),
        )
    return run.put(mint("record", release, code), facts, line)


def import_practices(run: Run) -> tuple[Graph, Accounting]:
    lookup = run.lookup
    history = not run.accounting.current

    def handle(line: int, raw: list[str]) -> Result:
        cells = run.ods_cells(line, raw)
        if isinstance(cells, str):
            return cells
        code, stated, commissioner, setting = cells[0], cells[3], cells[14], cells[25]
        run.session.practice_codes.add(code)
        run.session.nodes.setdefault(code, provider_iri(ods_code=code))
        sectors = SETTING_SECTORS.get(setting)
        if sectors is None:
            label = SETTING_NAMES.get(setting)
            if label is None:
                reason = f"prescribing setting {setting!r} is not a known ODS setting"
            elif setting == "0":
                reason = (
                    "prescribing setting 0 (other) does not say what kind of provider this "
                    "is, and pcr-graph does not guess a sector"
                )
            else:
                reason = (
                    f"prescribing setting {setting} ({label}) is not a provider type "
                    "pcr-graph models"
                )
            return run.reject(line, "26", reason)
        status = STATUS.get(cells[12], "")
        if history:
            return history_record(run, line, cells, status)
        via_subarea = lookup.subarea_area.get(commissioner, "")
        stated_area = ods_area(stated, lookup.areas)
        area = via_subarea or stated_area
        if not area:
            return run.reject(
                line,
                "15",
                f"no area can be determined: commissioner {commissioner or '(empty)'} is not "
                f"one of the 106 Sub-ICB locations and {stated or '(empty)'} is not one of "
                "the 42 areas",
            )
        if not status:
            run.report(line, "13", f"status code {cells[12]!r} is not A, C, D or P")
        if not via_subarea:
            run.report(
                line,
                "15",
                f"commissioner {commissioner or '(empty)'} is not one of the 106 Sub-ICB "
                f"locations; placed in the area it states, {stated}",
            )
        elif not stated_area:
            run.report(
                line,
                "4",
                f"stated area {stated or '(empty)'} is not one of the 42 areas; placed in "
                f"{via_subarea}, the area of its Sub-ICB location {commissioner}",
            )
        elif via_subarea != stated_area:
            run.report(
                line,
                "15",
                f"Sub-ICB location {commissioner} belongs to area {via_subarea}, but the "
                f"practice states area {stated_area}; placed in {via_subarea}",
            )
        facts: list[tuple[URIRef, Node]] = [
            (RDF.type, PCR.Provider),
            *((PCR.sector, SECTOR[s]) for s in sectors),
            (PCR.operatesIn, area_node(area)),
            *run.ods_common(line, cells),
        ]
        if status:
            facts.append((PCR.status, Literal(status)))
        if stated_area:
            facts.append((PCR.statedArea, area_node(stated_area)))
        else:
            facts.append((SKOS.note, Literal(f"commissioning area code: {stated}")))
        if via_subarea:
            facts.append((PCR.subArea, subarea_node(commissioner)))
        elif commissioner:
            facts.append((SKOS.note, Literal(f"commissioner: {commissioner}")))
        operator = cells[23]
        if (
            setting != "4"
            and operator != commissioner
            and re.fullmatch(r"[RT][0-9A-Z]{2}", operator)
        ):
            # Hospital and community services name the NHS trust that runs them here.
            facts.append((PCR.operatedBy, provider_iri(ods_code=operator)))
        phone, problem = restore_telephone(cells[17])
        if phone:
            facts.append((PCR.telephone, Literal(phone)))
        if problem:
            run.report(line, "18", problem)
        node = provider_iri(ods_code=code)
        run.session.current_providers.add(node)
        return run.put(node, facts, line)

    return run.run(handle)


def import_commissioners(run: Run) -> tuple[Graph, Accounting]:
    """ODS ``eccg``: CCGs and Sub-ICB locations, open and closed.

    One of the 106 Sub-ICB locations gains the facts it lacks (merged); another code (a CCG
    closed in 2020 or 2022, a reporting entity) becomes a ``pcr:SubArea`` of the area ODS
    gives it, with its close date, so older releases that name it can be placed. A code
    whose area is not one of the 42 is rejected.
    """
    lookup = run.lookup

    def handle(line: int, raw: list[str]) -> Result:
        cells = run.ods_cells(line, raw)
        if isinstance(cells, str):
            return cells
        code, area = cells[0], cells[3]
        if area not in lookup.areas:
            return run.reject(
                line,
                "4",
                f"area code {area or '(empty)'} is not one of the 42 areas, so the commissioner "
                "cannot be placed",
            )
        node = subarea_node(code)
        run.session.nodes.setdefault(code, node)
        facts: list[tuple[URIRef, Node]] = [
            (RDF.type, PCR.SubArea),
            (PCR.partOfArea, area_node(area)),
            (PCR.status, Literal("closed" if cells[11] else "active")),
            *run.ods_common(line, cells),
        ]
        known = lookup.subarea_area.get(code)
        if known and known != area:
            run.report(
                line,
                "4",
                f"ODS places {code} in {area}, the ONS lookup in {known}; the ONS area is kept",
            )
        return run.put(node, facts, line)

    return run.run(handle)
