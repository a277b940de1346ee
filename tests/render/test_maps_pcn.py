"""Real areas' maps: practices grouped by their published Primary Care Network.

One import of the real registry folder serves the module (it takes ~25 s). Expected groups
are worked out here from the imported graph's triples in Python, not by the map's query.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from pcr_graph.core.namespaces import PCR
from pcr_graph.render.mapdata import area_map, index_entry
from pcr_graph.render.maps import (
    AreaMap,
    MapNode,
    Overview,
    render_area_html,
    render_index_html,
    render_overview_html,
    write_html,
)
from pcr_graph.store.engines import OxigraphStore
from tests.support.corpus import XSS_PAYLOADS

pytestmark = pytest.mark.slow  # one import of every real file, shared by the module

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def graph(raw_dir: Path) -> Graph:
    from pcr_graph.ingest.registries import import_registries

    imported, _accountings = import_registries(raw_dir)
    return imported


@pytest.fixture(scope="module")
def store(graph: Graph) -> OxigraphStore:
    from pcr_graph.core.resources import graph_dir

    loaded = OxigraphStore()
    loaded.load(graph.serialize(format="nt", encoding="utf-8"), "nt", "registries")
    loaded.load_file(graph_dir() / "areas.ttl")
    return loaded


@pytest.fixture(scope="module")
def expected(graph: Graph) -> tuple[str, dict[str, dict[str, set[str]]]]:
    """The newest ePCN release, and per area each current PCN's practices operating there."""
    releases = {
        str(r)
        for m in graph.subjects(RDF.type, PCR.NetworkMembership)
        for r in graph.objects(m, PCR.release)
        if str(r).startswith("ePCN ")
    }
    newest = max(releases)
    by_area: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for membership in graph.subjects(PCR.release, Literal(newest)):
        if (membership, RDF.type, PCR.NetworkMembership) not in graph:
            continue  # a PCN or an older record citing the release
        if (membership, PCR.endDate, None) in graph:
            continue
        practice = graph.value(membership, PCR.practice)
        network = graph.value(membership, PCR.network)
        for area in graph.objects(practice, PCR.operatesIn):
            by_area[str(area)][str(network)].add(str(practice))
    return newest, by_area


@pytest.fixture(scope="module")
def largest(
    store: OxigraphStore, expected: tuple[str, dict[str, dict[str, set[str]]]]
) -> tuple[str, AreaMap]:
    """The real area with most practices in a current PCN, and its map data."""
    _newest, by_area = expected
    area = max(by_area, key=lambda a: (sum(len(p) for p in by_area[a].values()), a))
    return area, area_map(store, URIRef(area))


def test_a_real_icb_groups_its_practices_by_pcn_citing_the_release(
    largest: tuple[str, AreaMap], expected: tuple[str, dict[str, dict[str, set[str]]]]
) -> None:
    newest, by_area = expected
    area, data = largest
    assert not data.fictional
    assert data.register == f"ODS {newest}"
    assert f"ODS {newest}" in data.subtitle and "not reviewed collaboration" in data.subtitle
    grouped: dict[str, set[str]] = defaultdict(set)
    for node in data.nodes:
        if node.group:
            grouped[node.group].add(node.id)
            assert node.group_note.endswith(f"source: ODS {newest}"), node.group_note
    practices = {p for members in by_area[area].values() for p in members}
    assert len(practices) > 200  # the largest ICB: several hundred practices
    # A practice listed in two current PCNs at once is drawn in one (the first by name).
    assert set().union(*grouped.values()) == practices
    single = {p for p in practices if sum(p in m for m in by_area[area].values()) == 1}
    for network, members in by_area[area].items():
        assert members & single <= grouped[network]
    # No link, forum or invented fact on the real area's map.
    assert not data.edges
    assert all(n.kind == "provider" for n in data.nodes)


