"""The English text of the metrics: each headline figure's sentence, and the rows of the
``metrics`` and ``compare`` tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pcr_graph.analysis.network.model import AreaMetrics, Figure
from pcr_graph.analysis.network.records import _short
from pcr_graph.core.errors import UsageError


def _names(items: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _count(number: int, singular: str, plural: str | None = None) -> str:
    """``1 link``, ``2 links``, ``no links``."""
    word = singular if number == 1 else (plural or singular + "s")
    return f"{number} {word}" if number else f"no {plural or singular + 's'}"


def _with_figures(m: AreaMetrics, groups: int, seed: int, exact_up_to: int) -> AreaMetrics:
    figures: list[Figure] = []

    def add(
        key: str, label: str, value: float | int | str | None, text: str, definition: str
    ) -> None:
        figures.append(Figure(key, label, value, text[0].upper() + text[1:], definition))

    add(
        "providers",
        "Providers",
        m.providers,
        f"{_count(m.providers, 'provider')} in view; {m.linked_providers} with at least one link.",
        "Providers operating in the area, plus outside providers taking part in its links.",
    )
    add(
        "links",
        "Collaboration links",
        m.links,
        f"{_count(m.links, 'collaboration link')} joining "
        f"{_count(m.pairs, 'distinct pair')} of providers.",
        "Distinct collaboration links (an n-ary link counts once).",
    )
    add(
        "density",
        "Density",
        m.density,
        f"Density {m.density:.2f}: {m.density:.0%} of possible provider pairs are directly linked.",
        "Linked provider pairs divided by all possible pairs, n(n-1)/2.",
    )
    add(
        "mean_degree",
        "Mean degree",
        m.mean_degree,
        f"On average a provider is directly linked to {m.mean_degree:.1f} others.",
        "Average number of providers each provider is directly linked to.",
    )
    share = m.largest_component / m.providers if m.providers else 0.0
    add(
        "components",
        "Connected groups",
        m.components,
        f"{_count(m.components, 'connected group')}; the largest holds {m.largest_component} "
        f"of {m.providers} providers ({share:.0%}).",
        "Groups of providers joined by some chain of links (isolated providers count alone).",
    )
    cross = m.cross_sector_links / m.links if m.links else None
    add(
        "cross_sector_links",
        "Cross-sector link share",
        cross,
        f"{cross:.0%} of links join providers of different sectors."
        if cross is not None
        else "No links, so no cross-sector links.",
        "Share of links with two participants that have no sector in common.",
    )
    joined = sum(1 for p in m.pathways if p.weight > 0)
    if m.integration is None:
        integration_text = "No expected pathways were given, so the index does not apply."
    else:
        missing = [f"{p.from_sector} ↔ {p.to_sector}" for p in m.pathways if p.weight == 0]
        integration_text = (
            f"Integration {m.integration:.2f}: {joined} of {len(m.pathways)} expected sector "
            "pathways are joined by a link, each counted by its strongest link's type weight"
            + (f"; missing: {_names(missing)}." if missing else ".")
        )
    add(
        "integration",
        "Cross-sector integration index",
        m.integration,
        integration_text,
        "Mean over expected sector pathways of the weight of the strongest joining link "
        "(1.0 planning/governance/pathway/discharge, 0.75 information/mutual aid/staff, "
        "0.5 training/engagement, 0 none).",
    )
    add(
        "pathways_joined",
        "Expected pathways joined",
        f"{joined}/{len(m.pathways)}" if m.pathways else None,
        f"{joined} of {len(m.pathways)} expected sector pathways have at least one link.",
        "Expected pathways with at least one link of a qualifying type.",
    )
    top_degree = m.degree[0] if m.degree and m.degree[0].value > 0 else None
    add(
        "top_degree",
        "Most connected provider",
        top_degree.label if top_degree else None,
        f"{top_degree.label} is directly linked to {top_degree.value:.0%} of the other providers."
        if top_degree
        else "No provider has a link.",
        "Degree centrality: share of the other providers a provider is directly linked to.",
    )
    top_broker = m.brokers[0] if m.brokers and m.brokers[0].value > 0 else None
    estimated = m.betweenness_pivots is not None
    add(
        "top_broker",
        "Top cross-sector broker",
        top_broker.label if top_broker else None,
        f"{top_broker.label} lies on {'an estimated ' if estimated else ''}"
        f"{top_broker.value:.0%} of shortest paths between providers of different sectors"
        + (f" ({_estimate_note(m)})." if estimated else ".")
        if top_broker
        else "No provider sits between providers of different sectors"
        + (f" ({_estimate_note(m)})." if estimated else "."),
        "Cross-sector betweenness: share of shortest paths between providers of different "
        "sectors that pass through the provider.",
    )
    add(
        "betweenness_method",
        "Betweenness method",
        f"estimated ({m.betweenness_pivots} sources)" if estimated else "exact",
        f"Betweenness and brokerage are estimates from shortest paths out of "
        f"{m.betweenness_pivots} of the {m.providers:,} providers, sampled with seed {seed} "
        f"and scaled up to all (exact for areas of up to {exact_up_to:,} providers)."
        if estimated
        else "Betweenness and brokerage are exact: shortest paths from every provider count.",
        f"Exact up to {exact_up_to:,} providers; above, networkx's sampled estimate from a "
        "fixed number of seeded source providers (pivots).",
    )
    cut_labels = [s.label for s in m.articulation_points]
    add(
        "articulation_points",
        "Single points of failure",
        len(cut_labels),
        f"{_count(len(cut_labels), 'provider')} would split the network by dropping out"
        + (f": {_names(cut_labels)}." if cut_labels else "."),
        "Articulation points: providers whose removal disconnects some providers from others.",
    )
    add(
        "bridges",
        "Bridge links",
        len(m.bridges),
        f"{_count(len(m.bridges), 'provider pair')} joined by a bridge: the only path between "
        "two parts of the network.",
        "Bridges: pairs whose removal would split a connected group in two.",
    )
    gateway_text = [f"{g.sector} (via {g.provider_label})" for g in m.gateways]
    add(
        "single_gateway_sectors",
        "Sectors with one gateway",
        len(m.gateways),
        f"{_count(len(m.gateways), 'sector')} reaching other sectors only through one of "
        "their providers" + (f": {_names(gateway_text)}." if gateway_text else "."),
        "Sectors with two or more providers whose links to other sectors all go through one.",
    )
    add(
        "communities",
        "Communities",
        groups,
        f"{_count(groups, 'community', 'communities')} of two or more providers "
        f"(Louvain, seed {seed}).",
        "Groups of providers more densely linked to each other than to the rest.",
    )
    add(
        "modularity",
        "Modularity",
        m.modularity,
        f"Modularity {m.modularity:.2f}: "
        + ("clearly separated clusters." if m.modularity >= 0.3 else "weakly separated clusters.")
        if m.modularity is not None
        else "No links, so no community structure.",
        "How much more linking happens inside communities than chance would give (-0.5 to 1).",
    )
    counted = [f for f in m.forums if f.share is not None]
    add(
        "forum_alignment",
        "Forum–community alignment",
        m.forum_alignment,
        f"On average {m.forum_alignment:.0%} of a forum's members fall in one collaboration "
        f"community ({_count(len(counted), 'forum')}); 100% means each forum matches a "
        "working cluster."
        if m.forum_alignment is not None
        else "No planning forum with two or more members in view.",
        "Mean over forums of the share of members in the forum's best-matching community.",
    )
    return replace(m, figures=tuple(figures))


def _estimate_note(m: AreaMetrics) -> str:
    return f"estimate from {m.betweenness_pivots} of {m.providers:,} providers as sources"


def metric_rows(m: AreaMetrics) -> list[tuple[str, str, str, str]]:
    """Every metric of one area as ``(section, item, value, explanation)`` rows.

    Estimated betweenness and broker rows say so in their explanation.
    """
    rows: list[tuple[str, str, str, str]] = [
        ("summary", f.label, f.display, f.text) for f in m.figures
    ]
    estimated = m.betweenness_pivots is not None
    on = "lies on an estimated {:.0%}" if estimated else "lies on {:.0%}"
    note = f" ({_estimate_note(m)})" if estimated else ""
    for section, scores, unit, suffix in (
        ("degree", m.degree, "is directly linked to {:.0%} of the other providers", ""),
        ("betweenness", m.betweenness, on + " of shortest paths between providers", note),
        ("broker", m.brokers, on + " of shortest cross-sector paths", note),
    ):
        rows += [
            (section, s.label, f"{s.value:.3f}", f"{s.label} {unit.format(s.value)}{suffix}.")
            for s in scores
            if s.value > 0
        ]
    rows += [
        (
            "single point of failure",
            s.label,
            "",
            f"If {s.label} dropped out the network would split.",
        )
        for s in m.articulation_points
    ]
    rows += [
        (
            "bridge",
            f"{b.a_label} — {b.b_label}",
            str(len(b.links)),
            f"The only path between their parts of the network ({len(b.links)} links).",
        )
        for b in m.bridges
    ]
    rows += [
        (
            "single gateway",
            g.sector,
            g.provider_label,
            f"All {g.sector} links to other sectors go through {g.provider_label} "
            f"({g.providers} {g.sector} providers).",
        )
        for g in m.gateways
    ]
    rows += [
        (
            "cut off if removed",
            d.label,
            ", ".join(d.sectors),
            f"Without {d.label}, {', '.join(d.sectors)} would reach no other sector.",
        )
        for d in m.disconnections
    ]
    for number, community in enumerate(m.communities, 1):
        if len(community) > 1:
            names = [m.labels.get(n, _short(n)) for n in community]
            rows.append(("community", f"community {number}", str(len(community)), "; ".join(names)))
    for f in m.forums:
        if f.share is None:
            text = f"{f.label} has fewer than two members in view."
        else:
            text = f"{f.share:.0%} of its {f.members} members fall in community {f.community}."
        rows.append(("forum", f.label, "n/a" if f.share is None else f"{f.share:.3f}", text))
    for a, b, count in m.mixing:
        rows.append(("mixing", f"{a} × {b}", str(count), f"{count} links join {a} and {b}."))
    for p in m.pathways:
        name = f"{p.from_sector} ↔ {p.to_sector}" + (f" ({p.link_type})" if p.link_type else "")
        if p.weight > 0:
            text = f"Strongest link: {', '.join(p.types)} ({_names([_short(x) for x in p.links])})."
        else:
            text = "No link joins these sectors."
        rows.append(("pathway", name, f"{p.weight:.2f}", text))
    return rows


def compare_rows(
    items: Sequence[tuple[str, AreaMetrics]],
) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Side by side: one row per headline metric, one column per area, then its meaning.

    >>> from pcr_graph.analysis.network import Link, Provider, area_metrics, build_provider_graph
    >>> G = build_provider_graph([Provider("a"), Provider("b")],
    ...                          [Link("L1", "mutual-aid", ("a", "b"))])
    >>> columns, rows = compare_rows([("one", area_metrics(G)), ("two", area_metrics(G))])
    >>> columns[:3], rows[2][:3]
    (('metric', 'one', 'two'), ('Density', '1.000', '1.000'))
    """
    names = [name for name, _ in items]
    if len(set(names)) != len(names):
        raise UsageError("each area may be compared only once")
    columns = ("metric", *names, "what it measures")
    if not items:
        return columns, []
    keys = [f.key for f in items[0][1].figures]
    rows = []
    for key in keys:
        figures = [m.figure(key) for _, m in items]
        rows.append((figures[0].label, *(f.display for f in figures), figures[0].definition))
    return columns, rows


__all__ = [
    "compare_rows",
    "metric_rows",
]
