"""From the store to the plain map objects :mod:`pcr_graph.render.maps` draws.

One area's map holds the providers operating there, its planning forums (joined to their
members), and every collaboration link in the area, split into pairwise edges. Providers
from outside the area that take part in its links are drawn too.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from rdflib import URIRef
from rdflib.term import Node

from pcr_graph.analysis.gaps import RANKING_RULE, SEVERITIES, GapReport, gap_rules
from pcr_graph.analysis.queries import lead_with_values, leading_values
from pcr_graph.render.maps import (
    AreaMap,
    IndexEntry,
    MapEdge,
    MapEvidence,
    MapGap,
    MapNode,
    Overview,
    OverviewArea,
    OverviewEdge,
)
from pcr_graph.store.engines import Store, run_concurrently

# An area's providers with each sector's IRI; the sectors' notations and labels come from
# _SECTORS. The OPTIONAL that joined them here (sector, notation, label) was evaluated for
# every provider of the country: 0.25 s for the largest area at 55,000 providers, the two
# 0.14 s + 0.01 s.
_PROVIDERS = """
SELECT ?area ?provider ?label ?sector ?ods ?cqc WHERE {
  { SELECT DISTINCT ?area ?provider WHERE {
      { ?provider pcr:operatesIn ?area }
      UNION { ?link pcr:area ?area ; pcr:participant ?provider }
      UNION { ?forum pcr:area ?area ; org:hasMember ?provider } } }
  ?provider a pcr:Provider ; skos:prefLabel ?label .
  OPTIONAL { ?provider pcr:sector ?sector }
  OPTIONAL { ?provider pcr:odsCode ?ods }
  OPTIONAL { ?provider pcr:cqcLocationId ?cqc }
}
ORDER BY ?label ?provider ?sector
"""
# Ordered as the map lists a provider's sectors: by notation, then label.
_SECTORS = """
SELECT ?sector ?notation ?sectorLabel
WHERE {
  ?sector skos:notation ?notation ; skos:prefLabel ?sectorLabel .
}
ORDER BY ?notation ?sectorLabel ?sector
"""
_HOME = """
SELECT DISTINCT ?area ?provider WHERE { ?provider pcr:operatesIn ?area }
"""
_FORUMS = """
SELECT ?area ?forum ?label ?member ?roleLabel ?start ?end WHERE {
  ?forum a pcr:PlanningForum ; pcr:area ?area ; skos:prefLabel ?label .
  OPTIONAL {
    ?membership org:organization ?forum ; org:member ?member .
    OPTIONAL { ?membership org:role/skos:prefLabel ?roleLabel }
    OPTIONAL { ?membership pcr:startDate ?start }
    OPTIONAL { ?membership pcr:endDate ?end }
  }
}
ORDER BY ?label ?forum ?member
"""
# An area's links, one row per participant, then (_EVIDENCE) their evidence, one row per
# source: with the evidence OPTIONAL here, each link's evidence rows were read once per
# participant. Both run with the area as a leading VALUES (lead_with_values), so evaluation
# starts from the area's links. Largest area at 55,000 providers: 0.18 s before, the two
# 0.09 s + 0.04 s. The orders keep what area_map keeps from the first row.
_LINKS = """
SELECT ?area ?link ?participant ?type ?typeNotation ?typeLabel ?start ?end
WHERE {
  ?link pcr:area ?area ; a pcr:CollaborationLink ; pcr:participant ?participant ;
        pcr:linkType ?type .
  ?type skos:notation ?typeNotation ; skos:prefLabel ?typeLabel .
  OPTIONAL { ?link pcr:startDate ?start }
  OPTIONAL { ?link pcr:endDate ?end }
}
ORDER BY ?link ?participant
"""
_EVIDENCE = """
SELECT ?area ?link ?ev ?evTitle ?evDate ?evQuote ?evPublisher ?evUrl
WHERE {
  ?link pcr:area ?area ; a ?linkClass ; prov:wasDerivedFrom ?ev .
  FILTER (?linkClass = pcr:CollaborationLink)
  ?ev dcterms:title ?evTitle .
  OPTIONAL { ?ev dcterms:date ?evDate } OPTIONAL { ?ev pcr:quote ?evQuote }
  OPTIONAL { ?ev dcterms:publisher ?evPublisher } OPTIONAL { ?ev pcr:url ?evUrl }
}
ORDER BY ?link ?evTitle ?ev
"""
_LINK_DETAILS = """
SELECT ?area ?link ?linkId ?note ?theme WHERE {
  ?link pcr:area ?area ; a ?linkClass .
  FILTER (?linkClass = pcr:CollaborationLink)
  OPTIONAL { ?link dcterms:identifier ?linkId }
  OPTIONAL { ?link skos:note ?note }
  OPTIONAL { ?link pcr:theme/skos:prefLabel ?theme }
}
ORDER BY ?link ?linkId ?note ?theme
"""
_FINDING_URLS = """
SELECT ?finding ?url
WHERE {
  ?finding prov:wasDerivedFrom ?source . ?source pcr:url ?url .
} ORDER BY ?finding ?url
"""
_NETWORKS = """
SELECT ?area ?practice ?pcn ?pcnLabel ?pcnCode ?start ?release WHERE {
  # Current membership only: the newest ePCN release loaded, rows with no end date.
  { SELECT (MAX(?r) AS ?release) WHERE {
      ?anyMembership a pcr:NetworkMembership ; pcr:release ?r . FILTER(STRSTARTS(?r, "ePCN ")) } }
  FILTER(BOUND(?release))
  ?practice pcr:operatesIn ?area .
  ?membership pcr:practice ?practice ; pcr:release ?release ; pcr:network ?pcn .
  FILTER NOT EXISTS { ?membership pcr:endDate ?ended }
  ?membership a pcr:NetworkMembership .
  ?pcn skos:prefLabel ?pcnLabel .
  OPTIONAL { ?pcn pcr:odsCode ?pcnCode }
  OPTIONAL { ?membership pcr:startDate ?start }
}
ORDER BY ?practice ?pcnLabel ?pcn ?start
"""
_AREA = """
SELECT ?area ?label ?fictional WHERE {
  ?area skos:prefLabel ?label . OPTIONAL { ?area pcr:fictional ?fictional }
} ORDER BY ?label LIMIT 1
"""


@dataclass
class _Link:
    """One collaboration link of the area, gathered from its result rows."""

    row: dict[str, str]
    participants: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    sources: dict[str, MapEvidence] = field(default_factory=dict)


def _period(start: str, end: str) -> str:
    if not start and not end:
        return ""
    return f"{start or '…'} – {end or '…'}"


def area_map(store: Store, area: URIRef, report: GapReport | None = None) -> AreaMap:
    """Everything :func:`pcr_graph.render.maps.render_area_html` needs for one area."""
    # The area's queries at once (on Oxigraph, on several threads: see run_concurrently).
    scoped: dict[str, Node] = {"area": area}
    asked = [
        (_AREA, scoped),
        (_PROVIDERS, scoped),
        (_HOME, scoped),
        (_FORUMS, scoped),
        lead_with_values(_LINKS, scoped),
        lead_with_values(_EVIDENCE, scoped),
        (_LINK_DETAILS, scoped),
    ]
    header, provider_rows, home_rows, forum_rows, link_rows, evidence_rows, detail_rows = (
        run_concurrently(store, [partial(store.select_strings, *query) for query in asked])
    )
    title = header[0]["label"] if header else str(area)
    fictional = bool(header and header[0]["fictional"] == "true")

    sectors: dict[str, list[tuple[str, str]]] = defaultdict(list)
    labels: dict[str, str] = {}
    identifiers: dict[str, list[tuple[str, str]]] = defaultdict(list)
    provider_sectors: dict[str, set[str]] = defaultdict(set)
    for row in provider_rows:
        iri = row["provider"]
        labels[iri] = row["label"]
        if row["sector"]:
            provider_sectors[iri].add(row["sector"])
        for kind, value in (("ODS", row["ods"]), ("CQC location", row["cqc"])):
            if value and (kind, value) not in identifiers[iri]:
                identifiers[iri].append((kind, value))
    names = _sector_names({s for found in provider_sectors.values() for s in found}, store)
    for iri, found in provider_sectors.items():
        for _rank, notation, label in sorted(n for s in found for n in names.get(s, ())):
            if (notation, label) not in sectors[iri]:
                sectors[iri].append((notation, label))

    hits = [h for h in (report.hits if report else []) if h.area == str(area)]
    node_gaps: dict[str, list[str]] = defaultdict(list)
    for hit in hits:
        for subject in hit.subjects:
            node_gaps[subject.iri].append(hit.explanation)
        # A sector-level gap marks every provider of that sector in the area.
        sector_iris = {
            s.iri for s in hit.subjects if s.role in ("sector", "fromSector", "toSector")
        }
        if sector_iris:
            for iri in labels:
                if any(_sector_iri(n) in sector_iris for n, _ in sectors[iri]):
                    node_gaps[iri].append(hit.explanation)

    home = {row["provider"] for row in home_rows}
    edges: list[MapEdge] = []
    forum_nodes: dict[str, str] = {}
    for row in forum_rows:
        forum_nodes[row["forum"]] = row["label"]
        if row["member"]:
            edges.append(
                MapEdge(
                    id=f"{row['forum']}#member:{row['member']}",
                    source=row["forum"],
                    target=row["member"],
                    kind="membership",
                    label=row["roleLabel"],
                    period=_period(row["start"], row["end"]),
                )
            )

    links: dict[str, _Link] = {}
    for row in link_rows:
        link = links.setdefault(row["link"], _Link(row))
        if row["participant"] not in link.participants:
            link.participants.append(row["participant"])
    for row in evidence_rows:
        cited = links.get(row["link"])
        if cited is None:  # a link with no type: not drawn
            continue
        line = row["evTitle"] + (f" ({row['evDate']})" if row["evDate"] else "")
        line += f": “{row['evQuote']}”" if row["evQuote"] else ""
        if line not in cited.evidence:
            cited.evidence.append(line)
        cited.sources.setdefault(
            row["ev"],
            MapEvidence(
                row["evTitle"], row["evPublisher"], row["evDate"], row["evUrl"], row["evQuote"]
            ),
        )
    details: dict[str, tuple[str, list[str], list[str]]] = {}
    for row in detail_rows:
        _id, notes, themes = details.setdefault(row["link"], (row["linkId"], [], []))
        if row["note"] and row["note"] not in notes:
            notes.append(row["note"])
        if row["theme"] and row["theme"] not in themes:
            themes.append(row["theme"])
    for link_iri, link in links.items():
        pairs = itertools.combinations(sorted(link.participants), 2)
        for number, (a, b) in enumerate(pairs, 1):
            edges.append(
                MapEdge(
                    id=f"{link_iri}#{number}",
                    source=a,
                    target=b,
                    kind="link",
                    link_type=link.row["typeNotation"],
                    link_type_label=link.row["typeLabel"],
                    period=_period(link.row["start"], link.row["end"]),
                    evidence=tuple(link.evidence) or ("no evidence recorded",),
                    link_id=details.get(link_iri, ("", [], []))[0],
                    themes=tuple(details.get(link_iri, ("", [], []))[2]),
                    notes="\n".join(details.get(link_iri, ("", [], []))[1]),
                    sources=tuple(link.sources.values()),
                )
            )

    networks: dict[str, tuple[str, str, str]] = {}
    releases: set[str] = set()
    if not fictional:  # published groups belong to real areas only
        networks, releases = _networks(store, area)
    nodes = [
        MapNode(
            id=iri,
            label=labels[iri],
            kind="provider",
            sectors=tuple(n for n, _ in sectors[iri]),
            sector_labels=tuple(label for _, label in sectors[iri]),
            identifiers=tuple(identifiers[iri]),
            gaps=tuple(dict.fromkeys(node_gaps.get(iri, []))),
            visiting=iri not in home,
            group=networks[iri][0] if iri in networks else "",
            group_label=networks[iri][1] if iri in networks else "",
            group_note=networks[iri][2] if iri in networks else "",
        )
        for iri in sorted(labels, key=lambda i: (labels[i], i))
    ]
    nodes += [
        MapNode(
            id=iri,
            label=label,
            kind="forum",
            sectors=(),
            sector_labels=(),
            gaps=tuple(dict.fromkeys(node_gaps.get(iri, []))),
        )
        for iri, label in sorted(forum_nodes.items(), key=lambda kv: (kv[1], kv[0]))
    ]
    # Rules about a Primary Care Network as a whole select its node on the summary view.
    pcn_focus = (
        {q.name for q in gap_rules() if q.header.get("focus") == "pcn"}
        if any(s.role == "pcn" for h in hits for s in h.subjects)
        else set()
    )
    finding_urls = _finding_urls(store, {h.finding.iri for h in hits if h.finding})
    gaps = tuple(
        MapGap(
            rule=h.rule,
            severity=h.severity,
            text=h.explanation,
            node_ids=tuple(s.iri for s in h.subjects if s.iri in labels or s.iri in forum_nodes),
            link_ids=tuple(s.iri for s in h.subjects if s.role == "link" and s.iri in links),
            sectors=tuple(
                _notation(s.iri)
                for s in h.subjects
                if s.role in ("sector", "fromSector", "toSector")
            ),
            finding=(h.finding.quote or h.finding.label) if h.finding else "",
            finding_source=h.finding.source if h.finding else "",
            finding_url=finding_urls.get(h.finding.iri, "") if h.finding else "",
            groups=tuple(s.iri for s in h.subjects if s.role == "pcn")
            if h.rule in pcn_focus
            else (),
        )
        for h in hits
    )
    subtitle = "Fictional demo data: invented organisations, not a real system" if fictional else ""
    register = ", ".join(sorted(releases))
    if register:
        subtitle = (
            f"Real area: published registers only ({register}). Practices are grouped by "
            "their Primary Care Network as the register lists them; this is published "
            "structure, not reviewed collaboration."
        )
    return AreaMap(
        area_id=str(area),
        title=title,
        subtitle=subtitle,
        nodes=tuple(nodes),
        edges=tuple(edges),
        gaps=gaps,
        fictional=fictional,
        register=register,
    )


def _sector_names(iris: set[str], store: Store) -> dict[str, list[tuple[int, str, str]]]:
    """Each sector IRI's ``(rank, notation, label)`` pairs; rank orders by notation, label."""
    if not iris:
        return {}
    # Only the sectors asked for: the IRIs come from the store (the providers' pcr:sector).
    text = leading_values(_SECTORS, "sector", sorted(iris))
    names: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for rank, row in enumerate(store.select(text).strings()):
        if row["sector"] in iris:
            names[row["sector"]].append((rank, row["notation"], row["sectorLabel"]))
    return names


