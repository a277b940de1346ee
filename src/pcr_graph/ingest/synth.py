"""A synthetic England: tens of thousands of invented providers, for scale tests and benchmarks.

:func:`synthesise` builds 42 invented areas in 7 invented regions, with providers in the
real sector mix of England (at 55,000 providers: about 15,000 care homes, 12,000 home-care
agencies, 6,500 GP practices, 220 NHS trusts, 153 councils …; scaled proportionally for
any other size), collaboration links in realistic patterns and planning forums with
members. :meth:`SyntheticEngland.turtle` streams it as Turtle that every pcr-graph command
accepts: it conforms to the SHACL shapes, every gap rule runs on it, every area renders.

Everything is invented and says so *in the data*: every area, region, provider, forum,
link and evidence item is named "Synthetic …" and carries ``pcr:fictional true``, and the
file holds a dataset description saying what it is. No real organisation or area name, and
no real area IRI, is used: the IRIs live under ``id/synthetic/``. Only the sector *counts*
mimic the real sector mix.

The link patterns:

- NHS trusts are hubs: most care homes (70-95 % depending on the area) and home-care
  agencies have a discharge-coordination link to an acute or community trust of their
  area, a few to a neighbouring area's trust instead (a gap the rules should find);
- GP practices sit in primary-care clusters of 4-8 (one n-ary shared-governance link
  each), linked to community trusts, NHS 111, out-of-hours services, pharmacies, care
  homes (enhanced health in care homes), hospices and voluntary groups (social
  prescribing);
- trusts share a mutual-aid compact per area and some mutual aid with neighbouring areas;
- councils plan jointly with trusts and engage the voluntary sector and Healthwatch;
- each area (but one) has planning forums (ICS board, A&E delivery board, discharge cell,
  cancer alliance board) whose membership leaves social care or the voluntary sector out in
  some areas, as the reviews found;
- every link cites evidence; some evidence predates the pandemic response.

The same ``providers`` and ``seed`` always give byte-identical Turtle.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib.namespace import DCMITYPE

from pcr_graph.core.errors import UsageError
from pcr_graph.core.files import MARKER, atomic_write_chunks, with_footer
from pcr_graph.core.namespaces import BASE, PREFIXES
from pcr_graph.core.vocab import link_types as link_type_scheme

AREAS = 42
"""Synthetic areas, as many as England has ICS footprints."""

REGIONS = 7
"""Synthetic regions, as many as NHS England has."""

REFERENCE_SIZE = 55_000
"""The provider count the sector mix below is given for."""

MIN_PROVIDERS = 200
"""Fewer providers than this cannot give every area an acute trust and a council."""

MAX_PROVIDERS = 2_000_000

SECTOR_MIX: tuple[tuple[str, int], ...] = (
    ("care-home", 15_000),
    ("domiciliary-care", 12_000),
    ("pharmacy", 8_500),
    ("dental", 7_000),
    ("gp-practice", 6_500),
    ("voluntary-sector", 4_415),
    ("education", 600),
    ("hospice", 200),
    ("urgent-treatment-centre", 170),
    ("local-authority", 153),
    ("healthwatch", 152),
    ("acute-trust", 128),
    ("out-of-hours", 60),
    ("mental-health", 50),
    ("community-health", 31),
    ("nhs-111", 30),
    ("ambulance", 11),
)
"""Providers per sector in a synthetic England of :data:`REFERENCE_SIZE` providers.

Counts of the real sector mix, rounded (220 NHS trusts: 128 acute, 50 mental health, 31
community, 11 ambulance; 153 councils; about 15,000 care homes and 12,000 home-care
agencies registered with the CQC; 6,500 GP practices)."""

PER_AREA_FLOOR = ("acute-trust", "local-authority")
"""Sectors every area has at least one provider of, whatever the size."""

SECTOR_NAMES = {
    "care-home": "care home",
    "domiciliary-care": "home-care agency",
    "pharmacy": "pharmacy",
    "dental": "dental practice",
    "gp-practice": "GP practice",
    "voluntary-sector": "voluntary group",
    "education": "college",
    "hospice": "hospice",
    "urgent-treatment-centre": "urgent treatment centre",
    "local-authority": "council",
    "healthwatch": "Healthwatch",
    "acute-trust": "acute hospital trust",
    "out-of-hours": "out-of-hours service",
    "mental-health": "mental health trust",
    "community-health": "community health trust",
    "nhs-111": "NHS 111 service",
    "ambulance": "ambulance service",
}


def link_types() -> tuple[str, ...]:
    """The link type notations, in the vocabulary's list order (``ontology/link-types.ttl``)."""
    types = link_type_scheme()
    return tuple(types.notation[concept] for concept in types.ordered())