def test_the_real_map_opens_on_one_node_per_pcn_sized_by_its_practices(
    largest: tuple[str, AreaMap],
) -> None:
    _area, data = largest
    page = render_area_html(data)
    payload = re.search(r'<script type="application/json" id="pcr-data">(.*?)</script>', page, re.S)
    assert payload, "the map's data block"
    shown = json.loads(payload.group(1))
    members: dict[str, int] = defaultdict(int)
    for node in data.nodes:
        if node.group:
            members[node.group] += 1
    groups = {n["pcrKey"]: n for n in shown["groups"]["nodes"] if n["pcrKey"] in members}
    assert set(groups) == set(members)
    for key, node in groups.items():
        assert node["label"].replace("\n", " ").endswith(f"({members[key]})")
        assert data.register in node["title"]
    biggest = max(members, key=lambda k: (members[k], k))
    smallest = min(members, key=lambda k: (members[k], k))
    if members[biggest] > members[smallest]:
        assert groups[biggest]["size"] > groups[smallest]["size"]
    drawn = {n["id"]: n for n in shown["nodes"]}
    for node in data.nodes:
        if node.group:
            assert drawn[node.id]["pcrGroup"] == node.group
            assert data.register in drawn[node.id]["title"]
    assert "Back to Primary Care Networks" in page


def test_the_index_lists_real_areas_apart_from_fictional_ones(
    largest: tuple[str, AreaMap],
) -> None:
    _area, data = largest
    demo = AreaMap(
        "urn:x:demo",
        XSS_PAYLOADS[0],
        nodes=(MapNode("urn:x:p", "P", "provider", ("gp-practice",), ("GP practice",)),),
        fictional=True,
    )
    page = render_index_html(
        "Maps", [index_entry(demo, "maps/demo.html"), index_entry(data, "maps/real.html")]
    )
    fictional_at = page.index("<h2>Fictional and synthetic areas (invented data)</h2>")
    real_at = page.index(f"<h2>Real areas: published registers only ({data.register})</h2>")
    assert "published structure, not reviewed collaboration" in page
    assert fictional_at < page.index('href="maps/demo.html"') < real_at
    assert real_at < page.index('href="maps/real.html"')
    assert XSS_PAYLOADS[0] not in page and "&lt;script&gt;" in page
    assert "<script" not in page


def test_hostile_pcn_names_stay_escaped() -> None:
    nodes = tuple(
        MapNode(
            f"urn:x:p{i}",
            f"Practice {i}",
            "provider",
            ("gp-practice",),
            ("GP practice",),
            group="urn:x:pcn",
            group_label=payload,
            group_note=f"{payload}; source: ODS ePCN 2023-01",
        )
        for i, payload in enumerate(XSS_PAYLOADS)
    )
    page = render_area_html(AreaMap("urn:x:a", "A", nodes=nodes, register="ODS ePCN 2023-01"))
    for payload in XSS_PAYLOADS:
        if "<" in payload:
            assert payload not in page


@pytest.mark.browser
def test_the_real_map_is_axe_clean_and_a_pcn_opens_on_click(
    largest: tuple[str, AreaMap], chromium_browser: Browser, tmp_path: Path
) -> None:
    from tests.support.latency import node_position

    _area, data = largest
    path = tmp_path / "real.html"
    write_html(path, render_area_html(data))
    if not AXE.is_file():
        pytest.fail(f"{AXE} missing: run tools/test-deps.sh (npm ci installs axe-core)")
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_function("window.pcrReady === true", timeout=60_000)
        assert page.evaluate("window.pcrView()") == "groups"
        page.evaluate(
            "() => document.querySelectorAll('details:not(#pcr-table)')"
            ".forEach(d => { d.open = true; })"
        )
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
        )
        assert len(result["passes"]) > 10
        assert [v["id"] for v in result["violations"]] == []
        sizes: dict[str, int] = defaultdict(int)
        for node in data.nodes:
            if node.group:
                sizes[node.group] += 1
        network = max(sizes, key=lambda k: (sizes[k], k))  # the biggest: easiest to hit
        x, y = node_position(page, "group:" + network)
        page.mouse.click(x, y)
        page.wait_for_function("window.pcrOpened === true", timeout=60_000)
        drawn = set(page.evaluate("window.pcrData.nodes.getIds()"))
        assert drawn == {n.id for n in data.nodes if n.group == network}
        assert all(u.startswith(("file:", "data:", "blob:")) for u in requests), requests
        # The table view (the canvas's screen-reader equivalent) names each practice's PCN.
        page.evaluate("window.pcrTables()")
        practice = next(n for n in data.nodes if n.group == network)
        row = page.evaluate(
            "(name) => [...document.querySelectorAll('#pcr-node-rows tr')]"
            ".filter(r => r.cells[0].textContent === name).map(r => r.cells[1].textContent)[0]",
            practice.label,
        )
        assert row.endswith("Primary Care Network: " + practice.group_note)
    finally:
        context.close()


