"""Minting IRIs: stable, readable, and safe for any text a user types."""

from __future__ import annotations

from urllib.parse import quote, unquote

from rdflib import URIRef

from pcr_graph.core.namespaces import ID


def segment(text: str) -> str:
    """Percent-encode one path segment so that any text gives a valid, reversible IRI part.

    >>> segment("St Aldric's / Hospice")
    'St%20Aldric%27s%20%2F%20Hospice'
    >>> unquote(segment("A&B ✓")) == "A&B ✓"
    True
    """
    return quote(text, safe="-._~", errors="surrogatepass")


def mint(*parts: str) -> URIRef:
    """An IRI under ``id/`` from path segments, each percent-encoded.

    >>> mint("provider", "ods", "R0A")
    rdflib.term.URIRef('https://w3id.org/pcr-graph/id/provider/ods/R0A')
    """
    return URIRef(str(ID) + "/".join(segment(p) for p in parts))


def area_iri(ods_code: str) -> URIRef:
    """A reference area, keyed by its ODS Q-code (unchanged from 2021 to 2022)."""
    return mint("area", ods_code.strip().upper())


def provider_iri(
    *, ods_code: str = "", cqc_location_id: str = "", workbook: str = "", local_id: str = ""
) -> URIRef:
    """A provider: by ODS code, else CQC location id, else the workbook's own id.

    The same organisation arriving from two sources with the same code becomes one node.
    """
    if ods_code.strip():
        return mint("provider", "ods", ods_code.strip().upper())
    if cqc_location_id.strip():
        return mint("provider", "cqc", cqc_location_id.strip())
    return mint("wb", workbook, "provider", local_id)


def last_segment(iri: str) -> str:
    """The decoded last path segment of an IRI (for display)."""
    return unquote(iri.rstrip("/").rsplit("/", 1)[-1])
