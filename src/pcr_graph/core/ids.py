"""Minting IRIs: stable, readable, and safe for any text a user types."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
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


_SAFE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}")


def file_stems(iris: Iterable[str]) -> dict[str, str]:
    """A file name stem for each IRI: safe, stable, and unique (also case-insensitively).

    The stem is the IRI's last segment when that is a plain name (letters, digits, ``-``
    and ``_``; at most 60) shared with no other IRI; otherwise the segment made plain and
    shortened, plus eight hex digits of the IRI's SHA-256. Names from data thus never leave
    the folder they are written in (``../gaps`` becomes ``gaps-…``) and never overwrite each
    other.

    >>> evil = "https://x/b/..%2F..%2Felsewhere%2FPWNED"
    >>> stems = file_stems(["https://x/a/WV", evil, "https://x/1/HOLD", "https://x/2/HOLD"])
    >>> stems["https://x/a/WV"], stems[evil]
    ('WV', 'elsewhere-PWNED-07a96b10')
    >>> len({stems["https://x/1/HOLD"], stems["https://x/2/HOLD"]})
    2
    """
    iris = sorted(set(iris))
    plain = {iri: last_segment(iri) for iri in iris}
    seen: dict[str, int] = {}
    for name in plain.values():
        seen[name.casefold()] = seen.get(name.casefold(), 0) + 1
    stems = {}
    for iri, name in plain.items():
        if _SAFE_STEM.fullmatch(name) and seen[name.casefold()] == 1:
            stems[iri] = name
        else:
            base = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-_")[:40] or "area"
            stems[iri] = f"{base}-{hashlib.sha256(iri.encode('utf-8')).hexdigest()[:8]}"
    return stems
