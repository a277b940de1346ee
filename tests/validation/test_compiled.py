"""The compiled (SPARQL) validator gives exactly pySHACL's violations.

Compared on the demo, on every bad fixture of ``tests/fixtures/shapes/bad/`` (merged, each
as its own source), and on hostile edge cases (ill-formed literals, duplicated triples,
subclasses, literals where resources belong). Each comparison runs both query plans the
compiler chooses between (start from the focus nodes, or from the property).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from pcr_graph.core.errors import UsageError
from pcr_graph.core.resources import ontology_files, reference_files
from pcr_graph.store.engines import Store, open_store
from pcr_graph.store.project import Project
from pcr_graph.validation import compiled as fastvalidate
from pcr_graph.validation.compiled import UnsupportedShapes, compile_shapes, validate_fast
from pcr_graph.validation.results import shapes_graph
from pcr_graph.validation.validate import validate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
BAD = sorted((FIXTURES / "bad").glob("*.ttl"))
SHAPES = "https://w3id.org/pcr-graph/shapes#"

EDGE_CASES = """
@prefix pcr: <https://w3id.org/pcr-graph/def#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sector: <https://w3id.org/pcr-graph/def/sector/> .
@prefix linktype: <https://w3id.org/pcr-graph/def/link-type/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/edge/> .
@prefix area: <https://w3id.org/pcr-graph/id/area/> .

# A subclass of pcr:Provider: its instances are providers too.
ex:Charity rdfs:subClassOf pcr:Provider .
ex:charity a ex:Charity ; skos:prefLabel "Edge charity (fictional)" .

# Ill-formed typed literals; a language-tagged code; a literal where an area belongs.
ex:home a pcr:Provider ; skos:prefLabel "Edge home (fictional)" ;
    pcr:sector sector:care-home ; pcr:operatesIn "QZZ" ;
    pcr:odsCode "ZZ1"@en ; pcr:fictional "yes"^^xsd:boolean .
ex:evidence a pcr:Evidence ; dcterms:title "Edge evidence" ;
    dcterms:date "2020-02-30"^^xsd:date ; pcr:url "https://example.org"^^xsd:anyURI .
ex:flag pcr:fictional "1"^^xsd:boolean .

# A link whose dates cannot be compared, one ending twice, and a one-participant link.
ex:link a pcr:CollaborationLink ; pcr:linkType linktype:mutual-aid ;
    pcr:participant ex:home, ex:charity ;
    pcr:startDate "2020-06-01"^^xsd:date ; pcr:endDate "soon" , "2020-01-01"^^xsd:date .
ex:lonely a pcr:CollaborationLink ; pcr:linkType linktype:mutual-aid, linktype:joint-training ;
    pcr:participant ex:home .

# Shortcut edges one way, and a shortcut from something that is no organisation.
ex:home pcr:collaboratesWith ex:charity .
ex:nobody pcr:collaboratesWith ex:home .
"""


@pytest.fixture(params=["from-focus-nodes", "from-property"])
def plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run with every target counted small (start from focus nodes), or every target big."""
    small = 10**9 if request.param == "from-focus-nodes" else 0
    monkeypatch.setattr(fastvalidate, "SMALL_TARGET", small)
    return str(request.param)


def _agree(store: Store) -> list[str]:
    reference = validate(store, "pyshacl")
    fast = validate(store, "fast")
    assert [str(v) for v in fast] == [str(v) for v in reference]
    assert fast == reference
    return [str(v) for v in fast]


def test_demo_conforms_with_both(plan: str) -> None:
    assert _agree(Project().open()) == []


def test_every_bad_fixture_gives_the_same_violations(plan: str) -> None:
    store = open_store([*ontology_files(), FIXTURES / "base.ttl", *BAD])
    lines = _agree(store)
    assert len(lines) >= len(BAD)


@pytest.mark.parametrize("fixture", BAD, ids=lambda p: p.stem)
def test_each_bad_fixture_fires_its_shape(fixture: Path) -> None:
    # base.ttl conforms, so whatever fires comes from the fixture.
    store = open_store([*ontology_files(), FIXTURES / "base.ttl", fixture])
    shape = fixture.stem.split("--")[0]
    assert f"<{SHAPES}{shape}>" in {v.shape for v in validate_fast(store)}


