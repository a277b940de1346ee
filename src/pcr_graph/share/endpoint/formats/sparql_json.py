"""SPARQL 1.1 Query Results JSON Format."""

from __future__ import annotations

import json

from pcr_graph.share.endpoint.formats.terms import Row, Term


def _cell(term: Term) -> dict[str, str]:
    kind, value, datatype, language = term
    cell = {"type": kind, "value": value}
    if language:
        cell["xml:lang"] = language
    elif datatype:
        cell["datatype"] = datatype
    return cell


def write_json(columns: tuple[str, ...], rows: list[Row]) -> bytes:
    """A SELECT answer as SPARQL JSON."""
    bindings = [
        {c: _cell(v) for c, v in zip(columns, row, strict=True) if v is not None} for row in rows
    ]
    data = {"head": {"vars": list(columns)}, "results": {"bindings": bindings}}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def write_json_boolean(value: bool) -> bytes:
    """An ASK answer as SPARQL JSON."""
    return json.dumps({"head": {}, "boolean": value}).encode()
