"""Area maps and the index page: offline, escaped, deterministic (no browser needed)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcr_graph.render.maps import (
    SECTOR_COLOURS,
    SPRING_LIMIT,
    AreaMap,
    IndexEntry,
    MapEdge,
    MapGap,
    MapNode,
    render_area_html,
    render_index_html,
    write_html,
)

XSS_PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    "<svg onload=alert(1)>",
    "' onmouseover='alert(1)",
    '<a href="javascript:alert(1)">x</a>',
    "{{7*7}}",
    "line\u2028separator\u2029end",
    "<!--<script>alert(1)//-->",
    "<iframe srcdoc='<script>alert(1)</script>'>",
    "@@DATA@@ @@TITLE@@",
    "<style>body{display:none}</style>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<img src=x onerror=alert(1) href=x>",
)

# Payloads that contain a character with meaning in HTML must never appear verbatim.
MARKUP_PAYLOADS = tuple(p for p in XSS_PAYLOADS if re.search("[<>\"'\u2028\u2029]", p))

# Every tag the template itself writes; an injected payload would add another.
PAGE_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "link",
    "style",
    "body",
    "header",
    "h1",
    "h3",
    "p",
    "div",
    "aside",
    "form",
    "input",
    "button",
    "datalist",
    "script",
    "details",
    "summary",
    "ul",
    "ol",
    "li",
    "label",
    "span",
    "svg",
    "g",
    "circle",
    "polygon",
    "rect",
    "line",
    "main",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "a",
}

P = "https://w3id.org/pcr-graph/id/wb/demo/"


def provider(
    local: str, label: str, *sectors: str, gaps: tuple[str, ...] = (), ids: Any = ()
) -> MapNode:
    """A fictional provider with sector labels made from the notations."""
    labels = tuple(s.replace("-", " ").capitalize() for s in sectors)
    return MapNode(P + "provider/" + local, label, "provider", sectors, labels, ids, gaps)


def link(local: str, a: MapNode, b: MapNode, link_type: str, **extra: Any) -> MapEdge:
    """A collaboration-link edge between two nodes."""
    label = link_type.replace("-", " ").capitalize()
    return MapEdge(P + "link/" + local, a.id, b.id, "link", link_type, label, **extra)


def sample_area() -> AreaMap:
    """A small fictional area: every group of sectors, a forum, a 3-way link, gaps."""
    acute = provider(
        "acute",
        "Northfold General Hospital",
        "acute-trust",
        "emergency-department",
        ids=(("ODS", "XA1"), ("CQC location", "1-0001")),
    )
    ambulance = provider("amb", "Northfold Ambulance Service", "ambulance")
    gp1 = provider("gp1", "Riverside Surgery", "gp-practice")
    gp2 = provider("gp2", "Hillcrest Medical Centre", "gp-practice")
    home1 = provider("ch1", "Oak Lodge Care Home", "care-home", gaps=("No discharge link",))
    home2 = provider("ch2", "Willow House", "care-home")
    agency = provider("dom", "Northfold Home Care", "domiciliary-care")
    council = provider("la", "Northfold Council", "local-authority")
    charity = provider("vcs", "Northfold Carers Trust", "voluntary-sector")
    hospice = provider("hos", "St Ives Hospice", "hospice")
    school = provider("edu", "Northfold College", "education")
    lonely = provider("lonely", "Isolated Pharmacy", "pharmacy")
    forum = MapNode(P + "forum/board", "Northfold A&E Delivery Board", "forum", (), ())
    period = "2020-04-01 – 2021-03-31"
    edges = (
        link(
            "l1",
            acute,
            ambulance,
            "shared-pathway",
            period=period,
            evidence=("PCR report, 2020-10-01, 'handover delays fell'",),
        ),
        link("l2", acute, home1, "discharge-coordination"),
        link("l3#1", acute, home2, "discharge-coordination"),
        link("l3#2", acute, agency, "discharge-coordination"),
        link("l4", gp1, gp2, "mutual-aid"),
        link("l5", gp1, home2, "information-sharing"),
        # A second link between the same pair must not be merged with l4.
        link("l6", gp1, gp2, "joint-training"),
        link("l7", council, charity, "community-engagement"),
        link("l8", hospice, gp2, "shared-pathway"),
        link("l9", school, council, "joint-planning"),
        MapEdge(P + "membership/m1", forum.id, acute.id, "membership", label="Chair"),
        MapEdge(P + "membership/m2", forum.id, council.id, "membership", label="Member"),
        MapEdge(P + "membership/m3", forum.id, ambulance.id, "membership"),
    )
    nodes = (
        acute,
        ambulance,
        gp1,
        gp2,
        home1,
        home2,
        agency,
        council,
        charity,
        hospice,
        school,
        lonely,
        forum,
    )
    gaps = (
        MapGap(
            "isolated-provider",
            "medium",
            "Isolated Pharmacy has no collaboration links.",
            (lonely.id,),
        ),
        MapGap(
            "care-home-without-discharge-link",
            "high",
            "Oak Lodge Care Home and Willow House lack a discharge link to an NHS trust.",
            (home1.id, home2.id),
        ),
        MapGap(
            "sector-absent-from-planning",
            "low",
            "No voluntary-sector provider sits on a planning forum.",
        ),
    )
    return AreaMap("demo", "Northfold (fictional)", "Fictional demo data", nodes, edges, gaps)


def xss_area() -> AreaMap:
    """An area whose every untrusted text field carries an XSS payload."""
    nodes: list[MapNode] = []
    for i, payload in enumerate(XSS_PAYLOADS):
        nodes.append(
            MapNode(
                f"{P}provider/x{i}?q=<b>&r='{i}'",
                payload,
                "provider",
                ("care-home" if i % 2 else payload,),
                (payload,),
                ((payload, payload),),
                (payload,),
            )
        )
    forum = MapNode(P + "forum/<x>", XSS_PAYLOADS[0], "forum", (), ())
    nodes.append(forum)
    edges = [
        MapEdge(
            f"{P}link/{i}\u2028'<>",
            nodes[i].id,
            nodes[(i + 1) % len(XSS_PAYLOADS)].id,
            "link",
            payload,
            payload,
            payload,
            payload,
            (payload, payload),
        )
        for i, payload in enumerate(XSS_PAYLOADS)
    ]
    edges.append(MapEdge(P + "m/1", forum.id, nodes[0].id, "membership", label=XSS_PAYLOADS[1]))
    gaps = tuple(
        MapGap(payload, payload, payload, (nodes[i].id,)) for i, payload in enumerate(XSS_PAYLOADS)
    )
    return AreaMap(
        XSS_PAYLOADS[2], " ".join(XSS_PAYLOADS), XSS_PAYLOADS[1], tuple(nodes), tuple(edges), gaps
    )


def large_area(count: int) -> AreaMap:
    """A fictional area of ``count`` providers in a ring, each linked to its neighbours."""
    sectors = ("gp-practice", "care-home", "acute-trust", "voluntary-sector", "local-authority")
    nodes = tuple(
        provider(f"p{i}", f"Provider {i}", sectors[i % len(sectors)]) for i in range(count)
    )
    edges = tuple(
        link(f"l{i}", nodes[i], nodes[(i * 7 + 1) % count], "mutual-aid") for i in range(count)
    )
    return AreaMap("big", "Big fictional area", nodes=nodes, edges=edges)


class _Markup(HTMLParser):
    """Collects tags, attributes and script bodies of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            self.scripts.append((self._in_script, data))
        else:
            self.text.append(data)


