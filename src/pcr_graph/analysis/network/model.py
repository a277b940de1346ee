"""The metrics of one area as plain data: :class:`AreaMetrics` and its parts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pcr_graph.analysis.network.pathways import ForumMatch, PathwayScore
from pcr_graph.analysis.network.structure import Disconnection, Score, SectorGateway


@dataclass(frozen=True)
class Figure:
    """One headline number with a plain-English sentence and what it measures."""

    key: str
    label: str
    value: float | int | str | None
    text: str
    definition: str

    @property
    def display(self) -> str:
        """The value as text: n/a, a whole number, or three decimals."""
        if self.value is None:
            return "n/a"
        if isinstance(self.value, float):
            return f"{self.value:.3f}"
        return str(self.value)


@dataclass(frozen=True)
class Bridge:
    """A pair of providers whose links are the only path between two parts of the network."""

    a: str
    a_label: str
    b: str
    b_label: str
    links: tuple[str, ...]


@dataclass(frozen=True)
class AreaMetrics:
    """Every metric of one provider graph, as plain data (see ``docs/network.md``)."""

    area: str
    area_label: str
    providers: int
    linked_providers: int
    links: int
    pairs: int
    density: float
    mean_degree: float
    components: int
    largest_component: int
    cross_sector_links: int
    degree: tuple[Score, ...]
    betweenness: tuple[Score, ...]
    brokers: tuple[Score, ...]
    articulation_points: tuple[Score, ...]
    bridges: tuple[Bridge, ...]
    gateways: tuple[SectorGateway, ...]
    disconnections: tuple[Disconnection, ...]
    communities: tuple[tuple[str, ...], ...]
    modularity: float | None
    forums: tuple[ForumMatch, ...]
    forum_alignment: float | None
    mixing: tuple[tuple[str, str, int], ...]
    pathways: tuple[PathwayScore, ...]
    integration: float | None
    weights: tuple[tuple[str, float], ...]
    betweenness_pivots: int | None = None
    """None when ``betweenness`` and ``brokers`` are exact; otherwise how many sampled
    source providers they were estimated from."""
    labels: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    figures: tuple[Figure, ...] = ()

    def figure(self, key: str) -> Figure:
        """The headline figure called ``key`` (e.g. ``density``)."""
        for item in self.figures:
            if item.key == key:
                return item
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain dicts and lists (JSON-ready)."""
        data = asdict(self)
        data.pop("labels", None)
        return data


__all__ = [
    "AreaMetrics",
    "Bridge",
    "Figure",
]
