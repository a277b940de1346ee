"""The SHACL shapes, run by pySHACL against good and bad fixtures.

Layout of ``tests/fixtures/shapes/``:

- ``base.ttl``: a small, realistic, fictional system that conforms to every shape;
- ``good/<NodeShape>.ttl``: one more resource of that shape's target, every property set;
- ``bad/<PropertyShape>[--variant].ttl``: breaks exactly that one property shape.

Each fixture is validated merged with ``base.ttl`` and every ontology/SKOS file, as
``pcr-graph validate`` does: sh:class follows rdfs:subClassOf, and concept checks look up
skos:inScheme, only through triples in the data graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH, SKOS
from rdflib.term import Node

from pcr_graph.core.namespaces import SCHEME

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = ROOT / "ontology"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
SHAPES = "https://w3id.org/pcr-graph/shapes#"

GOOD = sorted((FIXTURES / "good").glob("*.ttl"))
BAD = sorted((FIXTURES / "bad").glob("*.ttl"))

# Value shapes have no target: property shapes reach them through sh:node.
VALUE_SHAPE_SCHEMES = {
    "SectorConcept": "sectors",
    "LinkTypeConcept": "link-types",
    "ThemeConcept": "themes",
    "PhaseConcept": "phases",
    "ForumKindConcept": "forum-kinds",
}

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


@dataclass(frozen=True)
class Outcome:
    conforms: bool
    fired: frozenset[tuple[str, str]]
    """(source shape local name, message) of each top-level result."""
    details: frozenset[str]
    """Source shapes of nested results (sh:detail), by local name."""


def _local(term: Node | None) -> str:
    return str(term).removeprefix(SHAPES)


@pytest.fixture(scope="session")
def vocabulary() -> Graph:
    graph = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        if not path.name.endswith(".shapes.ttl"):
            graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "pcr.shapes.ttl", format="turtle")


@pytest.fixture(scope="session")
def base() -> Graph:
    return Graph().parse(FIXTURES / "base.ttl", format="turtle")


def _run(data: Graph, shapes: Graph) -> Outcome:
    conforms, report, _text = validate(
        data, shacl_graph=shapes, inference="none", advanced=True, inplace=True
    )
    assert isinstance(report, Graph)
    fired = set()
    details = set()
    for result in report.objects(None, SH.result):
        fired.add(
            (
                _local(report.value(result, SH.sourceShape)),
                str(report.value(result, SH.resultMessage)),
            )
        )
        for detail in report.objects(result, SH.detail):
            details.add(_local(report.value(detail, SH.sourceShape)))
    return Outcome(bool(conforms), frozenset(fired), frozenset(details))


def _check(path: Path | None, vocabulary: Graph, base: Graph, shapes: Graph) -> Outcome:
    data = vocabulary + base
    if path is not None:
        data.parse(path, format="turtle")
    return _run(data, shapes)


def _shape_names(shapes: Graph) -> tuple[set[str], set[str], dict[str, str]]:
    """Targeted node shapes, their property shapes, and each property shape's node shape."""
    targeted = {
        s
        for s in shapes.subjects(RDF.type, SH.NodeShape)
        if any(shapes.value(s, t) for t in TARGETS)
    }
    owner = {_local(p): _local(n) for n in targeted for p in shapes.objects(n, SH.property)}
    return {_local(n) for n in targeted}, set(owner), owner


def _message(shapes: Graph, name: str) -> str:
    return str(shapes.value(URIRef(SHAPES + name), SH.message))


# --- the realistic graph -------------------------------------------------------------------


def test_base_fixture_conforms(vocabulary: Graph, base: Graph, shapes: Graph) -> None:
    outcome = _check(None, vocabulary, base, shapes)
    assert outcome.fired == frozenset()
    assert outcome.conforms


def test_base_fixture_needs_the_ontology_merged_in(base: Graph, shapes: Graph) -> None:
    # Without the SKOS and OWL files no concept is "in" a scheme and no provider is an
    # org:Organization: validating data alone would report every resource as broken.
    data = Graph()
    data += base
    fired = {shape for shape, _message in _run(data, shapes).fired}
    assert {
        "Provider-sector",
        "CollaborationLink-linkType",
        "CollaborationLink-participant",
    } <= fired


# --- every shape has its fixtures -------------------------------------------------------------


def test_every_targeted_node_shape_has_a_good_fixture(shapes: Graph) -> None:
    node_shapes, _props, _owner = _shape_names(shapes)
    assert {p.stem for p in GOOD} == node_shapes


