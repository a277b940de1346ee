"""Sector × sector link-count heatmaps: which sectors of an area work together, and how much.

A cell counts the collaboration links of the area that join a provider of one sector with a
*different* provider of the other, as :func:`pcr_graph.analysis.network.mixing_matrix` does; the
diagonal counts links between two providers of the same sector. Sectors are those written
on the providers (no hierarchy), and an area's view holds the providers operating there plus
outside providers taking part in its links.

The picture is a standalone SVG written by hand (no plotting library): every label is
escaped, the palette is a colour-blind-safe sequential scale (ColorBrewer YlGnBu), and each
cell carries its count as text, so colour is never the only cue. The same SVG is a file of
its own (``out/maps/<area>-heatmap.svg``) and is inlined in the HTML gap report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import URIRef

from pcr_graph.analysis.derived import ensure_derived
from pcr_graph.store.engines import Store

__all__ = [
    "SectorMatrix",
    "sector_matrices",
]


@dataclass(frozen=True)
class SectorMatrix:
    """One area's sector × sector link counts.

    Attributes
    ----------
    area, area_label : str
        The area's IRI and name.
    sectors : tuple of (str, str, int)
        ``(notation, label, providers)`` of every sector present in the area's view, in
        display order (grouped as on the maps: NHS, primary care, social care, council,
        voluntary, other).
    counts : tuple of (str, str, int)
        ``(notation, notation, links)`` with the first notation not after the second in
        ``sectors`` order; pairs with no link are left out.
    """

    area: str
    area_label: str
    sectors: tuple[tuple[str, str, int], ...]
    counts: tuple[tuple[str, str, int], ...] = ()

    def count(self, a: str, b: str) -> int:
        """The links between sectors ``a`` and ``b`` (in either order).

        Examples
        --------
        >>> m = SectorMatrix("a", "A", (("x", "X", 1), ("y", "Y", 1)), (("x", "y", 3),))
        >>> m.count("y", "x"), m.count("x", "x")
        (3, 0)
        """
        for one, other, links in self.counts:
            if {one, other} == {a, b} and (a == b) == (one == other):
                return links
        return 0

    def grid(self) -> list[list[int]]:
        """The full symmetric matrix, rows and columns in ``sectors`` order."""
        index = {notation: i for i, (notation, _label, _n) in enumerate(self.sectors)}
        size = len(self.sectors)
        rows = [[0] * size for _ in range(size)]
        for a, b, links in self.counts:
            i, j = index[a], index[b]
            rows[i][j] = rows[j][i] = links
        return rows


_SECTORS = """
SELECT ?area ?areaLabel ?sector ?notation ?label (COUNT(DISTINCT ?provider) AS ?providers)
WHERE {
  { SELECT DISTINCT ?area ?provider WHERE {
      { ?provider pcr:operatesIn ?area }
      UNION { ?link a pcr:CollaborationLink ; pcr:area ?area ; pcr:participant ?provider } } }
  ?provider a pcr:Provider ; pcr:sector ?sector .
  ?area skos:prefLabel ?areaLabel .
  OPTIONAL { ?sector skos:notation ?notation }
  OPTIONAL { ?sector skos:prefLabel ?label }
}
GROUP BY ?area ?areaLabel ?sector ?notation ?label
ORDER BY ?area ?sector ?notation ?label
"""

_PAIRS = """
SELECT ?area ?one ?other (COUNT(DISTINCT ?link) AS ?links)
WHERE {
  ?link a pcr:CollaborationLink ; pcr:area ?area ; pcr:participant ?p, ?q .
  FILTER (?p != ?q)
  ?p pcr:sector ?one .
  ?q pcr:sector ?other .
  FILTER (STR(?one) <= STR(?other))
}
GROUP BY ?area ?one ?other
ORDER BY ?area ?one ?other
"""


_DERIVED_SECTORS = """
PREFIX pcrd: <https://w3id.org/pcr-graph/def/derived#>
SELECT ?area ?areaLabel ?sector ?notation ?label ?providers
WHERE {
  ?reach a pcrd:AreaSectorReach ;
         pcrd:area ?area ;
         pcrd:sector ?sector ;
         pcrd:providers ?providers .
  ?area skos:prefLabel ?areaLabel .
  OPTIONAL { ?sector skos:notation ?notation }
  OPTIONAL { ?sector skos:prefLabel ?label }
}
ORDER BY ?area ?sector ?notation ?label
"""
"""``_SECTORS`` read from the derived graph (queries/derive-area-sector-reach.rq)."""

_DERIVED_PAIRS = """
PREFIX pcrd: <https://w3id.org/pcr-graph/def/derived#>
SELECT ?area ?one ?other ?links
WHERE {
  ?count a pcrd:SectorLinkCount ;
         pcrd:area ?area ;
         pcrd:oneSector ?one ;
         pcrd:otherSector ?other ;
         pcrd:links ?links .
}
ORDER BY ?area ?one ?other
"""
"""``_PAIRS`` read from the derived graph (queries/derive-sector-link-counts.rq)."""


def _notation(iri: str, notation: str) -> str:
    return notation or iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


BOUND_AREAS = 8
"""Up to this many areas, each is read with its own bound query instead of the nation's."""