_THEME_OF = {
    "mutual-aid": "safety-and-staff-skills",
    "shared-governance": "governance-and-shared-planning",
    "discharge-coordination": "ensuring-access",
    "information-sharing": "use-of-technology",
    "staff-redeployment": "safety-and-staff-skills",
    "joint-planning": "governance-and-shared-planning",
    "joint-training": "safety-and-staff-skills",
    "shared-pathway": "ensuring-access",
    "community-engagement": "tackling-inequalities",
}
_PATTERNS: tuple[tuple[str, float, str, tuple[str, ...], bool], ...] = (
    # (sector, share of its providers, link type, partner sectors, aimed at inequalities)
    ("care-home", 0.9, "shared-pathway", ("gp-practice",), False),  # enhanced health
    ("care-home", 0.5, "information-sharing", ("acute-trust", "community-health"), False),
    ("care-home", 0.5, "joint-training", ("community-health",), False),  # infection control
    ("care-home", 0.5, "information-sharing", ("local-authority",), False),
    ("care-home", 0.5, "information-sharing", ("pharmacy",), False),  # medicines
    ("care-home", 0.25, "mutual-aid", ("care-home",), False),
    ("care-home", 0.15, "joint-training", ("hospice",), False),
    ("care-home", 0.1, "community-engagement", ("voluntary-sector",), True),
    ("domiciliary-care", 0.3, "information-sharing", ("acute-trust", "community-health"), False),
    ("domiciliary-care", 0.7, "information-sharing", ("local-authority",), False),
    ("domiciliary-care", 0.5, "shared-pathway", ("gp-practice",), False),
    ("domiciliary-care", 0.4, "joint-training", ("community-health",), False),
    ("domiciliary-care", 0.2, "mutual-aid", ("domiciliary-care",), False),
    ("domiciliary-care", 0.15, "community-engagement", ("voluntary-sector",), True),
    ("gp-practice", 0.6, "information-sharing", ("nhs-111",), False),
    ("gp-practice", 0.5, "shared-pathway", ("out-of-hours",), False),
    ("gp-practice", 0.5, "information-sharing", ("acute-trust",), False),
    ("gp-practice", 0.3, "shared-pathway", ("mental-health",), False),
    ("pharmacy", 0.9, "information-sharing", ("gp-practice",), False),
    ("pharmacy", 0.4, "shared-pathway", ("gp-practice",), False),
    ("pharmacy", 0.2, "information-sharing", ("nhs-111",), False),
    ("pharmacy", 0.2, "mutual-aid", ("pharmacy",), False),
    ("pharmacy", 0.2, "community-engagement", ("local-authority",), True),
    ("dental", 0.35, "shared-pathway", ("gp-practice",), False),
    ("dental", 0.15, "community-engagement", ("local-authority",), True),
    ("dental", 0.1, "shared-pathway", ("acute-trust",), False),
    ("voluntary-sector", 0.6, "community-engagement", ("local-authority",), True),
    ("voluntary-sector", 0.45, "shared-pathway", ("gp-practice",), False),  # social prescribing
    ("voluntary-sector", 0.2, "shared-pathway", ("mental-health",), True),
    ("voluntary-sector", 0.1, "community-engagement", ("acute-trust",), True),
    ("voluntary-sector", 0.1, "joint-training", ("hospice",), False),
    ("education", 0.7, "shared-pathway", ("mental-health",), True),
    ("education", 0.3, "joint-planning", ("local-authority",), False),
    ("urgent-treatment-centre", 0.5, "information-sharing", ("nhs-111",), False),
    ("out-of-hours", 1.0, "shared-pathway", ("nhs-111",), False),
    ("healthwatch", 1.0, "community-engagement", ("local-authority",), True),
    ("healthwatch", 1.0, "community-engagement", ("acute-trust",), True),
    ("hospice", 1.0, "shared-pathway", ("acute-trust",), False),
    ("hospice", 1.0, "joint-training", ("community-health",), False),
)
"""Everyday collaboration: each provider of the sector, with that chance, gets a link of
the type with one provider of the partner sectors in its area."""
_EVIDENCE_PER_TYPE = 2
_STALE_SHARE = 0.08
"""Share of evidence items dated before March 2020 (the stale-evidence rule finds them)."""

