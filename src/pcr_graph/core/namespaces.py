"""Every namespace pcr-graph uses, in one place.

Our own vocabulary is a :class:`rdflib.namespace.DefinedNamespace` with ``_fail = True``,
so a misspelt term raises instead of silently minting a new IRI. A test checks that every
term declared here exists in ``ontology/pcr.ttl`` and that every term there is declared here.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    XSD,
    DefinedNamespace,
)

BASE = "https://w3id.org/pcr-graph/"
"""Root of every IRI we mint."""

ID = Namespace(BASE + "id/")
"""Instances: areas, regions, providers, forums, links, evidence, findings."""

SECTOR = Namespace(BASE + "def/sector/")
LINKTYPE = Namespace(BASE + "def/link-type/")
COLLABSOURCE = Namespace(BASE + "def/collaboration-source/")
THEME = Namespace(BASE + "def/theme/")
PHASE = Namespace(BASE + "def/phase/")
FORUMKIND = Namespace(BASE + "def/forum-kind/")
SCHEME = Namespace(BASE + "def/scheme/")
"""The SKOS concept schemes themselves (``scheme:sectors`` …)."""


class PCR(DefinedNamespace):
    """The pcr-graph ontology (``ontology/pcr.ttl``): terms where no W3C term fits."""

    _fail = True
    _NS = Namespace(BASE + "def#")

    # classes
    Area: URIRef  # an ICS / STP / ICB footprint; subclass of org:OrganizationalCollaboration
    Region: URIRef  # an NHS England region
    Provider: URIRef  # subclass of org:Organization
    PlanningForum: URIRef  # subclass of org:OrganizationalCollaboration
    CollaborationLink: URIRef  # the n-ary link node
    Evidence: URIRef  # subclass of prov:Entity
    ReviewPhase: URIRef  # subclass of prov:Activity
    Finding: URIRef  # subclass of prov:Entity
    SourceDocument: URIRef  # subclass of prov:Entity
    ExpectationProfile: URIRef
    PlanningExpectation: URIRef
    PathwayExpectation: URIRef
    ImportRun: URIRef  # subclass of prov:Activity
    SubArea: URIRef  # a Sub-ICB location (formerly a CCG); subclass of org:OrganizationalUnit
    RegistryRecord: URIRef  # one row of an older registry release, kept as history
    PrimaryCareNetwork: URIRef  # a PCN: registry structure, not observed collaboration
    NetworkMembership: URIRef  # one published practice-to-PCN membership of one release
    Succession: URIRef  # ODS: one organisation code succeeded by another

    # identifiers (plain literals)
    odsCode: URIRef
    onsCode2021: URIRef
    onsCode2022: URIRef
    cqcLocationId: URIRef
    cqcProviderId: URIRef

    # structure
    region: URIRef  # Area -> Region
    sector: URIRef  # Provider / expectation -> sector concept
    operatesIn: URIRef  # Provider -> Area
    area: URIRef  # PlanningForum / CollaborationLink / Evidence -> Area
    forumKind: URIRef  # PlanningForum -> forum-kind concept
    participant: URIRef  # CollaborationLink -> org:Organization
    linkType: URIRef  # CollaborationLink / PathwayExpectation -> link-type concept
    theme: URIRef  # CollaborationLink / Finding -> theme concept
    startDate: URIRef  # xsd:date
    endDate: URIRef  # xsd:date
    collaboratesWith: URIRef  # shortcut edge, sub-property of org:linkedTo, symmetric
    quote: URIRef  # a short verbatim quote
    url: URIRef  # xsd:anyURI literal
    fictional: URIRef  # xsd:boolean: true on every invented area, provider, forum, link, evidence
    reviewedArea: URIRef  # ReviewPhase -> Area, sub-property of prov:used
    topic: URIRef  # ReviewPhase / expectation -> a plain-language topic or phase
    phase: URIRef  # Finding -> ReviewPhase
    aboutSector: URIRef  # Finding -> sector concept
    expectation: URIRef  # ExpectationProfile -> expectation
    fromSector: URIRef  # PathwayExpectation -> sector concept
    toSector: URIRef  # PathwayExpectation -> sector concept
    sourceLocation: URIRef  # "providers.csv line 12": where a resource came from
    rowCount: URIRef  # ImportRun -> xsd:integer
    rejectedRowCount: URIRef  # ImportRun -> xsd:integer (rows a lenient import left out)
    sha256: URIRef  # ImportRun / SourceDocument -> hex digest

    # registry facts (structural, kept apart from observed collaboration)
    status: URIRef  # Provider -> "active" | "closed" | "dormant" | "proposed"
    openDate: URIRef  # xsd:date
    closeDate: URIRef  # xsd:date
    subArea: URIRef  # Provider -> SubArea (the commissioner stated in the registry)
    statedArea: URIRef  # Provider -> Area as stated in the registry row
    partOfArea: URIRef  # SubArea -> Area
    commissionedBy: URIRef  # Provider -> org:Organization (ODS relationship)
    operatedBy: URIRef  # Provider -> org:Organization
    operatorName: URIRef  # Provider -> literal name of the operating company (CQC lists)
    postcode: URIRef
    address: URIRef
    telephone: URIRef
    website: URIRef  # xsd:anyURI
    release: URIRef  # RegistryRecord / ImportRun -> literal release label, e.g. "epraccur 2023-12"
    recordOf: URIRef  # RegistryRecord -> Provider or PCN (sub-property of prov:specializationOf)
    practice: URIRef  # NetworkMembership -> the member GP practice
    network: URIRef  # NetworkMembership -> PrimaryCareNetwork
    predecessor: URIRef  # Succession -> the organisation whose code ended
    successor: URIRef  # Succession -> the organisation that took over
    collaborationSource: URIRef  # PrimaryCareNetwork -> collaboration-source concept

    # vocabulary metadata
    listOrder: URIRef  # concept / skos:Collection -> xsd:integer: where it comes in lists


PREFIXES: dict[str, str] = {
    "pcr": str(PCR._NS),
    "id": str(ID),
    "sector": str(SECTOR),
    "linktype": str(LINKTYPE),
    "theme": str(THEME),
    "phase": str(PHASE),
    "forumkind": str(FORUMKIND),
    "scheme": str(SCHEME),
    "org": str(ORG),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "sh": str(SH),
    "xsd": str(XSD),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind every pcr-graph prefix on ``graph`` and return it (for chaining)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """PREFIX lines for every namespace, for queries written without their own."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