def _rows(store: Store, sparql: str, wanted: set[str] | None) -> list[dict[str, str]]:
    """The rows of ``sparql`` for the ``wanted`` areas (all areas if None), in area order.

    For a few areas the query runs once per area with ``?area`` bound: a per-area command
    then reads its area's links, not the nation's (at 55,000 providers the national pair
    count reads 290,000 participations).
    """
    if wanted is None or len(wanted) > BOUND_AREAS:
        return store.select(sparql).strings()
    return [
        row
        for area in sorted(wanted)
        for row in store.select(sparql, {"area": URIRef(area)}).strings()
    ]


def sector_matrices(
    store: Store, areas: Iterable[URIRef | str] | None = None, derived: bool | None = None
) -> dict[str, SectorMatrix]:
    """The sector × sector link counts of every area (or of ``areas``), keyed by area IRI.

    Two SPARQL queries cover every area at once: on the derived graph when the store holds
    it (counted once per change of the data: 4.7 s at 55,000 providers, read back in
    milliseconds), else on the links themselves. An area whose providers carry no sector is
    left out.

    Parameters
    ----------
    store : Store
        The loaded dataset.
    areas : iterable of IRIs, optional
        Keep only these areas.
    derived : bool, optional
        Whether the store holds the derived graph (default: bring it up to date and see,
        :func:`pcr_graph.analysis.derived.ensure_derived`).

    Returns
    -------
    dict
        Area IRI to :class:`SectorMatrix`, in IRI order.
    """
    from pcr_graph.core.vocab import sector_sort_key

    if derived is None:
        derived = ensure_derived(store)
    sector_query, pair_query = (_DERIVED_SECTORS, _DERIVED_PAIRS) if derived else (_SECTORS, _PAIRS)
    wanted = {str(a) for a in areas} if areas is not None else None
    labels: dict[str, str] = {}
    present: dict[str, dict[str, tuple[str, str, int]]] = defaultdict(dict)
    notation_of: dict[str, str] = {}
    for row in _rows(store, sector_query, wanted):
        if wanted is not None and row["area"] not in wanted:
            continue
        labels[row["area"]] = row["areaLabel"]
        notation = _notation(row["sector"], row["notation"])
        notation_of[row["sector"]] = notation
        present[row["area"]].setdefault(
            notation, (notation, row["label"] or notation, int(row["providers"]))
        )
    counts: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for row in _rows(store, pair_query, wanted):
        area = row["area"]
        if area not in present:
            continue
        one = notation_of.get(row["one"], _notation(row["one"], ""))
        other = notation_of.get(row["other"], _notation(row["other"], ""))
        if one in present[area] and other in present[area]:
            key = (one, other)
            counts[area][key] = counts[area].get(key, 0) + int(row["links"])
    result: dict[str, SectorMatrix] = {}
    for area in sorted(present):
        order = sorted(present[area].values(), key=lambda s: (sector_sort_key(s[0]), s[1]))
        rank = {s[0]: i for i, s in enumerate(order)}
        pairs: dict[tuple[str, str], int] = {}
        for (a, b), links in counts[area].items():
            key = (a, b) if rank[a] <= rank[b] else (b, a)
            pairs[key] = max(pairs.get(key, 0), links)
        result[area] = SectorMatrix(
            area,
            labels[area],
            tuple(order),
            tuple(
                (a, b, n)
                for (a, b), n in sorted(pairs.items(), key=lambda p: (rank[p[0][0]], rank[p[0][1]]))
            ),
        )
    return result


# --------------------------------------------------------------------------------------
# Drawing
