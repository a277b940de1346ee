"""The reports people act on: golden rule results, safe parameters, md/json/html, the main job.

Golden files: ``tests/golden/<rule>.csv`` holds each gap rule's rows (and the planning-table
matrix's) on the small fictional graph ``tests/golden/fixture.ttl`` (imported from
``tests/golden/workbook/``). They are compared, never rewritten, unless the run is asked to
regenerate them with ``PCR_GRAPH_REGEN_GOLDEN=1``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from pcr_graph.analysis.gaps import (
    PLANNING_STATUSES,
    RANKING_RULE,
    GapReport,
    Hit,
    Rule,
    gap_rules,
    run_gaps,
)
from pcr_graph.analysis.queries import NamedQuery, find_query, library, resolve_area, run_named
from pcr_graph.app.build import run_build
from pcr_graph.cli.commands import main
from pcr_graph.core.errors import UsageError
from pcr_graph.core.namespaces import PCR
from pcr_graph.core.resources import graph_dir, ontology_files
from pcr_graph.render.report_html import to_html
from pcr_graph.render.report_text import REPORT_FORMATS, format_report
from pcr_graph.store.engines import Store, Table, open_store
from pcr_graph.store.project import Project
from tests.render.test_maps import XSS_PAYLOADS

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parents[1] / "golden"
FIXTURE = GOLDEN / "fixture.ttl"
REGENERATE = os.environ.get("PCR_GRAPH_REGEN_GOLDEN") == "1"
G = "https://w3id.org/pcr-graph/id/wb/golden/"
NP, QH = URIRef(G + "area/np"), URIRef(G + "area/qh")

# Every character with meaning in HTML; a payload containing one must never appear raw.
MARKUP = re.compile("[<>\"'\u2028\u2029]")


def fixture_files() -> list[Path]:
    """The small golden graph and what its queries need: vocabularies, findings, profile."""
    return [
        *ontology_files(),
        graph_dir() / "findings.ttl",
        graph_dir() / "profile-default.ttl",
        FIXTURE,
    ]


@pytest.fixture(scope="module")
def fixture_store() -> Store:
    return open_store(fixture_files(), "oxigraph")


@pytest.fixture(scope="module")
def demo_store() -> Store:
    return Project(workspace=Path("/nonexistent-workspace")).open()


@pytest.fixture(scope="module")
def demo_report(demo_store: Store) -> GapReport:
    return run_gaps(demo_store)


# ------------------------------------------------------------------------------------
# Golden results, one file per rule


GOLDEN_QUERIES = [q for q in library() if q.family == "gap"] + [find_query("planning-table-matrix")]


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([row[c] for c in table.columns] for row in table.strings())
    return out.getvalue()


@pytest.mark.parametrize("query", GOLDEN_QUERIES, ids=[q.name for q in GOLDEN_QUERIES])
def test_rule_matches_its_golden_result(query: NamedQuery, fixture_store: Store) -> None:
    result = run_named(fixture_store, query)
    assert isinstance(result, Table)
    text = table_csv(result)
    golden = GOLDEN / f"{query.name}.csv"
    if REGENERATE:
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"{golden} missing: run with PCR_GRAPH_REGEN_GOLDEN=1 and review it"
    assert text == golden.read_text(encoding="utf-8"), (
        f"{query.name} differs from {golden.name}; if the change is intended, regenerate with "
        "PCR_GRAPH_REGEN_GOLDEN=1 and review the diff"
    )
    # The fixture is designed so every rule fires: an empty golden file would prove nothing.
    # Rules over the published PCN register are the exception: a fictional workbook holds no
    # register (and must not), so they must find nothing here; they are tested against the
    # real ODS files in tests/ingest/test_registries_pcn.py.
    tags = {t.strip() for t in query.header.get("tags", "").split(",")}
    assert len(result) == 0 if "register" in tags else len(result) >= 1


@pytest.mark.slow
def test_hits_without_evidence_lines_are_the_same_hits(demo_store: Store) -> None:
    # what-if and diff show no evidence: run_gaps(evidence_lines=False) skips reading it and
    # changes nothing else.
    full = run_gaps(demo_store, context=False)
    bare = run_gaps(demo_store, context=False, evidence_lines=False)
    assert any(h.evidence for h in full.hits) and not any(h.evidence for h in bare.hits)
    assert [dataclasses.replace(h, evidence=()) for h in full.hits] == bare.hits
    assert (bare.areas, bare.uncovered, bare.data_only) == (
        full.areas,
        full.uncovered,
        full.data_only,
    )


def test_golden_fixture_is_fictional_and_the_reference_engine_agrees(
    fixture_store: Store,
) -> None:
    graph = Graph().parse(FIXTURE)
    labelled = set(graph.subjects(SKOS.prefLabel, None))
    fictional = set(graph.subjects(PCR.fictional, Literal(True)))
    for kind in (PCR.Area, PCR.Provider, PCR.PlanningForum, PCR.CollaborationLink):
        for subject in graph.subjects(None, kind):
            assert subject in fictional
    assert all("(fictional)" in str(graph.value(s, SKOS.prefLabel)) for s in labelled & fictional)
    reference = open_store(fixture_files(), "rdflib")
    assert run_gaps(reference).hits == run_gaps(fixture_store).hits


def test_golden_files_have_no_strays() -> None:
    names = {q.name for q in GOLDEN_QUERIES}
    assert {p.stem for p in GOLDEN.glob("*.csv")} == names


# ------------------------------------------------------------------------------------
# Parameters cannot change a query


INJECTIONS = [
    '"',
    "'",
    '" } UNION { ?s ?p ?o } #',
    "' } UNION { ?s ?p ?o } #",
    "}",
    "{ ?s ?p ?o }",
    "# comment",
    "2020-03-01\n} UNION { ?s ?p ?o",
    "2020-03-01 # } ",
    '2020-03-01"^^xsd:date } UNION { ?s ?p ?o',
    "UNION",
    "} UNION { ?x a pcr:Provider }",
    "SERVICE <http://example.org/sparql> { ?s ?p ?o }",
    '"""',
    '""" } UNION { ?s ?p ?o } """',
    "\\u0022 } UNION { ?s ?p ?o",
    "\\u003E",
    ">",
    "<https://w3id.org/pcr-graph/id/wb/golden/area/np>",
    "https://w3id.org/pcr-graph/id/wb/golden/area/np> . ?s ?p ?o",
    'https://example.org/x" } UNION { ?s ?p ?o',
    "http://a b",
    "urn:x>",
    "np\u0000",
    "np\n",
    "?area",
    "$area",
    "VALUES ?area { <urn:x> }",
    "\\",
    "np; DROP ALL",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "",
]


