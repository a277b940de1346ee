"""The store interface behaves the same on Oxigraph and rdflib."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from pcr_graph.core.errors import DataError, UsageError
from pcr_graph.store.engines import ENGINES, OxigraphStore, Table, open_store

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
    table = store.select("SELECT ?a ?label WHERE { ?a skos:prefLabel ?label } ORDER BY ?label")
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
    assert store.ask("ASK { ?a a pcr:Area }") is True
    assert store.ask("ASK { ?a a pcr:Provider }") is False
    graph = store.construct("CONSTRUCT { ?a a pcr:Area } WHERE { ?a a pcr:Area }")
    assert type(graph) is Graph and len(graph) == 2
    assert len(store.construct("DESCRIBE <https://example.org/a>")) == 3
    # query() answers any form, in its own type.
    assert store.query("ASK { ?a a pcr:Area }") is True
    assert store.query("SELECT ?a WHERE { ?a a pcr:Area }") == store.select(
        "SELECT ?a WHERE { ?a a pcr:Area }"
    )


FORMS = {
    "select": "SELECT ?a WHERE { ?a a pcr:Area }",
    "ask": "ASK { ?a a pcr:Area }",
    "construct": "CONSTRUCT { ?a a pcr:Area } WHERE { ?a a pcr:Area }",
}


@pytest.mark.parametrize("method", sorted(FORMS))
@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_typed_call_refuses_another_query_form(store, method: str, form: str) -> None:  # type: ignore[no-untyped-def]
    call = getattr(store, method)
    if method == form:
        call(FORMS[form])
        return
    named = {"select": "a SELECT", "ask": "an ASK", "construct": "a CONSTRUCT or DESCRIBE"}
    with pytest.raises(UsageError, match=rf"{method}\(\) needs .* this is {named[form]} query"):
        call(FORMS[form])


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
    results = [open_store([path], engine).select(query) for engine in ENGINES]
    assert results[0] == results[1]
    assert len(results[0]) == 2


def test_unknown_engine() -> None:
    with pytest.raises(UsageError, match="unknown engine"):
        open_store([], "sqlite")


def test_query_capped_reads_at_most_cap_rows_and_says_when_there_were_more() -> None:
    store = OxigraphStore()
    store.load(
        "".join(f"<urn:s{i}> <urn:p> {i} .\n" for i in range(5)).encode("utf-8"), "turtle", "five"
    )
    select = "SELECT ?s WHERE { ?s <urn:p> ?o } ORDER BY ?s"
    table, more = store.query_capped(select, 3)
    assert isinstance(table, Table) and len(table) == 3 and more
    table, more = store.query_capped(select, 5)
    assert isinstance(table, Table) and len(table) == 5 and not more
    graph, more = store.query_capped("CONSTRUCT { ?s <urn:q> ?o } WHERE { ?s <urn:p> ?o }", 2)
    assert len(graph) == 2 and more  # type: ignore[arg-type]
    assert store.query_capped("ASK { <urn:s1> <urn:p> 1 }", 1) == (True, False)
    # Every source is a named graph: only the union default graph sees them.
    table, _ = store.query_capped(select, 10, union=False)
    assert isinstance(table, Table) and len(table) == 0


def test_an_on_disk_store_opens_read_only_beside_its_writer(tmp_path: Path) -> None:
    writer = OxigraphStore(tmp_path / "store")
    writer.load(b"<urn:a> <urn:p> <urn:b> .\n", "nt", "one")
    writer.flush()
    reader = OxigraphStore.read_only(tmp_path / "store")
    assert reader.query("ASK { <urn:a> <urn:p> <urn:b> }") is True
    with pytest.raises(Exception):  # noqa: B017 - Oxigraph refuses writes on a read-only store
        reader.load(b"<urn:c> <urn:p> <urn:d> .\n", "nt", "two")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_file_holding_other_than_its_declared_triples_adds_nothing(
    engine: str, tmp_path: Path
) -> None:
    """A checksum line whose hash is right but whose count is not (a writer's bug) is
    refused; the count is the store's growth for a new graph, the graph's own otherwise."""
    from pcr_graph.core.files import MARKER, footer_line

    body = (MARKER + DATA).encode("utf-8")  # six triples
    good, bad = tmp_path / "good.ttl", tmp_path / "bad.ttl"
    good.write_bytes(body + footer_line(body, 6).encode("utf-8"))
    bad.write_bytes(body + footer_line(body, 7).encode("utf-8"))
    store = open_store([good], engine)
    with pytest.raises(DataError, match="declares 7 triples, but it holds 6"):
        store.load_file(bad)
    assert len(store.select("SELECT ?s WHERE { ?s ?p ?o }").rows) == 6
    store.load_file(good)  # again: adds nothing new, and its graph holds the six
    assert len(store.select("SELECT ?s WHERE { ?s ?p ?o }").rows) == 6
