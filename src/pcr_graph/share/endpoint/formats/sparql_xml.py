"""SPARQL Query Results XML Format."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from pcr_graph.share.endpoint.checks import Refused
from pcr_graph.share.endpoint.formats.terms import Row, Term

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(text: str) -> str:
    if _XML_INVALID.search(text):
        raise Refused(406, "the answer holds characters XML cannot carry: ask for JSON or TSV")
    return escape(text)


def _attr(text: str) -> str:
    _text(text)
    return quoteattr(text)


def _term(term: Term) -> str:
    kind, value, datatype, language = term
    if kind == "uri":
        return f"<uri>{_text(value)}</uri>"
    if kind == "bnode":
        return f"<bnode>{_text(value)}</bnode>"
    attrs = ""
    if language:
        attrs = f" xml:lang={_attr(language)}"
    elif datatype:
        attrs = f" datatype={_attr(datatype)}"
    return f"<literal{attrs}>{_text(value)}</literal>"


def write_xml(columns: tuple[str, ...], rows: list[Row]) -> bytes:
    """A SELECT answer as SPARQL XML."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n']
    parts.append('<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>')
    parts += [f"<variable name={_attr(c)}/>" for c in columns]
    parts.append("</head>\n<results>\n")
    for row in rows:
        parts.append("<result>")
        for column, value in zip(columns, row, strict=True):
            if value is not None:
                parts.append(f"<binding name={_attr(column)}>{_term(value)}</binding>")
        parts.append("</result>\n")
    parts.append("</results>\n</sparql>\n")
    return "".join(parts).encode()


def write_xml_boolean(value: bool) -> bytes:
    """An ASK answer as SPARQL XML."""
    word = "true" if value else "false"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        f"<head/><boolean>{word}</boolean></sparql>\n"
    ).encode()
