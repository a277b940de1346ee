"""SHACL shapes-graph pieces as SPARQL text: constants, property paths and value tests.

What :mod:`pcr_graph.validation.compiled` builds its queries from. Anything that has no
faithful SPARQL form here raises :class:`UnsupportedShapes` (and validation then falls back
to pySHACL).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from pcr_graph.core.errors import PcrGraphError


class UnsupportedShapes(PcrGraphError):
    """The shapes use a SHACL feature the fast validator does not compile."""


NODE_KINDS = {
    SH.IRI: "isIRI(?v)",
    SH.Literal: "isLiteral(?v)",
    SH.BlankNode: "isBlank(?v)",
    SH.BlankNodeOrIRI: "(isBlank(?v) || isIRI(?v))",
    SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
    SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))",
}
_CASTABLE = {
    XSD.boolean,
    XSD.date,
    XSD.dateTime,
    XSD.time,
    XSD.integer,
    XSD.decimal,
    XSD.double,
    XSD.float,
}
"""Datatypes whose well-formedness SPARQL can test with a cast (an ill-formed lexical
form makes the cast an error)."""
_PLAIN = {XSD.string, RDF.langString, XSD.anyURI, RDFS.Literal}


def sorted_terms(nodes: Iterable[Node]) -> list[Node]:
    """Shape-graph nodes in a fixed order (rdflib terms do not order across kinds)."""
    return sorted(nodes, key=lambda n: (type(n).__name__, str(n)))


def sparql_iri(term: Node) -> str:
    if not isinstance(term, URIRef):
        raise UnsupportedShapes(f"expected an IRI in the shapes, got {term!r}")
    text = str(term)
    if any(c in text for c in '<>"{}|\\^` \n'):
        raise UnsupportedShapes(f"cannot write {text!r} as a SPARQL IRI")
    return f"<{text}>"


def sparql_term(term: Node) -> str:
    """A constant from the shapes graph as SPARQL text (IRIs and literals only)."""
    if isinstance(term, URIRef):
        return sparql_iri(term)
    if isinstance(term, Literal):
        value = str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        if term.language:
            return f'"{value}"@{term.language}'
        if term.datatype is not None:
            return f'"{value}"^^{sparql_iri(term.datatype)}'
        return f'"{value}"'
    raise UnsupportedShapes(f"cannot use the blank node {term!r} as a constant")


@dataclass(frozen=True)
class SparqlPath:
    sparql: str
    shown: str
    may_be_empty: bool = False
    """A zero-length path (``sh:zeroOrMorePath``, ``sh:zeroOrOnePath``): each focus node is
    one of its own values."""


_PATH_DEPTH = 16
"""Deeper SHACL paths are refused (and a cycle in a malformed path stops here)."""


def sparql_path(shapes: Graph, node: Node | None) -> SparqlPath:
    """A SHACL property path (§2.3.1) as a SPARQL 1.1 property path, which means the same.

    A property, ``sh:inversePath``, a sequence (an RDF list), ``sh:alternativePath``,
    ``sh:zeroOrMorePath``, ``sh:oneOrMorePath`` and ``sh:zeroOrOnePath``; a path node that is
    not exactly one of these (say, a list that also has ``sh:inversePath``) is refused.
    """
    from pcr_graph.validation.results import path_text

    if isinstance(node, URIRef):
        return SparqlPath(sparql_iri(node), path_text(shapes, node))
    sparql, shown, empty = _path_parts(shapes, node, 0)
    if node is not None and isinstance(shapes.value(node, SH.inversePath), URIRef):
        shown = path_text(shapes, node)  # a plain inverse, written as pySHACL does
    return SparqlPath(sparql, shown, empty)


def _path_parts(shapes: Graph, node: Node | None, depth: int) -> tuple[str, str, bool]:
    """``(SPARQL text, text shown in reports, may be empty)`` of the path at ``node``."""
    from pcr_graph.validation.results import bound_names

    if depth > _PATH_DEPTH:
        raise UnsupportedShapes(f"a SHACL path deeper than {_PATH_DEPTH} is not compiled")
    if isinstance(node, URIRef):
        return sparql_iri(node), node.n3(bound_names()), False
    if not isinstance(node, BNode):
        raise UnsupportedShapes(f"sh:path must be an IRI or a blank node, got {node!r}")
    pairs = list(shapes.predicate_objects(node))
    keys = {p for p, _ in pairs}
    if keys == {RDF.first, RDF.rest} and len(pairs) == 2:
        parts = [_path_parts(shapes, m, depth + 1) for m in Collection(shapes, node)]
        if len(parts) < 2:
            raise UnsupportedShapes("a SHACL sequence path needs two or more members")
        return (
            "(" + " / ".join(p[0] for p in parts) + ")",
            "(" + " / ".join(p[1] for p in parts) + ")",
            all(p[2] for p in parts),
        )
    if len(pairs) != 1:
        raise UnsupportedShapes(f"a SHACL path node needs exactly one path kind: {node!r}")
    key, value = pairs[0]
    if key == SH.alternativePath:
        if not isinstance(value, BNode):
            raise UnsupportedShapes("sh:alternativePath needs a list")
        parts = [_path_parts(shapes, m, depth + 1) for m in Collection(shapes, value)]
        if len(parts) < 2:
            raise UnsupportedShapes("sh:alternativePath needs two or more members")
        return (
            "(" + " | ".join(p[0] for p in parts) + ")",
            "(" + " | ".join(p[1] for p in parts) + ")",
            any(p[2] for p in parts),
        )
    sparql, shown, empty = _path_parts(shapes, value, depth + 1)
    if key == SH.inversePath:
        return f"^{sparql}", f"^{shown}", empty
    if key == SH.zeroOrMorePath:
        return f"({sparql})*", f"({shown})*", True
    if key == SH.oneOrMorePath:
        return f"({sparql})+", f"({shown})+", empty
    if key == SH.zeroOrOnePath:
        return f"({sparql})?", f"({shown})?", True
    raise UnsupportedShapes(f"{key} is not a SHACL path")


def count_of(term: Node | None) -> int | None:
    if term is None:
        return None
    if not isinstance(term, Literal) or not isinstance(term.value, int):
        raise UnsupportedShapes(f"a count must be an integer, got {term!r}")
    return term.value


def comparable(var: str) -> str:
    # pySHACL compares IRIs and strings as Python strings, anything else by value.
    return (
        f"IF(isIRI({var}) || (isLiteral({var}) && (datatype({var}) = {sparql_iri(XSD.string)} "
        f'|| lang({var}) != "")), STR({var}), {var})'
    )


_RANGES = (
    (SH.minInclusive, ">=", "minInclusive"),
    (SH.minExclusive, ">", "minExclusive"),
    (SH.maxInclusive, "<=", "maxInclusive"),
    (SH.maxExclusive, "<", "maxExclusive"),
)


def _one(shapes: Graph, shape: Node, key: URIRef) -> Node | None:
    values = list(shapes.objects(shape, key))
    if len(values) > 1:
        raise UnsupportedShapes(f"{shape}: more than one {key} is not compiled")
    return values[0] if values else None


def value_tests(shapes: Graph, shape: Node) -> list[tuple[str, str]]:
    """``(component, expression)`` for the value-range, string and language constraints of
    ``shape``: each expression is true when the value ``?v`` violates the constraint.

    As SHACL says, a value that cannot be compared (another type, an IRI, an ill-formed
    literal) violates a range, and a blank node violates the string constraints: a SPARQL
    error counts as a violation (``COALESCE(…, false)``).
    """
    out = []
    for key, operator, component in _RANGES:
        bound = _one(shapes, shape, key)
        if bound is not None:
            if not isinstance(bound, Literal):
                raise UnsupportedShapes(f"{shape}: {key} needs a literal")
            out.append((component, f"!COALESCE(?v {operator} {sparql_term(bound)}, false)"))
    for key, operator, component in (
        (SH.minLength, ">=", "minLength"),
        (SH.maxLength, "<=", "maxLength"),
    ):
        length = count_of(_one(shapes, shape, key))
        if length is not None:
            out.append(
                (
                    component,
                    f"(isBlank(?v) || !COALESCE(STRLEN(STR(?v)) {operator} {length}, false))",
                )
            )
    flags = _one(shapes, shape, SH.flags)
    for pattern in sorted_terms(shapes.objects(shape, SH.pattern)):
        if not isinstance(pattern, Literal) or (
            flags is not None and not isinstance(flags, Literal)
        ):
            raise UnsupportedShapes(f"{shape}: sh:pattern and sh:flags need literals")
        arguments = f"STR(?v), {sparql_term(Literal(str(pattern)))}"
        if flags is not None:
            arguments += f", {sparql_term(Literal(str(flags)))}"
        out.append(("pattern", f"(isBlank(?v) || !COALESCE(REGEX({arguments}), false))"))
    if flags is not None and not any(shapes.objects(shape, SH.pattern)):
        raise UnsupportedShapes(f"{shape}: sh:flags without sh:pattern")
    for members in shapes.objects(shape, SH.languageIn):
        if not isinstance(members, BNode | URIRef):
            raise UnsupportedShapes(f"{shape}: sh:languageIn must be a list")
        tags = list(Collection(shapes, members))
        if not all(isinstance(t, Literal) for t in tags):
            raise UnsupportedShapes(f"{shape}: sh:languageIn lists literals")
        matches = [f"langMatches(lang(?v), {sparql_term(Literal(str(t)))})" for t in tags]
        out.append(("languageIn", f"!(isLiteral(?v) && ({' || '.join(matches) or 'false'}))"))
    return out


def datatype_test(datatype: Node) -> str:
    """A SPARQL expression true when ``?v`` is a well-formed literal of ``datatype``."""
    if not isinstance(datatype, URIRef):
        raise UnsupportedShapes(f"sh:datatype must be an IRI, got {datatype!r}")
    d = sparql_iri(datatype)
    if datatype == RDFS.Literal:
        return "isLiteral(?v)"
    if datatype == RDF.langString:
        return 'isLiteral(?v) && lang(?v) != ""'
    if datatype in _PLAIN:
        return f"isLiteral(?v) && datatype(?v) = {d}"
    if datatype in _CASTABLE:
        return f"isLiteral(?v) && datatype(?v) = {d} && COALESCE(isLiteral({d}(STR(?v))), false)"
    raise UnsupportedShapes(f"sh:datatype {datatype} is not compiled")