def _finding_urls(store: Store, findings: set[str]) -> dict[str, str]:
    """The first source URL (by URL) of each of ``findings`` that has one."""
    if not findings:
        return {}
    # Only the findings asked for (the whole store's took 0.08 s at 55,000 providers): the
    # IRIs come from the store (the gap rules' rows).
    text = leading_values(_FINDING_URLS, "finding", sorted(findings))
    urls: dict[str, str] = {}
    for row in store.select(text).strings():
        if row["finding"] in findings:
            urls.setdefault(row["finding"], row["url"])
    return urls


def _networks(store: Store, area: URIRef) -> tuple[dict[str, tuple[str, str, str]], set[str]]:
    """Each practice of ``area`` to its current Primary Care Network: ``(PCN IRI, name,
    citation)``, and the register releases cited. A practice the register lists in two
    networks at once is placed in the first by name (its note names every one)."""
    found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    releases: set[str] = set()
    for row in store.select(_NETWORKS, {"area": area}).strings():
        release = "ODS " + row["release"]
        releases.add(release)
        code = f" ({row['pcnCode']})" if row["pcnCode"] else ""
        since = f", member since {row['start']}" if row["start"] else ""
        note = f"{row['pcnLabel']}{code}{since}; source: {release}"
        entry = (row["pcn"], row["pcnLabel"], note)
        if entry not in found[row["practice"]]:
            found[row["practice"]].append(entry)
    networks = {
        practice: (rows[0][0], rows[0][1], "\n".join(note for _i, _l, note in rows))
        for practice, rows in found.items()
    }
    return networks, releases


