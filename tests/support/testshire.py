"""Testshire: a small fictional system in the store, shared by the network and change tests."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from pcr_graph.store.engines import Store
from pcr_graph.store.project import Project

WB = "https://w3id.org/pcr-graph/id/wb/testshire/"


FIXTURE = """
@prefix pcr: <https://w3id.org/pcr-graph/def#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sector: <https://w3id.org/pcr-graph/def/sector/> .
@prefix linktype: <https://w3id.org/pcr-graph/def/link-type/> .
@prefix forumkind: <https://w3id.org/pcr-graph/def/forum-kind/> .
@prefix wb: <https://w3id.org/pcr-graph/id/wb/testshire/> .

wb:area\\/tx a pcr:Area ; skos:prefLabel "Testshire (fictional)" ; dcterms:identifier "tx" ;
    pcr:fictional true .

wb:provider\\/tx-acute a pcr:Provider ; skos:prefLabel "Testshire General Hospital" ;
    pcr:sector sector:acute-trust, sector:emergency-department ; pcr:operatesIn wb:area\\/tx ;
    pcr:odsCode "TXA01" ; dcterms:identifier "tx-acute" ; pcr:fictional true .
wb:provider\\/tx-amb a pcr:Provider ; skos:prefLabel "Testshire Ambulance" ;
    pcr:sector sector:ambulance ; pcr:operatesIn wb:area\\/tx ; dcterms:identifier "tx-amb" .
wb:provider\\/tx-ch1 a pcr:Provider ; skos:prefLabel "Alder House" ;
    pcr:sector sector:care-home ; pcr:operatesIn wb:area\\/tx ; dcterms:identifier "tx-ch1" .
wb:provider\\/tx-ch2 a pcr:Provider ; skos:prefLabel "Birch Court" ;
    pcr:sector sector:care-home ; pcr:operatesIn wb:area\\/tx ; dcterms:identifier "tx-ch2" .
wb:provider\\/tx-comm a pcr:Provider ; skos:prefLabel "Testshire Community Health" ;
    pcr:sector sector:community-health ; pcr:operatesIn wb:area\\/tx ;
    dcterms:identifier "tx-comm" .
wb:provider\\/tx-la a pcr:Provider ; skos:prefLabel "Testshire Council" ;
    pcr:sector sector:local-authority ; pcr:operatesIn wb:area\\/tx ; dcterms:identifier "tx-la" .
wb:provider\\/tx-vol a pcr:Provider ; skos:prefLabel "Testshire Volunteers" ;
    pcr:sector sector:voluntary-sector ; pcr:operatesIn wb:area\\/tx ;
    dcterms:identifier "tx-vol" .

wb:link\\/L1 a pcr:CollaborationLink ; dcterms:identifier "L1" ;
    pcr:linkType linktype:shared-pathway ;
    pcr:participant wb:provider\\/tx-amb, wb:provider\\/tx-acute ; pcr:area wb:area\\/tx ;
    pcr:startDate "2020-01-01"^^xsd:date .
wb:link\\/L2 a pcr:CollaborationLink ; dcterms:identifier "L2" ;
    pcr:linkType linktype:discharge-coordination ;
    pcr:participant wb:provider\\/tx-acute, wb:provider\\/tx-ch1 ; pcr:area wb:area\\/tx ;
    pcr:startDate "2020-06-01"^^xsd:date .
wb:link\\/L3 a pcr:CollaborationLink ; dcterms:identifier "L3" ;
    pcr:linkType linktype:joint-training ;
    pcr:participant wb:provider\\/tx-comm, wb:provider\\/tx-ch1 ; pcr:area wb:area\\/tx ;
    pcr:startDate "2020-01-01"^^xsd:date ; pcr:endDate "2020-03-31"^^xsd:date .
wb:link\\/L4 a pcr:CollaborationLink ; dcterms:identifier "L4" ; pcr:linkType linktype:mutual-aid ;
    pcr:participant wb:provider\\/tx-ch1, wb:provider\\/tx-ch2 ; pcr:area wb:area\\/tx .
wb:link\\/L5 a pcr:CollaborationLink ; dcterms:identifier "L5" ;
    pcr:linkType linktype:shared-governance ;
    pcr:participant wb:provider\\/tx-la, wb:provider\\/tx-acute, wb:provider\\/tx-comm ;
    pcr:area wb:area\\/tx ; pcr:startDate "2020-01-01"^^xsd:date .

wb:area\\/ty a pcr:Area ; skos:prefLabel "Othershire (fictional)" ; dcterms:identifier "ty" .
wb:provider\\/ty-acute a pcr:Provider ; skos:prefLabel "Othershire Hospital" ;
    pcr:sector sector:acute-trust ; pcr:operatesIn wb:area\\/ty ; dcterms:identifier "ty-acute" .
