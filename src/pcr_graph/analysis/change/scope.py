"""The part of a store that the questions about a few areas read, copied into a small store.

``what-if`` and ``diff --at --area`` used to copy the whole store, edit the copy with SPARQL
updates over the nation and derive the summaries of every area again (93 s and 135 s at
55,000 providers). Everything they report is about a few areas (the provider's, or those
asked for), so :func:`area_copy` copies only what those areas' rules, metrics and link
lists read, quad by quad as Oxigraph's own terms, and the edits, the derivation and the
rules run on that copy.

What is copied
--------------
The store's things are of two kinds. Those of the five classes that grow with the country
(:data:`SCALING`: providers, collaboration links, evidence, planning forums and forum
memberships) are copied only when the areas concern them; everything else (ontology,
vocabularies, areas, regions, expectations, findings, PCN registers, anything of a class not
listed) is copied whole, as is every graph that holds no thing of those five classes. A thing
is copied with every quad it is the subject of (in every source graph, never the derived
graph), and so is every thing not of the five classes that a copied quad points to.

A thing of the five classes is *core* when the areas concern it directly; a core thing's
quads bring with them the things of the five classes they point to, and a core provider
or forum also brings every thing that points to it:

- core: every thing pointing to one of the areas (the providers operating there, its links,
  forums, ...), the providers named (the one a what-if removes), and, for each core
  provider or forum, the links, forums and memberships pointing to it;
- copied but not core (their own quads only): the providers those core things point to or
  are pointed to by (other participants of the links, forum members, collaborators), the
  evidence the links cite.

So the copy holds every provider operating in the areas with every link, forum seat and
membership it has anywhere, every link and forum of the areas with all their participants,
members and memberships, each of those providers as it is described (its sectors, every
area it operates in, its names), the evidence of those links. The rules bound to one of the
areas, the derivation queries' summaries for those areas, the provider and forum views of
those areas and the date and removal edits read nothing else, so their answers for those
areas on the copy are those on the whole store (tests/analysis/change/test_scope.py
compares them on the demo, the golden fixture and synthetic Englands). What differs, and is
never read by ``what-if`` or ``diff``: anything about other areas, national counts (the
report's number of areas without data), and the evidence lines of a provider outside the
areas (its links elsewhere are not copied).
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Iterable, Sequence
from typing import Any

from rdflib import URIRef

from pcr_graph.analysis.derived import DERIVED_NS, adopt, derive, is_current
from pcr_graph.store.engines import DERIVED_GRAPH, OxigraphStore, Store

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_PCR = "https://w3id.org/pcr-graph/def#"
_ORG = "http://www.w3.org/ns/org#"

SCALING = {
    _PCR + "Provider": "provider",
    _PCR + "CollaborationLink": "link",
    _PCR + "Evidence": "evidence",
    _PCR + "PlanningForum": "forum",
    _ORG + "Membership": "membership",
}
"""The classes whose things are copied only when the areas concern them (IRI: kind)."""

_SHORTCUT = _PCR + "collaboratesWith"
"""Left out of the copy: a shortcut for "shares a link with" (a quarter of the copy at
national scale) that no rule, view or listing reads; the edits only delete it (a test
checks that nothing else names it)."""

_REFERRED = ("provider", "forum")
"""Kinds whose core things also bring what points to them (links, seats, memberships)."""

_CLASSES = "SELECT DISTINCT ?g ?c WHERE { GRAPH ?g { ?s a ?c } }"


_UNKNOWN = "?"
"""In :attr:`_Scope.kinds`' place for a node whose kind is not looked up yet."""


