"""CONSTRUCT and DESCRIBE answers in every RDF format Oxigraph writes.

Triples are written by Oxigraph's own serialisers (Turtle, N-Triples, RDF/XML, JSON-LD,
N3, TriG, N-Quads), with the project's prefixes where the format has prefixes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pcr_graph.core.namespaces import PREFIXES

_OX_FORMATS = {
    "turtle": "TURTLE",
    "nt": "N_TRIPLES",
    "rdfxml": "RDF_XML",
    "jsonld": "JSON_LD",
    "n3": "N3",
    "trig": "TRIG",
    "nquads": "N_QUADS",
}
_PREFIXED = {"turtle", "rdfxml", "n3", "trig", "jsonld"}


def write_graph(triples: Sequence[Any], fmt: str) -> bytes:
    """``triples`` (pyoxigraph Triples) in ``fmt`` (a key of ``GRAPH_FORMATS``)."""
    import pyoxigraph as ox

    if fmt not in _OX_FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}")
    rdf_format = getattr(ox.RdfFormat, _OX_FORMATS[fmt])
    if fmt in ("trig", "nquads"):
        items: Sequence[Any] = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    else:
        items = triples
    prefixes = PREFIXES if fmt in _PREFIXED else None
    body = ox.serialize(items, format=rdf_format, prefixes=prefixes)
    assert body is not None
    return bytes(body)


def rdflib_triple(triple: Any) -> Any:
    """An rdflib triple as a pyoxigraph Triple (for answers from an rdflib store)."""
    return _ox_term_triple(triple)


def _ox_term(term: Any) -> Any:
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def _ox_term_triple(triple: Any) -> Any:
    import pyoxigraph as ox

    s, p, o = triple
    return ox.Triple(_ox_term(s), _ox_term(p), _ox_term(o))