_SECTOR_ROLES = ("sector", "fromSector", "toSector")


def _notation(sector_iri: str) -> str:
    """The notation of a sector IRI (its last path segment)."""
    return sector_iri.rstrip("/").rsplit("/", 1)[-1]


def _sector_iri(notation: str) -> str:
    from pcr_graph.core.namespaces import SECTOR

    return str(SECTOR[notation])


def index_entry(area_map_: AreaMap, href: str, heatmap_href: str = "") -> IndexEntry:
    """The index-page row for one rendered area (and its heatmap, if drawn)."""
    # The area's own providers, as the overview counts them: not those from elsewhere drawn
    # because they take part in the area's links or forums.
    own = sorted(n.id for n in area_map_.nodes if n.kind == "provider" and not n.visiting)
    links = sorted({e.id.rsplit("#", 1)[0] for e in area_map_.edges if e.kind == "link"})
    counts = {s: 0 for s in ("high", "medium", "low")}
    for gap in area_map_.gaps:
        counts[gap.severity] = counts.get(gap.severity, 0) + 1
    return IndexEntry(
        href=href,
        title=area_map_.title,
        providers=len(own),
        links=len(links),
        gaps_by_severity=tuple(counts.items()),
        heatmap_href=heatmap_href,
        provider_ids=tuple(own),
        link_ids=tuple(links),
        fictional=area_map_.fictional,
        register=area_map_.register,
    )


