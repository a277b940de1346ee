"""Plain records of the network: providers, links, forums, expected sector pairs, and the
weights and defaults every metric shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pcr_graph.core.errors import UsageError
from pcr_graph.core.ids import last_segment
from pcr_graph.core.vocab import sectors

LINK_TYPE_WEIGHTS: Mapping[str, float] = {
    "shared-governance": 1.0,
    "joint-planning": 1.0,
    "shared-pathway": 1.0,
    "discharge-coordination": 1.0,
    "information-sharing": 0.75,
    "mutual-aid": 0.75,
    "staff-redeployment": 0.75,
    "joint-training": 0.5,
    "community-engagement": 0.5,
}
"""How much one link of each type counts towards the integration index (see docs)."""


UNKNOWN_TYPE_WEIGHT = 0.5
"""The weight of a link type missing from the weights (a type added to the vocabulary later)."""


DEFAULT_SEED = 42
"""Seed for Louvain community detection and for the sources sampled to estimate betweenness,
so the same graph gives the same communities and the same estimates."""


EXACT_BETWEENNESS_MAX_PROVIDERS = 1_000
"""The largest provider graph whose betweenness and brokerage :func:`area_metrics` computes
exactly; above it they are estimated from :data:`BETWEENNESS_PIVOTS` sampled sources."""


BETWEENNESS_PIVOTS = 256
"""How many source providers (pivots) the betweenness and brokerage estimates sample."""


@dataclass(frozen=True)
class Provider:
    """A provider as the views see it: IRI, label, sector notations and area IRIs."""

    iri: str
    label: str = ""
    sectors: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    """A collaboration link: its type notation, participants (IRIs) and period."""

    iri: str
    link_type: str
    participants: tuple[str, ...]
    areas: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    label: str = ""

    def active_on(self, day: dt.date) -> bool:
        """True when ``day`` lies in the link's period (a missing bound is open).

        >>> Link("L", "mutual-aid", ("a", "b"), end=dt.date(2020, 6, 30)).active_on(
        ...     dt.date(2020, 7, 1)
        ... )
        False
        """
        return (self.start is None or self.start <= day) and (self.end is None or self.end >= day)


@dataclass(frozen=True)
class Forum:
    """A planning forum: its members (provider IRIs) and areas."""

    iri: str
    label: str = ""
    members: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExpectedPair:
    """An expected pathway between two sectors (undirected), optionally of one link type."""

    from_sector: str
    to_sector: str
    link_type: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        a, b = sorted((self.from_sector, self.to_sector))
        return (a, b, self.link_type or "")

    def __str__(self) -> str:
        text = f"{self.from_sector} ↔ {self.to_sector}"
        return f"{text} ({self.link_type})" if self.link_type else text


PairLike = ExpectedPair | tuple[str, str] | tuple[str, str, str | None]


def resolve_pairs(texts: Iterable[tuple[str, str]], where: str = "--expect") -> list[ExpectedPair]:
    """Expected pathways between sectors named by notation or label (any case).

    An unknown sector is one :class:`~pcr_graph.core.errors.UsageError` naming ``where``
    and the valid notations.

    >>> resolve_pairs([("Care home", "GP practice")])
    [ExpectedPair(from_sector='care-home', to_sector='gp-practice', link_type=None)]
    """
    scheme = sectors()
    pairs = []
    for pair in texts:
        notations = []
        for text in pair:
            concept = scheme.resolve(text)
            if concept is None:
                valid = ", ".join(scheme.notations())
                raise UsageError(f"{where}: unknown sector {text!r} (one of {valid})")
            notations.append(scheme.notation[concept])
        pairs.append(ExpectedPair(notations[0], notations[1]))
    return pairs


def _as_pair(value: PairLike) -> ExpectedPair:
    if isinstance(value, ExpectedPair):
        return value
    if len(value) == 2:
        return ExpectedPair(value[0], value[1])
    return ExpectedPair(value[0], value[1], value[2] or None)


def _unique_pairs(pairs: Iterable[PairLike]) -> tuple[ExpectedPair, ...]:
    seen: dict[tuple[str, str, str], ExpectedPair] = {}
    for value in pairs:
        pair = _as_pair(value)
        seen.setdefault(pair.key, pair)
    return tuple(
        sorted(seen.values(), key=lambda p: (p.from_sector, p.to_sector, p.link_type or ""))
    )


def _short(iri: str) -> str:
    return last_segment(iri) or iri


def _label(G: Any, node: str) -> str:
    return str(G.nodes[node].get("label") or _short(node))


__all__ = [
    "BETWEENNESS_PIVOTS",
    "DEFAULT_SEED",
    "EXACT_BETWEENNESS_MAX_PROVIDERS",
    "LINK_TYPE_WEIGHTS",
    "UNKNOWN_TYPE_WEIGHT",
    "ExpectedPair",
    "Forum",
    "Link",
    "Provider",
    "resolve_pairs",
]
