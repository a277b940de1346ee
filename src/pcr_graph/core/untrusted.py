"""Guards for RDF from outside, run before any parser (rdflib's or Oxigraph's) sees it.

Two parser features turn a data file into an attack, and pcr-graph needs neither:

- XML entity declarations. Nested entities ("billion laughs") expand a 1 kB RDF/XML file
  into gigabytes; external entities read local files. Any XML input that declares an entity
  is refused, by defusedxml's parser, which stops at the declaration before expanding it.
- JSON-LD contexts given by reference. ``"@context": "file:///etc/passwd"`` or an
  ``http://`` IRI makes rdflib read a local file or fetch from the network. Only contexts
  written inline (JSON objects) are accepted; ``@import`` is refused too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from pcr_graph.core.errors import DataError

XML_FORMATS = frozenset({"xml", "application/rdf+xml", "rdf/xml", "rdfxml"})
JSONLD_FORMATS = frozenset({"json-ld", "jsonld", "application/ld+json"})


def check_rdf_input(data: bytes | str, fmt: str, source: str) -> None:
    """Refuse ``data`` in format ``fmt`` if it uses XML entities or referenced JSON-LD contexts."""
    if fmt.lower() in XML_FORMATS:
        refuse_xml_entities(data, source)
    elif fmt.lower() in JSONLD_FORMATS:
        refuse_context_references(data, source)


def refuse_xml_entities(data: bytes | str, source: str) -> None:
    """Raise DataError if the XML document declares an entity or references an external one.

    Syntax errors are left for the real parser to report, with its own position.
    """
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise DataError(
            f"{source}: refused: the XML declares or references an entity ({exc}); "
            "pcr-graph reads no XML entities (they can expand without bound or read files)"
        ) from None
    except ParseError:
        return


def refuse_context_references(data: bytes | str, source: str) -> None:
    """Raise DataError if a JSON-LD document names a context by IRI instead of inlining it."""
    try:
        document = json.loads(data)
    except ValueError:
        return  # the JSON-LD parser reports the syntax error
    for where, value in _contexts(document, "$"):
        raise DataError(
            f"{source}: refused: {where} refers to a context by reference ({_short(value)}); "
            "pcr-graph loads no JSON-LD context from a file or the network: write it inline"
        )


def _contexts(node: object, where: str) -> Iterator[tuple[str, object]]:
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}"
            if key == "@context":
                yield from _referenced(value, here)
            elif key == "@import":
                yield here, value
            yield from _contexts(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _contexts(item, f"{where}[{index}]")


def _referenced(context: object, where: str) -> Iterator[tuple[str, object]]:
    if isinstance(context, str):
        yield where, context
    elif isinstance(context, list):
        for index, item in enumerate(context):
            yield from _referenced(item, f"{where}[{index}]")
    elif isinstance(context, dict) and "@import" in context:
        yield f"{where}.@import", context["@import"]


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."
