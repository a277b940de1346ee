"""Importers for Primary Care Networks: ODS ePCN workbooks and the GP practice → PCN map.

A Primary Care Network (PCN) is a formal, dated collaboration of GP practices, published by
NHS Digital's Organisation Data Service. It is registry structure, not an observation of
joint work, so it is modelled apart from reviewed collaboration: a
``pcr:PrimaryCareNetwork`` (never a ``pcr:CollaborationLink``) and one
``pcr:NetworkMembership`` per practice-to-PCN row, each with the ``pcr:release`` it was
published in.

ePCN workbook (``ods-pcn``)
    A sheet of PCNs (code, name, Sub-ICB location or, in 2019, CCG, open and close dates,
    address) and a sheet of memberships (practice, PCN, both parents, start and end dates).
    Sheets are recognised by their headers, never their names (2019: ``PCN Details``, 2023:
    ``PCNDetails``). The membership sheet's PCN name and "match" columns are left alone (in
    2019 they are VLOOKUP formulas): the PCN is joined on its code, and whether practice and
    PCN share a Sub-ICB location is worked out from the codes. Every row of both sheets is
    accounted for. The newest release is current (the PCN's name, area, dates and address go
    on the PCN); an older one becomes one ``pcr:RegistryRecord`` per PCN.
GP practice → PCN map (``gp-practice-pcn-map``)
    One undated membership per practice, from NHS Digital's "patients registered at a GP
    practice" publication.

Reported (imported as published, listed with the reason): a PCN whose Sub-ICB location is
not one of the 106 (with how it was placed, if it was), a practice whose own Sub-ICB
location differs from its PCN's, a membership that ends before it starts, a practice code
that no release of the practice register lists, a map row naming a PCN that no ePCN release
lists. Rejected: rows without a usable practice or PCN code, memberships of a PCN the
workbook does not list.
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from pcr_graph.core.ids import mint, provider_iri
from pcr_graph.core.namespaces import COLLABSOURCE, PCR
from pcr_graph.ingest.registries.accounting import Accounting
from pcr_graph.ingest.registries.kinds import ODS_CODE
from pcr_graph.ingest.registries.run import Result, Run
from pcr_graph.ingest.registries.tables import (
    MEMBER_HEADERS,
    PCN_HEADERS,
    find_columns,
)
from pcr_graph.ingest.registries.values import (
    area_node,
    date_literal,
    parse_date,
    release_key,
    subarea_node,
)

PCN_CODE = re.compile(r"^U\d{5}$")
"""An ODS PCN code: U and five digits."""


def pcn_iri(code: str) -> URIRef:
    """The node of a PCN, keyed by its ODS code: ``id/pcn/U12345``."""
    return mint("pcn", code)


def membership_iri(release: str, practice: str, pcn: str, start: str) -> URIRef:
    """One published practice-to-PCN membership of one release."""
    return mint("pcn-membership", release_key(release) or "undated", practice, pcn, start)


def _pcn_facts(code: str, name: str, release: str) -> list[tuple[URIRef, Node]]:
    return [
        (RDF.type, PCR.PrimaryCareNetwork),
        (SKOS.prefLabel, Literal(name)),
        (PCR.odsCode, Literal(code)),
        (PCR.release, Literal(release)),
        (PCR.collaborationSource, COLLABSOURCE["published-structure"]),
    ]


def _check_practice(run: Run, line: int, column: str, practice: str) -> None:
    codes = run.session.practice_codes
    if codes and practice not in codes:
        run.report(
            line,
            column,
            f"practice {practice} is in no release of the practice register (epraccur) "
            "imported; its membership is kept as published",
        )


def import_epcn(run: Run) -> tuple[Graph, Accounting]:
    """Both sheets of an ePCN workbook: PCNs first, then memberships joined on PCN code."""
    pcns, members = run.table.parts
    pc = find_columns(pcns.header, PCN_HEADERS)
    mc = find_columns(members.header, MEMBER_HEADERS)
    address = [i for i, h in enumerate(pcns.header) if h.startswith("ADDRESS LINE")]
    release = run.accounting.release
    current = run.accounting.current
    lookup = run.lookup
    session = run.session
    listed: dict[str, str] = {}  # PCN code -> its Sub-ICB location (or CCG) in this release

    def col(table_sheet: str, header: tuple[str, ...], index: int) -> str:
        return f"{table_sheet}: {header[index]}"

    def cell(cells: list[str], index: int) -> str:
        return cells[index].strip() if index < len(cells) else ""

    def handle_pcn(line: int, cells: list[str]) -> Result:
        code, name, commissioner = (cell(cells, pc[k]) for k in ("code", "name", "commissioner"))
        if not PCN_CODE.match(code):
            return run.reject(
                line,
                col(pcns.sheet, pcns.header, pc["code"]),
                f"PCN code {code!r} is not an ODS PCN code (U and five digits)",
            )
        if not name:
            return run.reject(line, col(pcns.sheet, pcns.header, pc["name"]), "the PCN has no name")
        listed[code] = commissioner
        area, note = lookup.place_commissioner(commissioner)
        where = col(pcns.sheet, pcns.header, pc["commissioner"])
        if commissioner not in lookup.subarea_area:
            run.report(
                line,
                where,
                f"PCN {code}'s Sub-ICB location {commissioner or '(empty)'} is not one of the "
                "106 Sub-ICB locations; "
                + (f"placed in {area}: {note}" if area else "no area can be determined"),
            )
        node = pcn_iri(code)
        session.nodes.setdefault(code, node)
        details: list[tuple[URIRef, Node]] = []
        if commissioner in lookup.subarea_area:
            details.append((PCR.subArea, subarea_node(commissioner)))
        elif commissioner:
            details.append((SKOS.note, Literal(f"commissioner: {commissioner}")))
        if area:
            details.append((PCR.area, area_node(area)))
        for key, prop in (("open", PCR.openDate), ("close", PCR.closeDate)):
            text = cell(cells, pc[key])
            if text:
                day = date_literal(text)
                if day is None:
                    run.report(
                        line,
                        col(pcns.sheet, pcns.header, pc[key]),
                        f"{text!r} is not a YYYYMMDD date",
                    )
                else:
                    details.append((prop, day))
        lines = ", ".join(cell(cells, i) for i in address if cell(cells, i))
        if lines:
            details.append((PCR.address, Literal(lines)))
        if cell(cells, pc["postcode"]):
            details.append((PCR.postcode, Literal(cell(cells, pc["postcode"]))))
        basics = _pcn_facts(code, name, release)
        if current:
            return run.put(node, basics + details, line)
        # An older release: the PCN exists (or is made) with its name, and the release's
        # own facts become a record of it.
        run.put(node, basics, line)
        record: list[tuple[URIRef, Node]] = [
            (RDF.type, PCR.RegistryRecord),
            (PCR.recordOf, node),
            (PCR.release, Literal(release)),
            (SKOS.prefLabel, Literal(name)),
            (PCR.odsCode, Literal(code)),
            *details,
        ]
        return run.put(mint("record", release, code), record, line)

    def handle_member(line: int, cells: list[str]) -> Result:
        practice, pcn = cell(cells, mc["practice"]), cell(cells, mc["pcn"])
        if not ODS_CODE.match(practice):
            return run.reject(
                line,
                col(members.sheet, members.header, mc["practice"]),
                f"practice code {practice!r} is not an ODS code",
            )
        if pcn not in listed:
            return run.reject(
                line,
                col(members.sheet, members.header, mc["pcn"]),
                f"PCN {pcn or '(empty)'} is not in this workbook's PCN sheet (or its row there "
                "was rejected), so the membership cannot be joined to a PCN",
            )
        start, end = cell(cells, mc["start"]), cell(cells, mc["end"])
        facts: list[tuple[URIRef, Node]] = [
            (RDF.type, PCR.NetworkMembership),
            (PCR.practice, provider_iri(ods_code=practice)),
            (PCR.network, pcn_iri(pcn)),
            (PCR.release, Literal(release)),
        ]
        for key, text, prop in (("start", start, PCR.startDate), ("end", end, PCR.endDate)):
            if not text:
                continue
            day = date_literal(text)
            if day is None:
                run.report(
                    line,
                    col(members.sheet, members.header, mc[key]),
                    f"{text!r} is not a YYYYMMDD date; not kept",
                )
            else:
                facts.append((prop, day))
        begun, ended = parse_date(start), parse_date(end)
        if begun and ended and ended < begun:
            run.report(
                line,
                col(members.sheet, members.header, mc["end"]),
                f"the membership of {practice} in {pcn} ends ({ended.isoformat()}) before it "
                f"starts ({begun.isoformat()}); kept as published",
            )
        own = cell(cells, mc["practice_commissioner"])
        theirs = listed[pcn] or cell(cells, mc["pcn_commissioner"])
        if own and theirs and own != theirs:
            run.report(
                line,
                col(members.sheet, members.header, mc["practice_commissioner"]),
                f"practice {practice}'s own Sub-ICB location {own} differs from that of its "
                f"PCN {pcn}, {theirs}",
            )
        _check_practice(run, line, col(members.sheet, members.header, mc["practice"]), practice)
        return run.put(membership_iri(release, practice, pcn, start or "undated"), facts, line)

    def pcn_ident(cells: list[str]) -> tuple[str, str]:
        return cell(cells, pc["code"]), cell(cells, pc["name"])

    def member_ident(cells: list[str]) -> tuple[str, str]:
        return cell(cells, mc["practice"]), cell(cells, mc["practice_name"])

    total = len(pcns.rows) + len(members.rows)
    run.where = f"{run.file} sheet {pcns.sheet}"
    run.run_rows(pcns.rows, handle_pcn, pcn_ident, total=total)
    run.where = f"{run.file} sheet {members.sheet}"
    run.run_rows(members.rows, handle_member, member_ident, done=len(pcns.rows), total=total)
    run.where = run.file
    return run.finish()


def import_practice_map(run: Run) -> tuple[Graph, Accounting]:
    """NHS Digital's practice → PCN map: one undated membership per row."""
    code, name, pcn, pcn_name = run.table.columns(
        "PRACTICE_CODE", "PRACTICE_NAME", "PCN_CODE", "PCN_NAME"
    )
    release = run.accounting.release
    session = run.session

    def handle(line: int, cells: list[str]) -> Result:
        cells = [c.strip() for c in cells]
        if len(cells) <= max(code, name, pcn, pcn_name):
            return run.reject(line, "", f"{len(cells)} cells, fewer than the header's")
        practice, network = cells[code], cells[pcn]
        if not ODS_CODE.match(practice):
            return run.reject(line, "PRACTICE_CODE", f"{practice!r} is not an ODS code")
        if not PCN_CODE.match(network):
            return run.reject(
                line,
                "PCN_CODE",
                f"the map puts practice {practice} in no PCN (PCN code {network or '(empty)'}, "
                "not U and five digits): there is no membership to import",
            )
        node = pcn_iri(network)
        if node not in session.predicates:
            run.report(
                line,
                "PCN_CODE",
                f"PCN {network} ({cells[pcn_name]}) is in no ePCN release imported; it is "
                "known from this map only",
            )
            run.put(node, _pcn_facts(network, cells[pcn_name] or network, release), line)
            session.nodes.setdefault(network, node)
        else:
            run.graph.add((node, PCR.release, Literal(release)))
        _check_practice(run, line, "PRACTICE_CODE", practice)
        facts: list[tuple[URIRef, Node]] = [
            (RDF.type, PCR.NetworkMembership),
            (PCR.practice, provider_iri(ods_code=practice)),
            (PCR.network, node),
            (PCR.release, Literal(release)),
        ]
        return run.put(membership_iri(release, practice, network, "undated"), facts, line)

    def ident(cells: list[str]) -> tuple[str, str]:
        get = [c.strip() for c in cells]
        return (
            get[code] if code < len(get) else "",
            get[name] if name < len(get) else "",
        )

    return run.run(handle, ident)
