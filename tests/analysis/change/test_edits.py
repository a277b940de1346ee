"""Store copies and the SPARQL UPDATE edits made to them."""

from __future__ import annotations

from rdflib import URIRef

from pcr_graph.analysis import change as ch
from pcr_graph.analysis import network as nw
from pcr_graph.store.engines import Store
from tests.support.testshire import WB, P


def test_remove_provider_keeps_multi_party_links_among_the_rest(store: Store) -> None:
    copy = ch.copy_store(store)
    ch.remove_provider(copy, URIRef(P("tx-acute")))
    G = nw.provider_graph(copy, "tx")
    assert P("tx-acute") not in G
    assert G.edges[P("tx-comm"), P("tx-la")]["links"] == (f"{WB}link/L5",)
    gone = {"gone": URIRef(P("tx-acute"))}
    shortcuts = copy.select(
        "SELECT ?gone ?x WHERE { { ?x pcr:collaboratesWith ?gone } UNION "
        "{ ?gone pcr:collaboratesWith ?x } } ORDER BY ?x",
        gone,
    )
    assert not shortcuts.rows
    memberships = copy.select(
        "SELECT ?gone ?m WHERE { ?m a org:Membership ; org:member ?gone } ORDER BY ?m", gone
    )
    assert not memberships.rows
    assert not copy.ask(
        "ASK { { ?s ?p <urn:pcr-graph:parameters> } UNION { <urn:pcr-graph:parameters> ?p ?o } }"
    )
    # The others' shortcut stays: L5 still joins them.
    assert copy.ask(
        "ASK { ?a pcr:collaboratesWith ?b ; dcterms:identifier 'tx-la' . "
        "?b dcterms:identifier 'tx-comm' }"
    )
