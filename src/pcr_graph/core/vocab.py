"""The SKOS vocabularies (sectors, link types, themes, phases, forum kinds) as lookups.

Users write notations (``care-home``) or, case-insensitively, labels (``Care home``);
:meth:`Scheme.resolve` turns either into the concept IRI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from pcr_graph.core.namespaces import SCHEME
from pcr_graph.core.resources import ontology_files


@dataclass(frozen=True)
class Scheme:
    """One concept scheme: notation and label lookups, and the broader hierarchy."""

    iri: URIRef
    by_key: dict[str, URIRef]
    notation: dict[URIRef, str]
    label: dict[URIRef, str]
    broader: dict[URIRef, tuple[URIRef, ...]]

    def resolve(self, text: str) -> URIRef | None:
        """The concept whose notation or label is ``text`` (case-insensitive), or None."""
        return self.by_key.get(_key(text))

    def notations(self) -> list[str]:
        """Every notation, sorted."""
        return sorted(self.notation.values())

    def ancestors(self, concept: URIRef) -> set[URIRef]:
        """``concept`` and everything above it (skos:broader, transitively)."""
        seen: set[URIRef] = set()
        todo = [concept]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.broader.get(current, ()))
        return seen


def _key(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


@cache
def vocabulary_graph() -> Graph:
    """Every ontology file (OWL and SKOS) parsed once."""
    graph = Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return graph


@cache
def scheme(name: str) -> Scheme:
    """The scheme ``def/scheme/{name}`` (``sectors``, ``link-types``, ``themes`` …)."""
    graph = vocabulary_graph()
    iri = SCHEME[name]
    by_key: dict[str, URIRef] = {}
    notation: dict[URIRef, str] = {}
    label: dict[URIRef, str] = {}
    broader: dict[URIRef, tuple[URIRef, ...]] = {}
    for concept in sorted(graph.subjects(SKOS.inScheme, iri), key=str):
        assert isinstance(concept, URIRef)
        code = str(graph.value(concept, SKOS.notation) or "")
        name_ = str(graph.value(concept, SKOS.prefLabel) or code)
        notation[concept] = code
        label[concept] = name_
        broader[concept] = tuple(
            sorted((URIRef(str(o)) for o in graph.objects(concept, SKOS.broader)), key=str)
        )
        alternatives = sorted(str(a) for a in graph.objects(concept, SKOS.altLabel))
        for text in (code, name_, *alternatives):
            if text:
                by_key.setdefault(_key(text), concept)
    return Scheme(iri, by_key, notation, label, broader)


def sectors() -> Scheme:
    """The sector scheme."""
    return scheme("sectors")


def link_types() -> Scheme:
    """The link-type scheme."""
    return scheme("link-types")


def themes() -> Scheme:
    """The PCR theme scheme."""
    return scheme("themes")


def forum_kinds() -> Scheme:
    """The planning-forum kind scheme."""
    return scheme("forum-kinds")


# How maps, legends and heatmaps order and group sectors.
SECTOR_GROUP: Mapping[str, str] = MappingProxyType(
    {
        "nhs": "nhs",
        "nhs-trust": "nhs",
        "acute-trust": "nhs",
        "emergency-department": "nhs",
        "ambulance": "nhs",
        "community-health": "nhs",
        "mental-health": "nhs",
        "nhs-111": "nhs",
        "urgent-treatment-centre": "nhs",
        "primary-care": "primary",
        "gp-practice": "primary",
        "out-of-hours": "primary",
        "pharmacy": "primary",
        "dental": "primary",
        "adult-social-care": "social",
        "care-home": "social",
        "domiciliary-care": "social",
        "local-authority": "council",
        "public-health": "council",
        "voluntary-sector": "voluntary",
        "hospice": "voluntary",
        "education": "other",
        "healthwatch": "other",
    }
)

SECTOR_GROUP_ORDER = ("nhs", "primary", "social", "council", "voluntary", "other")
SECTOR_ORDER = (
    "nhs",
    "nhs-trust",
    "acute-trust",
    "emergency-department",
    "ambulance",
    "community-health",
    "mental-health",
    "nhs-111",
    "urgent-treatment-centre",
    "primary-care",
    "gp-practice",
    "out-of-hours",
    "pharmacy",
    "dental",
    "adult-social-care",
    "care-home",
    "domiciliary-care",
    "local-authority",
    "public-health",
    "voluntary-sector",
    "hospice",
    "education",
    "healthwatch",
)
_SECTOR_RANK = {notation: rank for rank, notation in enumerate(SECTOR_ORDER)}
_GROUP_RANK = {group: rank for rank, group in enumerate(SECTOR_GROUP_ORDER)}


def sector_group(notation: str) -> str:
    """The display group of a sector notation (``"other"`` for one the table does not know)."""
    return SECTOR_GROUP.get(notation, "other")


def sector_sort_key(notation: str) -> tuple[int, int, str]:
    """Sort key putting sectors in display order: by group, then the table's order, then name."""
    return (_GROUP_RANK[sector_group(notation)], _SECTOR_RANK.get(notation, 999), notation)