REGISTER_RULES = (
    "pcn-practice-in-no-pcn",
    "pcn-single-practice",
    "pcn-practices-in-several-areas",
    "pcn-practice-in-other-area",
)


@pytest.fixture(scope="module")
def gapped(store: OxigraphStore) -> tuple[AreaMap, int, int]:
    """A real area with a single-practice PCN and a gap about one practice of a group, its
    map data with the register rules' gaps, and the indexes of those two gaps."""
    from pcr_graph.analysis.gaps import run_gaps

    report = run_gaps(store, rules=REGISTER_RULES, context=False)
    single = {h.area for h in report.hits if h.rule == "pcn-single-practice"}
    practice_level = {
        h.area
        for h in report.hits
        if h.rule in ("pcn-practice-in-other-area", "pcn-practice-in-no-pcn")
    }
    area = sorted(single & practice_level)[0]
    data = area_map(store, URIRef(area), report)
    whole = next(k for k, g in enumerate(data.gaps) if g.rule == "pcn-single-practice")
    one = next(
        k
        for k, g in enumerate(data.gaps)
        if g.rule != "pcn-single-practice" and len(g.node_ids) == 1 and not g.groups
    )
    return data, whole, one


def test_a_pcn_gap_names_its_pcn_and_a_practice_gap_does_not(
    gapped: tuple[AreaMap, int, int],
) -> None:
    data, whole, one = gapped
    pcn = data.gaps[whole].groups
    assert len(pcn) == 1 and pcn[0].startswith("https://w3id.org/pcr-graph/id/pcn/")
    members = [n.id for n in data.nodes if n.group == pcn[0]]
    assert data.gaps[whole].node_ids == tuple(members) and len(members) == 1
    assert data.gaps[one].groups == ()
    embedded = json.loads(
        re.search(
            r'<script type="application/json" id="pcr-data">(.*?)</script>',
            render_area_html(data),
            re.S,
        ).group(1)  # type: ignore[union-attr]
    )
    assert embedded["gaps"][whole]["groups"] == list(pcn)
    assert "groups" not in embedded["gaps"][one]


@pytest.mark.browser
def test_a_pcn_gap_selects_the_pcn_node_and_a_practice_gap_opens_its_group(
    gapped: tuple[AreaMap, int, int], chromium_browser: Browser, tmp_path: Path
) -> None:
    data, whole, one = gapped
    path = tmp_path / "gaps.html"
    write_html(path, render_area_html(data))
    # bypass_csp: Playwright polls a waited-for expression with eval, which the page forbids.
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        page.wait_for_function("window.pcrReady === true", timeout=60_000)
        assert page.evaluate("window.pcrView()") == "groups"
        page.evaluate("() => { document.getElementById('pcr-gaps').open = true; }")
        # A single-practice PCN: its PCN's node is selected on the summary view; nothing
        # inside it is drawn.
        page.click(f'button.gap[data-gap="{whole}"]')
        pcn = data.gaps[whole].groups[0]
        assert page.evaluate("window.pcrView()") == "groups"
        assert page.evaluate("window.pcrNetwork.getSelectedNodes()") == ["group:" + pcn]
        assert page.evaluate("window.pcrData === undefined")
        # A gap about one practice opens the group holding it, and selects the practice.
        practice = data.gaps[one].node_ids[0]
        node = next(n for n in data.nodes if n.id == practice)
        page.evaluate("() => { window.pcrOpened = undefined; }")
        page.click(f'button.gap[data-gap="{one}"]')
        page.wait_for_function("window.pcrOpened === true", timeout=60_000)
        assert page.evaluate("window.pcrView()") == "detail"
        drawn = set(page.evaluate("window.pcrData.nodes.getIds()"))
        if node.group:
            assert drawn == {n.id for n in data.nodes if n.group == node.group}
        else:  # a practice in no PCN: the practices of its sector that are in none either
            assert practice in drawn
            assert not any(n.group for n in data.nodes if n.id in drawn)
        assert page.evaluate("window.pcrNetwork.getSelectedNodes()") == [practice]
        # Back on the summary, the PCN gap selects the PCN node again.
        page.click(f'button.gap[data-gap="{whole}"]')
        assert page.evaluate("window.pcrView()") == "groups"
        assert page.evaluate("window.pcrNetwork.getSelectedNodes()") == ["group:" + pcn]
    finally:
        context.close()


