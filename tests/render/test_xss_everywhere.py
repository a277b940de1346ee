"""Hostile names in every text field, through every HTML output, in real Chromium.

A workbook whose every name, title, quote and note is an XSS payload is imported and the
main job draws everything (maps, heatmaps, overview, index, HTML report). Each page opens in
Chromium with no dialog and no request leaving file://, and no payload appears unescaped.
The same workbook then goes spreadsheet → graph → export → graph and keeps every row.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from pcr_graph.app.build import run_build
from pcr_graph.core.namespaces import PCR
from pcr_graph.ingest.workbook import import_workbook
from pcr_graph.share.export import export
from pcr_graph.store.engines import open_store
from pcr_graph.store.project import Project
from pcr_graph.store.turtle import write_turtle
from tests.conftest import record_cases
from tests.support.corpus import XSS_PAYLOADS

RAW_MARKERS = (
    "<script>alert",
    "<img src=x",
    "<svg onload",
    "<iframe",
    "<body onload",
    "' onmouseover='",
)


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def hostile_workbook(folder: Path) -> Path:
    folder.mkdir(parents=True)
    p = XSS_PAYLOADS
    n = len(p)
    files = {
        "areas.csv": _csv(["area_id", "name"], [["x-area", f"{p[0]} Vale (fictional)"]]),
        "evidence.csv": _csv(
            ["evidence_id", "title", "publisher", "date", "quote"],
            [[f"E{i}", p[i], p[(i + 1) % n], "2020-10-01", p[(i + 2) % n]] for i in range(n)],
        ),
        "providers.csv": _csv(
            ["provider_id", "name", "sector", "area", "notes"],
            [
                [f"p{i}", f"{p[i]} {i}", sector, "x-area", p[(i + 3) % n]]
                for i, sector in enumerate(
                    [
                        "acute-trust",
                        "care-home",
                        "gp-practice",
                        "voluntary-sector",
                        "hospice",
                        "domiciliary-care",
                        "ambulance",
                        "local-authority",
                        "mental-health",
                        "education",
                        "nhs-111",
                        "community-health",
                    ]
                )
            ],
        ),
        "forums.csv": _csv(
            ["forum_id", "name", "area", "kind"], [["f1", p[4], "x-area", "ics-board"]]
        ),
        "memberships.csv": _csv(
            ["forum_id", "provider_id", "role"], [["f1", "p0", p[5]], ["f1", "p2", p[6]]]
        ),
        "links.csv": _csv(
            ["link_id", "type", "participants", "area", "evidence", "notes"],
            [
                [
                    f"L{i}",
                    "mutual-aid" if i % 2 else "information-sharing",
                    f"p{i};p{(i + 1) % 12}",
                    "x-area",
                    f"E{i % n}",
                    p[(i + 7) % n],
                ]
                for i in range(11)
            ],
        ),
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("xss")
    workspace = base / "ws"
    result = import_workbook(hostile_workbook(base / "hostile"), name="hostile", fictional=True)
    write_turtle(result.graph, workspace / "imports" / "hostile.ttl")
    assert run_build(Project(workspace=workspace, include_demo=False), base / "out") == 0
    return base / "out"


def test_no_payload_appears_unescaped(built: Path) -> None:
    pages = sorted(built.rglob("*.html")) + sorted(built.rglob("*.svg"))
    assert len(pages) >= 5  # index, overview, report, one map, one heatmap
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for marker in RAW_MARKERS:
            assert marker not in text, f"{page.name}: raw {marker!r}"
        record_cases("xss payload renderings", len(XSS_PAYLOADS))


@pytest.mark.slow
@pytest.mark.browser
def test_every_page_is_inert_in_chromium(built: Path, chromium_page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(chromium_page, Page)
    page = chromium_page
    dialogs: list[str] = []
    outside: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith(("file://", "data:", "about:")) else outside.append(r.url)
        ),
    )
    for html in sorted(built.rglob("*.html")):
        page.goto(html.as_uri())
        page.wait_for_timeout(300)
        assert page.locator("img[onerror], svg[onload], iframe, body[onload]").count() == 0
    assert dialogs == [] and outside == []


def test_spreadsheet_to_graph_to_export_keeps_every_row(tmp_path: Path) -> None:
    folder = hostile_workbook(tmp_path / "wb")
    graph = import_workbook(folder, name="wb").graph
    path = tmp_path / "graph.ttl"
    write_turtle(graph, path)
    store = open_store([path])
    for fmt, name in (("turtle", "x.ttl"), ("nt", "x.nt"), ("jsonld", "x.jsonld")):
        export(store, fmt, tmp_path / name)
        again = Graph().parse(
            tmp_path / name, format={"turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt]
        )
        assert isomorphic(again, graph), f"{fmt} lost triples"
        assert len(set(again.subjects(RDF.type, PCR.Provider))) == 12
        assert len(set(again.subjects(RDF.type, PCR.CollaborationLink))) == 11
        assert len(set(again.subjects(RDF.type, PCR.Evidence))) == len(XSS_PAYLOADS)
