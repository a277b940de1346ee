"""Content negotiation: which format an answer is written in.

``format=`` (SPARQLWrapper and browsers send it) wins when it names a format this kind of
answer has; when it does not apply (``format=xml`` read as RDF/XML for a CONSTRUCT,
``format=turtle`` for a SELECT), the ``Accept`` header decides, as HTTP intends.
"""

from __future__ import annotations

from pcr_graph.share.endpoint.checks import Refused

SELECT_FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xml": "application/sparql-results+xml",
}
"""SELECT and ASK answers: format key -> media type (SPARQL 1.1 result formats)."""

GRAPH_FORMATS: dict[str, str] = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "n3": "text/n3",
    "trig": "application/trig",
    "nquads": "application/n-quads",
}
"""CONSTRUCT and DESCRIBE answers: format key -> media type (every RDF format Oxigraph writes)."""

_SELECT_MEDIA_ALIASES = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/sparql-results+json": "json",
}
_GRAPH_MEDIA_ALIASES = {
    "application/x-turtle": "turtle",
    "application/json+ld": "jsonld",
    "application/json": "jsonld",
    "text/plain": "nt",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
    "text/rdf+n3": "n3",
    "application/n3": "n3",
    "application/x-trig": "trig",
    "text/x-nquads": "nquads",
}
_SELECT_NAMES = {"sparql-results+json": "json", "sparql-results+xml": "xml", "text": "tsv"}
_GRAPH_NAMES = {
    "ttl": "turtle",
    "json-ld": "jsonld",
    "json": "jsonld",
    "ntriples": "nt",
    "n-triples": "nt",
    "xml": "rdfxml",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
    "rdf/xml": "rdfxml",
    "n-quads": "nquads",
    "nq": "nquads",
}


def is_tabular(form: str) -> bool:
    """True for SELECT and ASK (result formats), False for CONSTRUCT and DESCRIBE (RDF)."""
    return form in ("SelectQuery", "AskQuery")


def _named(fmt: str, tabular: bool) -> str | None:
    """The format key ``format=`` names for this kind of answer, or None."""
    asked = fmt.strip().lower()
    if tabular:
        asked = _SELECT_NAMES.get(asked, asked)
        return asked if asked in SELECT_FORMATS else None
    asked = _GRAPH_NAMES.get(asked, asked)
    return asked if asked in GRAPH_FORMATS else _GRAPH_MEDIA_ALIASES.get(asked)


def negotiate(form: str, accept: str | None, fmt: str | None) -> str:
    """The answer format: a key of :data:`SELECT_FORMATS` or :data:`GRAPH_FORMATS`.

    ``format=`` first, when it applies to this kind of answer, then ``Accept``; without
    either, JSON for SELECT/ASK, Turtle for CONSTRUCT/DESCRIBE.

    >>> negotiate("SelectQuery", "text/csv;q=0.5, application/sparql-results+xml", None)
    'xml'
    >>> negotiate("ConstructQuery", "text/html,*/*;q=0.8", None)
    'turtle'
    >>> negotiate("ConstructQuery", "application/rdf+xml", "xml")
    'rdfxml'
    >>> negotiate("SelectQuery", "application/sparql-results+json", "turtle")
    'json'
    """
    tabular = is_tabular(form)
    if fmt:
        named = _named(fmt, tabular)
        if named is None:
            named = _named_media(fmt, tabular)
        if named is not None:
            return named
    return _from_accept(accept, tabular)


def _named_media(fmt: str, tabular: bool) -> str | None:
    formats = SELECT_FORMATS if tabular else GRAPH_FORMATS
    aliases = _SELECT_MEDIA_ALIASES if tabular else _GRAPH_MEDIA_ALIASES
    media = fmt.split(";")[0].strip().lower()
    by_type = {m: k for k, m in formats.items()}
    return by_type.get(media) or aliases.get(media)


def _from_accept(accept: str | None, tabular: bool) -> str:
    formats = SELECT_FORMATS if tabular else GRAPH_FORMATS
    aliases = _SELECT_MEDIA_ALIASES if tabular else _GRAPH_MEDIA_ALIASES
    default = "json" if tabular else "turtle"
    if not accept or not accept.strip():
        return default
    by_type = {media: key for key, media in formats.items()}
    choices: list[tuple[float, int, int, str]] = []
    for order, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        key: str | None = by_type.get(media) or aliases.get(media)
        # An exact media type beats an alias or a wildcard of the same quality.
        rank = 0 if media in by_type else 1
        if media == "*/*":
            key, rank = default, 2
        elif media.endswith("/*"):
            major = media[:-1]
            key = next((k for k, m in formats.items() if m.startswith(major)), None)
            rank = 2
        if key in formats and quality > 0:
            choices.append((-quality, rank, order, key))
    if not choices:
        raise Refused(
            406,
            f"cannot answer as {accept!r}: this answer is available as "
            + ", ".join(formats.values()),
        )
    return min(choices)[3]


def content_type(fmt: str) -> str:
    """The Content-Type header of an answer in ``fmt``."""
    media = SELECT_FORMATS.get(fmt) or GRAPH_FORMATS[fmt]
    return f"{media}; charset=utf-8"