SYNTHETIC = BASE + "id/synthetic/"
"""Every synthetic IRI starts with this."""

_PREFIXES = (
    *((p, PREFIXES[p]) for p in ("pcr", "sector", "linktype", "theme", "forumkind")),
    *((p, PREFIXES[p]) for p in ("org", "skos", "prov", "dcterms")),
    ("dctype", str(DCMITYPE)),
    ("xsd", PREFIXES["xsd"]),
    ("sa", SYNTHETIC + "area/"),
    ("sr", SYNTHETIC + "region/"),
    ("sp", SYNTHETIC + "provider/"),
    ("sl", SYNTHETIC + "link/"),
    ("se", SYNTHETIC + "evidence/"),
    ("sf", SYNTHETIC + "forum/"),
    ("sm", SYNTHETIC + "membership/"),
)
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class SynthLink:
    """One synthetic collaboration link (provider and area numbers index the model)."""

    type: str
    participants: tuple[int, ...]
    areas: tuple[int, ...]
    evidence: int
    theme: str = ""
    start: str = ""


@dataclass(frozen=True, slots=True)
class SynthForum:
    """One synthetic planning forum and its member providers."""

    kind: str
    area: int
    label: str
    members: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SynthEvidence:
    """One synthetic evidence item."""

    area: int
    link_type: str
    title: str
    date: str


