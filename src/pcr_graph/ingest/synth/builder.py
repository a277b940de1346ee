"""Drawing a synthetic England from a seed: providers, evidence, links and forums."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from pcr_graph.ingest.synth.model import SyntheticEngland, SynthEvidence, SynthForum, SynthLink
from pcr_graph.ingest.synth.params import (
    _EVIDENCE_PER_TYPE,
    _PATTERNS,
    _STALE_SHARE,
    _THEME_OF,
    AREAS,
    PER_AREA_FLOOR,
    _apportion,
    link_types,
    sector_counts,
)


class _Builder:
    """Draws one synthetic England from a seeded random stream."""

    def __init__(self, providers: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.model = SyntheticEngland(providers, seed)
        self.local: list[dict[str, list[int]]] = [defaultdict(list) for _ in range(AREAS)]
        self.evidence_index: dict[tuple[int, str], list[int]] = {}
        self.ed: set[int] = set()
        self.no_forum: set[int] = set()
        self.no_mutual_aid: set[int] = set()
        self.no_inequalities: set[int] = set()
        self.no_hospice_pathway: set[int] = set()
        self.weak_social_care: set[int] = set()
        self.weak_voluntary: set[int] = set()
        self.all_nhs_ae_board: set[int] = set()
        self.discharge_rate: list[float] = []

    # -- providers
    def place_providers(self) -> None:
        rng = self.rng
        weights = [round(rng.uniform(0.45, 1.9), 3) for _ in range(AREAS)]
        for sector, count in sector_counts(self.model.providers).items():
            if count >= AREAS:
                floor = 1 if sector in PER_AREA_FLOOR else 0
                spread = _apportion(count - floor * AREAS, weights)
                for area, n in enumerate(spread):
                    for _ in range(n + floor):
                        self._add(sector, (area,))
            else:
                # Fewer providers than areas (ambulance services, NHS 111 …): each covers a
                # block of neighbouring areas, as a regional service does.
                for k in range(count):
                    block = tuple(range(k * AREAS // count, (k + 1) * AREAS // count))
                    self._add(sector, block)

    def _add(self, sector: str, areas: tuple[int, ...]) -> None:
        number = len(self.model.sectors)
        sectors: tuple[str, ...] = (sector,)
        if sector == "acute-trust" and self.rng.random() < 0.8:
            # Most acute trusts run a type 1 emergency department.
            sectors = ("acute-trust", "emergency-department")
            self.ed.add(number)
        self.model.sectors.append(sectors)
        self.model.areas.append(areas)
        for area in areas:
            self.local[area][sector].append(number)

    # -- evidence
    def make_evidence(self) -> None:
        rng = self.rng
        types = link_types()
        for area in range(AREAS):
            for link_type in types:
                numbers = []
                for k in range(_EVIDENCE_PER_TYPE):
                    if rng.random() < _STALE_SHARE:
                        date = f"2019-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                    else:
                        date = f"2020-{rng.randint(3, 12):02d}-{rng.randint(1, 28):02d}"
                    title = (
                        f"Synthetic {link_type.replace('-', ' ')} record {k + 1}, "
                        f"{SyntheticEngland.area_label(area)}"
                    )
                    numbers.append(len(self.model.evidence))
                    self.model.evidence.append(SynthEvidence(area, link_type, title, date))
                self.evidence_index[(area, link_type)] = numbers

    # -- links
    def link(
        self,
        link_type: str,
        participants: Sequence[int],
        area: int,
        *,
        also: int | None = None,
        inequalities: bool = False,
    ) -> None:
        members = tuple(sorted(set(participants)))
        if len(members) < 2:
            return
        rng = self.rng
        theme = ""
        if inequalities and area not in self.no_inequalities:
            theme = "tackling-inequalities"
        elif rng.random() < 0.5 and _THEME_OF[link_type] != "tackling-inequalities":
            theme = _THEME_OF[link_type]
        start = ""
        if rng.random() < 0.3:
            start = f"2020-{rng.randint(3, 12):02d}-{rng.randint(1, 28):02d}"
        areas = (area,) if also is None or also == area else tuple(sorted((area, also)))
        evidence = rng.choice(self.evidence_index[(area, link_type)])
        self.model.links.append(SynthLink(link_type, members, areas, evidence, theme, start))

    def personas(self) -> None:
        """Which areas lack what: the gaps the rules should find."""
        order = list(range(AREAS))
        self.rng.shuffle(order)
        self.no_forum = {order[0]}
        self.no_mutual_aid = set(order[1:3])
        self.no_inequalities = set(order[3:6])
        self.no_hospice_pathway = set(order[6:10])
        self.weak_social_care = set(order[10:27])
        self.weak_voluntary = set(order[20:32])
        self.all_nhs_ae_board = set(order[32:37])
        self.discharge_rate = [round(self.rng.uniform(0.7, 0.95), 3) for _ in range(AREAS)]

    def make_links(self) -> None:
        for area in range(AREAS):
            self._area_links(area)

    def _pick(self, items: Sequence[int]) -> int | None:
        return self.rng.choice(items) if items else None

    def _pair(
        self, link_type: str, a: int, items: Sequence[int], area: int, inequalities: bool = False
    ) -> None:
        b = self._pick(items)
        if b is not None:
            self.link(link_type, (a, b), area, inequalities=inequalities)

    def _area_links(self, area: int) -> None:
        rng = self.rng
        local = self.local[area]
        neighbour = self.local[(area + 1) % AREAS]
        acute = local["acute-trust"]
        community = local["community-health"]
        mental = local["mental-health"]
        council = local["local-authority"]
        gps = local["gp-practice"]
        rate = self.discharge_rate[area]

        # Hospital discharge: care homes and home care to a trust of the area (a few to a
        # neighbouring area's trust instead, which does not count for the rule).
        for sector, share in (("care-home", rate), ("domiciliary-care", rate - 0.1)):
            for home in local[sector]:
                if rng.random() >= share:
                    continue
                if rng.random() < 0.03 and neighbour["acute-trust"]:
                    trust = rng.choice(neighbour["acute-trust"])
                    other = (area + 1) % AREAS
                    self.link("discharge-coordination", (home, trust), area, also=other)
                else:
                    self._pair("discharge-coordination", home, acute + community, area)

        # Everyday collaboration, sector by sector.
        for sector, share, link_type, partners, inequalities in _PATTERNS:
            if link_type == "mutual-aid" and area in self.no_mutual_aid:
                continue
            candidates = [p for s in partners for p in local[s]]
            for provider in local[sector]:
                if rng.random() < share:
                    self._pair(link_type, provider, candidates, area, inequalities)

        # Primary care: clusters of practices, and the services around them.
        shuffled = list(gps)
        rng.shuffle(shuffled)
        clusters: list[list[int]] = []
        while shuffled:
            size = rng.randint(4, 8)
            clusters.append(shuffled[:size])
            shuffled = shuffled[size:]
        if len(clusters) > 1 and len(clusters[-1]) < 2:
            last = clusters.pop()
            clusters[-1] += last
        for cluster in clusters:
            self.link("shared-governance", cluster, area)
            if rng.random() < 0.8:
                self._pair("shared-pathway", cluster[0], community, area)
        if area not in self.no_hospice_pathway:
            for hospice in local["hospice"]:
                for _ in range(3):
                    self._pair("shared-pathway", hospice, gps, area)

        # Urgent care around the emergency departments.
        departments = [t for t in acute if t in self.ed] or acute
        for centre in local["urgent-treatment-centre"]:
            self._pair("shared-pathway", centre, departments, area)
        for service in local["ambulance"]:
            for department in departments:
                self.link("shared-pathway", (service, department), area)
            self._pair("information-sharing", service, local["nhs-111"], area)

        # Trusts as hubs: liaison psychiatry, mutual aid, redeployment, joint planning.
        for trust in mental:
            for hospital in acute:
                if rng.random() < 0.9:
                    self.link("shared-pathway", (trust, hospital), area)
        trusts = acute + community + mental
        if area not in self.no_mutual_aid:
            self.link("mutual-aid", trusts, area)
            other = (area + 1) % AREAS
            if neighbour["acute-trust"] and other not in self.no_mutual_aid and rng.random() < 0.5:
                pair = (rng.choice(acute), rng.choice(neighbour["acute-trust"]))
                self.link("mutual-aid", pair, area, also=other)
        for hospital in acute:
            self._pair("staff-redeployment", hospital, community + mental, area)
            for authority in council:
                if rng.random() < 0.8:
                    self.link("discharge-coordination", (hospital, authority), area)
                if rng.random() < 0.5:
                    self.link("joint-planning", (hospital, authority), area)
        for authority in council:
            self._pair("joint-planning", authority, community, area)

    # -- forums
    def make_forums(self) -> None:
        for area in range(AREAS):
            if area not in self.no_forum:
                self._area_forums(area)

    def _some(self, items: Sequence[int], n: int) -> list[int]:
        return self.rng.sample(list(items), min(n, len(items)))

    def _area_forums(self, area: int) -> None:
        rng = self.rng
        local = self.local[area]
        label = SyntheticEngland.area_label(area).removesuffix(" (synthetic)")
        social_care = area not in self.weak_social_care
        voluntary = area not in self.weak_voluntary
        acute, community, mental = (
            local["acute-trust"],
            local["community-health"],
            local["mental-health"],
        )
        council = local["local-authority"]
        board = [*acute, *community, *mental, *council]
        board += self._some(local["gp-practice"], 2) + self._some(local["healthwatch"], 1)
        if voluntary:
            board += self._some(local["voluntary-sector"], 2)
        if social_care:
            board += self._some(local["care-home"], 1)
        if rng.random() < 0.6:
            board += self._some(local["ambulance"], 1)
        self._forum("ics-board", area, f"{label} ICS board (synthetic)", board)

        ae = [*acute, *local["ambulance"], *local["nhs-111"]]
        ae += self._some(local["urgent-treatment-centre"], 2) + self._some(local["out-of-hours"], 1)
        ae += self._some(mental, 1)
        if area not in self.all_nhs_ae_board:
            ae += council
        self._forum("ae-delivery-board", area, f"{label} A&E delivery board (synthetic)", ae)

        if rng.random() < 0.8:
            cell = [*acute, *community, *council]
            if social_care:
                cell += self._some(local["care-home"], 2) + self._some(local["domiciliary-care"], 1)
            self._forum("discharge-cell", area, f"{label} discharge cell (synthetic)", cell)
        if rng.random() < 0.6:
            cancer = [*acute, *self._some(local["gp-practice"], 1)]
            if rng.random() < 0.5:
                cancer += self._some(local["hospice"], 1)
            self._forum(
                "cancer-alliance-board", area, f"{label} cancer alliance board (synthetic)", cancer
            )

    def _forum(self, kind: str, area: int, label: str, members: Sequence[int]) -> None:
        self.model.forums.append(SynthForum(kind, area, label, tuple(sorted(set(members)))))


def synthesise(providers: int, seed: int = 1) -> SyntheticEngland:
    """A synthetic England of ``providers`` providers, drawn from ``seed``.

    The same arguments always give the same model, and the same Turtle byte for byte.

    Examples
    --------
    >>> england = synthesise(1_000, seed=7)
    >>> england.providers, len(england.areas)
    (1000, 1000)
    >>> len(england.links) > 2 * england.providers
    True
    """
    builder = _Builder(providers, seed)
    builder.place_providers()
    builder.personas()
    builder.make_evidence()
    builder.make_links()
    builder.make_forums()
    return builder.model


def write_synthetic(path: Path, providers: int, seed: int = 1) -> SyntheticEngland:
    """Synthesise a synthetic England and write it to ``path`` as Turtle."""
    england = synthesise(providers, seed)
    england.write(path)
    return england


__all__ = [
    "synthesise",
    "write_synthetic",
]
