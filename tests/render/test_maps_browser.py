"""Area maps in real Chromium: offline, drawn completely, filterable, searchable, inert."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from pcr_graph.render.maps import (
    AreaMap,
    IndexEntry,
    render_area_html,
    render_index_html,
    write_html,
)
from tests.render.test_maps import XSS_PAYLOADS, sample_area, xss_area

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class Watch:
    """What a page did while a test drove it."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.dialogs == []
        assert self.requests and all(url.startswith("file://") for url in self.requests)


def open_map(page: Page, folder: Path, area: AreaMap, name: str = "map.html") -> Watch:
    """Write ``area``'s map into ``folder``, open it via file:// and wait until drawn."""
    path = folder / name
    write_html(path, render_area_html(area))
    watch = Watch()
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    page.on("request", lambda r: watch.requests.append(r.url))

    def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.as_uri())
    page.wait_for_function("window.pcrReady === true", timeout=30_000)
    return watch


def drawn(page: Page) -> tuple[set[str], set[str]]:
    """Ids of the nodes and edges vis currently draws (hidden ones excluded)."""
    nodes, edges = page.evaluate(
        "[pcrNetwork.body.nodeIndices.slice(), pcrNetwork.body.edgeIndices.slice()]"
    )
    return set(nodes), set(edges)


def dom_point(page: Page, node_id: str) -> tuple[float, float]:
    """Where ``node_id`` is on the screen."""
    x, y = page.evaluate(
        """id => {
          const p = pcrNetwork.canvasToDOM(pcrNetwork.getPosition(id));
          const box = document.getElementById("pcr-map").getBoundingClientRect();
          return [box.left + p.x, box.top + p.y];
        }""",
        node_id,
    )
    return float(x), float(y)


def test_map_is_offline_and_draws_every_node_and_edge(chromium_page: Page, tmp_path: Path) -> None:
    area = sample_area()
    watch = open_map(chromium_page, tmp_path, area)
    nodes, edges = drawn(chromium_page)
    assert nodes == {n.id for n in area.nodes}
    assert edges == {e.id for e in area.edges}
    assert chromium_page.evaluate("[pcrData.nodes.length, pcrData.edges.length]") == [13, 13]
    legend = chromium_page.locator("#pcr-legend")
    assert legend.is_visible()
    assert legend.locator("input[data-filter]").count() == 19
    assert "Care home" in legend.inner_text()
    assert chromium_page.locator("h1").inner_text() == area.title
    watch.assert_clean()


def test_screenshot_of_a_map(chromium_page: Page, tmp_path: Path) -> None:
    watch = open_map(chromium_page, tmp_path, sample_area())
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "map.png"
    chromium_page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    watch.assert_clean()


def test_unticking_a_sector_hides_exactly_its_nodes(chromium_page: Page, tmp_path: Path) -> None:
    area = sample_area()
    watch = open_map(chromium_page, tmp_path, area)
    homes = {n.id for n in area.nodes if n.sectors[:1] == ("care-home",)}
    assert len(homes) == 2
    box = chromium_page.locator('input[data-filter="sector:care-home"]')
    box.uncheck()
    nodes, edges = drawn(chromium_page)
    assert nodes == {n.id for n in area.nodes} - homes
    touching = {e.id for e in area.edges if {e.source, e.target} & homes}
    assert edges == {e.id for e in area.edges} - touching
    box.check()
    assert drawn(chromium_page) == ({n.id for n in area.nodes}, {e.id for e in area.edges})
    watch.assert_clean()


def test_unticking_a_link_type_hides_exactly_its_edges(chromium_page: Page, tmp_path: Path) -> None:
    area = sample_area()
    watch = open_map(chromium_page, tmp_path, area)
    chromium_page.locator('input[data-filter="link:discharge-coordination"]').uncheck()
    chromium_page.locator('input[data-filter="membership"]').uncheck()
    nodes, edges = drawn(chromium_page)
    assert nodes == {n.id for n in area.nodes}
    assert edges == {
        e.id for e in area.edges if e.kind == "link" and e.link_type != "discharge-coordination"
    }
    watch.assert_clean()


