"""SPARQL 1.1 Query Results CSV, with every cell safe to open in a spreadsheet.

A cell that would start a formula (``=``, ``+``, ``-``, ``@``, tab, CR) is written with a
leading single quote (OWASP's guidance, :func:`pcr_graph.core.csvsafe.safe_cell`): the
reviewers who ask for CSV open it in Excel. JSON, TSV and XML carry values unchanged.
"""

from __future__ import annotations

import csv
import io

from pcr_graph.core.csvsafe import safe_cell
from pcr_graph.share.endpoint.formats.terms import Row, Term


def _text(term: Term | None) -> str:
    if term is None:
        return ""
    kind, value, _datatype, _language = term
    return safe_cell(f"_:{value}" if kind == "bnode" else value)


def write_csv(columns: tuple[str, ...], rows: list[Row]) -> bytes:
    """A SELECT answer as CSV (CRLF line ends, as the format says)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return out.getvalue().encode()
