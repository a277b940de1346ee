"""SPARQL 1.1 Query Results TSV (terms in Turtle/N-Triples syntax)."""

from __future__ import annotations

from pcr_graph.share.endpoint.formats.terms import Row, Term


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def _term(term: Term | None) -> str:
    if term is None:
        return ""
    kind, value, datatype, language = term
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    if language:
        return f'"{_escape(value)}"@{language}'
    if datatype:
        return f'"{_escape(value)}"^^<{datatype}>'
    return f'"{_escape(value)}"'


def write_tsv(columns: tuple[str, ...], rows: list[Row]) -> bytes:
    """A SELECT answer as TSV."""
    lines = ["\t".join(f"?{c}" for c in columns)]
    lines += ["\t".join(_term(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()
