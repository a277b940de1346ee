"""The evidence lines of a gap report: what was looked at for each hit.

A hit of a rule whose header says ``considered: forums`` lists the area's planning forums;
``links-of-area`` the area's link and evidence counts; ``links-of-provider`` the links the
hit's providers take part in, with their evidence. :class:`EvidenceIndex` reads them once
per report: the per-area ones beside the rules, the providers' once the rules have named
them (:func:`pcr_graph.analysis.gaps.run_gaps`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from pcr_graph.analysis.queries import values_clause
from pcr_graph.store.engines import Store, run_concurrently

_PROVIDER_EVIDENCE = """
SELECT ?provider ?typeLabel ?title ?date ?linkId WHERE {
  # Written so that a bound ?provider is where Oxigraph starts: with the usual
  # `?link a pcr:CollaborationLink` first it walks every link for each provider (50 ms a
  # query at 10,000 providers instead of under 1 ms); the class is tested per link instead.
  #VALUES#
  ?link pcr:participant ?provider ;
        pcr:linkType/skos:prefLabel ?typeLabel ;
        a ?linkClass .
  FILTER (?linkClass = pcr:CollaborationLink)
  OPTIONAL { ?link dcterms:identifier ?linkId }
  OPTIONAL {
    ?link prov:wasDerivedFrom ?ev .
    ?ev dcterms:title ?title .
    OPTIONAL { ?ev dcterms:date ?date }
  }
}
ORDER BY ?provider ?linkId ?typeLabel ?title
"""


def values_query(template: str, variable: str, iris: Sequence[str]) -> str:
    """``template`` with ``#VALUES#`` replaced by ``VALUES ?variable { <iri> … }``.

    For IRIs the store itself returned (rule results), never for anything a user typed,
    which is always bound (:func:`pcr_graph.analysis.queries.bind_params`). Writing them
    into the text is safe because each one is checked to be a plain IRI (a scheme, then
    no space, control, quote, angle bracket, brace, pipe, caret, backtick or backslash),
    so it cannot end the ``<…>`` it is written in; one that is not refuses the query.
    One query for 10,600 providers at 55,000 takes a fraction of 10,600 bound queries.
    The clause is :func:`pcr_graph.analysis.queries.values_clause`'s.

    Examples
    --------
    >>> values_query("SELECT * { #VALUES# }", "p", ["urn:a", "https://x/b"])
    'SELECT * { VALUES ?p { <urn:a> <https://x/b> } }'
    """
    return template.replace("#VALUES#", values_clause(variable, iris))


_FORUM_EVIDENCE = """
SELECT ?area ?forumLabel (COUNT(DISTINCT ?member) AS ?members) WHERE {
  ?forum a pcr:PlanningForum ; pcr:area ?area ; skos:prefLabel ?forumLabel .
  OPTIONAL { ?forum org:hasMember ?member }
}
GROUP BY ?area ?forumLabel
ORDER BY ?area ?forumLabel
"""
_AREA_LINKS = """
SELECT ?area (COUNT(DISTINCT ?link) AS ?links) (COUNT(DISTINCT ?ev) AS ?evidence) WHERE {
  ?link a pcr:CollaborationLink ; pcr:area ?area .
  OPTIONAL { ?link prov:wasDerivedFrom ?ev }
}
GROUP BY ?area
ORDER BY ?area
"""
_DERIVED_AREA_LINKS = """
PREFIX pcrd: <https://w3id.org/pcr-graph/def/derived#>
SELECT ?area ?links ?evidence WHERE {
  ?counted a pcrd:AreaLinks ; pcrd:area ?area ; pcrd:links ?links ; pcrd:evidence ?evidence .
}
ORDER BY ?area
"""
"""``_AREA_LINKS`` from the derived graph (queries/derive-area-links.rq)."""


IRIS_PER_QUERY = 4000
"""IRIs one query names in its ``VALUES`` block (:func:`values_query`); such queries run
concurrently."""


def chunks(iris: Sequence[str]) -> list[Sequence[str]]:
    """``iris`` in runs of :data:`IRIS_PER_QUERY`, one per query."""
    return [iris[i : i + IRIS_PER_QUERY] for i in range(0, len(iris), IRIS_PER_QUERY)]


class EvidenceIndex:
    """What was looked at for each hit, fetched once per report (see :meth:`prepare`)."""

    def __init__(self, store: Store, derived: bool = False) -> None:
        self.store = store
        self.derived = derived  # the store holds the derived graph
        self._provider: dict[str, list[str]] | None = None
        self._every_provider = False  # True once every provider's links were read
        self._forums: dict[str, list[str]] | None = None
        self._area: dict[str, str] | None = None

    def prepare(self, kinds: set[str], providers: Iterable[str]) -> None:
        """Fetch, at once, the evidence of the ``kinds`` the hits cite (what is not read yet):
        :meth:`area_calls` and :meth:`provider_calls`, run concurrently."""
        calls = self.area_calls(kinds)
        if "links-of-provider" in kinds:
            calls += self.provider_calls(providers)
        run_concurrently(self.store, calls)

    def provider_calls(self, providers: Iterable[str]) -> list[Callable[[], object]]:
        """The calls that read the links of ``providers`` (those with hits).

        On Oxigraph a few queries, each for up to :data:`IRIS_PER_QUERY` providers
        named in a ``VALUES`` block, to run concurrently (at 55,000 providers, 10,600
        providers with hits: bound queries, one per provider, took 1.8-3.3 s, reading every
        provider's links 9 s); on the other engines one query for every provider.
        """
        wanted = sorted(set(providers))
        if not wanted:
            return []
        if not getattr(self.store, "concurrent", False):
            return [self._read_all_providers]
        self._provider = {iri: [] for iri in wanted}
        return [partial(self._read_providers, chunk) for chunk in chunks(wanted)]

    def area_calls(self, kinds: set[str]) -> list[Callable[[], object]]:
        """The calls that read the per-area evidence of ``kinds`` not read yet.

        Which hits there are does not matter to them, so they can run beside the rules.
        """
        calls: list[Callable[[], object]] = []
        if "forums" in kinds and self._forums is None:
            calls.append(self._read_forums)
        if "links-of-area" in kinds and self._area is None:
            calls.append(self._read_areas)
        return calls

    def _add_provider_row(self, target: list[str], row: dict[str, str]) -> None:
        source = f"{row['title']} ({row['date']})" if row["date"] else row["title"]
        text = f"{row['typeLabel']} link {row['linkId']}".strip()
        text += f": {source}" if row["title"] else ": no evidence recorded"
        target.append(text)

    def _read_providers(self, providers: Sequence[str]) -> None:
        assert self._provider is not None
        found: dict[str, list[str]] = {iri: [] for iri in providers}
        # The IRIs are rule results, from the store: see values_query for why this is safe.
        query = values_query(_PROVIDER_EVIDENCE, "provider", providers)
        for row in self.store.select(query).strings():
            self._add_provider_row(found[row["provider"]], row)
        self._provider.update(found)

    def _read_all_providers(self) -> None:
        found: dict[str, list[str]] = defaultdict(list)
        for row in self.store.select(_PROVIDER_EVIDENCE.replace("#VALUES#", "")).strings():
            self._add_provider_row(found[row["provider"]], row)
        self._provider, self._every_provider = found, True

    def _read_forums(self) -> None:
        found: dict[str, list[str]] = defaultdict(list)
        for row in self.store.select(_FORUM_EVIDENCE).strings():
            found[row["area"]].append(
                f"planning forum {row['forumLabel']} ({row['members']} members)"
            )
        self._forums = found

    def _read_areas(self) -> None:
        self._area = {
            row[
                "area"
            ]: f"{row['links']} collaboration links citing {row['evidence']} evidence items"
            for row in self.store.select(
                _DERIVED_AREA_LINKS if self.derived else _AREA_LINKS
            ).strings()
        }

    def provider(self, iri: str) -> list[str]:
        if self._provider is None or not (self._every_provider or iri in self._provider):
            self._read_all_providers()
        assert self._provider is not None
        return self._provider.get(iri, [])

    def forums(self, area: str) -> list[str]:
        if self._forums is None:
            self._read_forums()
        assert self._forums is not None
        return self._forums.get(area, [])

    def area(self, area: str) -> list[str]:
        if self._area is None:
            self._read_areas()
        assert self._area is not None
        return [self._area.get(area, "no collaboration links recorded")]

    def considered(self, kind: str, area: str, providers: Sequence[str]) -> tuple[str, ...]:
        """What a hit of a rule whose header says ``considered: kind`` looked at, in
        ``area``, for the ``providers`` it is about."""
        if kind == "forums":
            return tuple(self.forums(area)) or ("no planning forum recorded",)
        if kind == "links-of-provider":
            lines = [line for iri in providers for line in self.provider(iri)]
            return tuple(lines) or ("no collaboration link recorded for this provider",)
        if kind == "links-of-area":
            return tuple(self.area(area))
        return ()


__all__ = ["IRIS_PER_QUERY", "EvidenceIndex", "chunks", "values_query"]
