"""Network analysis: a NetworkX view of the collaboration graph and its metrics.

RDF stays the source of truth. Each view reads the store with one SPARQL query, expands
n-ary collaboration links into provider pairs in Python and returns a read-only
:class:`networkx.Graph`; the metric functions take such a graph first and return plain data
(frozen dataclasses of strings and numbers), as networkx does. The pure builders
(:func:`build_provider_graph`, :func:`build_sector_graph`, :func:`build_membership_graph`)
make the same graphs from plain records, so a notebook or a test needs no store.

Definitions and formulas are in ``docs/network.md``; every headline number comes with a
plain-English sentence (:attr:`AreaMetrics.figures`). Diffs between snapshots and what-ifs
are in :mod:`pcr_graph.analysis.change`.

One concept per module: ``records`` (plain records, weights), ``build`` (graphs from
records), ``views`` (records and graphs read from the store), ``brokerage`` (betweenness,
exact or estimated), ``structure`` (rankings, gateways, cut-offs, mixing, communities),
``pathways`` (expected pathways, integration, forum alignment), ``model`` (the metrics as
data), ``figures`` (their English text) and ``area`` (every metric of an area at once).

Examples
--------
>>> G = build_provider_graph(
...     [Provider("a", "Hospital", ("acute-trust",)), Provider("b", "Home", ("care-home",))],
...     [Link("L1", "discharge-coordination", ("a", "b"))],
...     broader={"care-home": ("adult-social-care",)},
...     expected=[("acute-trust", "adult-social-care")],
... )
>>> m = area_metrics(G)
>>> m.density, m.integration
(1.0, 1.0)
>>> print(m.figure("density").text)
Density 1.00: 100% of possible provider pairs are directly linked.
"""

from __future__ import annotations

from pcr_graph.analysis.network.area import area_metrics, metrics_for, to_dataframe
from pcr_graph.analysis.network.brokerage import (
    betweenness_pivots,
    cross_sector_betweenness,
    estimated_betweenness,
)
from pcr_graph.analysis.network.build import (
    build_membership_graph,
    build_provider_graph,
    build_sector_graph,
    forums_of,
)
from pcr_graph.analysis.network.figures import compare_rows, metric_rows
from pcr_graph.analysis.network.model import AreaMetrics, Bridge, Figure
from pcr_graph.analysis.network.pathways import (
    ForumMatch,
    PathwayScore,
    forum_alignment,
    integration_index,
    pathway_scores,
)
from pcr_graph.analysis.network.records import (
    BETWEENNESS_PIVOTS,
    DEFAULT_SEED,
    EXACT_BETWEENNESS_MAX_PROVIDERS,
    LINK_TYPE_WEIGHTS,
    UNKNOWN_TYPE_WEIGHT,
    ExpectedPair,
    Forum,
    Link,
    Provider,
    resolve_pairs,
)
from pcr_graph.analysis.network.structure import (
    Disconnection,
    Score,
    SectorGateway,
    communities,
    disconnecting_providers,
    joined_sectors,
    mixing_matrix,
    single_gateway_sectors,
)
from pcr_graph.analysis.network.views import (
    expected_pathways,
    forum_records,
    membership_graph,
    provider_graph,
    provider_records,
    resolve_provider,
    sector_graph,
    sector_hierarchy,
)

__all__ = [
    "BETWEENNESS_PIVOTS",
    "DEFAULT_SEED",
    "EXACT_BETWEENNESS_MAX_PROVIDERS",
    "LINK_TYPE_WEIGHTS",
    "UNKNOWN_TYPE_WEIGHT",
    "AreaMetrics",
    "Bridge",
    "Disconnection",
    "ExpectedPair",
    "Figure",
    "Forum",
    "ForumMatch",
    "Link",
    "PathwayScore",
    "Provider",
    "Score",
    "SectorGateway",
    "area_metrics",
    "betweenness_pivots",
    "build_membership_graph",
    "build_provider_graph",
    "build_sector_graph",
    "communities",
    "compare_rows",
    "cross_sector_betweenness",
    "disconnecting_providers",
    "estimated_betweenness",
    "expected_pathways",
    "forum_alignment",
    "forum_records",
    "forums_of",
    "integration_index",
    "joined_sectors",
    "membership_graph",
    "metric_rows",
    "metrics_for",
    "mixing_matrix",
    "pathway_scores",
    "provider_graph",
    "provider_records",
    "resolve_pairs",
    "resolve_provider",
    "sector_graph",
    "sector_hierarchy",
    "single_gateway_sectors",
    "to_dataframe",
]
