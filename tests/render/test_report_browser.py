"""The HTML gap report, the heatmaps and the national overview in real Chromium.

Chromium is Debian's, started by :func:`tests.browser.launch_chromium`, but in a thread of its
own: the session fixtures of ``tests/support/browser.py`` are registered once per importing module,
and a second Playwright cannot start in a thread where another one (test_render_browser's) is
still running. Every Playwright call of this module runs in that one thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from pcr_graph.analysis.gaps import GapReport, run_gaps
from pcr_graph.app.build import run_build
from pcr_graph.render.heatmap import heatmap_svg
from pcr_graph.render.mapdata import overview_map
from pcr_graph.render.maps import (
    Overview,
    OverviewArea,
    OverviewEdge,
    render_overview_html,
    write_html,
)
from pcr_graph.render.report_html import to_html
from pcr_graph.store.project import Project
from tests.analysis.test_gaps_report import xss_store
from tests.render.test_maps import XSS_PAYLOADS
from tests.render.test_maps_browser import ARTIFACTS, Watch
from tests.support.browser import launch_chromium

pytestmark = pytest.mark.browser

T = TypeVar("T")


class Chromium:
    """One headless Chromium, driven from one worker thread."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._playwright, self.browser = self._pool.submit(self._start).result()

    @staticmethod
    def _start() -> tuple[Playwright, Browser]:
        playwright = sync_playwright().start()
        try:
            return playwright, launch_chromium(playwright)
        except BaseException:
            playwright.stop()
            raise

    def run(
        self,
        body: Callable[[Page], T],
        *,
        width: int = 1280,
        height: int = 800,
        phone: bool = False,
    ) -> T:
        """Run ``body`` on a fresh page (a new context: no state shared with other tests)."""

        def task() -> T:
            context = self.browser.new_context(
                viewport={"width": width, "height": height},
                device_scale_factor=2 if phone else 1,
                is_mobile=phone,
            )
            try:
                return body(context.new_page())
            finally:
                context.close()

        return self._pool.submit(task).result()

    def close(self) -> None:
        def stop() -> None:
            self.browser.close()
            self._playwright.stop()

        self._pool.submit(stop).result()
        self._pool.shutdown()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    browser = Chromium()
    try:
        yield browser
    finally:
        browser.close()


def watch(page: Page) -> Watch:
    """Record console errors, page errors, requests and dialogs from now on."""
    seen = Watch()
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.on("request", lambda r: seen.requests.append(r.url))

    def on_dialog(dialog: Any) -> None:
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


@pytest.fixture(scope="module")
def demo_report() -> GapReport:
    return run_gaps(Project(workspace=Path("/nonexistent-workspace")).open())


@pytest.fixture(scope="module")
def hostile_report() -> GapReport:
    return run_gaps(xss_store())


def open_page(page: Page, path: Path) -> Watch:
    seen = watch(page)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return seen


def test_report_loads_offline_without_errors(
    chromium: Chromium, tmp_path: Path, demo_report: GapReport
) -> None:
    path = tmp_path / "gaps.html"
    write_html(path, to_html(demo_report, "National gap analysis"))

    def check(page: Page) -> None:
        seen = open_page(page, path)
        assert page.locator("li.hit").count() == len(demo_report.hits)
        assert page.locator("svg.pcr-heatmap").count() == 3
        # the heatmaps are drawn: their cells have a size on the page
        box = page.locator("svg.pcr-heatmap rect").nth(3).bounding_box()
        assert box is not None and box["width"] > 20 and box["height"] > 20
        page.click("nav >> text=Planning table")
        assert page.url.endswith("#planning")
        seen.assert_clean()
        assert seen.requests == [path.as_uri()]  # nothing else was fetched, not even an icon

    chromium.run(check)


@pytest.mark.slow
def test_hostile_names_fire_no_dialog(
    chromium: Chromium, tmp_path: Path, hostile_report: GapReport
) -> None:
    path = tmp_path / "hostile.html"
    write_html(path, to_html(hostile_report, XSS_PAYLOADS[0]))

    def check(page: Page) -> None:
        seen = open_page(page, path)
        # Hover what a payload might hide behind, and the hits themselves.
        for item in page.locator("summary, li.hit, td").all()[:40]:
            item.hover()
        page.wait_for_timeout(200)
        assert page.evaluate("document.querySelectorAll('script, iframe, img').length") == 0
        assert page.title() == XSS_PAYLOADS[0]
        assert XSS_PAYLOADS[1] in page.inner_text("main")
        seen.assert_clean()

    chromium.run(check)


