"""Expected pathways between sectors, the integration index over them, and how well planning
forums match the communities that actually work together."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pcr_graph.analysis.network.records import (
    LINK_TYPE_WEIGHTS,
    UNKNOWN_TYPE_WEIGHT,
    Forum,
    PairLike,
    _unique_pairs,
)
from pcr_graph.core.vocab import ancestors


@dataclass(frozen=True)
class PathwayScore:
    """How strongly an expected sector pathway is joined: its strongest link's weight."""

    from_sector: str
    to_sector: str
    link_type: str | None
    weight: float
    types: tuple[str, ...]
    links: tuple[str, ...]


def pathway_scores(
    G: Any,
    expected: Iterable[PairLike],
    weights: Mapping[str, float] | None = None,
    broader: Mapping[str, Sequence[str]] | None = None,
) -> tuple[PathwayScore, ...]:
    """The strength of each expected pathway: the weight of its strongest link (0 if none).

    A link joins pathway (A, B) when two different participants are of A and of B (a
    provider is "of A" when one of its sectors is A or lies under A). If the pathway names a
    link type, only links of that type count.
    """
    weight_of = dict(LINK_TYPE_WEIGHTS if weights is None else weights)
    hierarchy = G.graph.get("broader", {}) if broader is None else broader
    # Each sector's ancestors once, not once per provider of it.
    above: dict[str, set[str]] = {}
    for n in G:
        for s in G.nodes[n].get("sectors", ()):
            if s not in above:
                above[s] = ancestors(s, hierarchy)
    closure = {n: set().union(*(above[s] for s in G.nodes[n].get("sectors", ()))) for n in G}
    # Each sector's providers, so that a pathway looks only at the edges of its own: an edge
    # joins (A, B) when one end is of A and the other of B, so it is found from the end of A
    # (perhaps from both ends: the maximum and the sets below do not mind).
    holders: dict[str, set[str]] = defaultdict(set)
    for node, sectors in closure.items():
        for sector in sectors:
            holders[sector].add(node)
    adjacency = G.adj
    scores = []
    for pair in _unique_pairs(expected):
        a, b = pair.from_sector, pair.to_sector
        best = 0.0
        best_types: set[str] = set()
        best_links: set[str] = set()
        others = holders.get(b, set())
        for data in (
            data for p in holders.get(a, ()) for q, data in adjacency[p].items() if q in others
        ):
            for link, link_type in data["typed_links"]:
                if pair.link_type and link_type != pair.link_type:
                    continue
                w = float(weight_of.get(link_type, UNKNOWN_TYPE_WEIGHT))
                if w > best:
                    best, best_types, best_links = w, {link_type}, {link}
                elif w == best and w > 0:
                    best_types.add(link_type)
                    best_links.add(link)
        scores.append(
            PathwayScore(
                a, b, pair.link_type, best, tuple(sorted(best_types)), tuple(sorted(best_links))
            )
        )
    return tuple(scores)


def integration_index(
    G: Any,
    expected: Iterable[PairLike] | None = None,
    weights: Mapping[str, float] | None = None,
) -> float | None:
    """The cross-sector integration index in [0, 1], or None when no pathway is expected.

    The mean, over the expected sector pathways, of the weight of the strongest link
    joining each (0 when none does). ``expected`` defaults to ``G.graph["expected"]``.

    Examples
    --------
    The worked example of ``docs/network.md``: four expected pathways, joined with weights
    1.0 (shared pathway), 1.0 (discharge coordination, care home under adult social care),
    0.5 (joint training) and 0 (no link): (1 + 1 + 0.5 + 0) / 4.

    >>> from pcr_graph.analysis.network import Link, Provider, build_provider_graph
    >>> G = build_provider_graph(
    ...     [Provider("acute", "Hospital", ("acute-trust", "emergency-department")),
    ...      Provider("amb", "Ambulance", ("ambulance",)),
    ...      Provider("home", "Care home", ("care-home",)),
    ...      Provider("comm", "Community trust", ("community-health",)),
    ...      Provider("la", "Council", ("local-authority",)),
    ...      Provider("vol", "Charity", ("voluntary-sector",))],
    ...     [Link("L1", "shared-pathway", ("amb", "acute")),
    ...      Link("L2", "discharge-coordination", ("acute", "home")),
    ...      Link("L3", "joint-training", ("comm", "home"))],
    ...     broader={"care-home": ("adult-social-care",)},
    ... )
    >>> integration_index(G, [("ambulance", "emergency-department"),
    ...                       ("acute-trust", "adult-social-care"),
    ...                       ("community-health", "care-home"),
    ...                       ("local-authority", "voluntary-sector")])
    0.625
    """
    pairs = G.graph.get("expected", ()) if expected is None else expected
    return index_of(pathway_scores(G, pairs, weights))


def index_of(scores: Sequence[PathwayScore]) -> float | None:
    """The integration index of pathway ``scores`` already computed (their mean weight),
    or None when there are none: :func:`integration_index` without scoring again."""
    return sum(s.weight for s in scores) / len(scores) if scores else None


@dataclass(frozen=True)
class ForumMatch:
    """How well a planning forum's members fall into one collaboration community."""

    forum: str
    label: str
    members: int
    community: int | None
    share: float | None


def forum_alignment(
    G: Any, forums: Iterable[Forum], found: Sequence[Sequence[str]]
) -> tuple[ForumMatch, ...]:
    """For each forum, its best-matching community and the share of its members in it.

    Only members present in ``G`` count; a forum with fewer than two of them gets no share.
    ``community`` is the 1-based position in ``found`` (ties go to the earlier community).

    >>> from pcr_graph.analysis.network import Link, Provider, build_provider_graph
    >>> G = build_provider_graph([Provider(n) for n in "abcd"],
    ...                          [Link("L1", "mutual-aid", ("a", "b"))])
    >>> forum_alignment(G, [Forum("f", "F", ("a", "b", "c"))], [("a", "b"), ("c",), ("d",)])
    (ForumMatch(forum='f', label='F', members=3, community=1, share=0.6666666666666666),)
    """
    index = {node: i for i, community in enumerate(found) for node in community}
    result = []
    for forum in sorted(forums, key=lambda f: (f.label, f.iri)):
        members = sorted(m for m in set(forum.members) if m in G)
        if len(members) < 2:
            result.append(ForumMatch(forum.iri, forum.label, len(members), None, None))
            continue
        counts: dict[int, int] = defaultdict(int)
        for member in members:
            if member in index:
                counts[index[member]] += 1
        if not counts:
            result.append(ForumMatch(forum.iri, forum.label, len(members), None, 0.0))
            continue
        best = min(counts, key=lambda i: (-counts[i], i))
        result.append(
            ForumMatch(forum.iri, forum.label, len(members), best + 1, counts[best] / len(members))
        )
    return tuple(result)


__all__ = [
    "ForumMatch",
    "PathwayScore",
    "forum_alignment",
    "index_of",
    "integration_index",
    "pathway_scores",
]
