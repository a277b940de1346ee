"""The store interface behaves the same on Oxigraph and rdflib."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from pcr_graph.errors import DataError, UsageError
from pcr_graph.store import ENGINES, Table, open_store

DATA = """
@prefix pcr: <https://w3id.org/pcr-graph/def#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://example.org/a> a pcr:Area ; skos:prefLabel "Area A" ; pcr:odsCode "QAA" .
<https://example.org/b> a pcr:Area ; skos:prefLabel "Area \\"B\\"" ; pcr:odsCode "QBB" .
"""


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    s = open_store([], request.param)
    s.load(DATA, "turtle", "fixture.ttl")
    return s


def test_select_is_ordered_and_typed(store) -> None:  # type: ignore[no-untyped-def]
    table = store.query("SELECT ?a ?label WHERE { ?a skos:prefLabel ?label } ORDER BY ?label")
    assert isinstance(table, Table)
    assert table.columns == ("a", "label")
    assert [str(r[1]) for r in table] == ['Area "B"', "Area A"]
    assert isinstance(table.rows[0][0], URIRef)


def test_bindings_are_values_not_text(store) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT ?a ?code WHERE { ?a pcr:odsCode ?code } ORDER BY ?a"
    assert len(store.query(query, {"code": Literal("QAA")})) == 1
    # A value that would break out of a quoted literal if spliced in matches nothing.
    hostile = Literal('QAA" } UNION { ?a ?p ?o } #')
    assert len(store.query(query, {"code": hostile})) == 0


def test_ask_and_construct(store) -> None:  # type: ignore[no-untyped-def]
    assert store.query("ASK { ?a a pcr:Area }") is True
    graph = store.query("CONSTRUCT { ?a a pcr:Area } WHERE { ?a a pcr:Area }")
    assert isinstance(graph, Graph) and len(graph) == 2


def test_sources_are_named_graphs(store) -> None:  # type: ignore[no-untyped-def]
    assert store.sources() == ["fixture.ttl"]
    assert len(store.source_graph("fixture.ttl")) == len(store) == 6


def test_bad_turtle_adds_nothing(store) -> None:  # type: ignore[no-untyped-def]
    before = len(store)
    with pytest.raises(DataError, match=r"broken\.ttl"):
        store.load("<https://example.org/x> <https://example.org/p> .", "turtle", "broken.ttl")
    assert len(store) == before


def test_bad_sparql_is_a_usage_error(store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match="SPARQL syntax error"):
        store.query("SELEC ?x WHERE { }")


def test_engines_agree_on_a_file(tmp_path: Path) -> None:
    path = tmp_path / "data.ttl"
    path.write_text(DATA, encoding="utf-8")
    query = "SELECT ?a ?code WHERE { ?a pcr:odsCode ?code } ORDER BY ?code"
    results = [open_store([path], engine).query(query) for engine in ENGINES]
    assert results[0] == results[1]
    assert len(results[0]) == 2


def test_unknown_engine() -> None:
    with pytest.raises(UsageError, match="unknown engine"):
        open_store([], "sqlite")
