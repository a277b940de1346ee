"""RDF terms as plain tuples, the one shape every answer writer reads.

A :data:`Term` is ``(kind, value, datatype, language)``: ``kind`` is ``"uri"``,
``"bnode"`` or ``"literal"``; ``datatype`` is None for a plain ``xsd:string`` (and for
language-tagged text), ``language`` None unless tagged. None stands for an unbound cell.
"""

from __future__ import annotations

from typing import Any

Term = tuple[str, str, str | None, str | None]
Row = tuple[Term | None, ...]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def from_oxigraph(term: Any) -> Term | None:
    """A pyoxigraph term as a :data:`Term` (None stays None)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value, None, None)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, None, None)
    if isinstance(term, ox.Literal):
        if term.language:
            return ("literal", term.value, None, term.language)
        datatype = term.datatype.value
        return ("literal", term.value, None if datatype == XSD_STRING else datatype, None)
    return ("literal", str(term), None, None)  # an RDF-star triple term, as text


def from_rdflib(term: Any) -> Term | None:
    """An rdflib term as a :data:`Term` (None stays None)."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return ("uri", str(term), None, None)
    if isinstance(term, BNode):
        return ("bnode", str(term), None, None)
    if isinstance(term, Literal):
        if term.language:
            return ("literal", str(term), None, term.language)
        datatype = None if term.datatype is None else str(term.datatype)
        return ("literal", str(term), None if datatype == XSD_STRING else datatype, None)
    return ("literal", str(term), None, None)