# --------------------------------------------------------------------------------------
# The national overview

_AREA_COUNTS = """
SELECT ?area ?areaLabel ?fictional (SUM(?p) AS ?providers) (SUM(?l) AS ?links)
WHERE {
  # Counted per area first, then joined to the 42 areas: with the UNION inside the join
  # Oxigraph scanned every provider and link once per area (27 s at 55,000 providers).
  { SELECT ?area (COUNT(DISTINCT ?provider) AS ?p) (0 AS ?l)
    WHERE { ?provider a pcr:Provider ; pcr:operatesIn ?area } GROUP BY ?area }
  UNION
  { SELECT ?area (0 AS ?p) (COUNT(DISTINCT ?link) AS ?l)
    WHERE { ?link a pcr:CollaborationLink ; pcr:area ?area } GROUP BY ?area }
  ?area a pcr:Area ; skos:prefLabel ?areaLabel .
  OPTIONAL { ?area pcr:fictional ?fictional }
}
GROUP BY ?area ?areaLabel ?fictional
ORDER BY ?areaLabel ?area ?fictional
"""
_REGISTER_AREAS = """
SELECT DISTINCT ?area ?release WHERE {
  ?membership a pcr:NetworkMembership ;
              pcr:release ?release ;
              pcr:practice ?practice .
  FILTER(STRSTARTS(?release, "ePCN "))
  ?practice pcr:operatesIn ?area .
}
ORDER BY ?area ?release
"""
_CROSSING = """
SELECT ?link ?linkId ?typeLabel ?linkArea ?participant ?participantLabel ?operatesIn
WHERE {
  ?link a pcr:CollaborationLink ; pcr:participant ?participant .
  OPTIONAL { ?link dcterms:identifier ?linkId }
  OPTIONAL { ?link pcr:linkType/skos:prefLabel ?typeLabel }
  OPTIONAL { ?link pcr:area ?linkArea }
  OPTIONAL { ?participant skos:prefLabel ?participantLabel }
  OPTIONAL { ?participant pcr:operatesIn ?operatesIn }
}
ORDER BY ?link ?participant ?linkArea ?operatesIn
"""