wb:provider\\/ty-ch a pcr:Provider ; skos:prefLabel "Cedar Lodge" ;
    pcr:sector sector:care-home ; pcr:operatesIn wb:area\\/ty ; dcterms:identifier "ty-ch" .
wb:link\\/L9 a pcr:CollaborationLink ; dcterms:identifier "L9" ;
    pcr:linkType linktype:discharge-coordination ;
    pcr:participant wb:provider\\/ty-acute, wb:provider\\/ty-ch ; pcr:area wb:area\\/ty .

wb:forum\\/F1 a pcr:PlanningForum ; skos:prefLabel "Testshire Board" ; pcr:area wb:area\\/tx ;
    pcr:forumKind forumkind:ics-board ; dcterms:identifier "F1" ;
    org:hasMember wb:provider\\/tx-acute, wb:provider\\/tx-comm, wb:provider\\/tx-la .
wb:membership\\/F1\\/tx-acute a org:Membership ; org:organization wb:forum\\/F1 ;
    org:member wb:provider\\/tx-acute ; pcr:startDate "2020-01-01"^^xsd:date .
wb:membership\\/F1\\/tx-comm a org:Membership ; org:organization wb:forum\\/F1 ;
    org:member wb:provider\\/tx-comm .
wb:membership\\/F1\\/tx-la a org:Membership ; org:organization wb:forum\\/F1 ;
    org:member wb:provider\\/tx-la ; pcr:startDate "2020-05-01"^^xsd:date .
"""


SHORTCUTS = {
    "L1": ("tx-amb", "tx-acute"),
    "L2": ("tx-acute", "tx-ch1"),
    "L3": ("tx-comm", "tx-ch1"),
    "L4": ("tx-ch1", "tx-ch2"),
    "L5": ("tx-la", "tx-acute", "tx-comm"),
    "L9": ("ty-acute", "ty-ch"),
}


PROFILE = """
@prefix pcr: <https://w3id.org/pcr-graph/def#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sector: <https://w3id.org/pcr-graph/def/sector/> .
@prefix p: <https://w3id.org/pcr-graph/id/profile/testshire/> .

p:profile a pcr:ExpectationProfile ; skos:prefLabel "Testshire test profile" ;
    pcr:expectation p:pathway\\/amb-ed, p:pathway\\/acute-asc, p:pathway\\/comm-ch,
        p:pathway\\/la-vol, p:planning\\/asc, p:planning\\/la, p:planning\\/vol .
p:pathway\\/amb-ed a pcr:PathwayExpectation ;
    pcr:fromSector sector:ambulance ; pcr:toSector sector:emergency-department .
p:pathway\\/acute-asc a pcr:PathwayExpectation ;
    pcr:fromSector sector:acute-trust ; pcr:toSector sector:adult-social-care .
p:pathway\\/comm-ch a pcr:PathwayExpectation ;
    pcr:fromSector sector:community-health ; pcr:toSector sector:care-home .
p:pathway\\/la-vol a pcr:PathwayExpectation ;
    pcr:fromSector sector:local-authority ; pcr:toSector sector:voluntary-sector .
p:planning\\/asc a pcr:PlanningExpectation ; pcr:sector sector:adult-social-care .
p:planning\\/la a pcr:PlanningExpectation ; pcr:sector sector:local-authority .
p:planning\\/vol a pcr:PlanningExpectation ; pcr:sector sector:voluntary-sector .
"""


def fixture_turtle(drop_links: tuple[str, ...] = ()) -> str:
    lines = []
    for link, members in SHORTCUTS.items():
        if link in drop_links:
            continue
        for a, b in itertools.permutations(members, 2):
            lines.append(
                f"<{WB}provider/{a}> <https://w3id.org/pcr-graph/def#collaboratesWith> "
                f"<{WB}provider/{b}> ."
            )
    text = FIXTURE
    for link in drop_links:
        start = text.index(f"wb:link\\/{link} ")
        text = text[:start] + text[text.index(" .\n", start) + 3 :]
    return text + "\n".join(sorted(set(lines))) + "\n"


def P(local: str) -> str:
    return f"{WB}provider/{local}"


def make_project(tmp_path: Path, engine: str = "oxigraph") -> Project:
    imports = tmp_path / "ws" / "imports"
    imports.mkdir(parents=True, exist_ok=True)
    (imports / "testshire.ttl").write_text(fixture_turtle(), encoding="utf-8")
    profile = tmp_path / "profile.ttl"
    profile.write_text(PROFILE, encoding="utf-8")
    return Project(workspace=tmp_path / "ws", include_demo=False, profile=profile, engine=engine)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """The Testshire fixture as a project (no demo, its own profile)."""
    return make_project(tmp_path)


@pytest.fixture
def store(project: Project) -> Store:
    """The Testshire project, opened."""
    return project.open()
