"""SHACL validation, reported one readable line per violation.

Two validators give the same answers: pySHACL (the reference, in Python over an rdflib copy
of the data) and :mod:`pcr_graph.fastvalidate` (the shapes compiled to SPARQL and run in the
store, which scales to the whole country). ``engine="auto"`` uses the compiled one except on
rdflib's reference store, and pySHACL whenever the shapes use a feature it does not compile.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SH, NamespaceManager
from rdflib.term import Node

from .errors import UsageError
from .namespaces import PCR, bind_prefixes
from .resources import shapes_files
from .store import Store, Table

VALIDATORS = ("auto", "fast", "pyshacl")
"""``fast``: compiled SPARQL; ``pyshacl``: the reference; ``auto``: fast unless the store is
rdflib's reference engine or the shapes need pySHACL."""


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result, with where the offending resource came from if known."""

    source: str
    focus: str
    path: str
    message: str
    severity: str
    shape: str

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        path = f" {self.path}" if self.path else ""
        return f"{where}{self.focus}{path}: {self.message} [{self.severity}]"


def shapes_graph() -> Graph:
    """Every SHACL shapes file, merged."""
    graph = Graph()
    for path in shapes_files():
        graph.parse(path, format="turtle")
    return graph


def validate(store: Store, engine: str = "auto") -> list[Violation]:
    """Check the whole dataset against the shapes; an empty list means it conforms.

    ``engine`` is one of :data:`VALIDATORS`; both validators give the same violations.
    """
    if engine not in VALIDATORS:
        raise UsageError(f"unknown validator {engine!r} (one of {', '.join(VALIDATORS)})")
    if engine == "fast" and store.engine == "rdflib":
        raise UsageError(
            "the fast validator needs the Oxigraph engine (rdflib's SPARQL engine gets some of "
            "its queries wrong); use --engine pyshacl or auto"
        )
    if engine == "fast" or (engine == "auto" and store.engine != "rdflib"):
        from .fastvalidate import UnsupportedShapes, validate_fast

        try:
            return validate_fast(store)
        except UnsupportedShapes:
            if engine == "fast":
                raise
    return validate_pyshacl(store)


def validate_pyshacl(store: Store) -> list[Violation]:
    """:func:`validate` with pySHACL, the reference SHACL implementation."""
    from pyshacl import validate as shacl_validate

    data = store.graph()
    _conforms, results, _text = shacl_validate(
        data, shacl_graph=shapes_graph(), inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(results, Graph)
    nm = bind_prefixes(Graph()).namespace_manager
    out = []
    # Only the report's own results: pySHACL also nests the results of sh:node checks,
    # which would print one problem twice.
    for result in results.objects(None, SH.result):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        shape = results.value(result, SH.sourceShape)
        out.append(
            Violation(
                source=_source_of(store, data, focus),
                focus=_short(focus, nm),
                path=path_text(results, path) if path is not None else "",
                message=str(message or "does not conform"),
                severity=_short(severity, nm).removeprefix("sh:") if severity else "Violation",
                shape=_short(shape, nm) if shape is not None else "",
            )
        )
    return sorted(out)


def _short(term: Node | None, nm: NamespaceManager) -> str:
    if isinstance(term, URIRef):
        return term.n3(nm)
    return "" if term is None else str(term)


def bound_names() -> NamespaceManager:
    """A namespace manager with every pcr-graph prefix bound (for short names)."""
    return bind_prefixes(Graph()).namespace_manager


def path_text(graph: Graph, path: Node) -> str:
    """A SHACL path as text: ``pcr:sector``, or ``^pcr:collaboratesWith`` for an inverse.

    ``graph`` holds the path's blank node, if it is one.
    """
    nm = bound_names()
    if isinstance(path, BNode):
        inverse = graph.value(path, SH.inversePath)
        if isinstance(inverse, URIRef):
            return "^" + inverse.n3(nm)
    return _short(path, nm)


_GRAPH_OF = "SELECT DISTINCT ?g ?focus WHERE { GRAPH ?g { ?focus ?p ?o } } ORDER BY ?g LIMIT 1"
_LOCATION_OF = """
SELECT ?focus (MIN(STR(?location)) AS ?where) WHERE { ?focus pcr:sourceLocation ?location }
GROUP BY ?focus
"""


def source_in_store(store: Store, focus: Node) -> str:
    """Where ``focus`` came from: its ``pcr:sourceLocation``, else the source it is in."""
    if not isinstance(focus, URIRef | BNode):
        return ""
    table = store.query(_LOCATION_OF, {"focus": focus})
    if isinstance(table, Table) and table.rows and table.rows[0][1] is not None:
        return str(table.rows[0][1])
    return _graph_of(store, focus)


def _graph_of(store: Store, focus: Node) -> str:
    if isinstance(focus, URIRef):
        table = store.query(_GRAPH_OF, {"focus": focus})
        if isinstance(table, Table) and table.rows:
            from urllib.parse import unquote

            from .store import SOURCE_GRAPH

            return unquote(str(table.rows[0][0]).removeprefix(SOURCE_GRAPH))
    return ""


def _source_of(store: Store, data: Graph, focus: Node | None) -> str:
    if focus is None:
        return ""
    location = data.value(focus, PCR.sourceLocation)  # type: ignore[arg-type,unused-ignore]
    if location is not None:
        return str(location)
    return _graph_of(store, focus)