@dataclass
class _Crossing:
    """One link as the overview sees it: its areas and each participant's areas."""

    row: dict[str, str]
    areas: set[str] = field(default_factory=set)
    participants: dict[str, set[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


def joined_areas(link_areas: set[str], participant_areas: list[set[str]]) -> set[str]:
    """The areas a link joins: its own, plus those of participants operating outside them.

    A link recorded for several areas joins them all. A participant that operates in none
    of the link's areas brings its own areas in. A link with no area of its own joins its
    participants' areas unless one area holds them all.

    Examples
    --------
    >>> sorted(joined_areas({"tl"}, [{"tl"}, {"wv"}]))
    ['tl', 'wv']
    >>> sorted(joined_areas({"mb"}, [{"mb"}, {"mb", "tl"}]))
    ['mb']
    >>> sorted(joined_areas(set(), [{"a", "b"}, {"b"}]))
    ['b']
    """
    if not link_areas:
        known = [a for a in participant_areas if a]
        common = set.intersection(*known) if known else set()
        if common:
            return {min(common)}
        return set().union(*known) if known else set()
    joined = set(link_areas)
    for areas in participant_areas:
        if areas and not areas & link_areas:
            joined |= areas
    return joined


def overview_map(
    store: Store,
    report: GapReport,
    hrefs: dict[str, str] | None = None,
    *,
    title: str = "National overview: areas and the links between them",
    report_href: str = "",
) -> Overview:
    """The national overview: every area of ``report`` (and any area a cross-area link
    reaches), sized by providers, scored by gaps, joined by the links that cross borders.

    Parameters
    ----------
    store : Store
        The loaded dataset.
    report : GapReport
        Gives the areas, their gap scores and counts by severity.
    hrefs : dict, optional
        Area IRI to the relative address of its map.
    title : str, optional
        Page heading.
    report_href : str, optional
        Relative address of the HTML gap report.
    """
    hrefs = hrefs or {}
    counts = {row["area"]: row for row in store.select(_AREA_COUNTS).strings()}
    links: dict[str, _Crossing] = {}
    for row in store.select(_CROSSING).strings():
        link = links.setdefault(row["link"], _Crossing(row))
        if row["linkArea"]:
            link.areas.add(row["linkArea"])
        operates = link.participants.setdefault(row["participant"], set())
        if row["operatesIn"]:
            operates.add(row["operatesIn"])
        link.labels[row["participant"]] = row["participantLabel"] or row["participant"]
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for iri in sorted(links, key=lambda i: (links[i].row["linkId"], i)):
        link = links[iri]
        joined = joined_areas(link.areas, list(link.participants.values()))
        joined = {a for a in joined if a in counts}
        if len(joined) < 2:
            continue
        names = " — ".join(sorted(link.labels.values()))
        kind = link.row["typeLabel"] or "Collaboration"
        text = f"{kind} link {link.row['linkId'] or iri}: {names}"
        for a, b in itertools.combinations(sorted(joined), 2):
            pairs[(a, b)].append(text)
    wanted = [iri for iri, _label in report.areas]
    wanted += sorted({a for pair in pairs for a in pair} - set(wanted))
    registers: dict[str, str] = {}
    for row in store.select(_REGISTER_AREAS).strings():
        registers[row["area"]] = f"ODS {row['release']}"  # the newest: rows come in order
    areas: list[OverviewArea] = []
    for iri in wanted:
        found = counts.get(iri)
        summary = report.summary(iri)
        areas.append(
            OverviewArea(
                id=iri,
                label=found["areaLabel"] if found else iri,
                providers=int(found["providers"]) if found else 0,
                links=int(found["links"]) if found else 0,
                score=report.score(iri),
                gaps_by_severity=tuple((s, summary[s]) for s in SEVERITIES),
                href=hrefs.get(iri, ""),
                fictional=bool(found and found["fictional"] == "true"),
                register="" if found and found["fictional"] == "true" else registers.get(iri, ""),
            )
        )
    fictional = [a.fictional for a in areas]
    subtitle = ""
    if fictional and all(fictional):
        subtitle = "Fictional demo data: invented organisations, not a real system"
    elif any(fictional):
        subtitle = "Includes fictional demo areas: their organisations are invented"
    return Overview(
        title=title,
        subtitle=subtitle,
        areas=tuple(areas),
        edges=tuple(OverviewEdge(a, b, tuple(texts)) for (a, b), texts in sorted(pairs.items())),
        score_rule=RANKING_RULE,
        report_href=report_href,
    )
