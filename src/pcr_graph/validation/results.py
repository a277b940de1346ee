"""What both validators share: the shapes, the violation record, and where a focus came from."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SH, NamespaceManager
from rdflib.term import Node

from pcr_graph.core.namespaces import PCR, bind_prefixes
from pcr_graph.core.resources import shapes_files
from pcr_graph.store.engines import Store, graph_source


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
    table = store.select(_LOCATION_OF, {"focus": focus})
    if table.rows and table.rows[0][1] is not None:
        return str(table.rows[0][1])
    return _graph_of(store, focus)


def _graph_of(store: Store, focus: Node) -> str:
    if isinstance(focus, URIRef):
        table = store.select(_GRAPH_OF, {"focus": focus})
        if table.rows:
            graph = str(table.rows[0][0])
            return graph_source(graph) or unquote(graph)
    return ""


def _source_of(store: Store, data: Graph, focus: Node | None) -> str:
    if focus is None:
        return ""
    location = data.value(focus, PCR.sourceLocation)  # type: ignore[arg-type,unused-ignore]
    if location is not None:
        return str(location)
    return _graph_of(store, focus)
