"""Citable outputs: every report format gives the evidence behind a gap in full (title,
publisher, date, web address, quote) and each echoed finding with its source's address."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from pcr_graph.analysis.citations import CitedReport
from pcr_graph.app.tasks import gap_report
from pcr_graph.ingest.workbook import import_workbook
from pcr_graph.render.report_text import REPORT_FORMATS, format_report
from pcr_graph.store.project import Project
from pcr_graph.store.turtle import write_turtle
from tests.support.testbury import GOOD, write

E1 = (
    "Testbury discharge hub minutes (fictional)",
    "Testbury Council (fictional)",
    "2020-09-01",
    "https://example.org/testbury/e1",
    "We meet every morning to clear beds.",
)
PCR_PAGE = "https://www.cqc.org.uk/publications/themes-care/provider-collaboration-reviews"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> CitedReport:
    root = tmp_path_factory.mktemp("cite")
    project = Project(workspace=root / "ws")
    write_turtle(
        import_workbook(write(root / "tb", GOOD), name="tb").graph, project.import_path("tb")
    )
    found = gap_report(project, rules=["stale-evidence"], params={"before": "2021-01-01"})
    assert isinstance(found, CitedReport)
    return found


@pytest.mark.parametrize("fmt", REPORT_FORMATS)
def test_every_format_cites_the_evidence_in_full(report: CitedReport, fmt: str) -> None:
    text = format_report(report, fmt)
    for part in E1:
        assert part.replace("&", "&amp;") in text, (fmt, part)


def test_json_and_csv_give_citations_as_fields(report: CitedReport) -> None:
    hits = json.loads(format_report(report, "json"))["hits"]
    cited = [c for hit in hits for c in hit["citations"]]
    assert {"title": E1[0], "publisher": E1[1], "date": E1[2], "url": E1[3]}.items() <= next(
        c for c in cited if c["title"] == E1[0]
    ).items()
    rows = list(csv.DictReader(io.StringIO(format_report(report, "csv"))))
    assert any(E1[3] in row["evidence_sources"] for row in rows)


def test_html_links_the_evidence_without_loading_it(report: CitedReport) -> None:
    page = format_report(report, "html")
    assert f'<a href="{E1[3]}" rel="noopener noreferrer">' in page
    assert "<img" not in page and "<iframe" not in page


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> CitedReport:
    found = gap_report(Project(workspace=tmp_path_factory.mktemp("demo")))
    assert isinstance(found, CitedReport)
    return found


@pytest.mark.parametrize("fmt", REPORT_FORMATS)
def test_findings_carry_their_source_address(demo_report: CitedReport, fmt: str) -> None:
    assert PCR_PAGE in format_report(demo_report, fmt)


def test_a_finding_url_is_one_the_findings_file_gives(demo_report: CitedReport) -> None:
    findings = (Path(__file__).parents[2] / "graph" / "findings.ttl").read_text(encoding="utf-8")
    assert demo_report.finding_urls
    for url in demo_report.finding_urls.values():
        assert f'pcr:url "{url}"' in findings