def test_hostile_edge_cases_give_the_same_violations(plan: str) -> None:
    store = open_store([*ontology_files(), FIXTURES / "base.ttl"])
    store.load(EDGE_CASES, "turtle", "edge.ttl")
    store.load(EDGE_CASES, "turtle", "edge-again.ttl")  # every triple twice
    lines = _agree(store)
    text = "\n".join(lines)
    for expected in (
        "pcr:operatesIn",  # a literal is no area
        "pcr:odsCode",  # "ZZ1"@en is not plain text
        "dcterms:date",  # 30 February
        "pcr:fictional",  # "yes" is not a boolean
        "^pcr:collaboratesWith",  # one-way shortcut, shown as an inverse path
        "pcr:startDate",  # cannot end "soon"
        "pcr:participant",  # one participant
        "pcr:linkType",  # two types
    ):
        assert expected in text, expected
    assert "edge/charity> skos:prefLabel" not in text  # the subclass instance is fine


def test_a_broken_import_is_reported_with_its_source(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix pcr: <https://w3id.org/pcr-graph/def#> .\n"
        "<https://example.org/p> a pcr:Provider .\n",
        encoding="utf-8",
    )
    store = open_store([*ontology_files(), *reference_files(), broken])
    lines = _agree(store)
    assert len(lines) == 3 and all(line.startswith(f"{broken}: ") for line in lines)


def test_on_the_rdflib_engine_auto_means_pyshacl_and_fast_is_refused() -> None:
    # rdflib's SPARQL engine gets some of the compiled queries wrong (seen: a FILTER EXISTS
    # next to a subquery), so the reference engine keeps the reference validator.
    store = open_store([*ontology_files(), FIXTURES / "base.ttl", *BAD[:6]], engine="rdflib")
    assert validate(store) == validate(store, "pyshacl") != []
    with pytest.raises(UsageError, match="rdflib"):
        validate(store, "fast")


def test_every_constraint_of_the_shapes_is_compiled() -> None:
    shapes = shapes_graph()
    checks = compile_shapes(shapes, Project().open())
    compiled = {(str(c.shape), c.component) for c in checks}
    for parameter, component in (
        (SH.minCount, "minCount"),
        (SH.maxCount, "maxCount"),
        (SH["class"], "class"),
        (SH.datatype, "datatype"),
        (SH.node, "node"),
        (SH.nodeKind, "nodeKind"),
        (SH.lessThanOrEquals, "lessThanOrEquals"),
        (SH.equals, "equals"),
    ):
        for shape in shapes.subjects(parameter, None):
            if any(shapes.subjects(SH.property, shape)) and any(
                shapes.value(s, t)
                for s in shapes.subjects(SH.property, shape)
                for t in (SH.targetClass, SH.targetSubjectsOf)
            ):
                assert (str(shape), component) in compiled, (shape, component)


def _shapes_with(extra: str) -> Graph:
    graph = shapes_graph()
    graph.parse(data=extra, format="turtle")
    return graph


PATTERN_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix pcr: <https://w3id.org/pcr-graph/def#> .
<https://example.org/shapes#OdsPattern> a sh:NodeShape ; sh:targetClass pcr:Provider ;
  sh:property <https://example.org/shapes#OdsPattern-code> .
<https://example.org/shapes#OdsPattern-code> a sh:PropertyShape ; sh:path pcr:odsCode ;
  sh:not [ sh:hasValue "bad code" ] ; sh:message "An ODS code is capitals and digits" .
