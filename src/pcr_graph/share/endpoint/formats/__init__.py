"""Answer writers, one module per format: SPARQL results (JSON, CSV, TSV, XML) and RDF.

Every writer reads rows of :data:`~.terms.Term` tuples, so an answer from Oxigraph and one
from rdflib are written by the same code.
"""

from __future__ import annotations

from pcr_graph.share.endpoint.formats.rdf import write_graph
from pcr_graph.share.endpoint.formats.sparql_csv import write_csv
from pcr_graph.share.endpoint.formats.sparql_json import write_json, write_json_boolean
from pcr_graph.share.endpoint.formats.sparql_tsv import write_tsv
from pcr_graph.share.endpoint.formats.sparql_xml import write_xml, write_xml_boolean
from pcr_graph.share.endpoint.formats.terms import Row, Term

__all__ = ["Row", "Term", "write_boolean", "write_graph", "write_table"]


def write_table(columns: tuple[str, ...], rows: list[Row], fmt: str) -> bytes:
    """A SELECT answer in ``fmt`` (a key of ``SELECT_FORMATS``)."""
    if fmt == "json":
        return write_json(columns, rows)
    if fmt == "csv":
        return write_csv(columns, rows)
    if fmt == "tsv":
        return write_tsv(columns, rows)
    if fmt == "xml":
        return write_xml(columns, rows)
    raise ValueError(f"unknown SELECT format {fmt!r}")


def write_boolean(value: bool, fmt: str) -> bytes:
    """An ASK answer in ``fmt``."""
    if fmt == "json":
        return write_json_boolean(value)
    if fmt == "xml":
        return write_xml_boolean(value)
    return f"{'true' if value else 'false'}\n".encode()
