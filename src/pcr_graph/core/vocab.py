"""The SKOS vocabularies (sectors, link types, themes, phases, forum kinds) as lookups.

Users write notations (``care-home``) or, case-insensitively, labels (``Care home``);
:meth:`Scheme.resolve` turns either into the concept IRI. Everything here is read from
``ontology/*.ttl``: which concepts exist, their hierarchy (``skos:broader``), the order
they are listed in (``pcr:listOrder``) and, for sectors, the display groups maps and
legends show them in (the ``skos:Collection`` groupings of ``sectors.ttl``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import TypeVar

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from pcr_graph.core.namespaces import PCR, SCHEME
from pcr_graph.core.resources import ontology_files


@dataclass(frozen=True)
class Scheme:
    """One concept scheme: notation and label lookups, and the broader hierarchy."""

    iri: URIRef
    by_key: dict[str, URIRef]
    notation: dict[URIRef, str]
    label: dict[URIRef, str]
    broader: dict[URIRef, tuple[URIRef, ...]]
    order: dict[URIRef, int] = field(default_factory=dict)
    """``pcr:listOrder`` of the concepts that have one."""

    def resolve(self, text: str) -> URIRef | None:
        """The concept whose notation or label is ``text`` (case-insensitive), or None."""
        return self.by_key.get(_key(text))

    def notations(self) -> list[str]:
        """Every notation, sorted."""
        return sorted(self.notation.values())

    def ordered(self) -> list[URIRef]:
        """Every concept by ``pcr:listOrder``; those without one last, by notation."""
        return sorted(self.notation, key=_order_key(self.order, self.notation))

    def rank(self, notation: str) -> int:
        """The ``pcr:listOrder`` of the concept with ``notation`` (999 if it has none)."""
        concept = self.by_key.get(_key(notation))
        return self.order.get(concept, 999) if concept is not None else 999

    def ancestors(self, concept: URIRef) -> set[URIRef]:
        """``concept`` and everything above it (skos:broader, transitively)."""
        return ancestors(concept, self.broader)


_T = TypeVar("_T")


def ancestors(concept: _T, broader: Mapping[_T, Sequence[_T]]) -> set[_T]:
    """``concept`` and everything above it in ``broader`` (concept to its broader ones).

    For a hierarchy given as data (one read from a store, keyed by notation) as well as the
    built-in schemes' (:meth:`Scheme.ancestors`).

    >>> sorted(ancestors("care-home", {"care-home": ["adult-social-care"]}))
    ['adult-social-care', 'care-home']
    """
    seen: set[_T] = set()
    todo = [concept]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(broader.get(current, ()))
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
    order: dict[URIRef, int] = {}
    for concept in sorted(graph.subjects(SKOS.inScheme, iri), key=str):
        assert isinstance(concept, URIRef)
        code = str(graph.value(concept, SKOS.notation) or "")
        name_ = str(graph.value(concept, SKOS.prefLabel) or code)
        notation[concept] = code
        label[concept] = name_
        broader[concept] = tuple(
            sorted((URIRef(str(o)) for o in graph.objects(concept, SKOS.broader)), key=str)
        )
        rank = graph.value(concept, PCR.listOrder)
        if rank is not None:
            order[concept] = int(str(rank))
        alternatives = sorted(str(a) for a in graph.objects(concept, SKOS.altLabel))
        for text in (code, name_, *alternatives):
            if text:
                by_key.setdefault(_key(text), concept)
    return Scheme(iri, by_key, notation, label, broader, order)


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


@dataclass(frozen=True)
class Group:
    """A display group of sectors (a ``skos:Collection`` in ``sectors.ttl``)."""

    notation: str
    label: str
    members: frozenset[str]
    """Notations of the sectors the collection lists."""


def _order_key(
    order: Mapping[URIRef, int], notation: Mapping[URIRef, str]
) -> Callable[[URIRef], tuple[int, int, str]]:
    def key(concept: URIRef) -> tuple[int, int, str]:
        rank = order.get(concept)
        return (0 if rank is not None else 1, rank or 0, notation.get(concept, str(concept)))

    return key


@cache
def sector_groups() -> tuple[Group, ...]:
    """The sector display groups, in ``pcr:listOrder``."""
    graph = vocabulary_graph()
    known = sectors().notation
    order: dict[URIRef, int] = {}
    notation: dict[URIRef, str] = {}
    members: dict[URIRef, frozenset[str]] = {}
    for collection in graph.subjects(RDF.type, SKOS.Collection):
        listed = set(graph.objects(collection, SKOS.member))
        if not isinstance(collection, URIRef) or not listed or not listed <= known.keys():
            continue  # not a grouping of sectors
        notation[collection] = str(graph.value(collection, SKOS.notation) or collection)
        members[collection] = frozenset(known[m] for m in listed if isinstance(m, URIRef))
        rank = graph.value(collection, PCR.listOrder)
        if rank is not None:
            order[collection] = int(str(rank))
    return tuple(
        Group(
            notation[c],
            str(graph.value(c, SKOS.prefLabel) or notation[c]),
            members[c],
        )
        for c in sorted(notation, key=_order_key(order, notation))
    )


OTHER_GROUP = "other"
"""The group of a sector no display group lists (one added to the vocabulary later)."""


@cache
def _sector_group_of() -> Mapping[str, str]:
    found: dict[str, str] = {}
    for group in sector_groups():
        for member in sorted(group.members):
            found.setdefault(member, group.notation)
    scheme_ = sectors()
    for concept, code in scheme_.notation.items():
        if code not in found:
            # A sector no group lists joins the group of its nearest listed ancestor.
            ancestors = scheme_.ancestors(concept) - {concept}
            listed = sorted(scheme_.notation[a] for a in ancestors if scheme_.notation[a] in found)
            found[code] = found[listed[0]] if listed else OTHER_GROUP
    return MappingProxyType(found)


@cache
def _group_rank() -> Mapping[str, int]:
    names = [group.notation for group in sector_groups()]
    if OTHER_GROUP not in names:
        names.append(OTHER_GROUP)
    return MappingProxyType({name: rank for rank, name in enumerate(names)})


def sector_group(notation: str) -> str:
    """The display group of a sector notation (``"other"`` for one the vocabulary lacks)."""
    return _sector_group_of().get(notation, OTHER_GROUP)


def sector_sort_key(notation: str) -> tuple[int, int, str]:
    """Sort key putting sectors in display order: by group, then ``pcr:listOrder``, then name."""
    return (_group_rank()[sector_group(notation)], sectors().rank(notation), notation)
