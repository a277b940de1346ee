"""Validation with pySHACL, the reference SHACL implementation, over an rdflib copy of the data."""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import SH

from pcr_graph.core.namespaces import bind_prefixes
from pcr_graph.store.engines import Store
from pcr_graph.validation import results as shared
from pcr_graph.validation.results import Violation, _short, _source_of, path_text


def validate_pyshacl(store: Store) -> list[Violation]:
    """:func:`validate` with pySHACL, the reference SHACL implementation."""
    from pyshacl import validate as shacl_validate

    data = store.graph()
    _conforms, results, _text = shacl_validate(
        data,
        shacl_graph=shared.shapes_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
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