class _Scope:
    """One selection: a work list of things to copy, each visited once (twice if it
    becomes core after being copied as another's neighbour)."""

    def __init__(self, store: OxigraphStore) -> None:
        import pyoxigraph as ox  # inside: a native library, loaded only when a store opens

        self.ox = ox
        self.native = store.native
        self.rdf_type = ox.NamedNode(_RDF_TYPE)
        self.scaling = {ox.NamedNode(iri): kind for iri, kind in SCALING.items()}
        self.derived = ox.NamedNode(DERIVED_GRAPH)
        self.nodes = (ox.NamedNode, ox.BlankNode)
        self.shortcut = ox.NamedNode(_SHORTCUT)
        self.kinds: dict[Any, str | None] = {}
        self.pointed: dict[Any, list[Any]] = {}  # a copied thing: the scaling things it names
        self.core: set[Any] = set()
        self.queued: dict[Any, bool] = {}  # each thing once as core, once as not
        self.quads: list[Any] = []
        self.todo: list[tuple[Any, bool]] = []

    def kind(self, node: Any) -> str | None:
        """The kind of ``node`` if it is of one of :data:`SCALING`'s classes, else None."""
        if node not in self.kinds:
            kind = None
            for quad in self.native.quads_for_pattern(node, self.rdf_type, None, None):
                kind = self.scaling.get(quad.object)
                if kind is not None:
                    break
            self.kinds[node] = kind
        return self.kinds[node]

    def add(self, node: Any, core: bool) -> None:
        core = core or self.kind(node) is None
        if self.queued.get(node, False) or (not core and node in self.queued):
            return
        self.queued[node] = core
        self.todo.append((node, core))

    def _copy(self, node: Any) -> None:
        pointed: list[Any] = []
        derived, shortcut, nodes, keep = self.derived, self.shortcut, self.nodes, self.quads
        kinds, queued, unknown = self.kinds, self.queued, _UNKNOWN
        for quad in self.native.quads_for_pattern(node, None, None, None):
            if quad.graph_name == derived or quad.predicate == shortcut:
                continue
            keep.append(quad)
            target = quad.object
            if isinstance(target, nodes):
                # kind() and add() inline for the common cases (a vocabulary term already
                # queued whole): one dictionary lookup each, 80,000 objects per copy.
                kind = kinds.get(target, unknown)
                if kind is unknown:
                    kind = self.kind(target)
                if kind is not None:
                    pointed.append(target)
                elif queued.get(target) is not True:
                    self.add(target, True)
        self.pointed[node] = pointed

    def run(self) -> None:
        while self.todo:
            node, core = self.todo.pop()
            if node not in self.pointed:
                self._copy(node)
            if not core or node in self.core:
                continue
            self.core.add(node)
            for target in self.pointed[node]:
                self.add(target, False)
            kind = self.kind(node)
            if kind in _REFERRED:
                for quad in self.native.quads_for_pattern(None, None, node, None):
                    if quad.graph_name == self.derived or quad.predicate == self.shortcut:
                        continue
                    source = self.kind(quad.subject)
                    self.add(quad.subject, source not in ("provider", "evidence"))

    def clone(self) -> _Scope:
        """A scope to go on from where this one is (this one is left as it is)."""
        twin = copy.copy(self)
        twin.kinds, twin.pointed = dict(self.kinds), dict(self.pointed)
        twin.core, twin.queued = set(self.core), dict(self.queued)
        twin.quads, twin.todo = list(self.quads), list(self.todo)
        return twin

    def seed(self, areas: Iterable[URIRef], providers: Iterable[URIRef]) -> None:
        """The areas, what points to them, and the providers named."""
        ox = self.ox
        for area in areas:
            node = ox.NamedNode(str(area))
            self.add(node, True)
            for quad in self.native.quads_for_pattern(None, None, node, None):
                if quad.graph_name != self.derived:
                    self.add(quad.subject, True)
        for provider in providers:
            self.add(ox.NamedNode(str(provider)), True)

    def skeleton(self) -> None:
        """Everything not of the scaling classes (the same for every set of areas)."""
        ox = self.ox
        data: set[Any] = set()
        other: list[tuple[Any, Any]] = []
        for graph, cls in self.native.query(_CLASSES):
            if graph == self.derived:
                continue
            if cls in self.scaling:
                data.add(graph)
            else:
                other.append((graph, cls))
        default = ox.DefaultGraph()
        for graph in [default, *self.native.named_graphs()]:
            if graph == self.derived or graph in data:
                continue
            if graph == default and any(
                next(iter(self.native.quads_for_pattern(None, self.rdf_type, c, graph)), None)
                for c in self.scaling
            ):
                data.add(graph)
                continue
            # A graph of no scaling thing (ontology, vocabularies, reference data): its
            # subjects whole (what it says of a scaling thing comes with that thing).
            subjects = {q.subject for q in self.native.quads_for_pattern(None, None, None, graph)}
            for subject in subjects:
                if self.kind(subject) is None:
                    self.add(subject, True)
        for graph, cls in other:
            if graph in data:
                for quad in self.native.quads_for_pattern(None, self.rdf_type, cls, graph):
                    if self.kind(quad.subject) is None:
                        self.add(quad.subject, True)
        self.run()


_SKELETONS: weakref.WeakKeyDictionary[OxigraphStore, tuple[int, _Scope]] = (
    weakref.WeakKeyDictionary()
)
"""Per store, the skeleton copied (:meth:`_Scope.skeleton`) and the store's write count then:
read again only after a write (one class scan of the whole store, 0.2 s at 55,000
providers, saved on every later question)."""


