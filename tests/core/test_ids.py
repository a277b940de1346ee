"""IRIs minted from any text are valid and round-trip."""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal
from rdflib.namespace import RDFS

from pcr_graph.core.ids import last_segment, mint, provider_iri


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=60))
def test_any_text_round_trips_through_an_iri(text: str) -> None:
    iri = mint("wb", "demo", "provider", text)
    assert last_segment(iri) == text
    # rdflib accepts it as an IRI in Turtle, and it parses back unchanged.
    graph = Graph()
    graph.add((iri, RDFS.label, Literal("x")))
    again = Graph().parse(data=graph.serialize(format="turtle"), format="turtle")
    assert set(again.subjects()) == {iri}
    assert unquote(str(iri).rsplit("/", 1)[1]) == text


def test_same_code_same_node() -> None:
    assert provider_iri(ods_code="r0a") == provider_iri(ods_code="R0A ")
    assert provider_iri(cqc_location_id="1-123") != provider_iri(ods_code="1-123")
    assert provider_iri(workbook="a", local_id="p1") != provider_iri(workbook="b", local_id="p1")
