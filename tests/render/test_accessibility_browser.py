"""WCAG 2.2 AA, checked by axe-core (Deque's engine) in Chromium on every page a build writes.

axe-core comes from npm (pinned in package.json, installed by tools/test-deps.sh) and is
injected by Playwright. The pages forbid every script but their own (Content-Security-
Policy), so the test context bypasses the policy to let axe in; nothing else changes.
Every collapsible section is opened first, so axe sees the gap list, legend and table view.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from pcr_graph.render.maps import render_area_html, write_html
from tests.support.synthmaps import synthetic_area

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2, levels A and AA: the rule set UK public-sector bodies must meet.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module", name="build_dir")
def build_dir_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every page ``pcr-graph build`` writes for the demo."""
    from pcr_graph.app.build import run_build
    from pcr_graph.store.project import Project

    out = tmp_path_factory.mktemp("build")
    project = Project(workspace=tmp_path_factory.mktemp("workspace"))
    assert run_build(project, out) == 0
    return out


@pytest.fixture(name="axe_page")
def axe_page_fixture(chromium_browser: Browser) -> Iterator[Page]:
    if not AXE.is_file():
        pytest.fail(f"{AXE} missing: run tools/test-deps.sh (npm ci installs axe-core)")
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def axe_violations(page: Page, path: Path, tables: bool = True) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations on ``path``; ``tables``: fill the table view first
    (its markup is the same at any size, so a big map is checked without it)."""
    page.goto(path.as_uri())
    if page.evaluate("typeof window.pcrNetwork !== 'undefined'"):
        page.wait_for_function("window.pcrReady === true", timeout=60_000)
        if tables:
            page.evaluate("window.pcrTables && window.pcrTables()")
    # Opening the table view fills it; a big map's (same markup, thousands of rows) stays shut.
    selector = "details" if tables else "details:not(#pcr-table)"
    page.evaluate("(s) => document.querySelectorAll(s).forEach(d => { d.open = true; })", selector)
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    assert result["testEngine"]["name"] == "axe-core"
    assert len(result["passes"]) > 10, "axe ran its rules"
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
    ]


def pages(build_dir: Path) -> list[Path]:
    found = [build_dir / "index.html", build_dir / "overview.html", build_dir / "gaps.html"]
    found += sorted((build_dir / "maps").glob("*.html"))
    return found


def test_the_build_writes_the_pages_checked_here(build_dir: Path) -> None:
    names = {p.relative_to(build_dir).as_posix() for p in build_dir.rglob("*.html")}
    assert names == {p.relative_to(build_dir).as_posix() for p in pages(build_dir)}
    assert len(names) >= 6


@pytest.mark.parametrize(
    "name", ["index.html", "overview.html", pytest.param("gaps.html", marks=pytest.mark.slow)]
)
def test_top_pages_meet_wcag_22_aa(axe_page: Page, build_dir: Path, name: str) -> None:
    assert axe_violations(axe_page, build_dir / name) == []


@pytest.mark.slow
def test_every_demo_map_meets_wcag_22_aa(axe_page: Page, build_dir: Path) -> None:
    maps = sorted((build_dir / "maps").glob("*.html"))
    assert maps
    for path in maps:
        assert axe_violations(axe_page, path) == [], path.name


@pytest.mark.slow
def test_a_2000_provider_map_meets_wcag_22_aa(axe_page: Page, tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    write_html(path, render_area_html(synthetic_area(2000, seed=4, gaps=100)))
    assert axe_violations(axe_page, path, tables=False) == []