@pytest.mark.parametrize("which", ["demo", "hostile"])
def test_no_horizontal_scroll_on_a_phone(
    chromium: Chromium,
    tmp_path: Path,
    demo_report: GapReport,
    hostile_report: GapReport,
    which: str,
) -> None:
    report = demo_report if which == "demo" else hostile_report
    path = tmp_path / f"{which}.html"
    write_html(path, to_html(report))

    def check(page: Page) -> None:
        seen = open_page(page, path)
        widths = page.evaluate(
            """() => ({
              doc: document.documentElement.scrollWidth,
              body: document.body.scrollWidth,
              inner: window.innerWidth,
              widest: Math.max(...Array.from(document.querySelectorAll('main > section > *'))
                .map(e => e.getBoundingClientRect().right)),
            })"""
        )
        assert widths["inner"] == 390
        assert widths["doc"] <= 390 and widths["body"] <= 390, widths
        assert widths["widest"] <= 390, widths
        # wide content (the matrix, the heatmap) scrolls inside its own box instead
        assert page.locator(".scroll").count() > 0
        if which == "demo":
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "gaps-phone.png"))
        seen.assert_clean()

    chromium.run(check, width=390, height=844, phone=True)


def test_standalone_heatmap_opens_offline(
    chromium: Chromium, tmp_path: Path, demo_report: GapReport
) -> None:
    matrix = next(iter(demo_report.sector_links.values()))
    path = tmp_path / "heatmap.svg"
    path.write_text(heatmap_svg(matrix), encoding="utf-8")

    def check(page: Page) -> None:
        seen = open_page(page, path)
        assert page.locator("rect").count() > len(matrix.sectors) ** 2
        seen.assert_clean()

    chromium.run(check)


def test_overview_draws_every_area_and_crossing(
    chromium: Chromium, tmp_path: Path, demo_report: GapReport
) -> None:
    store = Project(workspace=Path("/nonexistent-workspace")).open()
    overview = overview_map(store, demo_report, report_href="gaps.html")
    path = tmp_path / "overview.html"
    write_html(path, render_overview_html(overview))

    def check(page: Page) -> None:
        seen = open_page(page, path)
        page.wait_for_function("window.pcrReady === true", timeout=30_000)
        nodes, edges = page.evaluate(
            "[pcrNetwork.body.nodeIndices.slice(), pcrNetwork.body.edgeIndices.slice()]"
        )
        assert set(nodes) == {a.id for a in overview.areas} and len(nodes) == 3
        assert len(edges) == len(overview.edges) == 2
        ranked = page.locator("ol.overview li .name").all_inner_texts()
        assert ranked[0] == "Thrushcombe and Lowfen (fictional)"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "overview.png"))
        seen.assert_clean()

    chromium.run(check)


@pytest.mark.slow
def test_overview_with_hostile_names_is_inert(chromium: Chromium, tmp_path: Path) -> None:
    areas = tuple(
        OverviewArea(f"urn:area:{i}", payload, providers=i, score=i * 3, href=f"{payload}.html")
        for i, payload in enumerate(XSS_PAYLOADS)
    )
    edges = (OverviewEdge("urn:area:0", "urn:area:1", tuple(XSS_PAYLOADS)),)
    path = tmp_path / "overview.html"
    write_html(
        path,
        render_overview_html(
            Overview(
                XSS_PAYLOADS[2], XSS_PAYLOADS[1], areas, edges, XSS_PAYLOADS[4], XSS_PAYLOADS[3]
            )
        ),
    )

    def check(page: Page) -> None:
        seen = open_page(page, path)
        page.wait_for_function("window.pcrReady === true", timeout=30_000)
        page.fill("#pcr-q", XSS_PAYLOADS[0])
        page.press("#pcr-q", "Enter")
        page.wait_for_timeout(300)
        assert XSS_PAYLOADS[0] in page.inner_text("#pcr-details")
        assert page.title() == XSS_PAYLOADS[2]
        seen.assert_clean()

    chromium.run(check)


@pytest.mark.slow
def test_index_links_reach_every_new_page(chromium: Chromium, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_build(Project(workspace=Path("/nonexistent-workspace")), out) == 0

    def check(page: Page) -> None:
        seen = open_page(page, out / "index.html")
        for text, ready in (
            ("Gap report (HTML", "li.hit"),
            ("National overview map", "#pcr-map canvas"),
        ):
            with page.expect_navigation():
                page.click(f"text={text}")
            page.wait_for_selector(ready)
            page.go_back()
        with page.expect_navigation():
            page.locator("a", has_text="heatmap").first.click()
        assert page.url.endswith("-heatmap.svg")
        assert page.locator("rect").count() > 10
        seen.assert_clean()

    chromium.run(check)