def test_search_focuses_and_selects_a_node(chromium_page: Page, tmp_path: Path) -> None:
    area = sample_area()
    watch = open_map(chromium_page, tmp_path, area)
    willow = next(n for n in area.nodes if n.label == "Willow House")
    chromium_page.fill("#pcr-q", "willow")
    chromium_page.press("#pcr-q", "Enter")
    assert chromium_page.evaluate("pcrNetwork.getSelectedNodes()") == [willow.id]
    # The view centres on it once the short animation ends.
    chromium_page.wait_for_function(
        """id => {
          const v = pcrNetwork.getViewPosition(), p = pcrNetwork.getPosition(id);
          return Math.hypot(v.x - p.x, v.y - p.y) < 2;
        }""",
        arg=willow.id,
        timeout=5_000,
    )
    assert "Willow House" in chromium_page.locator("#pcr-status").inner_text()
    assert chromium_page.locator("#pcr-details").inner_text().startswith("Willow House\n")
    chromium_page.fill("#pcr-q", "no such provider")
    chromium_page.press("#pcr-q", "Enter")
    assert "No shown provider" in chromium_page.locator("#pcr-status").inner_text()
    watch.assert_clean()


def test_clicking_a_gap_selects_the_nodes_it_names(chromium_page: Page, tmp_path: Path) -> None:
    area = sample_area()
    watch = open_map(chromium_page, tmp_path, area)
    buttons = chromium_page.locator("button.gap")
    assert buttons.count() == 3
    assert buttons.first.inner_text().lower().startswith("high")
    buttons.first.click()
    selected = chromium_page.evaluate("pcrNetwork.getSelectedNodes()")
    assert set(selected) == set(area.gaps[1].node_ids)
    assert "lack a discharge link" in chromium_page.locator("#pcr-details").inner_text()
    buttons.last.click()  # an area-wide gap names no provider
    assert chromium_page.evaluate("pcrNetwork.getSelectedNodes()") == []
    assert "whole area" in chromium_page.locator("#pcr-status").inner_text()
    watch.assert_clean()


def test_tooltips_and_details_are_plain_text(chromium_page: Page, tmp_path: Path) -> None:
    area = xss_area()
    watch = open_map(chromium_page, tmp_path, area)
    titles: dict[str, str] = chromium_page.evaluate(
        "Object.fromEntries(pcrData.nodes.get().map(n => [n.id, n.title]))"
    )
    # Script, attribute break-out, "href" (which makes pyvis's own page switch a tooltip
    # to HTML) and comment payloads.
    for node in (area.nodes[i] for i in (0, 1, 6, 9)):
        x, y = dom_point(chromium_page, node.id)
        chromium_page.mouse.move(x + 3, y + 3)
        chromium_page.mouse.move(x, y)
        chromium_page.wait_for_function(
            """() => { const t = document.querySelector("div.vis-tooltip");
                       return t && getComputedStyle(t).visibility === "visible"; }"""
        )
        tip = chromium_page.evaluate(
            """() => { const t = document.querySelector("div.vis-tooltip");
                       return [t.textContent,
                               [...t.querySelectorAll("*")].map(e => e.tagName)]; }"""
        )
        # vis renders a string title with innerText: only line breaks become elements.
        assert set(tip[1]) <= {"BR"}
        assert tip[0] == titles[node.id].replace("\n", "")
        chromium_page.mouse.click(x, y)
        details = chromium_page.evaluate(
            """() => { const d = document.getElementById("pcr-details");
                       return [d.textContent, d.childElementCount]; }"""
        )
        assert details == [titles[node.id], 0]
        chromium_page.mouse.move(5, 5)
    assert watch.dialogs == [] and watch.errors == []