"""


def test_unsupported_shapes_are_refused_and_auto_falls_back_to_pyshacl(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = open_store([*ontology_files(), FIXTURES / "base.ttl"])
    store.load(
        "<https://example.org/p> a <https://w3id.org/pcr-graph/def#Provider> ; "
        '<http://www.w3.org/2004/02/skos/core#prefLabel> "P" ; '
        '<https://w3id.org/pcr-graph/def#odsCode> "bad code" .',
        "turtle",
        "p.ttl",
    )
    shapes = _shapes_with(PATTERN_SHAPE)
    with pytest.raises(UnsupportedShapes, match="not"):
        compile_shapes(shapes, store)
    monkeypatch.setattr("pcr_graph.validation.results.shapes_graph", lambda: shapes)
    messages = {v.message for v in validate(store, "auto")}
    assert "An ODS code is capitals and digits" in messages  # pySHACL ran
    with pytest.raises(UnsupportedShapes):
        validate(store, "fast")


OTHER_KINDS = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix pcr: <https://w3id.org/pcr-graph/def#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <https://example.org/shapes#> .
ex:Participants a sh:NodeShape ; sh:targetObjectsOf pcr:participant ;
  sh:property ex:Participants-label .
ex:Participants-label a sh:PropertyShape ; sh:path skos:prefLabel ; sh:minCount 1 ;
  sh:maxCount 2 ; sh:message "A participant has one or two names" .
ex:Chosen a sh:NodeShape ;
  sh:targetNode <https://example.org/edge/link>, <https://example.org/edge/lonely> ;
  sh:property ex:Chosen-dates, ex:Chosen-apart, ex:Chosen-three .
ex:Chosen-dates a sh:PropertyShape ; sh:path pcr:startDate ; sh:lessThan pcr:endDate ;
  sh:message "Starts strictly before it ends" .
ex:Chosen-apart a sh:PropertyShape ; sh:path pcr:participant ; sh:disjoint pcr:area ;
  sh:message "A participant is not an area" .
ex:Chosen-three a sh:PropertyShape ; sh:path pcr:participant ; sh:minCount 3 ;
  sh:message "Three or more participants" .
"""


def test_other_constraint_kinds_agree_with_pyshacl(plan: str) -> None:
    store = open_store([*ontology_files(), FIXTURES / "base.ttl"])
    store.load(EDGE_CASES, "turtle", "edge.ttl")
    store.load(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://example.org/edge/lonely> <https://w3id.org/pcr-graph/def#participant> "
        "<https://example.org/edge/nameless>, <https://example.org/edge/named> .\n"
        '<https://example.org/edge/named> skos:prefLabel "a", "b", "c" .\n',
        "turtle",
        "more.ttl",
    )
    shapes = Graph().parse(data=OTHER_KINDS, format="turtle")
    from pyshacl import validate as shacl

    from pcr_graph.validation.compiled import run_checks

    fast = sorted(
        (v.focus.strip("<>"), v.message) for v in run_checks(store, compile_shapes(shapes, store))
    )
    _, report, _ = shacl(store.graph(), shacl_graph=shapes, inference="none", advanced=True)
    assert isinstance(report, Graph)
    reference = sorted(
        (str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultMessage)))
        for r in report.objects(None, SH.result)
    )
    assert fast == reference
    assert {m for _, m in fast} == {
        "A participant has one or two names",
        "Starts strictly before it ends",
        "Three or more participants",
    }


def test_sh_in_and_has_value_compare_terms_like_pyshacl() -> None:
    extra = """
    @prefix sh: <http://www.w3.org/ns/shacl#> .
    @prefix pcr: <https://w3id.org/pcr-graph/def#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <https://example.org/shapes#Flag> a sh:NodeShape ; sh:targetSubjectsOf pcr:fictional ;
      sh:property <https://example.org/shapes#Flag-in> , <https://example.org/shapes#Flag-has> .
    <https://example.org/shapes#Flag-in> a sh:PropertyShape ; sh:path pcr:fictional ;
      sh:in ( true ) ; sh:message "Only true" .
    <https://example.org/shapes#Flag-has> a sh:PropertyShape ; sh:path pcr:fictional ;
      sh:hasValue true ; sh:message "Must be true" .
    """
    store = open_store([*ontology_files(), FIXTURES / "base.ttl"])
    store.load(EDGE_CASES, "turtle", "edge.ttl")
    shapes = _shapes_with(extra)
    from pcr_graph.validation.compiled import run_checks

    fast = [v for v in run_checks(store, compile_shapes(shapes, store)) if "Only" in v.message]
    fast += [v for v in run_checks(store, compile_shapes(shapes, store)) if "Must" in v.message]
    # "yes" is neither in (true) nor true; Oxigraph stores "1"^^xsd:boolean as true.
    assert {v.focus for v in fast} == {"<https://example.org/edge/home>"}
    from pyshacl import validate as shacl

    data = store.graph()
    _, report, _ = shacl(data, shacl_graph=shapes, inference="none", advanced=True)
    assert isinstance(report, Graph)
    reference = sorted(
        (str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultMessage)))
        for r in report.objects(None, SH.result)
        if str(report.value(r, SH.resultMessage)) in ("Only true", "Must be true")
    )
    assert sorted((v.focus.strip("<>"), v.message) for v in fast) == reference


