"""Citable reports: the evidence behind each gap and the source of each finding, in full.

A gap report names what it looked at; a reader who wants to check it needs the evidence
itself: title, publisher, date, web address and the quoted words. :func:`cite` looks them
up once for a whole report and returns a :class:`CitedReport`, a :class:`GapReport` that
every report format (Markdown, HTML, JSON, CSV) prints the citations of.

A hit cites the evidence of the links it is about: a link's own evidence, a provider's
links' evidence, or the evidence item itself (``stale-evidence``). Sector-level hits are
about an absence, so they cite none; the evidence considered is listed as before.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from functools import partial

from pcr_graph.analysis.evidence import chunks, values_query
from pcr_graph.analysis.gaps import GapReport, Hit, Rule, fields_dict
from pcr_graph.analysis.queries import writable_iri
from pcr_graph.store.engines import Store, run_concurrently


@dataclass(frozen=True, order=True)
class Citation:
    """One evidence item or source document, as a reader cites it."""

    title: str
    publisher: str = ""
    date: str = ""
    url: str = ""
    quote: str = ""
    iri: str = ""

    def as_text(self) -> str:
        """``Title (Publisher, 2020-10-14) https://… “quote”`` on one line."""
        where = ", ".join(x for x in (self.publisher, self.date) if x)
        parts = [self.title + (f" ({where})" if where else "")]
        if self.url:
            parts.append(self.url)
        if self.quote:
            parts.append(f"“{self.quote}”")
        return " ".join(parts)


@dataclass
class CitedReport(GapReport):
    """A gap report with the citations of each hit and the web address of each finding."""

    citations: dict[Hit, tuple[Citation, ...]] = field(default_factory=dict)
    """A hit → the evidence it cites."""
    finding_urls: dict[str, str] = field(default_factory=dict)
    """Finding IRI → the web address of the document it comes from."""

    def cited(self, hit: Hit) -> tuple[Citation, ...]:
        """The evidence ``hit`` cites (none for a hit about an absence)."""
        return self.citations.get(hit, ())

    def finding_url(self, hit_or_iri: Hit | str) -> str:
        """The web address of the source of a finding (given, or the one a hit echoes)."""
        if isinstance(hit_or_iri, Hit):
            finding = hit_or_iri.finding
            return self.finding_urls.get(finding.iri, "") if finding else ""
        return self.finding_urls.get(hit_or_iri, "")

    def json_data(self) -> dict[str, object]:
        """The report's JSON data with each hit's ``citations`` and each finding's ``url``."""
        data = super().json_data()

        def with_url(item: Hit | Rule) -> dict[str, object]:
            found = fields_dict(item)
            if item.finding is not None:
                url = self.finding_url(item.finding.iri)
                found["finding"] = {**fields_dict(item.finding), "url": url}
            return found

        data["hits"] = [{**with_url(hit), "citations": list(self.cited(hit))} for hit in self.hits]
        data["rules"] = [with_url(rule) for rule in self.rules]
        return data


# Three plain scans joined in Python: one query joining links to their evidence and its
# five optional fields took 1.8 s at 10,000 synthetic providers, these 0.4 s together (and
# the participants, read only when a hit is about a provider, 0.9 s).
_EVIDENCE = """
SELECT ?ev ?title ?publisher ?date ?url ?quote WHERE {
  ?ev a pcr:Evidence .
  OPTIONAL { ?ev dcterms:title ?title }
  OPTIONAL { ?ev dcterms:publisher ?publisher }
  OPTIONAL { ?ev dcterms:date ?date }
  OPTIONAL { ?ev pcr:url ?url }
  OPTIONAL { ?ev pcr:quote ?quote }
}
"""

# What the hits' links and providers cite, read for those only (in VALUES blocks of IRIs the
# rules returned, see evidence.values_query): reading every link's evidence and every
# participation took 2-3 s at 55,000 providers.
_LINK_EVIDENCE = """
SELECT ?link ?ev WHERE {
  #VALUES#
  ?link prov:wasDerivedFrom ?ev .
}
"""

_PROVIDER_EVIDENCE = """
SELECT ?provider ?ev WHERE {
  #VALUES#
  ?link pcr:participant ?provider ;
        prov:wasDerivedFrom ?ev .
}
"""

_FINDING_URLS = """
SELECT ?finding ?url WHERE {
  ?finding a pcr:Finding ; prov:wasDerivedFrom ?source .
  ?source pcr:url ?url .
}
ORDER BY ?finding ?url
"""


def _rows(store: Store, query: str, role: str) -> list[tuple[tuple[str, str], str]]:
    return [((role, row[role]), row["ev"]) for row in store.select(query).strings()]


def cite(store: Store, report: GapReport) -> CitedReport:
    """``report`` with the evidence each hit cites and each finding's source address."""
    by_iri: dict[str, Citation] = {}
    for row in store.select(_EVIDENCE).strings():
        by_iri[row["ev"]] = Citation(
            row["title"] or row["ev"],
            row["publisher"],
            row["date"],
            row["url"] if row["url"].startswith(("http://", "https://")) else "",
            row["quote"],
            row["ev"],
        )
    # Each link and provider a hit is about, with the evidence items it cites (a provider:
    # through the links it takes part in).
    cites: dict[tuple[str, str], list[Citation]] = defaultdict(list)
    calls = []
    for role, template in (("link", _LINK_EVIDENCE), ("provider", _PROVIDER_EVIDENCE)):
        iris = sorted({s.iri for hit in report.hits for s in hit.subjects if s.role == role})
        if not all(writable_iri(iri) for iri in iris):
            # A blank node (or an IRI that cannot be written): read them all, as before.
            calls.append(partial(_rows, store, template.replace("#VALUES#", ""), role))
            continue
        for chunk in chunks(iris):
            calls.append(partial(_rows, store, values_query(template, role, chunk), role))
    for rows in run_concurrently(store, calls):
        for key, ev in rows:
            if ev in by_iri:
                cites[key].append(by_iri[ev])
    citations: dict[Hit, tuple[Citation, ...]] = {}
    for hit in report.hits:
        found: dict[str, Citation] = {}
        for subject in hit.subjects:
            if subject.role == "evidence" and subject.iri in by_iri:
                found[subject.iri] = by_iri[subject.iri]
            for item in cites.get((subject.role, subject.iri), []):
                found[item.iri] = item
        if found:
            citations[hit] = tuple(sorted(found.values()))
    urls = store.select(_FINDING_URLS)
    finding_urls: dict[str, str] = {}
    for row in urls.strings():
        finding_urls.setdefault(row["finding"], row["url"])
    values = {f.name: getattr(report, f.name) for f in fields(GapReport)}
    return CitedReport(**values, citations=citations, finding_urls=finding_urls)
