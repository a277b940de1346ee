"""The ontology folder: OWL terms, SKOS vocabularies and the static form of the SHACL shapes.

Expected notations, labels and the sector hierarchy are written out here from
docs/model.md and DESIGN.md on purpose: a change to a vocabulary file must be a deliberate
change to this test too.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from pcr_graph.core import vocab
from pcr_graph.core.namespaces import FORUMKIND, LINKTYPE, PCR, PHASE, SCHEME, SECTOR, THEME

# A plain Namespace: pytest's collection probes module globals, and rdflib's XSD
# DefinedNamespace warns on every unknown attribute it is asked for.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

ONTOLOGY_DIR = Path(__file__).resolve().parents[2] / "ontology"
PCR_NS = str(PCR._NS)
SHAPES_NS = "https://w3id.org/pcr-graph/shapes#"
ONTOLOGY_IRI = URIRef("https://w3id.org/pcr-graph/def")

EXPECTED_FILES = {
    "pcr.ttl",
    "pcr.shapes.ttl",
    "sectors.ttl",
    "link-types.ttl",
    "themes.ttl",
    "phases.ttl",
    "forum-kinds.ttl",
    "collaboration-sources.ttl",
}

# notation -> the notation of its skos:broader concept (None for top concepts).
SECTOR_PARENT: dict[str, str | None] = {
    "nhs": None,
    "nhs-trust": "nhs",
    "acute-trust": "nhs-trust",
    "emergency-department": "acute-trust",
    "ambulance": "nhs-trust",
    "community-health": "nhs-trust",
    "mental-health": "nhs-trust",
    "primary-care": "nhs",
    "gp-practice": "primary-care",
    "out-of-hours": "primary-care",
    "pharmacy": "primary-care",
    "dental": "primary-care",
    "nhs-111": "nhs",
    "urgent-treatment-centre": "nhs",
    "adult-social-care": None,
    "care-home": "adult-social-care",
    "domiciliary-care": "adult-social-care",
    "local-authority": None,
    "public-health": "local-authority",
    "voluntary-sector": None,
    "hospice": None,
    "education": None,
    "healthwatch": None,
}

LINK_TYPES = {
    "mutual-aid",
    "shared-governance",
    "discharge-coordination",
    "information-sharing",
    "staff-redeployment",
    "joint-planning",
    "joint-training",
    "shared-pathway",
    "community-engagement",
}

THEME_LABELS = {
    "ensuring-access": "Ensuring access",
    "tackling-inequalities": "Tackling inequalities",
    "governance-and-shared-planning": "Governance and shared planning",
    "safety-and-staff-skills": "Safety and staff skills",
    "use-of-technology": "Use of technology",
}

PHASE_LABELS = {
    "older-people": "Care for older people",
    "urgent-and-emergency-care": "Urgent and emergency care",
    "cancer": "Cancer care services and pathways",
    "learning-disability": "Services for people with a learning disability in the community",
    "cyp-mental-health": "Mental health services for children and young people",
}

FORUM_KINDS = {
    "ics-board",
    "ae-delivery-board",
    "discharge-cell",
    "cancer-alliance-board",
    "partnership-board",
    "other",
}

# scheme name -> (file, concept namespace, exact notations)
SCHEMES: dict[str, tuple[str, Namespace, set[str]]] = {
    "sectors": ("sectors.ttl", SECTOR, set(SECTOR_PARENT)),
    "link-types": ("link-types.ttl", LINKTYPE, LINK_TYPES),
    "themes": ("themes.ttl", THEME, set(THEME_LABELS)),
    "phases": ("phases.ttl", PHASE, set(PHASE_LABELS)),
    "forum-kinds": ("forum-kinds.ttl", FORUMKIND, FORUM_KINDS),
    "collaboration-sources": (
        "collaboration-sources.ttl",
        Namespace("https://w3id.org/pcr-graph/def/collaboration-source/"),
        {"reviewed", "published-structure"},
    ),
}

# What users type in a workbook's sector column; each must resolve to that sector.
TYPED_SECTOR_LABELS = {
    "Care home": "care-home",
    "Domiciliary care": "domiciliary-care",
    "NHS 111": "nhs-111",
    "Emergency department": "emergency-department",
    "Voluntary sector": "voluntary-sector",
    "GP practice": "gp-practice",
    "Adult social care": "adult-social-care",
    "Out of hours": "out-of-hours",
}

SUPERCLASSES: dict[str, set[URIRef]] = {
    "Area": {ORG.OrganizationalCollaboration},
    "Region": {ORG.Organization},
    "Provider": {ORG.Organization},
    "PlanningForum": {ORG.OrganizationalCollaboration},
    "Evidence": {PROV.Entity},
    "ReviewPhase": {PROV.Activity},
    "Finding": {PROV.Entity},
    "SourceDocument": {PROV.Entity},
    "ImportRun": {PROV.Activity},
    "SubArea": {ORG.OrganizationalUnit},
    "RegistryRecord": {PROV.Entity},
    "PrimaryCareNetwork": {ORG.OrganizationalCollaboration, ORG.Organization},
    "NetworkMembership": {PROV.Entity},
    "Succession": {PROV.Entity},
}

RANGES: dict[str, URIRef] = {
    "startDate": XSD.date,
    "endDate": XSD.date,
    "url": XSD.anyURI,
    "fictional": XSD.boolean,
    "rowCount": XSD.integer,
    "odsCode": XSD.string,
    "cqcLocationId": XSD.string,
    "sector": SKOS.Concept,
    "linkType": SKOS.Concept,
    "theme": SKOS.Concept,
    "forumKind": SKOS.Concept,
    "fromSector": SKOS.Concept,
    "toSector": SKOS.Concept,
    "aboutSector": SKOS.Concept,
    "operatesIn": PCR.Area,
    "area": PCR.Area,
    "reviewedArea": PCR.Area,
    "region": PCR.Region,
    "participant": ORG.Organization,
    "phase": PCR.ReviewPhase,
    "openDate": XSD.date,
    "closeDate": XSD.date,
    "website": XSD.anyURI,
    "subArea": PCR.SubArea,
    "statedArea": PCR.Area,
    "partOfArea": PCR.Area,
    "commissionedBy": ORG.Organization,
    "operatedBy": ORG.Organization,
    "recordOf": ORG.Organization,
    "practice": ORG.Organization,
    "network": PCR.PrimaryCareNetwork,
    "predecessor": ORG.Organization,
    "successor": ORG.Organization,
    "collaborationSource": SKOS.Concept,
}

DECLARING_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDF.Property,
    RDFS.Class,
}

# Parameters that structure a shape rather than constrain a value: a node shape made of
# only these needs no sh:message of its own.
NON_CONSTRAINT_PREDICATES = {
    RDF.type,
    RDFS.comment,
    RDFS.label,
    SH.property,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.name,
    SH.description,
    SH.severity,
    SH.message,
    SH.deactivated,
    SH.order,
    SH.group,
}


def _parse(name: str) -> Graph:
    return Graph().parse(ONTOLOGY_DIR / name, format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _parse("pcr.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return _parse("pcr.shapes.ttl")


def _pcr_terms() -> set[URIRef]:
    return {PCR[name] for name in PCR.__annotations__}


def _declared(graph: Graph) -> Iterator[Node]:
    for declaring_type in DECLARING_TYPES:
        yield from graph.subjects(RDF.type, declaring_type)


# --- files --------------------------------------------------------------------------------


def test_ontology_folder_holds_exactly_the_expected_files() -> None:
    assert {p.name for p in ONTOLOGY_DIR.glob("*.ttl")} == EXPECTED_FILES


@pytest.mark.parametrize("name", sorted(EXPECTED_FILES))
def test_every_ontology_file_parses_and_is_not_empty(name: str) -> None:
    assert len(_parse(name)) > 20


# --- OWL ------------------------------------------------------------------------------------


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.title) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.description) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://opensource.org/licenses/MIT"
    )


def test_ontology_and_shapes_versions_match_the_package(ontology: Graph, shapes: Graph) -> None:
    version = importlib.metadata.version("pcr-graph")
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal(version)
    shapes_iri = URIRef("https://w3id.org/pcr-graph/shapes")
    assert shapes.value(shapes_iri, OWL.versionInfo) == Literal(version)


def test_every_namespace_term_is_declared_in_the_ontology(ontology: Graph) -> None:
    missing = sorted(t for t in _pcr_terms() if not set(ontology.objects(t, RDF.type)))
    assert missing == []


def test_ontology_declares_no_term_missing_from_the_namespace_module(ontology: Graph) -> None:
    in_ontology = {s for s in ontology.subjects() if str(s).startswith(PCR_NS)}
    assert sorted(map(str, in_ontology - _pcr_terms())) == []


def test_ontology_redeclares_no_w3c_term(ontology: Graph) -> None:
    foreign = {s for s in _declared(ontology) if not str(s).startswith(PCR_NS)}
    assert foreign == set()


def test_classes_are_upper_case_and_properties_lower_case(ontology: Graph) -> None:
    for term in _pcr_terms():
        name = str(term).removeprefix(PCR_NS)
        types = set(ontology.objects(term, RDF.type))
        if name[0].isupper():
            assert types == {OWL.Class}, name
        else:
            kinds = types & {OWL.ObjectProperty, OWL.DatatypeProperty}
            assert len(kinds) == 1, f"{name} must be exactly one of object/datatype property"


def test_every_term_has_one_english_label_and_comment(ontology: Graph) -> None:
    for term in sorted(_pcr_terms()):
        for predicate in (RDFS.label, RDFS.comment):
            values = list(ontology.objects(term, predicate))
            assert len(values) == 1, f"{term} {predicate}"
            assert isinstance(values[0], Literal) and values[0].language == "en"
        assert ontology.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI


@pytest.mark.parametrize("name", sorted(SUPERCLASSES))
def test_classes_have_the_superclass_of_the_data_model(ontology: Graph, name: str) -> None:
    assert SUPERCLASSES[name] <= set(ontology.objects(PCR[name], RDFS.subClassOf))


def test_areas_and_forums_are_organisations_without_the_org_ontology(ontology: Graph) -> None:
    # SHACL sh:class on the merged graph sees only these triples, not ORG's own axioms.
    for name in ("Area", "PlanningForum", "Provider", "Region", "SubArea"):
        assert (PCR[name], RDFS.subClassOf, ORG.Organization) in ontology


def test_collaborates_with_is_a_symmetric_org_link(ontology: Graph) -> None:
    assert (PCR.collaboratesWith, RDF.type, OWL.SymmetricProperty) in ontology
    assert (PCR.collaboratesWith, RDFS.subPropertyOf, ORG.linkedTo) in ontology


def test_reviewed_area_is_a_kind_of_prov_used(ontology: Graph) -> None:
    assert (PCR.reviewedArea, RDFS.subPropertyOf, PROV.used) in ontology


def test_registry_terms_reuse_w3c_parents(ontology: Graph) -> None:
    assert (PCR.recordOf, RDFS.subPropertyOf, PROV.specializationOf) in ontology
    assert (PCR.partOfArea, RDFS.subPropertyOf, ORG.unitOf) in ontology


@pytest.mark.parametrize("name", sorted(RANGES))
def test_property_ranges(ontology: Graph, name: str) -> None:
    assert set(ontology.objects(PCR[name], RDFS.range)) == {RANGES[name]}


def test_datatype_properties_range_over_literals_and_object_properties_do_not(
    ontology: Graph,
) -> None:
    xsd = str(XSD)
    for prop in ontology.subjects(RDF.type, OWL.DatatypeProperty):
        for rng in ontology.objects(prop, RDFS.range):
            assert str(rng).startswith(xsd) or rng == RDFS.Literal, prop
    for prop in ontology.subjects(RDF.type, OWL.ObjectProperty):
        for rng in ontology.objects(prop, RDFS.range):
            assert not str(rng).startswith(xsd) and rng != RDFS.Literal, prop


# --- SKOS -----------------------------------------------------------------------------------


def _concepts(graph: Graph, scheme_iri: URIRef) -> dict[str, URIRef]:
    out: dict[str, URIRef] = {}
    for concept in graph.subjects(SKOS.inScheme, scheme_iri):
        assert isinstance(concept, URIRef)
        out[str(graph.value(concept, SKOS.notation))] = concept
    return out


def _key(text: str) -> str:
    # How a workbook cell is matched to a concept: case, hyphens and spacing do not count.
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_scheme_is_declared_with_a_label(name: str) -> None:
    filename, _ns, _notations = SCHEMES[name]
    graph = _parse(filename)
    assert (SCHEME[name], RDF.type, SKOS.ConceptScheme) in graph
    label = graph.value(SCHEME[name], SKOS.prefLabel)
    assert isinstance(label, Literal) and label.language == "en"


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_scheme_notations_are_exactly_the_documented_ones(name: str) -> None:
    filename, _ns, notations = SCHEMES[name]
    graph = _parse(filename)
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert set(_concepts(graph, SCHEME[name])) == notations
    assert len(concepts) == len(notations)


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_every_concept_is_well_formed(name: str) -> None:
    filename, namespace, _notations = SCHEMES[name]
    graph = _parse(filename)
    for concept in sorted(graph.subjects(RDF.type, SKOS.Concept), key=str):
        notations = list(graph.objects(concept, SKOS.notation))
        assert len(notations) == 1, concept
        notation = notations[0]
        assert isinstance(notation, Literal)
        assert notation.language is None and notation.datatype is None, "plain string notation"
        assert concept == namespace[str(notation)], "IRI is the namespace plus the notation"
        assert list(graph.objects(concept, SKOS.inScheme)) == [SCHEME[name]]
        labels = list(graph.objects(concept, SKOS.prefLabel))
        assert len(labels) == 1 and isinstance(labels[0], Literal), concept
        assert labels[0].language == "en"
        definitions = list(graph.objects(concept, SKOS.definition))
        assert len(definitions) == 1 and isinstance(definitions[0], Literal), concept
        assert definitions[0].language == "en"
        assert str(definitions[0]).endswith("."), f"{concept}: a definition is a sentence"


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_top_concepts_are_exactly_those_without_broader(name: str) -> None:
    filename, _ns, _notations = SCHEMES[name]
    graph = _parse(filename)
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    roots = {c for c in concepts if graph.value(c, SKOS.broader) is None}
    assert set(graph.objects(SCHEME[name], SKOS.hasTopConcept)) == roots
    assert set(graph.subjects(SKOS.topConceptOf, SCHEME[name])) == roots
    assert roots


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_broader_and_narrower_are_inverses(name: str) -> None:
    graph = _parse(SCHEMES[name][0])
    broader = set(graph.subject_objects(SKOS.broader))
    narrower = {(child, parent) for parent, child in graph.subject_objects(SKOS.narrower)}
    assert broader == narrower


def test_sector_hierarchy_is_the_documented_one() -> None:
    graph = _parse("sectors.ttl")
    concepts = _concepts(graph, SCHEME.sectors)
    for notation, parent in SECTOR_PARENT.items():
        expected = {SECTOR[parent]} if parent else set()
        assert set(graph.objects(concepts[notation], SKOS.broader)) == expected, notation


def test_key_sector_groupings() -> None:
    sectors = vocab.sectors()
    assert SECTOR["adult-social-care"] in sectors.ancestors(SECTOR["care-home"])
    assert SECTOR["adult-social-care"] in sectors.ancestors(SECTOR["domiciliary-care"])
    assert SECTOR["primary-care"] in sectors.ancestors(SECTOR["gp-practice"])
    assert SECTOR["nhs-trust"] in sectors.ancestors(SECTOR["emergency-department"])
    assert SECTOR["nhs"] not in sectors.ancestors(SECTOR["care-home"])


def test_theme_and_phase_labels_are_the_review_wording() -> None:
    for name, expected in (("themes", THEME_LABELS), ("phases", PHASE_LABELS)):
        graph = _parse(SCHEMES[name][0])
        labels = {
            notation: str(graph.value(concept, SKOS.prefLabel))
            for notation, concept in _concepts(graph, SCHEME[name]).items()
        }
        assert labels == expected


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_no_notation_or_label_collides_within_a_scheme(name: str) -> None:
    graph = _parse(SCHEMES[name][0])
    owner: dict[str, URIRef] = {}
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        assert isinstance(concept, URIRef)
        texts = [
            *graph.objects(concept, SKOS.notation),
            *graph.objects(concept, SKOS.prefLabel),
            *graph.objects(concept, SKOS.altLabel),
        ]
        for text in texts:
            key = _key(str(text))
            assert owner.setdefault(key, concept) == concept, f"{text!r} names two concepts"


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_vocab_module_resolves_every_notation_and_label(name: str) -> None:
    graph = _parse(SCHEMES[name][0])
    scheme = vocab.scheme(name)
    for notation, concept in _concepts(graph, SCHEME[name]).items():
        assert scheme.resolve(notation) == concept
        assert scheme.resolve(str(graph.value(concept, SKOS.prefLabel)).upper()) == concept


@pytest.mark.parametrize(("typed", "notation"), sorted(TYPED_SECTOR_LABELS.items()))
def test_sector_labels_users_type_resolve(typed: str, notation: str) -> None:
    assert vocab.sectors().resolve(typed) == SECTOR[notation]


def test_each_vocabulary_file_holds_only_its_own_scheme() -> None:
    for name, (filename, _ns, _notations) in SCHEMES.items():
        graph = _parse(filename)
        assert set(graph.subjects(RDF.type, SKOS.ConceptScheme)) == {SCHEME[name]}
        assert set(graph.objects(None, SKOS.inScheme)) == {SCHEME[name]}


def test_phases_file_is_only_skos() -> None:
    # The prov:Activity side of each phase (dates, reviewed areas) is reference data in graph/.
    graph = _parse("phases.ttl")
    assert not any(str(p).startswith(PCR_NS) for p in graph.predicates())
    assert (None, RDF.type, PCR.ReviewPhase) not in graph


# --- SHACL, statically ------------------------------------------------------------------------


def _property_shapes(shapes: Graph) -> set[Node]:
    return set(shapes.subjects(SH.path, None))


def _node_shapes(shapes: Graph) -> set[Node]:
    return set(shapes.subjects(RDF.type, SH.NodeShape))


def test_every_property_shape_carries_one_message(shapes: Graph) -> None:
    for shape in _property_shapes(shapes):
        messages = list(shapes.objects(shape, SH.message))
        assert len(messages) == 1, f"{shape} needs exactly one sh:message"
        assert str(messages[0])[:1].isupper(), f"{shape}: a message is a sentence"


def test_every_node_level_constraint_carries_a_message(shapes: Graph) -> None:
    for shape in _node_shapes(shapes):
        constraints = set(shapes.predicates(shape)) - NON_CONSTRAINT_PREDICATES
        if constraints:
            assert shapes.value(shape, SH.message) is not None, shape


def test_every_shape_has_an_iri_in_the_shapes_namespace(shapes: Graph) -> None:
    for shape in _property_shapes(shapes) | _node_shapes(shapes):
        assert isinstance(shape, URIRef) and str(shape).startswith(SHAPES_NS), shape


def test_shapes_use_no_sparql_constraints(shapes: Graph) -> None:
    assert (None, SH.sparql, None) not in shapes
    assert (None, RDF.type, SH.SPARQLConstraint) not in shapes


def test_shapes_reference_only_declared_shapes(shapes: Graph) -> None:
    for prop in shapes.objects(None, SH.property):
        assert prop in _property_shapes(shapes), prop
    for node in shapes.objects(None, SH.node):
        assert node in _node_shapes(shapes), node


def test_shapes_use_only_terms_of_the_ontology(shapes: Graph) -> None:
    used = {t for triple in shapes for t in triple if str(t).startswith(PCR_NS)}
    assert sorted(map(str, used - _pcr_terms())) == []


def test_shapes_check_membership_of_existing_schemes(shapes: Graph) -> None:
    schemes = {o for o in shapes.objects(None, SH.hasValue) if str(o).startswith(str(SCHEME))}
    # collaboration-sources needs no scheme check: the one shape using it pins the single
    # value a PCN may have (sh:hasValue published-structure).
    assert schemes == {SCHEME[name] for name in SCHEMES if name != "collaboration-sources"}
