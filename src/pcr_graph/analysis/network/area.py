"""Every metric of one area, computed at once (:func:`area_metrics`, :func:`metrics_for`)."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rdflib import URIRef

from pcr_graph.analysis.network.brokerage import (
    _is_cross,
    _sector_sets,
    betweenness_pivots,
    cross_sector_betweenness,
    estimated_betweenness,
)
from pcr_graph.analysis.network.figures import _with_figures
from pcr_graph.analysis.network.model import AreaMetrics, Bridge
from pcr_graph.analysis.network.pathways import forum_alignment, pathway_scores
from pcr_graph.analysis.network.records import (
    BETWEENNESS_PIVOTS,
    DEFAULT_SEED,
    EXACT_BETWEENNESS_MAX_PROVIDERS,
    LINK_TYPE_WEIGHTS,
    Forum,
    PairLike,
    _label,
)
from pcr_graph.analysis.network.structure import (
    _ranked,
    communities,
    disconnecting_providers,
    mixing_matrix,
    single_gateway_sectors,
)
from pcr_graph.analysis.network.views import _area_iri, forum_records, provider_graph
from pcr_graph.store.engines import Store


def area_metrics(
    G: Any,
    expected_pairs: Iterable[PairLike] | None = None,
    weights: Mapping[str, float] | None = None,
    *,
    forums: Iterable[Forum] = (),
    use_profile: bool = True,
    top: int = 5,
    seed: int = DEFAULT_SEED,
    pivots: int | None = BETWEENNESS_PIVOTS,
    exact_up_to: int = EXACT_BETWEENNESS_MAX_PROVIDERS,
) -> AreaMetrics:
    """Every metric of a provider graph, each headline number with an explanation.

    Parameters
    ----------
    G
        A provider graph (:func:`provider_graph` or :func:`build_provider_graph`).
    expected_pairs
        Expected sector pathways added to the profile's (``G.graph["expected"]``).
    weights
        Link-type weights for the integration index (default :data:`LINK_TYPE_WEIGHTS`).
    forums
        Planning forums, compared with the communities (see :func:`forum_alignment`).
    use_profile
        False to ignore ``G.graph["expected"]`` and use only ``expected_pairs``.
    top
        How many providers to list per ranking (ties broken by label).
    seed
        Seed for Louvain community detection and for the sampled betweenness sources.
    pivots, exact_up_to
        Betweenness and cross-sector betweenness are exact for a graph of at most
        ``exact_up_to`` providers. A larger graph gets estimates from ``pivots`` source
        providers sampled with ``seed`` (see :func:`betweenness_pivots`), and
        ``betweenness_pivots`` and the ``betweenness_method`` figure say so. ``pivots=None``
        is exact at any size (slow: O(n·m) for n providers and m linked pairs).

    Examples
    --------
    Two triangles joined by one link:

    >>> from pcr_graph.analysis.network import Link, Provider, build_provider_graph
    >>> G = build_provider_graph(
    ...     [Provider(n, n.upper(), ("x",) if n in "abc" else ("y",)) for n in "abcdef"],
    ...     [Link(f"L{i}", "mutual-aid", pair) for i, pair in enumerate(
    ...         [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"),
    ...          ("c", "d")])],
    ... )
    >>> m = area_metrics(G)
    >>> round(m.density, 4), [s.label for s in m.articulation_points]
    (0.4667, ['C', 'D'])
    >>> [(s.label, round(s.value, 2)) for s in m.betweenness[:2]]
    [('C', 0.6), ('D', 0.6)]
    """
    import networkx as nx  # inside: a slow import, kept off `pcr-graph --help`

    nodes = sorted(G)
    n = len(nodes)
    labels = {node: _label(G, node) for node in nodes}
    link_iris = {link for _, _, data in G.edges(data=True) for link in data["links"]}
    sectors = _sector_sets(G)
    cross_links = {
        link
        for p, q, data in G.edges(data=True)
        if _is_cross(sectors[p], sectors[q])
        for link in data["links"]
    }
    density = float(nx.density(G)) if n > 1 else 0.0
    mean_degree = 2 * G.number_of_edges() / n if n else 0.0
    component_sets = sorted(nx.connected_components(G), key=lambda c: (-len(c), sorted(c)))
    largest = len(component_sets[0]) if component_sets else 0
    degree = _ranked(G, nx.degree_centrality(G) if n > 1 else dict.fromkeys(nodes, 0.0), top)
    k = betweenness_pivots(n, pivots, exact_up_to)
    if k is None:
        between = nx.betweenness_centrality(G, normalized=True)
        broker_values = cross_sector_betweenness(G)
    else:
        between, broker_values = estimated_betweenness(G, k, seed)
    betweenness = _ranked(G, between, top)
    brokers = _ranked(G, broker_values, top)
    cuts = _ranked(G, dict.fromkeys(nx.articulation_points(G), 0.0))
    bridge_list = []
    for p, q in nx.bridges(G):
        a, b = sorted((p, q), key=lambda x: (labels[x], x))
        bridge_list.append(Bridge(a, labels[a], b, labels[b], tuple(G.edges[p, q]["links"])))
    bridge_list.sort(key=lambda br: (br.a_label, br.b_label, br.a, br.b))
    found = communities(G, seed)
    groups = [c for c in found if len(c) > 1]
    modularity = (
        float(nx.community.modularity(G, [set(c) for c in found], weight="weight"))
        if G.number_of_edges()
        else None
    )
    forum_matches = forum_alignment(G, forums, found)
    shares = [f.share for f in forum_matches if f.share is not None]
    alignment = sum(shares) / len(shares) if shares else None
    pairs: list[PairLike] = list(G.graph.get("expected", ())) if use_profile else []
    pairs += list(expected_pairs or ())
    scores = pathway_scores(G, pairs, weights)
    integration = sum(s.weight for s in scores) / len(scores) if scores else None
    weight_table = dict(LINK_TYPE_WEIGHTS if weights is None else weights)
    metrics = AreaMetrics(
        area=str(G.graph.get("area", "")),
        area_label=str(G.graph.get("area_label", "")),
        providers=n,
        linked_providers=sum(1 for node in nodes if G.degree(node)),
        links=len(link_iris),
        pairs=G.number_of_edges(),
        density=density,
        mean_degree=mean_degree,
        components=len(component_sets),
        largest_component=largest,
        cross_sector_links=len(cross_links),
        degree=degree,
        betweenness=betweenness,
        brokers=brokers,
        articulation_points=cuts,
        bridges=tuple(bridge_list),
        gateways=single_gateway_sectors(G),
        disconnections=disconnecting_providers(G),
        communities=found,
        modularity=modularity,
        forums=forum_matches,
        forum_alignment=alignment,
        mixing=mixing_matrix(G),
        pathways=scores,
        integration=integration,
        weights=tuple(sorted(weight_table.items())),
        betweenness_pivots=k,
        labels=labels,
    )
    return _with_figures(metrics, len(groups), seed, exact_up_to)


def metrics_for(
    store: Store,
    area: URIRef | str,
    *,
    expected_pairs: Iterable[PairLike] | None = None,
    weights: Mapping[str, float] | None = None,
    at: dt.date | None = None,
    top: int = 5,
    seed: int = DEFAULT_SEED,
    pivots: int | None = BETWEENNESS_PIVOTS,
    exact_up_to: int = EXACT_BETWEENNESS_MAX_PROVIDERS,
) -> AreaMetrics:
    """The metrics of one area of the store, with its planning forums (the usual entry point).

    See :func:`area_metrics` for the parameters; betweenness is estimated above
    ``exact_up_to`` providers.
    """
    iri = _area_iri(store, area)
    G = provider_graph(store, iri, at=at)
    forums, _ = forum_records(store, iri)
    return area_metrics(
        G,
        expected_pairs,
        weights,
        forums=forums,
        top=top,
        seed=seed,
        pivots=pivots,
        exact_up_to=exact_up_to,
    )


def to_dataframe(metrics: AreaMetrics | Sequence[AreaMetrics]) -> Any:
    """A pandas DataFrame: one area's figures, or one row per area for several.

    pandas is optional: it is imported here, and a clear ImportError says how to get it.

    Examples
    --------
    >>> from pcr_graph.analysis.network import Provider, build_provider_graph
    >>> import importlib.util
    >>> G = build_provider_graph([Provider("a")], [])
    >>> if importlib.util.find_spec("pandas") is None:
    ...     try:
    ...         to_dataframe(area_metrics(G))
    ...     except ImportError as exc:
    ...         print(str(exc).split(":")[0])
    ... else:
    ...     print("to_dataframe needs pandas")
    to_dataframe needs pandas
    """
    try:
        pd = importlib.import_module("pandas")
    except ImportError:
        raise ImportError(
            "to_dataframe needs pandas: install it with `pip install pandas` "
            "(the rest of pcr_graph.analysis.network works without it)"
        ) from None
    if isinstance(metrics, AreaMetrics):
        return pd.DataFrame(
            [
                {"key": f.key, "metric": f.label, "value": f.value, "explanation": f.text}
                for f in metrics.figures
            ]
        )
    return pd.DataFrame(
        [
            {"area": m.area, "area_label": m.area_label, **{f.key: f.value for f in m.figures}}
            for m in metrics
        ]
    )


__all__ = [
    "area_metrics",
    "metrics_for",
    "to_dataframe",
]