def parse(page: str) -> _Markup:
    markup = _Markup()
    markup.feed(page)
    markup.close()
    return markup


def embedded_data(page: str) -> dict[str, Any]:
    """The JSON the map embeds for vis-network."""
    for attrs, body in parse(page).scripts:
        if attrs.get("id") == "pcr-data":
            data: dict[str, Any] = json.loads(body)
            return data
    raise AssertionError("no pcr-data block")


# ------------------------------------------------------------------------------------
# Offline


def test_map_loads_nothing_from_the_network() -> None:
    page = render_area_html(sample_area())
    markup = parse(page)
    for tag, attrs in markup.tags:
        for name in ("src", "href", "action", "data", "poster", "srcset"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (tag, name, value)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "@import" not in page and "@font-face" not in page
    # Only inline scripts, and the JSON data block is not executable.
    scripts = [attrs for tag, attrs in markup.tags if tag == "script"]
    assert len(scripts) == 3 and all("src" not in attrs for attrs in scripts)
    assert [a.get("type") for a in scripts] == ["application/json", None, None]
    # vis-network is inlined in full: its Network class is defined in the page.
    assert len(page) > 400_000 and "vis-network" in page


def test_csp_forbids_network_loads_and_pins_the_scripts() -> None:
    page = render_area_html(sample_area())
    metas = [a for t, a in parse(page).tags if t == "meta" and a.get("http-equiv")]
    assert len(metas) == 1 and metas[0]["http-equiv"] == "Content-Security-Policy"
    policy = {part.split()[0]: part.split()[1:] for part in (metas[0]["content"] or "").split(";")}
    assert policy["default-src"] == ["'none'"]
    assert policy["connect-src"] == ["'none'"]
    assert policy["img-src"] == ["data:"]
    # Scripts run only if they hash to one of ours: never 'unsafe-inline'.
    assert len(policy["script-src"]) == 2
    assert all(s.startswith("'sha256-") for s in policy["script-src"])


def test_rendering_creates_no_files_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    page = render_area_html(sample_area())
    write_html(tmp_path / "maps" / "demo.html", page)
    write_html(tmp_path / "maps" / "index.html", render_index_html("Maps", []))
    assert not (tmp_path / "lib").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["maps"]
    assert sorted(p.name for p in (tmp_path / "maps").iterdir()) == ["demo.html", "index.html"]
    assert (tmp_path / "maps" / "demo.html").read_text(encoding="utf-8") == page


def test_importing_render_does_not_import_pyvis() -> None:
    code = (
        "import sys, pcr_graph.render.maps; print('pyvis' in sys.modules, 'IPython' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ------------------------------------------------------------------------------------
# Escaping


def test_xss_payloads_never_appear_raw() -> None:
    area = xss_area()
    page = render_area_html(area)
    for payload in MARKUP_PAYLOADS:
        assert payload not in page, payload
    assert "\u2028" not in page and "\u2029" not in page
    # Harmless-looking payloads stay plain text: no template engine evaluated them.
    assert "{{7*7}}" in page and "49" not in "".join(parse(page).text)


def test_xss_payloads_add_no_markup() -> None:
    page = render_area_html(xss_area())
    markup = parse(page)
    assert {tag for tag, _ in markup.tags} <= PAGE_TAGS
    assert not [t for t, _ in markup.tags if t in {"img", "iframe", "a"}]
    # The table view's two empty tables (filled by the page from the escaped data).
    assert [t for t, _ in markup.tags if t == "table"] == ["table", "table"]
    for tag, attrs in markup.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src"):
            assert "javascript" not in (attrs.get(name) or "").lower()
    assert [t for t, _ in markup.tags].count("script") == 3
    assert [t for t, _ in markup.tags].count("style") == 2
    # The heading shows the payloads as text, whole.
    assert " ".join(XSS_PAYLOADS).replace("\u2028", "").replace("\u2029", "") in (
        "".join(markup.text).replace("\u2028", "").replace("\u2029", "")
    )


def test_payloads_survive_as_data() -> None:
    """Escaping is not mangling: the embedded JSON decodes to the exact untrusted text."""
    area = xss_area()
    data = embedded_data(render_area_html(area))
    names = {n["id"]: n["pcrName"] for n in data["nodes"]}
    assert names == {n.id: n.label for n in area.nodes}
    tooltips = {n["id"]: n["title"] for n in data["nodes"]}
    for node in area.nodes[:-1]:
        assert tooltips[node.id].startswith(node.label + "\n")
        assert node.gaps[0] in tooltips[node.id]
    for edge in data["edges"]:
        assert edge["title"].startswith(edge["pcrKey"].removeprefix("link:")) or (
            edge["pcrKey"] == "membership"
        )
    assert [g["text"] for g in data["gaps"]] == [g.text for g in area.gaps]


def test_json_block_cannot_close_the_script() -> None:
    page = render_area_html(xss_area())
    start = page.index('<script type="application/json" id="pcr-data">')
    body = page[start : page.index("</script>", start)]
    assert "<" not in body.split(">", 1)[1]
    assert "'" not in body.split(">", 1)[1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.text(max_size=40),
    label=st.text(max_size=40),
    gap=st.text(max_size=40),
)
def test_any_text_renders_as_text(title: str, label: str, gap: str) -> None:
    a = MapNode("urn:a", label, "provider", ("care-home",), ("Care home",), (), (gap,))
    b = MapNode("urn:b", gap, "provider", (label or "x",), (label,))
    edge = MapEdge("urn:l", a.id, b.id, "link", label, gap, evidence=(title,))
    area = AreaMap("x", title, label, (a, b), (edge,), (MapGap(gap, gap, gap, (a.id,)),))
    page = render_area_html(area)
    markup = parse(page)
    assert {tag for tag, _ in markup.tags} <= PAGE_TAGS
    assert [t for t, _ in markup.tags].count("script") == 3
    data = embedded_data(page)
    assert [n["pcrName"] for n in data["nodes"]] == [label, gap]
    assert data["edges"][0]["title"].endswith("• " + title)


# ------------------------------------------------------------------------------------
# Data, style, determinism


def test_embedded_counts_match_the_input() -> None:
    area = sample_area()
    data = embedded_data(render_area_html(area))
    assert [n["id"] for n in data["nodes"]] == [n.id for n in area.nodes]
    assert [e["id"] for e in data["edges"]] == [e.id for e in area.edges]
    assert [(e["from"], e["to"]) for e in data["edges"]] == [
        (e.source, e.target) for e in area.edges
    ]
    assert not any("arrows" in e for e in data["edges"])
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == len(area.nodes)
    assert data["options"]["physics"]["enabled"] is False
    assert data["options"]["layout"]["improvedLayout"] is False


def test_header_counts_links_not_pairwise_edges() -> None:
    page = render_area_html(sample_area())
    # l3#1 and l3#2 are one 3-way link; memberships are not links.
    assert "12 providers · 9 collaboration links · 1 planning forum · 3 gaps" in page


def test_same_input_gives_the_same_bytes() -> None:
    assert render_area_html(sample_area()) == render_area_html(sample_area())
    assert render_area_html(sample_area(), seed=1) != render_area_html(sample_area(), seed=2)


@pytest.mark.slow
def test_bytes_do_not_depend_on_hash_seed_or_process() -> None:
    code = (
        "import hashlib\n"
        "from tests.render.test_maps import sample_area, large_area\n"
        "from pcr_graph.render.maps import render_area_html\n"
        "page = render_area_html(sample_area()) + render_area_html(large_area(400))\n"
        "print(hashlib.sha256(page.encode()).hexdigest())\n"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run(
            [sys.executable, "-c", code],
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        digests.add(run.stdout.strip())
    assert len(digests) == 1


def test_node_style_encodes_sector_group_degree_forum_and_gaps() -> None:
    area = sample_area()
    nodes = {n["id"]: n for n in embedded_data(render_area_html(area))["nodes"]}
    by_label = {node.label: nodes[node.id] for node in area.nodes}
    acute, gp, home = (
        by_label["Northfold General Hospital"],
        by_label["Riverside Surgery"],
        by_label["Oak Lodge Care Home"],
    )
    assert acute["color"]["background"] == SECTOR_COLOURS["acute-trust"]
    assert acute["shape"] == "dot" and gp["shape"] == "triangle" and home["shape"] == "square"
    assert by_label["Northfold Council"]["shape"] == "hexagon"
    assert by_label["St Ives Hospice"]["shape"] == "star"
    assert by_label["Northfold College"]["shape"] == "triangleDown"
    forum = by_label["Northfold A&E Delivery Board"]
    assert forum["shape"] == "diamond" and forum["pcrKey"] == "forum"
    # Four link edges at the hospital, none at the lonely pharmacy.
    assert acute["size"] > gp["size"] > by_label["Isolated Pharmacy"]["size"]
    # Named by a gap (on the node, or by a MapGap) -> thick red border and a warning label.
    for name in ("Oak Lodge Care Home", "Willow House", "Isolated Pharmacy"):
        assert by_label[name]["borderWidth"] >= 4, name
        assert by_label[name]["color"]["border"] == "#C00000"
        assert by_label[name]["label"].startswith("⚠")
    assert acute["borderWidth"] < 4 and not acute["pcrGap"]
    assert "lack a discharge link" in by_label["Willow House"]["title"]
    assert "ODS: XA1" in acute["title"] and "CQC location: 1-0001" in acute["title"]


def test_sector_palette_is_complete_and_distinct_within_groups() -> None:
    fixed = [
        "acute-trust",
        "emergency-department",
        "ambulance",
        "nhs-111",
        "gp-practice",
        "out-of-hours",
        "urgent-treatment-centre",
        "community-health",
        "mental-health",
        "adult-social-care",
        "care-home",
        "domiciliary-care",
        "local-authority",
        "voluntary-sector",
        "hospice",
        "pharmacy",
        "dental",
        "public-health",
        "education",
        "healthwatch",
    ]
    assert set(fixed) <= set(SECTOR_COLOURS)
    assert all(re.fullmatch("#[0-9A-F]{6}", c) for c in SECTOR_COLOURS.values())
    area = AreaMap("a", "A", nodes=tuple(provider(s, s, s) for s in fixed))
    nodes = embedded_data(render_area_html(area))["nodes"]
    looks = {(n["shape"], n["color"]["background"]) for n in nodes}
    assert len(looks) == len(fixed)  # shape + colour tell every sector apart


def test_unknown_sector_gets_a_stable_colour() -> None:
    area = AreaMap("a", "A", nodes=(provider("x", "X", "new-sector"), provider("y", "Y")))
    first = embedded_data(render_area_html(area))["nodes"]
    again = embedded_data(render_area_html(area))["nodes"]
    assert first[0]["color"] == again[0]["color"]
    assert first[0]["shape"] == "triangleDown"
    assert "Sector: unknown" in first[1]["title"]


def test_edges_are_styled_by_kind_and_type() -> None:
    edges = {e["id"]: e for e in embedded_data(render_area_html(sample_area()))["edges"]}
    membership = edges[P + "membership/m1"]
    assert membership["dashes"] and membership["width"] < 2
    assert membership["title"].startswith("Forum membership: Chair")
    pathway, info = edges[P + "link/l1"], edges[P + "link/l5"]
    assert pathway["dashes"] is False and info["dashes"]
    assert pathway["color"]["color"] != edges[P + "link/l2"]["color"]["color"]
    assert "Period: 2020-04-01 – 2021-03-31" in pathway["title"]
    assert "'handover delays fell'" in pathway["title"]
    assert "Evidence: none recorded" in edges[P + "link/l2"]["title"]
    # The second link between the same two practices curves away from the first.
    assert edges[P + "link/l4"]["smooth"] is False
    assert edges[P + "link/l6"]["smooth"]["enabled"] is True


def test_legend_and_filters_list_what_is_present() -> None:
    page = render_area_html(sample_area())
    keys = [a["data-filter"] for t, a in parse(page).tags if t == "input" and "data-filter" in a]
    assert keys == [
        "sector:acute-trust",
        "sector:ambulance",
        "sector:gp-practice",
        "sector:pharmacy",
        "sector:care-home",
        "sector:domiciliary-care",
        "sector:local-authority",
        "sector:voluntary-sector",
        "sector:hospice",
        "sector:education",
        "forum",
        "link:mutual-aid",
        "link:discharge-coordination",
        "link:information-sharing",
        "link:joint-planning",
        "link:joint-training",
        "link:shared-pathway",
        "link:community-engagement",
        "membership",
    ]
    assert "Emergency department" not in page.split('id="pcr-legend"')[1].split("</details>")[0]


def test_gap_panel_lists_gaps_by_severity() -> None:
    page = render_area_html(sample_area())
    panel = page.split('id="pcr-gaps"')[1].split("</details>")[0]
    assert re.findall(r'data-gap="(\d+)"', panel) == ["1", "0", "2"]
    assert panel.index("high") < panel.index("medium") < panel.index(">low<")
    assert "Gaps (3)" in panel


def test_large_area_gets_the_cheap_layout_and_straight_edges() -> None:
    area = large_area(SPRING_LIMIT + 200)
    data = embedded_data(render_area_html(area))
    assert len(data["nodes"]) == SPRING_LIMIT + 200 and len(data["edges"]) == SPRING_LIMIT + 200
    assert data["options"]["edges"]["smooth"] is False
    assert data["options"]["interaction"]["hideEdgesOnDrag"] is True
    assert all(e["smooth"] is False for e in data["edges"])
    points = {(n["x"], n["y"]) for n in data["nodes"]}
    assert len(points) == len(data["nodes"])


def test_empty_area_still_renders() -> None:
    page = render_area_html(AreaMap("none", "Nothing here"))
    data = embedded_data(page)
    assert data["nodes"] == [] and data["edges"] == []
    assert "No providers." in page and "No gaps found" in page


def test_bad_input_is_refused() -> None:
    a = provider("a", "A", "care-home")
    with pytest.raises(ValueError, match="duplicate node"):
        render_area_html(AreaMap("x", "X", nodes=(a, a)))
    with pytest.raises(ValueError, match="unknown node"):
        render_area_html(
            AreaMap("x", "X", nodes=(a,), edges=(MapEdge("e", a.id, "urn:nope", "link"),))
        )
    with pytest.raises(ValueError, match="duplicate edge"):
        edge = MapEdge("e", a.id, a.id, "link")
        render_area_html(AreaMap("x", "X", nodes=(a,), edges=(edge, edge)))


# ------------------------------------------------------------------------------------
# Index page


def test_index_lists_areas_with_counts_and_escapes() -> None:
    entries = [
        IndexEntry("north.html", "Northfold <fictional>", 12, 9, (("high", 1), ("low", 2))),
        IndexEntry("javascript:alert(1).html", XSS_PAYLOADS[1], 3, 0, (("urgent", 4),)),
    ]
    page = render_index_html(XSS_PAYLOADS[0], entries, subtitle=XSS_PAYLOADS[5])
    for payload in (XSS_PAYLOADS[0], XSS_PAYLOADS[1], XSS_PAYLOADS[5]):
        assert payload not in page
    markup = parse(page)
    assert {t for t, _ in markup.tags} <= PAGE_TAGS and "script" not in {t for t, _ in markup.tags}
    hrefs = [a["href"] for t, a in markup.tags if t == "a"]
    assert hrefs == ["north.html", "./javascript:alert(1).html"]
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", page)
    assert headers == ["Area", "Providers", "Links", "Gaps: high", "Gaps: low", "Gaps: urgent"]
    rows = re.findall(r"<tr><td>.*?</tr>", page)
    assert [re.findall(r">(\d+)</td>", row) for row in rows] == [
        ["12", "9", "1", "2", "0"],
        ["3", "0", "0", "0", "4"],
        ["15", "9", "1", "2", "4"],
    ]
    assert "Total (2 areas)" in page
    assert "default-src 'none'" in page
    assert render_index_html("T", entries) == render_index_html("T", entries)


def test_index_refuses_absolute_links() -> None:
    with pytest.raises(ValueError, match="relative"):
        render_index_html("T", [IndexEntry("/etc/passwd", "x", 0, 0, ())])


def test_area_positions_are_the_maps_own() -> None:
    from pcr_graph.render.maps import area_positions

    area = sample_area()
    looks = area_positions(area)
    drawn = {n["id"]: n for n in embedded_data(render_area_html(area))["nodes"]}
    assert set(looks) == set(drawn)
    for node_id, look in looks.items():
        node = drawn[node_id]
        assert (look.x, look.y, look.size, look.shape) == (
            node["x"],
            node["y"],
            node["size"],
            node["shape"],
        )
        assert (look.colour, look.border) == (
            node["color"]["background"],
            node["color"]["border"],
        )