@pytest.fixture(scope="module")
def stale_baseline(fixture_store: Store) -> list[Hit]:
    return run_gaps(fixture_store, rules=["stale-evidence"], context=False).hits


@pytest.mark.parametrize("payload", INJECTIONS)
def test_before_parameter_injection_changes_nothing(
    payload: str, fixture_store: Store, stale_baseline: list[Hit]
) -> None:
    size = len(fixture_store)
    with pytest.raises(UsageError, match=r"parameter 'before': not a date") as error:
        run_gaps(fixture_store, rules=["stale-evidence"], params={"before": payload})
    assert "\n" not in str(error.value).replace(repr(payload), "")
    assert len(fixture_store) == size
    assert run_gaps(fixture_store, rules=["stale-evidence"], context=False).hits == stale_baseline
    # A real date is just a date: the day after every piece of evidence makes all of it stale.
    later = run_gaps(
        fixture_store, rules=["stale-evidence"], params={"before": "2021-01-01"}, context=False
    )
    assert len(later.hits) == 9 > len(stale_baseline) == 1


@pytest.mark.parametrize("payload", INJECTIONS)
def test_area_value_injection_is_a_clean_usage_error(payload: str, fixture_store: Store) -> None:
    size = len(fixture_store)
    # Surrounding white space is forgiven ("np\n" is the area np); anything else is refused.
    if payload.strip() in ("np", "qh"):
        assert resolve_area(fixture_store, payload) == URIRef(G + "area/" + payload.strip())
    else:
        with pytest.raises(UsageError, match="area"):
            resolve_area(fixture_store, payload)
        with pytest.raises(UsageError, match="area"):
            run_named(fixture_store, find_query("providers-in-area"), {"area": payload})
    with pytest.raises(UsageError, match="area"):
        run_gaps(fixture_store, areas=[URIRef(payload)], context=False)
    assert len(fixture_store) == size


