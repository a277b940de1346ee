"""Counts agree across pages: the index counts an area's own providers (as the overview
does), and its totals count each provider and link once."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import URIRef

from pcr_graph.analysis.gaps import run_gaps
from pcr_graph.render.mapdata import area_map, index_entry, overview_map
from pcr_graph.render.maps import render_index_html
from pcr_graph.store.engines import Table
from pcr_graph.store.project import Project


def test_index_and_overview_agree_and_totals_count_each_once(tmp_path: Path) -> None:
    store = Project(workspace=tmp_path / "ws", include_demo=True).open()
    report = run_gaps(store)
    overview = {a.id: a for a in overview_map(store, report).areas}
    entries = []
    for iri, _label in report.areas:
        data = area_map(store, URIRef(iri), report)
        entry = index_entry(data, "x.html")
        entries.append(entry)
        assert entry.providers == overview[iri].providers, iri
        # visitors (drawn for a cross-area link) are on the map, but not counted
        drawn = sum(1 for n in data.nodes if n.kind == "provider")
        assert drawn >= entry.providers
    assert sum(e.providers for e in entries) > len({p for e in entries for p in e.provider_ids})
    distinct = store.query("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pcr:Provider }")
    links = store.query("SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a pcr:CollaborationLink }")
    assert isinstance(distinct, Table) and isinstance(links, Table)
    page = render_index_html("t", entries)
    total = re.search(r"<tfoot>.*?</tfoot>", page, re.S)
    assert total is not None
    numbers = [int(n) for n in re.findall(r">(\d+)</td>", total.group(0))]
    assert numbers[:2] == [int(distinct.strings()[0]["n"]), int(links.strings()[0]["n"])]