@pytest.mark.slow
def test_xss_corpus_fires_nothing(chromium_page: Page, tmp_path: Path) -> None:
    area = xss_area()
    watch = open_map(chromium_page, tmp_path, area)
    page = chromium_page
    # Exercise everything that shows untrusted text.
    for i in range(page.locator("button.gap").count()):
        page.locator("button.gap").nth(i).click()
    for payload in XSS_PAYLOADS[:6]:
        page.fill("#pcr-q", payload)
        page.press("#pcr-q", "Enter")
    for box in page.locator("input[data-filter]").all():
        box.uncheck()
        box.check()
    page.wait_for_timeout(300)
    live = page.evaluate(
        """() => ({
          scripts: document.scripts.length,
          handlers: [...document.querySelectorAll("*")].filter(
              e => [...e.attributes].some(a => a.name.toLowerCase().startsWith("on"))).length,
          injected: document.querySelectorAll(
              "img, iframe, a, object, embed, body style ~ style, svg[onload]").length,
          styles: document.querySelectorAll("style").length,
          title: document.title,
          heading: document.querySelector("h1").textContent,
          subtitle: document.querySelector(".subtitle").textContent,
          hidden: getComputedStyle(document.body).display,
        })"""
    )
    assert live["scripts"] == 3
    assert live["handlers"] == 0 and live["injected"] == 0 and live["styles"] == 2
    assert live["heading"] == area.title and live["subtitle"] == area.subtitle
    assert live["title"] == " ".join(area.title.split(" "))
    assert live["hidden"] != "none"
    assert page.evaluate("window.pcrReady") is True
    gap_texts = page.locator("button.gap .text").all_inner_texts()
    assert sorted(t.replace("\u2028", "").replace("\u2029", "") for t in gap_texts) == sorted(
        p.replace("\u2028", "").replace("\u2029", "") for p in XSS_PAYLOADS
    )
    watch.assert_clean()


def test_readable_on_a_phone(chromium_browser: Browser, tmp_path: Path) -> None:
    context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = context.new_page()
        watch = open_map(page, tmp_path, sample_area())
        layout = page.evaluate(
            """() => {
              const map = document.getElementById("pcr-map").getBoundingClientRect();
              const side = document.querySelector("aside").getBoundingClientRect();
              return {mapH: map.height, mapW: map.width, mapBottom: map.bottom,
                      sideTop: side.top, scrollW: document.documentElement.scrollWidth};
            }"""
        )
        assert layout["mapH"] > 400 and layout["mapW"] >= 380
        assert layout["sideTop"] >= layout["mapBottom"] - 1  # panel below the map
        assert layout["scrollW"] <= 390  # nothing wider than the screen
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "map-phone.png"), full_page=True)
        watch.assert_clean()
    finally:
        context.close()


def test_index_links_open_the_maps(chromium_page: Page, tmp_path: Path) -> None:
    area = sample_area()
    entries = [IndexEntry("demo map.html", area.title, 12, 9, (("high", 1), ("medium", 1)))]
    write_html(tmp_path / "index.html", render_index_html("Area maps", entries, "Fictional"))
    write_html(tmp_path / "demo map.html", render_area_html(area))
    watch = Watch()
    chromium_page.on("request", lambda r: watch.requests.append(r.url))
    chromium_page.on("console", lambda m: watch.errors.append(m.text))
    chromium_page.goto((tmp_path / "index.html").as_uri())
    assert chromium_page.locator("tbody tr").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    chromium_page.screenshot(path=str(ARTIFACTS / "index.png"))
    with chromium_page.expect_navigation():
        chromium_page.click(f"text={area.title}")
    assert chromium_page.url.endswith("/demo%20map.html")
    chromium_page.wait_for_function("window.pcrReady === true", timeout=30_000)
    watch.assert_clean()
