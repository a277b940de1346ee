"""The synthetic England as data, and its Turtle (streamed, with the checksum line)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pcr_graph.core.files import MARKER, atomic_write_chunks, with_footer
from pcr_graph.ingest.synth.params import (
    _CHUNK,
    _PREFIXES,
    AREAS,
    REGIONS,
    SECTOR_NAMES,
    SYNTHETIC,
    _region_of,
)


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


__all__ = [
    "SynthEvidence",
    "SynthForum",
    "SynthLink",
    "SyntheticEngland",
]