@dataclass
class SyntheticEngland:
    """The synthetic dataset as plain Python data, ready to stream as Turtle.

    Provider ``i`` has sectors ``sectors[i]`` and operates in areas ``areas[i]`` (area
    numbers 0-41).
    """

    providers: int
    seed: int
    sectors: list[tuple[str, ...]] = field(default_factory=list)
    areas: list[tuple[int, ...]] = field(default_factory=list)
    links: list[SynthLink] = field(default_factory=list)
    forums: list[SynthForum] = field(default_factory=list)
    evidence: list[SynthEvidence] = field(default_factory=list)

    # -- names and IRIs
    @staticmethod
    def area_id(area: int) -> str:
        """The area's identifier (``SYN01`` …), which ``--area`` accepts."""
        return f"SYN{area + 1:02d}"

    @staticmethod
    def area_label(area: int) -> str:
        return f"Synthetic Area {area + 1:02d} (synthetic)"

    @staticmethod
    def area_iri(area: int) -> str:
        return f"{SYNTHETIC}area/SYN{area + 1:02d}"

    @staticmethod
    def provider_iri(provider: int) -> str:
        return f"{SYNTHETIC}provider/P{provider:06d}"

    def provider_label(self, provider: int) -> str:
        return f"Synthetic {SECTOR_NAMES[self.sectors[provider][0]]} {provider:06d}"

    def area_sizes(self) -> list[int]:
        """Providers operating in each area."""
        sizes = [0] * AREAS
        for areas in self.areas:
            for area in areas:
                sizes[area] += 1
        return sizes

    def largest_area(self) -> int:
        """The area with most providers (the first such, by number)."""
        sizes = self.area_sizes()
        return sizes.index(max(sizes))

    def counts(self) -> dict[str, int]:
        """How many of everything: providers per sector, links, forums, memberships …"""
        per_sector = Counter(s[0] for s in self.sectors)
        pairs = {
            (a, b)
            for link in self.links
            for a in link.participants
            for b in link.participants
            if a != b
        }
        return {
            "providers": self.providers,
            "areas": AREAS,
            "links": len(self.links),
            "participations": sum(len(link.participants) for link in self.links),
            "collaborates_with_edges": len(pairs),
            "forums": len(self.forums),
            "memberships": sum(len(f.members) for f in self.forums),
            "evidence": len(self.evidence),
            **{f"sector:{s}": n for s, n in sorted(per_sector.items())},
        }

    # -- Turtle
    def turtle(self) -> Iterator[str]:
        """The dataset as Turtle, in chunks (join them, or write them one by one)."""
        buffer: list[str] = []
        size = 0
        for piece in self._pieces():
            buffer.append(piece)
            size += len(piece)
            if size >= _CHUNK:
                yield "".join(buffer)
                buffer.clear()
                size = 0
        if buffer:
            yield "".join(buffer)

    def triples(self) -> int:
        """How many triples :meth:`turtle` writes (no triple is written twice)."""
        partners: list[set[int]] = [set() for _ in range(self.providers)]
        for link in self.links:
            for a in link.participants:
                partners[a].update(link.participants)
        count = 4 + 3 * REGIONS + 5 * AREAS + 5 * len(self.evidence)
        count += sum(3 + len(s) + len(a) for s, a in zip(self.sectors, self.areas, strict=True))
        count += sum(len(p) - 1 for p in partners if p)
        count += sum(
            5 + len(k.participants) + len(k.areas) + bool(k.theme) + bool(k.start)
            for k in self.links
        )
        count += sum(5 + 5 * len(f.members) for f in self.forums)
        return count

    def _pieces(self) -> Iterator[str]:
        yield f"{MARKER}\n"
        yield (
            "# A SYNTHETIC England, generated by `pcr-graph synth "
            f"--providers {self.providers} --seed {self.seed}`.\n"
            "# Every area, region, provider, forum, link and evidence item below is invented\n"
            "# (pcr:fictional true); only the sector counts mimic the real sector mix.\n"
        )
        for prefix, iri in _PREFIXES:
            yield f"@prefix {prefix}: <{iri}> .\n"
        yield "\n"
        yield from self._dataset()
        yield from self._regions_and_areas()
        yield from self._providers()
        yield from self._evidence()
        yield from self._links()
        yield from self._forums()

    def _dataset(self) -> Iterator[str]:
        counts = self.counts()
        description = (
            "A synthetic England for testing and benchmarking pcr-graph at national scale: "
            f"{AREAS} invented areas, {counts['providers']} invented providers, "
            f"{counts['links']} invented collaboration links and {counts['forums']} invented "
            "planning forums. Nothing here describes a real organisation or a real area; "
            "only the number of providers per sector follows the real sector mix."
        )
        yield (
            f"<{SYNTHETIC}dataset> a dctype:Dataset ;\n"
            f'    dcterms:title "Synthetic England ({self.providers} providers, '
            f'seed {self.seed})" ;\n'
            f"    dcterms:description {_string(description)} ;\n"
            "    pcr:fictional true .\n\n"
        )

    def _regions_and_areas(self) -> Iterator[str]:
        for region in range(REGIONS):
            yield (
                f"sr:R{region + 1} a pcr:Region ;\n"
                f'    skos:prefLabel "Synthetic Region {region + 1} (synthetic)" ;\n'
                "    pcr:fictional true .\n\n"
            )
        for area in range(AREAS):
            yield (
                f"sa:{self.area_id(area)} a pcr:Area ;\n"
                f'    dcterms:identifier "{self.area_id(area)}" ;\n'
                f'    skos:prefLabel "{self.area_label(area)}" ;\n'
                f"    pcr:region sr:R{_region_of(area) + 1} ;\n"
                "    pcr:fictional true .\n\n"
            )

    def _providers(self) -> Iterator[str]:
        partners: list[set[int]] = [set() for _ in range(self.providers)]
        for link in self.links:
            for a in link.participants:
                partners[a].update(link.participants)
        for p in range(self.providers):
            sectors = ", ".join(f"sector:{s}" for s in self.sectors[p])
            areas = ", ".join(f"sa:{self.area_id(a)}" for a in self.areas[p])
            text = (
                f"sp:P{p:06d} a pcr:Provider ;\n"
                f'    skos:prefLabel "{self.provider_label(p)}" ;\n'
                f"    pcr:sector {sectors} ;\n"
                f"    pcr:operatesIn {areas} ;\n"
                "    pcr:fictional true"
            )
            others = sorted(partners[p] - {p})
            if others:
                text += " ;\n    pcr:collaboratesWith " + ", ".join(f"sp:P{o:06d}" for o in others)
            yield text + " .\n\n"

    def _evidence(self) -> Iterator[str]:
        for number, item in enumerate(self.evidence):
            yield (
                f"se:E{number:05d} a pcr:Evidence ;\n"
                f"    dcterms:title {_string(item.title)} ;\n"
                f'    dcterms:date "{item.date}"^^xsd:date ;\n'
                '    dcterms:publisher "Synthetic review team (synthetic)" ;\n'
                "    pcr:fictional true .\n\n"
            )

    def _links(self) -> Iterator[str]:
        for number, link in enumerate(self.links):
            participants = ", ".join(f"sp:P{p:06d}" for p in link.participants)
            areas = ", ".join(f"sa:{self.area_id(a)}" for a in link.areas)
            text = (
                f"sl:L{number:07d} a pcr:CollaborationLink ;\n"
                f'    dcterms:identifier "L{number:07d}" ;\n'
                f"    pcr:linkType linktype:{link.type} ;\n"
                f"    pcr:participant {participants} ;\n"
                f"    pcr:area {areas} ;\n"
                f"    prov:wasDerivedFrom se:E{link.evidence:05d} ;\n"
            )
            if link.theme:
                text += f"    pcr:theme theme:{link.theme} ;\n"
            if link.start:
                text += f'    pcr:startDate "{link.start}"^^xsd:date ;\n'
            yield text + "    pcr:fictional true .\n\n"

    def _forums(self) -> Iterator[str]:
        for number, forum in enumerate(self.forums):
            forum_id = f"F{number:04d}"
            members = ", ".join(f"sp:P{m:06d}" for m in forum.members)
            text = (
                f"sf:{forum_id} a pcr:PlanningForum ;\n"
                f"    skos:prefLabel {_string(forum.label)} ;\n"
                f"    pcr:area sa:{self.area_id(forum.area)} ;\n"
                f"    pcr:forumKind forumkind:{forum.kind} ;\n"
            )
            if members:
                text += f"    org:hasMember {members} ;\n"
            yield text + "    pcr:fictional true .\n\n"
            for member in forum.members:
                yield (
                    f"sm:{forum_id}-P{member:06d} a org:Membership ;\n"
                    f"    org:member sp:P{member:06d} ;\n"
                    f"    org:organization sf:{forum_id} ;\n"
                    '    pcr:startDate "2020-04-01"^^xsd:date .\n\n'
                )

    def write(self, path: Path) -> int:
        """Write the Turtle to ``path`` (atomically, streaming); returns the bytes written.

        Like every Turtle file pcr-graph writes, it ends with a checksum line, so a copy cut
        short is refused when loaded.
        """
        chunks = (chunk.encode("utf-8") for chunk in self.turtle())
        return atomic_write_chunks(Path(path), with_footer(chunks, self.triples))


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _region_of(area: int) -> int:
    return area * REGIONS // AREAS


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder, ties by position)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def sector_counts(providers: int) -> dict[str, int]:
    """Providers per sector for a synthetic England of ``providers`` providers.

    The :data:`SECTOR_MIX` scaled to ``providers``, with every sector present at least once
    and every area given an acute trust and a council (taken from the largest sectors).

    Examples
    --------
    >>> counts = sector_counts(55_000)
    >>> counts["care-home"], counts["gp-practice"], counts["local-authority"]
    (15000, 6500, 153)
    >>> sum(sector_counts(1_000).values())
    1000
    """
    if not MIN_PROVIDERS <= providers <= MAX_PROVIDERS:
        raise UsageError(
            f"--providers must be between {MIN_PROVIDERS} and {MAX_PROVIDERS} (got {providers})"
        )
    names = [s for s, _ in SECTOR_MIX]
    floors = {s: AREAS if s in PER_AREA_FLOOR else 1 for s in names}
    counts = dict(zip(names, _apportion(providers, [n for _, n in SECTOR_MIX]), strict=True))
    counts = {s: max(n, floors[s]) for s, n in counts.items()}
    for _ in range(sum(counts.values()) - providers):
        # Raising a sector to its floor takes a provider from the largest sector above its own.
        donor = max(
            (s for s in names if counts[s] > floors[s]), key=lambda s: (counts[s], -names.index(s))
        )
        counts[donor] -= 1
    return counts


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
    "AREAS",
    "SECTOR_MIX",
    "SYNTHETIC",
    "SynthEvidence",
    "SynthForum",
    "SynthLink",
    "SyntheticEngland",
    "sector_counts",
    "synthesise",
    "write_synthetic",
]
