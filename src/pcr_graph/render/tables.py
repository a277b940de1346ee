"""Printing rows: one set of formats (table, csv, json, md) for every command."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

from rdflib import URIRef

from pcr_graph.core.csvsafe import SafeWriter
from pcr_graph.core.namespaces import bind_prefixes
from pcr_graph.store.engines import Table

FORMATS = ("table", "csv", "json", "md")


def cell(value: object) -> str:
    """A result cell as text: IRIs shortened to prefixed names where possible."""
    if value is None:
        return ""
    if isinstance(value, URIRef):
        from rdflib import Graph

        return value.n3(bind_prefixes(Graph()).namespace_manager).strip("<>")
    return str(value)


def format_rows(columns: Sequence[str], rows: Sequence[Sequence[object]], fmt: str) -> str:
    """Rows as text in ``fmt`` (table, csv, json or md)."""
    text_rows = [[cell(v) for v in row] for row in rows]
    if fmt == "csv":
        out = io.StringIO()
        writer = SafeWriter(out)
        writer.writerow(columns)
        writer.writerows(text_rows)
        return out.getvalue()
    if fmt == "json":
        data = [dict(zip(columns, row, strict=True)) for row in text_rows]
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":

        def esc(text: str) -> str:
            return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

        lines = ["| " + " | ".join(esc(c) for c in columns) + " |"]
        lines.append("|" + "---|" * len(columns))
        lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in text_rows]
        return "\n".join(lines) + "\n"
    widths = [len(c) for c in columns]
    for row in text_rows:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    lines = [line(columns), line(["-" * w for w in widths])]
    lines += [line(row) for row in text_rows]
    lines.append(f"({len(text_rows)} row{'s' if len(text_rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def format_table(table: Table, fmt: str) -> str:
    """A SELECT result in ``fmt``."""
    return format_rows(table.columns, table.rows, fmt)
