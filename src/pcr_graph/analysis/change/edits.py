"""Copies of a store, and SPARQL UPDATE edits made to a copy only: a provider removed, the
graph as it stood on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rdflib import Graph, Literal, URIRef

from pcr_graph.store.engines import OxigraphStore, RdflibStore, Store

_PARAMS = "urn:pcr-graph:parameters"


_PARAM_SOURCE = "pcr-graph-parameters"


# Values reach an update as triples in a scratch graph, never spliced into the update text.
_P_REMOVE = URIRef("urn:pcr-graph:remove")


_P_AT = URIRef("urn:pcr-graph:at")


def copy_store(store: Store) -> Store:
    """A fresh store of the same engine holding the same sources (for changes to a copy)."""
    if isinstance(store, OxigraphStore):
        return store.copy()  # quad by quad, without rdflib (minutes -> seconds at 55k)
    copy: Store = OxigraphStore() if store.engine == "oxigraph" else RdflibStore()
    for source in store.sources():
        copy.load(store.source_graph(source).serialize(format="nt"), "nt", source)
    return copy


def _set_parameters(store: Store, values: Sequence[tuple[URIRef, URIRef | Literal]]) -> None:
    graph = Graph()
    for predicate, value in values:
        graph.add((URIRef(_PARAMS), predicate, value))
    store.load(graph.serialize(format="nt"), "nt", _PARAM_SOURCE)


_DOOM_PROVIDER = """
INSERT { GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?gone } }
WHERE { GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:remove> ?gone } }
"""


_DOOM_SHRUNK_LINKS = """
INSERT { GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?link } }
WHERE {
  GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:remove> ?gone }
  { SELECT ?link ?gone (COUNT(DISTINCT ?other) AS ?others) WHERE {
      GRAPH ?g1 { ?link pcr:participant ?gone }
      OPTIONAL { GRAPH ?g2 { ?link pcr:participant ?other } FILTER (?other != ?gone) }
    } GROUP BY ?link ?gone }
  FILTER (?others < 2)
}
"""


_DOOM_MEMBERSHIPS_OF = """
INSERT { GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?membership } }
WHERE {
  GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:remove> ?gone }
  GRAPH ?g { ?membership org:member ?gone }
}
"""


_DOOM_INACTIVE = """
INSERT { GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?node } }
WHERE {
  GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:at> ?at }
  { GRAPH ?g3 { ?node a pcr:CollaborationLink } } UNION { GRAPH ?g4 { ?node a org:Membership } }
  OPTIONAL { GRAPH ?g1 { ?node pcr:startDate ?start } }
  OPTIONAL { GRAPH ?g2 { ?node pcr:endDate ?end } }
  # Filters stay at this level: inside a UNION branch ?at would be out of scope.
  FILTER ((BOUND(?start) && ?start > ?at) || (BOUND(?end) && ?end < ?at))
}
"""


# A forum keeps its org:hasMember shortcut only while some membership of the pair survives.
_DROP_ENDED_SEATS = """
DELETE { GRAPH ?g { ?forum org:hasMember ?member } }
WHERE {
  GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?ended }
  GRAPH ?g1 { ?ended org:organization ?forum ; org:member ?member }
  GRAPH ?g { ?forum org:hasMember ?member }
  FILTER NOT EXISTS {
    GRAPH ?g2 { ?kept org:organization ?forum ; org:member ?member }
    FILTER NOT EXISTS { GRAPH ?pg2 { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?kept } }
  }
}
"""


_DROP_DOOMED_SUBJECTS = """
DELETE { GRAPH ?g { ?node ?p ?o } }
WHERE {
  GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?node }
  GRAPH ?g { ?node ?p ?o }
}
"""


_DROP_DOOMED_OBJECTS = """
DELETE { GRAPH ?g { ?s ?p ?node } }
WHERE {
  GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?node }
  GRAPH ?g { ?s ?p ?node }
}
"""


# The collaboratesWith shortcut stands only while a remaining link joins the pair. MINUS
# (?a and ?b always bound on both sides, so the same as FILTER NOT EXISTS) is one hash
# anti-join against the pairs of every link, not a lookup per shortcut: 2 s -> 0.1 s on
# the largest area of 55,000 providers.
_DROP_UNBACKED_SHORTCUTS = """
DELETE { GRAPH ?g { ?a pcr:collaboratesWith ?b } }
WHERE {
  GRAPH ?g { ?a pcr:collaboratesWith ?b }
  MINUS {
    GRAPH ?g1 { ?link pcr:participant ?a }
    GRAPH ?g2 { ?link pcr:participant ?b }
  }
}
"""


_HAS_SHORTCUTS = "ASK { ?a pcr:collaboratesWith ?b }"


def _edit(store: Store, updates: Sequence[str]) -> None:
    """Run ``updates`` in order; :data:`_DROP_UNBACKED_SHORTCUTS` only on a store holding a
    shortcut. An area copy holds none (``scope._SHORTCUT``), and Oxigraph evaluates the
    MINUS side, every pair of every link's participants, even when there is nothing to
    delete: 0.05-0.07 s per copy of the largest area at 55,000 providers."""
    for update in updates:
        if update is _DROP_UNBACKED_SHORTCUTS and not store.ask(_HAS_SHORTCUTS):
            continue
        store.update(update)


_DROP_PARAMETERS = """
DELETE { GRAPH ?pg { <urn:pcr-graph:parameters> ?p ?o } }
WHERE { GRAPH ?pg { <urn:pcr-graph:parameters> ?p ?o } }
"""


def remove_provider(store: Store, provider: URIRef) -> None:
    """Remove ``provider`` from ``store`` IN PLACE (use it on a copy: :func:`copy_store`).

    Deletes every triple about the provider or pointing to it, its memberships, and each
    link left with fewer than two participants; a link among three or more providers
    continues among the others.
    """
    _set_parameters(store, [(_P_REMOVE, URIRef(provider))])
    _edit(
        store,
        (
            _DOOM_PROVIDER,
            _DOOM_SHRUNK_LINKS,
            _DOOM_MEMBERSHIPS_OF,
            _DROP_DOOMED_SUBJECTS,
            _DROP_DOOMED_OBJECTS,
            _DROP_UNBACKED_SHORTCUTS,
            _DROP_PARAMETERS,
        ),
    )


def restrict_to_date(store: Store, day: dt.date) -> None:
    """Keep in ``store`` (IN PLACE) only the links and memberships active on ``day``.

    A link or membership is active when its start date is not after ``day`` and its end
    date not before it (a missing date is open). Shortcut edges follow.
    """
    _set_parameters(store, [(_P_AT, Literal(day.isoformat(), datatype=_XSD_DATE))])
    _edit(
        store,
        (
            _DOOM_INACTIVE,
            _DROP_ENDED_SEATS,
            _DROP_DOOMED_SUBJECTS,
            _DROP_DOOMED_OBJECTS,
            _DROP_UNBACKED_SHORTCUTS,
            _DROP_PARAMETERS,
        ),
    )


_XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


def snapshot_at(store: Store, day: dt.date) -> Store:
    """A copy of ``store`` holding only the links and memberships active on ``day``."""
    copy = copy_store(store)
    restrict_to_date(copy, day)
    return copy


__all__ = [
    "copy_store",
    "remove_provider",
    "restrict_to_date",
    "snapshot_at",
]