def test_every_property_shape_has_a_bad_fixture(shapes: Graph) -> None:
    _nodes, property_shapes, _owner = _shape_names(shapes)
    assert {p.stem.split("--")[0] for p in BAD} == property_shapes


def test_every_value_shape_is_tested(shapes: Graph) -> None:
    referenced = {_local(n) for n in shapes.objects(None, SH.node)}
    assert referenced == set(VALUE_SHAPE_SCHEMES)


# --- good fixtures ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_good_fixture_conforms(path: Path, vocabulary: Graph, base: Graph, shapes: Graph) -> None:
    outcome = _check(path, vocabulary, base, shapes)
    assert outcome.fired == frozenset()
    assert outcome.conforms


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_good_fixture_exercises_every_property_of_its_shape(path: Path, shapes: Graph) -> None:
    # A good fixture that leaves a property out would pass without testing anything.
    fixture = Graph().parse(path, format="turtle")
    shape = URIRef(SHAPES + path.stem)
    target_class = shapes.value(shape, SH.targetClass)
    if target_class is not None:
        assert (None, RDF.type, target_class) in fixture
    for prop in shapes.objects(shape, SH.property):
        predicate = shapes.value(prop, SH.path)
        if not isinstance(predicate, URIRef):
            predicate = shapes.value(predicate, SH.inversePath)
        assert (None, predicate, None) in fixture, f"{path.stem} never sets {predicate}"


# --- bad fixtures -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_fixture_fires_exactly_its_shape(
    path: Path, vocabulary: Graph, base: Graph, shapes: Graph
) -> None:
    expected = path.stem.split("--")[0]
    outcome = _check(path, vocabulary, base, shapes)
    assert not outcome.conforms
    assert outcome.fired == {(expected, _message(shapes, expected))}


@pytest.mark.parametrize(
    ("fixture", "value_shape"),
    [
        ("Provider-sector", "SectorConcept"),
        ("PathwayExpectation-toSector", "SectorConcept"),
        ("CollaborationLink-linkType--wrong-scheme", "LinkTypeConcept"),
        ("CollaborationLink-theme", "ThemeConcept"),
        ("PlanningExpectation-topic", "PhaseConcept"),
        ("PlanningForum-forumKind", "ForumKindConcept"),
    ],
)
def test_wrong_scheme_is_explained_by_the_value_shape(
    fixture: str, value_shape: str, vocabulary: Graph, base: Graph, shapes: Graph
) -> None:
    outcome = _check(FIXTURES / "bad" / f"{fixture}.ttl", vocabulary, base, shapes)
    assert outcome.details == {f"{value_shape}-inScheme"}


# --- value shapes, directly ----------------------------------------------------------------------


def _target_concepts(shapes: Graph, value_shape: str, concepts: set[Node]) -> Graph:
    targeted = Graph()
    targeted += shapes
    for concept in concepts:
        targeted.add((URIRef(SHAPES + value_shape), SH.targetNode, concept))
    return targeted


@pytest.mark.parametrize("value_shape", sorted(VALUE_SHAPE_SCHEMES))
def test_value_shape_accepts_every_concept_of_its_scheme(
    value_shape: str, vocabulary: Graph, shapes: Graph
) -> None:
    own = set(vocabulary.subjects(SKOS.inScheme, SCHEME[VALUE_SHAPE_SCHEMES[value_shape]]))
    assert own
    data = Graph()
    data += vocabulary
    outcome = _run(data, _target_concepts(shapes, value_shape, own))
    assert outcome.conforms


@pytest.mark.parametrize("value_shape", sorted(VALUE_SHAPE_SCHEMES))
def test_value_shape_rejects_every_concept_of_other_schemes(
    value_shape: str, vocabulary: Graph, shapes: Graph
) -> None:
    own_scheme = SCHEME[VALUE_SHAPE_SCHEMES[value_shape]]
    others = {c for c, s in vocabulary.subject_objects(SKOS.inScheme) if s != own_scheme}
    assert others
    data = Graph()
    data += vocabulary
    report = validate(
        data,
        shacl_graph=_target_concepts(shapes, value_shape, others),
        inference="none",
        advanced=True,
        inplace=True,
    )[1]
    assert isinstance(report, Graph)
    focus = {report.value(r, SH.focusNode) for r in report.objects(None, SH.result)}
    assert focus == others
    assert {_local(report.value(r, SH.sourceShape)) for r in report.objects(None, SH.result)} == {
        f"{value_shape}-inScheme"
    }