@pytest.mark.parametrize("payload", INJECTIONS)
def test_string_value_is_only_ever_a_literal(
    payload: str, fixture_store: Store, tmp_path: Path
) -> None:
    query = tmp_path / "by-name.rq"
    query.write_text(
        "#+ summary: providers with exactly this name\n#+ tags: listing\n"
        "#+ param: name string required - the name\n"
        "SELECT ?provider ?name WHERE { ?provider a pcr:Provider ; skos:prefLabel ?label . "
        "FILTER (STR(?label) = ?name) } ORDER BY ?provider",
        encoding="utf-8",
    )
    result = run_named(fixture_store, find_query(str(query)), {"name": payload})
    assert isinstance(result, Table) and len(result) == 0
    found = run_named(
        fixture_store, find_query(str(query)), {"name": "Heath Road Surgery (fictional)"}
    )
    assert isinstance(found, Table) and len(found) == 1


def test_cli_injection_gives_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    workspace = ["--workspace", str(tmp_path / "ws")]
    for args in (
        ["gaps", "-p", "before", '2020-03-01" } UNION { ?s ?p ?o'],
        ["gaps", "--area", '" } UNION { ?s ?p ?o } #'],
        ["query", "providers-in-area", "-p", "area", "SERVICE <http://x> { ?s ?p ?o }"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main([*workspace, *args])
        _out, err = capsys.readouterr()
        assert exit_info.value.code == 2
        assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


# ------------------------------------------------------------------------------------
# The README keeps listing every rule


def readme_rule_rows() -> dict[str, list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Gap rules\n(.*?)(?=^## )", text, re.S | re.M)
    assert match, "README.md has no '## Gap rules' section"
    rows = {}
    for line in match.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_readme_lists_every_gap_rule_with_its_summary() -> None:
    rows = readme_rule_rows()
    rules = gap_rules()
    assert sorted(rows) == sorted(q.name for q in rules)
    for rule in rules:
        severity, theme, summary = rows[rule.name]
        assert severity == rule.header["severity"], rule.name
        assert theme == rule.header["theme"], rule.name
        assert rule.summary in summary, f"{rule.name}: README summary differs from the .rq"


# ------------------------------------------------------------------------------------
# Ranking and the planning-table matrix


def _hit(area: str, severity: str, n: int) -> Hit:
    return Hit(f"r{n}", severity, "t", area, area.upper(), (), "x")


def test_ranking_weights_severity_and_breaks_ties_by_name() -> None:
    hits = [_hit("a", "high", 1), _hit("b", "medium", 2), _hit("b", "low", 3)]
    hits += [_hit("c", "low", 4), _hit("c", "low", 5), _hit("c", "low", 6)]
    rules = [Rule("r", "s", "high", "t", None)]
    report = GapReport(rules, hits, [("a", "Zed"), ("b", "Bee"), ("c", "Cee"), ("d", "Dee")])
    ranking = report.ranking()
    # a: 3, b: 2 + 1 = 3, c: 3 × 1 = 3 -> a three-way tie, ordered by name; d has none.
    assert [(r.rank, r.label, r.score) for r in ranking] == [
        (1, "Bee", 3),
        (2, "Cee", 3),
        (3, "Zed", 3),
        (4, "Dee", 0),
    ]
    assert (ranking[0].high, ranking[0].medium, ranking[0].low) == (0, 1, 1)


def test_planning_matrix_agrees_with_the_planning_rules(demo_report: GapReport) -> None:
    missing = {
        (h.area, s.iri)
        for h in demo_report.hits
        if h.rule == "sector-missing-from-planning"
        for s in h.subjects
    }
    no_forum = {h.area for h in demo_report.hits if h.rule == "area-without-planning-forum"}
    cells = demo_report.planning
    assert {c.status for c in cells} == set(PLANNING_STATUSES)
    assert {(c.area, c.sector) for c in cells if c.status == "missing"} == missing
    assert {c.area for c in cells if c.status == "no forum"} == no_forum
    sectors = demo_report.planning_sectors()
    assert len(cells) == len(sectors) * len(demo_report.areas) == 27
    assert all(c.members > 0 for c in cells if c.status == "present")


def test_area_filter_binds_the_planning_query(demo_store: Store, demo_report: GapReport) -> None:
    area = URIRef(demo_report.areas[0][0])
    one = run_gaps(demo_store, areas=[area])
    assert one.planning == [c for c in demo_report.planning if c.area == str(area)]
    assert list(one.sector_links) == [str(area)]


def test_json_keeps_its_keys_and_adds_ranking_and_matrix(demo_report: GapReport) -> None:
    data = json.loads(format_report(demo_report, "json"))
    assert {"rules", "areas", "uncovered_reference_areas", "notes", "hits"} <= set(data)
    ranking = data["ranking"]
    assert ranking["rule"] == RANKING_RULE and ranking["weights"] == {
        "high": 3,
        "medium": 2,
        "low": 1,
    }
    assert [a["label"] for a in ranking["areas"]] == [
        "Thrushcombe and Lowfen (fictional)",
        "Marrowby and Saltings Health Partnership (fictional)",
        "Wyndle Vale Health and Care Partnership (fictional)",
    ]
    assert [a["score"] for a in ranking["areas"]] == [58, 32, 5]
    matrix = data["planning_matrix"]
    assert matrix["statuses"] == list(PLANNING_STATUSES)
    assert len(matrix["cells"]) == 27 and len(matrix["sectors"]) == 9
    assert {"area", "sector", "status", "members", "forums"} <= set(matrix["cells"][0])
    assert {m["label"] for m in data["sector_links"]} == {a["label"] for a in data["areas"]}


def test_markdown_states_the_ranking_and_shows_the_matrix(demo_report: GapReport) -> None:
    md = format_report(demo_report, "md")
    assert "## Ranking" in md and RANKING_RULE in md
    assert "| 1 | Thrushcombe and Lowfen (fictional) | 58 | 8 | 16 | 2 |" in md
    planning = md.split("## Planning table")[1].split("\n## ")[0]
    row = next(line for line in planning.splitlines() if line.startswith("| Voluntary sector"))
    assert row == "| Voluntary sector | ✗ missing | – no forum | ✓ present |"
    assert "By theme: " in md


# ------------------------------------------------------------------------------------
# The HTML report


class Markup(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


REPORT_TAGS = {
    "html", "head", "meta", "title", "link", "style", "body", "header", "h1", "h2", "h3", "p",
    "nav", "ul", "ol", "li", "a", "main", "section", "div", "table", "thead", "tbody", "tr",
    "th", "td", "span", "strong", "small", "em", "code", "details", "summary", "dl", "dt",
    "dd", "blockquote", "cite", "figure", "figcaption", "footer", "svg", "desc",
    "rect", "text", "g",
}  # fmt: skip


def parse(page: str) -> Markup:
    markup = Markup()
    markup.feed(page)
    markup.close()
    return markup


def assert_offline_and_inert(page: str) -> None:
    markup = parse(page)
    tags = {tag for tag, _ in markup.tags}
    assert tags <= REPORT_TAGS, tags - REPORT_TAGS
    for tag, attrs in markup.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "src" not in attrs and "style" not in attrs
        href = attrs.get("href")
        if href is not None and tag == "a":
            assert href.startswith("#"), href  # only anchors inside the page
    assert "content=\"default-src 'none';" in page
    assert re.search(r"""(?:src|href|url)\s*[=(]\s*["']?\s*(?:https?:|//)""", page) is None
    assert "<script" not in page.lower()


def test_html_report_is_listed_and_holds_every_part(demo_report: GapReport) -> None:
    assert "html" in REPORT_FORMATS
    page = format_report(demo_report, "html", "National gap analysis")
    assert page.startswith("<!DOCTYPE html>") and '<meta name="viewport"' in page
    assert_offline_and_inert(page)
    text = " ".join(parse(page).text)
    assert RANKING_RULE in text
    for _iri, label in demo_report.areas:
        assert label in text
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="pcr-heatmap"') == 3
    assert page.count('<li class="hit">') == len(demo_report.hits) == 42
    # by severity and by theme, for every area
    assert page.count('class="by-severity"') == page.count('class="by-theme"') == 3
    for hit in demo_report.hits:
        assert hit.explanation.replace("&", "&amp;").replace("'", "&#x27;") in page
    quote = "There was a lack of integration of adult social care providers"
    assert quote in text and "Collaborating for better care" in text
    assert "✗ missing" in text and "no forum" in text and "present (" in text


def test_each_hit_names_rule_severity_theme_area_subjects_evidence_and_finding(
    fixture_store: Store,
) -> None:
    report = run_gaps(fixture_store, rules=["care-home-without-discharge-link"])
    page = to_html(report)
    hit = page.split('<li class="hit">')[1].split("</li></ul></dd><dt>Echoes")[0]
    for expected in (
        "<dt>Rule</dt><dd><code>care-home-without-discharge-link</code>",
        '<dt>Severity</dt><dd><span class="sev high">high</span>',
        "<dt>Theme</dt><dd>Ensuring access</dd>",
        "<dt>Area</dt><dd>Nettlepool Care Partnership (fictional)</dd>",
        "<li>Provider: St Ives&#x27; Lodge (fictional)</li>",
        "<dt>Evidence considered</dt><dd><ul><li>no collaboration link recorded for this provider",
    ):
        assert expected in hit
    echoes = page.split("<dt>Echoes</dt>")[1].split("</dd>")[0]
    assert "<blockquote>“" in echoes and "<cite>(Collaborating for better care, " in echoes


def xss_store() -> Store:
    """The golden graph with every name, title, quote and id replaced by an XSS payload."""
    graph = Graph()
    for path in fixture_files():
        graph.parse(path)
    sectors = {s for s in graph.subjects(SKOS.notation, None) if "/def/sector/" in str(s)}
    count = 0
    for prop in (SKOS.prefLabel, DCTERMS.title, PCR.quote, DCTERMS.identifier):
        for subject, _p, _o in sorted(graph.triples((None, prop, None))):
            if not (str(subject).startswith(G) or subject in sectors):
                continue
            if prop == DCTERMS.identifier and "/area/" in str(subject):
                continue  # areas keep their ids, so --area still finds them
            graph.remove((subject, prop, None))
            graph.add(
                (subject, prop, Literal(f"{XSS_PAYLOADS[count % len(XSS_PAYLOADS)]} #{count}"))
            )
            count += 1
    store = open_store([], "oxigraph")
    store.load(graph.serialize(format="nt"), "nt", "xss")
    return store


@pytest.fixture(scope="module")
def xss_report() -> GapReport:
    return run_gaps(xss_store())


def test_html_report_escapes_hostile_names(xss_report: GapReport) -> None:
    page = to_html(xss_report, XSS_PAYLOADS[0])
    assert_offline_and_inert(page)
    for payload in XSS_PAYLOADS:
        if MARKUP.search(payload):
            assert payload not in page, payload
    text = "".join(parse(page).text)
    assert XSS_PAYLOADS[1] in text  # shown, as text
    assert len(xss_report.hits) == 32


def test_markdown_and_csv_keep_hostile_names_inert(xss_report: GapReport) -> None:
    md = format_report(xss_report, "md")
    for payload in XSS_PAYLOADS:
        if "<" in payload:
            assert payload not in md
    rows = list(csv.reader(io.StringIO(format_report(xss_report, "csv"))))
    assert len(rows) == len(xss_report.hits) + 1


def test_html_report_is_byte_identical_across_runs(demo_report: GapReport) -> None:
    again = run_gaps(Project(workspace=Path("/nonexistent-workspace")).open())
    assert to_html(again) == to_html(demo_report)
    assert format_report(again, "json") == format_report(demo_report, "json")


def test_html_report_with_no_data(tmp_path: Path) -> None:
    report = run_gaps(Project(workspace=tmp_path, include_demo=False).open())
    page = to_html(report)
    assert_offline_and_inert(page)
    assert "No area has provider or collaboration data loaded." in page


def test_cli_html_format_and_fail_on(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = ["--workspace", str(tmp_path / "ws"), "gaps", "--format", "html", "--fail-on", "high"]
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    assert exit_info.value.code == 1 and "gap(s) at high or worse" in err
    assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    with pytest.raises(SystemExit) as exit_info:
        main([*args[:-2], "-o", str(tmp_path / "gaps.html")])
    assert exit_info.value.code == 0
    assert (tmp_path / "gaps.html").read_text(encoding="utf-8") == out


# ------------------------------------------------------------------------------------
# The main job


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("build") / "out"
    assert run_build(Project(workspace=Path("/nonexistent-workspace")), out) == 0
    yield out


def test_build_writes_every_report_heatmap_and_the_overview(built: Path) -> None:
    files = sorted(str(p.relative_to(built)) for p in built.rglob("*") if p.is_file())
    assert files == [
        "gaps.csv",
        "gaps.html",
        "gaps.json",
        "gaps.md",
        "graph.ttl",
        "index.html",
        "maps/mb-heatmap.svg",
        "maps/mb.html",
        "maps/tl-heatmap.svg",
        "maps/tl.html",
        "maps/wv-heatmap.svg",
        "maps/wv.html",
        "overview.html",
    ]
    rows = list(csv.DictReader(io.StringIO((built / "gaps.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 42
    index = (built / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]+)"', index)
    for needed in ("gaps.html", "overview.html", "maps/tl-heatmap.svg", "maps/tl.html"):
        assert needed in hrefs
    for href in hrefs:
        if not href.startswith("data:"):
            assert (built / href).is_file(), href


def test_build_is_byte_identical(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert run_build(Project(workspace=Path("/nonexistent-workspace")), again) == 0
    for path in built.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (again / path.relative_to(built)).read_bytes(), path


def test_overview_joins_areas_by_cross_border_links(fixture_store: Store) -> None:
    from pcr_graph.render.mapdata import overview_map

    report = run_gaps(fixture_store)
    overview = overview_map(fixture_store, report, {str(NP): "maps/np.html"})
    assert [a.id for a in overview.areas] == [str(NP), str(QH)]
    np_area = overview.areas[0]
    # 9 high, 7 medium and 2 low hits
    assert (np_area.providers, np_area.score, np_area.href) == (10, 43, "maps/np.html")
    assert overview.subtitle.startswith("Fictional")
    (edge,) = overview.edges
    assert (edge.source, edge.target) == (str(NP), str(QH))
    # G08: an np trust in a qh link; G09: recorded for both areas. G01–G07 stay at home.
    assert [line.split(":")[0] for line in edge.links] == [
        "Joint planning link G08",
        "Information sharing link G09",
    ]


def test_overview_counts_each_areas_providers_and_links(fixture_store: Store) -> None:
    from pcr_graph.render.mapdata import overview_map

    overview = overview_map(fixture_store, run_gaps(fixture_store))
    for area in overview.areas:
        counted = {}
        for name, pattern in (
            ("providers", "?x a pcr:Provider ; pcr:operatesIn ?area"),
            ("links", "?x a pcr:CollaborationLink ; pcr:area ?area"),
        ):
            table = fixture_store.select(
                f"SELECT ?area (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }} GROUP BY ?area "
                "ORDER BY ?area",
                {"area": URIRef(area.id)},
            )
            counted[name] = int(table.strings()[0]["n"]) if table.rows else 0
        assert (area.providers, area.links) == (counted["providers"], counted["links"])
    assert sum(a.links for a in overview.areas) > 0


def test_overview_page_is_offline_escaped_and_stable(fixture_store: Store) -> None:
    from pcr_graph.render.mapdata import overview_map
    from pcr_graph.render.maps import (
        Overview,
        OverviewArea,
        OverviewEdge,
        render_overview_html,
    )

    page = render_overview_html(overview_map(fixture_store, run_gaps(fixture_store)))
    assert page == render_overview_html(overview_map(fixture_store, run_gaps(fixture_store)))
    assert "default-src &#x27;none&#x27;" in page and "connect-src &#x27;none&#x27;" in page
    assert re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//)""", page) is None
    assert "Quillhaven &amp; Moss (fictional)" in page
    areas = tuple(
        OverviewArea(f"urn:a:{i}", p, providers=i, score=i, href=f"{p}.html")
        for i, p in enumerate(XSS_PAYLOADS)
    )
    hostile = render_overview_html(
        Overview(
            XSS_PAYLOADS[0],
            XSS_PAYLOADS[1],
            areas,
            (OverviewEdge("urn:a:0", "urn:a:2", tuple(XSS_PAYLOADS)),),
            XSS_PAYLOADS[5],
            XSS_PAYLOADS[6],
        )
    )
    for payload in XSS_PAYLOADS:
        if MARKUP.search(payload):
            assert payload not in hostile, payload
    with pytest.raises(ValueError, match="unknown area"):
        render_overview_html(
            Overview("t", areas=areas[:1], edges=(OverviewEdge("urn:a:0", "x", ()),))
        )


def test_html_lists_a_limited_number_of_hits_per_rule() -> None:
    from pcr_graph.render.report_html import HTML_HITS_PER_RULE, HTML_HITS_PER_RULE_DATA_ONLY

    rule = Rule("many", "Many things", "low", "use-of-technology", None)
    hits = [
        Hit("many", "low", "use-of-technology", a, a, (), f"gap {n}")
        for a in "ab"
        for n in range(120)
    ]
    report = GapReport(
        [rule], hits, [("a", "A (fictional)"), ("b", "B (fictional)")], data_only=frozenset({"b"})
    )
    page = to_html(report)
    area_a, area_b = page.split('<section id="area-1"')[1].split('<section id="area-2"')
    assert area_a.count('<li class="hit">') == HTML_HITS_PER_RULE == 100
    assert "… and 20 more hits of this rule in this area" in area_a
    assert area_b.count('<li class="hit">') == HTML_HITS_PER_RULE_DATA_ONLY == 10
    assert "… and 110 more hits" in area_b and "Registry data only" in area_b
    assert "Use of technology" in page  # the theme's label, not its notation


def test_context_can_be_skipped(fixture_store: Store) -> None:
    report = run_gaps(fixture_store, context=False)
    assert report.planning == [] and report.sector_links == {}
    assert report.hits == run_gaps(fixture_store).hits


@pytest.mark.parametrize("cited", [False, True])
def test_json_report_is_what_the_standard_library_writes(cited: bool) -> None:
    """orjson writes the report; the standard library, given the same data, writes the same
    bytes (sorted keys, two-space indent, text unescaped), on the demo and the fixture."""
    from pcr_graph.analysis.citations import cite
    from pcr_graph.analysis.gaps import run_gaps
    from pcr_graph.store.engines import open_store
    from pcr_graph.store.project import Project

    demo = Project(workspace=Path("/nonexistent-workspace")).open()
    for store in (demo, open_store(fixture_files(), "oxigraph")):
        report = run_gaps(store)
        text = (cite(store, report) if cited else report).to_json()
        again = json.dumps(json.loads(text), indent=2, ensure_ascii=False, sort_keys=True)
        assert report.hits and text == again + "\n"


def test_citations_read_for_the_hits_equal_those_read_for_every_link(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """cite() reads the evidence of the hits' links and providers only (VALUES blocks); with
    an IRI it cannot write (a blank node) it reads every link's: the same citations."""
    from pcr_graph.analysis import citations
    from pcr_graph.analysis.gaps import run_gaps
    from pcr_graph.store.engines import open_store
    from pcr_graph.store.project import Project

    demo = Project(workspace=Path("/nonexistent-workspace")).open()
    for store in (demo, open_store(fixture_files(), "oxigraph")):
        report = run_gaps(store)
        targeted = citations.cite(store, report)
        with monkeypatch.context() as patch:
            patch.setattr(citations, "writable_iri", lambda iri: False)
            everything = citations.cite(store, report)
        assert targeted.citations and targeted.citations == everything.citations