def test_an_unknown_validator_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="validator"):
        validate(Project().open(), "quick")


def test_cli_engines_print_the_same_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pcr_graph.cli.commands import main

    imports = tmp_path / "ws" / "imports"
    imports.mkdir(parents=True)
    for fixture in BAD[:8]:
        (imports / fixture.name).write_bytes(fixture.read_bytes())
    outputs = []
    for engine in ("fast", "pyshacl"):
        with pytest.raises(SystemExit) as done:
            main(["--workspace", str(tmp_path / "ws"), "validate", "--engine", engine])
        assert done.value.code == 1
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] and outputs[0].count("\n") >= 8


SPEC_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix pcr: <https://w3id.org/pcr-graph/def#> .
@prefix ex: <https://example.org/shapes#> .
# A property shape with a target of its own, and no sh:NodeShape around it.
ex:Named a sh:PropertyShape ; sh:targetClass pcr:Provider ; sh:path pcr:odsCode ;
  sh:minCount 1 .
# A shape known only by its target (no rdf:type at all).
ex:Untyped sh:targetSubjectsOf pcr:odsCode ; sh:property [ sh:path skos:prefLabel ;
  sh:maxCount 1 ; sh:message "One name" ] .
# A class that is also a shape: its instances are its focus nodes (implicit target).
ex:Thing a rdfs:Class, sh:NodeShape ; sh:property [ sh:path skos:prefLabel ; sh:minCount 1 ] .
"""

SPEC_DATA = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix pcr: <https://w3id.org/pcr-graph/def#> .
@prefix ex: <https://example.org/shapes#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/d/p> a pcr:Provider ; skos:prefLabel "P" .
<https://example.org/d/q> pcr:odsCode "Q1" ; skos:prefLabel "Q", "Queue" .
ex:Sub rdfs:subClassOf ex:Thing .
<https://example.org/d/t> a ex:Sub .
"""


def test_every_shape_with_a_target_is_compiled_per_the_spec(plan: str) -> None:
    """SHACL §2.1: typed or not, node or property shape, explicit or implicit target."""
    from pyshacl import validate as shacl

    from pcr_graph.validation.compiled import run_checks, targeted_shapes

    store = open_store([])
    store.load(SPEC_DATA, "turtle", "spec.ttl")
    shapes = Graph().parse(data=SPEC_SHAPES, format="turtle")
    assert [str(s) for s in targeted_shapes(shapes)] == [
        "https://example.org/shapes#Named",
        "https://example.org/shapes#Thing",
        "https://example.org/shapes#Untyped",
    ]
    fast = sorted(
        (v.focus.strip("<>"), v.path) for v in run_checks(store, compile_shapes(shapes, store))
    )
    _, report, _ = shacl(store.graph(), shacl_graph=shapes, inference="none")
    assert isinstance(report, Graph)
    reference = sorted(
        (
            str(report.value(r, SH.focusNode)),
            str(report.value(r, SH.resultPath)).rsplit("#")[-1].rsplit("/")[-1],
        )
        for r in report.objects(None, SH.result)
    )
    assert [(f, p.split(":")[-1]) for f, p in fast] == reference
    assert [f for f, _ in fast] == [
        "https://example.org/d/p",  # no ODS code (ex:Named)
        "https://example.org/d/q",  # two names (ex:Untyped)
        "https://example.org/d/t",  # no name, an instance of a subclass (ex:Thing)
    ]


@pytest.mark.parametrize(
    "shape",
    [
        "ex:S a sh:PropertyShape ; sh:targetNode ex:n ; sh:path ex:p ; sh:uniqueLang true .",
        "ex:S sh:targetNode ex:n ; sh:or ( [ sh:class ex:C ] [ sh:class ex:D ] ) .",
        "ex:S a rdfs:Class, sh:NodeShape ; sh:closed true .",
        "ex:S sh:target [ a sh:SPARQLTarget ] ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
    ],
)
def test_a_targeted_shape_that_is_not_compiled_is_refused(shape: str) -> None:
    prefixes = (
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/x#> . "
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "
    )
    shapes = Graph().parse(data=prefixes + shape, format="turtle")
    with pytest.raises(UnsupportedShapes):
        compile_shapes(shapes, open_store([]))