def _scope(store: OxigraphStore) -> _Scope:
    now = store.generation
    kept = _SKELETONS.get(store)
    if kept is None or kept[0] != now:
        scope = _Scope(store)
        scope.skeleton()
        kept = _SKELETONS[store] = (now, scope)
    return kept[1].clone()


def area_quads(
    store: Store, areas: Sequence[URIRef], providers: Sequence[URIRef] = ()
) -> list[Any] | None:
    """The quads :func:`area_copy` copies (pyoxigraph's own), or None for a store that is not
    an Oxigraph store."""
    if not isinstance(store, OxigraphStore):
        return None
    scope = _scope(store)
    scope.seed(areas, providers)
    scope.run()
    return scope.quads


def area_copy(
    store: Store, areas: Sequence[URIRef], providers: Sequence[URIRef] = ()
) -> OxigraphStore | None:
    """A new in-memory store holding what questions about ``areas`` read (see the module
    docstring), with ``providers`` (say, one a what-if removes) and all their links and
    seats; None when ``store`` is not an in-memory or on-disk Oxigraph store (then copy it
    whole: :func:`pcr_graph.analysis.change.edits.copy_store`).

    Run only rules bound to ``areas`` on it, and read only those areas from it.
    """
    quads = area_quads(store, areas, providers)
    return None if quads is None else store_of(quads)


def area_summaries(store: Store, areas: Sequence[URIRef]) -> list[Any] | None:
    """The summaries of ``areas`` in ``store``'s derived graph (pyoxigraph quads, with the
    graph's marker), or None when ``store`` is not an Oxigraph store or its derived graph is
    not up to date.

    Every summary the derivation queries write (``queries/derive-*.rq``) is about one area:
    a node with that ``pcrd:area``, or a triple whose object is the area
    (``pcrd:dischargeLinkWithTrustIn``). They are what the derivation gives on an area copy
    for its areas (the module docstring), and all that the rules bound to those areas read:
    an unedited copy given them (:func:`store_of`) need not derive its own (0.3 s for the
    largest area at 55,000 providers).
    """
    if not isinstance(store, OxigraphStore) or not is_current(store):
        return None
    import pyoxigraph as ox  # inside: a native library, loaded only when a store opens

    native, graph = store.native, ox.NamedNode(DERIVED_GRAPH)
    on_area = ox.NamedNode(DERIVED_NS + "area")
    found: list[Any] = []
    for area in areas:
        node = ox.NamedNode(str(area))
        for quad in native.quads_for_pattern(None, None, node, graph):
            if quad.predicate == on_area:
                found += native.quads_for_pattern(quad.subject, None, None, graph)
            else:
                found.append(quad)
    # The marker (derived.MARKER): the graph is there.
    found += native.quads_for_pattern(graph, ox.NamedNode(_RDF_TYPE), None, graph)
    return found


def store_of(quads: Sequence[Any], summaries: Sequence[Any] | None = None) -> OxigraphStore:
    """A new in-memory store holding ``quads`` (from :func:`area_quads`); given the
    ``summaries`` of its areas (:func:`area_summaries`), with them as its derived graph,
    taken as up to date (edit such a store and it derives its own again)."""
    twin = OxigraphStore()
    twin.extend(quads)
    if summaries is not None:
        take_summaries(twin, summaries)
    return twin


def take_summaries(copy: OxigraphStore, summaries: Sequence[Any]) -> None:
    """Give an area copy holding what :func:`area_quads` selected, unedited, the
    ``summaries`` of its areas (:func:`area_summaries`) as its derived graph, taken as up
    to date."""
    copy.extend(summaries)
    adopt(copy)


def derive_copy(copy: OxigraphStore) -> None:
    """Derive the summaries of an area copy (after its edits) now, without waiting.

    :func:`~pcr_graph.analysis.derived.ensure_derived` derives under one lock for every
    store, so two copies answered side by side (diff's two dates) derived one after the
    other (0.25 s at 55,000 providers). A copy belongs to one thread and has no cache:
    :func:`~pcr_graph.analysis.derived.derive` then
    :func:`~pcr_graph.analysis.derived.adopt` is what ensure_derived would do for it.
    """
    derive(copy)
    adopt(copy)


__all__ = [
    "SCALING",
    "area_copy",
    "area_quads",
    "area_summaries",
    "derive_copy",
    "store_of",
    "take_summaries",
]