@pytest.fixture(scope="module")
def mixed_overview(
    store: OxigraphStore, expected: tuple[str, dict[str, dict[str, set[str]]]]
) -> Overview:
    """The overview a build with the real registries and the fictional demo draws: the real
    areas' part from the real store, the demo's from the demo store (two stores, so no
    invented fact ever sits beside a real organisation)."""
    from pcr_graph.analysis.gaps import run_gaps
    from pcr_graph.render.mapdata import overview_map
    from pcr_graph.store.project import Project

    newest, by_area = expected
    real_areas = sorted(by_area)[:3]
    real = overview_map(
        store, run_gaps(store, areas=[URIRef(a) for a in real_areas], rules=REGISTER_RULES)
    )
    demo_store = Project(workspace=Path("/nonexistent-workspace")).open()
    demo = overview_map(demo_store, run_gaps(demo_store))
    assert all(a.register == f"ODS {newest}" and not a.fictional for a in real.areas)
    assert {a.id for a in real.areas} == set(real_areas)
    assert demo.areas and all(a.fictional and not a.register for a in demo.areas)
    return replace(real, areas=real.areas + demo.areas, subtitle=demo.subtitle)


@pytest.mark.browser
def test_the_overview_tells_real_register_areas_from_fictional_ones(
    mixed_overview: Overview, chromium_browser: Browser, tmp_path: Path
) -> None:
    path = tmp_path / "overview.html"
    write_html(path, render_overview_html(mixed_overview))
    if not AXE.is_file():
        pytest.fail(f"{AXE} missing: run tools/test-deps.sh (npm ci installs axe-core)")
    real = [a for a in mixed_overview.areas if not a.fictional]
    invented = [a for a in mixed_overview.areas if a.fictional]
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        page.wait_for_function("window.pcrReady === true", timeout=60_000)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        # The ranking is grouped under visible headings, each area under its kind.
        groups = page.evaluate(
            "() => [...document.querySelectorAll('#pcr-gaps h3.kind')].map(h => [h.textContent,"
            " [...h.nextElementSibling.querySelectorAll('li .name')].map(n => n.textContent)])"
        )
        assert [g[0] for g in groups] == [
            f"Real areas: published registers only ({real[0].register})",
            "Fictional and synthetic areas (invented data)",
        ]
        assert sorted(groups[0][1]) == sorted(a.label for a in real)
        assert sorted(groups[1][1]) == sorted(a.label for a in invented)
        # On the canvas: a shape and a label line per kind, not colour alone.
        drawn = page.evaluate(
            "() => window.pcrNetwork.body.data.nodes.get().map(n => [n.id, n.shape, n.label])"
        )
        by_id = {i: (shape, label) for i, shape, label in drawn}
        for area in real:
            assert by_id[area.id][0] == "dot"
            assert by_id[area.id][1].endswith("real: published register")
        for area in invented:
            assert by_id[area.id][0] == "diamond"
            assert by_id[area.id][1].endswith("fictional: invented data")
        # The table view (the screen-reader equivalent) names each area's kind.
        kinds = page.evaluate(
            "() => [...document.querySelectorAll('#pcr-table tbody tr')]"
            ".map(r => r.cells[1].textContent)"
        )
        assert sorted(kinds) == sorted(
            ["real: published register"] * len(real) + ["fictional: invented data"] * len(invented)
        )
        legend = page.inner_text("#pcr-legend")
        assert "shape and label = kind of data" in legend.lower()
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
        )
        assert [v["id"] for v in result["violations"]] == []
    finally:
        context.close()


def test_an_overview_of_one_kind_is_drawn_as_before(mixed_overview: Overview) -> None:
    invented = replace(mixed_overview, areas=tuple(a for a in mixed_overview.areas if a.fictional))
    page = render_overview_html(invented)
    assert 'class="kind"' not in page and "Kind of data" not in page
    assert "invented data" not in page.split('id="pcr-data"')[0]
