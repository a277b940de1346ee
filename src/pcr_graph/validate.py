"""SHACL validation with pySHACL, reported one readable line per violation."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import SH, NamespaceManager
from rdflib.term import Node

from .namespaces import PCR, bind_prefixes
from .resources import shapes_files
from .store import Store, Table


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


def validate(store: Store) -> list[Violation]:
    """Check the whole dataset against the shapes; an empty list means it conforms."""
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
                path=_short(path, nm) if path is not None else "",
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


_GRAPH_OF = "SELECT DISTINCT ?g ?focus WHERE { GRAPH ?g { ?focus ?p ?o } } ORDER BY ?g LIMIT 1"


def _source_of(store: Store, data: Graph, focus: Node | None) -> str:
    if focus is None:
        return ""
    location = data.value(focus, PCR.sourceLocation)  # type: ignore[arg-type,unused-ignore]
    if location is not None:
        return str(location)
    if isinstance(focus, URIRef):
        table = store.query(_GRAPH_OF, {"focus": focus})
        if isinstance(table, Table) and table.rows:
            from urllib.parse import unquote

            from .store import SOURCE_GRAPH

            return unquote(str(table.rows[0][0]).removeprefix(SOURCE_GRAPH))
    return ""
