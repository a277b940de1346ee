"""Sector × sector heatmaps: the counts agree with the network view; the SVG is safe and plain."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pcr_graph.analysis.network import mixing_matrix, provider_graph, sector_graph
from pcr_graph.analysis.sector_matrix import SectorMatrix, sector_matrices
from pcr_graph.render.heatmap import BINS, heatmap_svg
from pcr_graph.store.engines import Store, open_store
from pcr_graph.store.project import Project
from tests.analysis.test_gaps_report import G, fixture_files
from tests.render.test_maps import XSS_PAYLOADS

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def demo_store() -> Store:
    return Project(workspace=Path("/nonexistent-workspace")).open()


@pytest.fixture(scope="module")
def demo_matrices(demo_store: Store) -> dict[str, SectorMatrix]:
    return sector_matrices(demo_store)


def test_counts_agree_with_the_network_mixing_matrix(
    demo_store: Store, demo_matrices: dict[str, SectorMatrix]
) -> None:
    assert len(demo_matrices) == 3
    for area, matrix in demo_matrices.items():
        expected = {
            frozenset((a, b)): n for a, b, n in mixing_matrix(provider_graph(demo_store, area))
        }
        got = {frozenset((a, b)): n for a, b, n in matrix.counts}
        assert got == expected, matrix.area_label
        providers = dict(sector_graph(demo_store, area).nodes(data="providers"))
        assert {n: p for n, _label, p in matrix.sectors} == providers


def test_fixture_counts_by_hand() -> None:
    matrices = sector_matrices(open_store(fixture_files(), "oxigraph"))
    qh = matrices[G + "area/qh"]
    assert [n for n, _l, _p in qh.sectors] == [
        "acute-trust",
        "emergency-department",
        "mental-health",
        "nhs-111",
        "gp-practice",
        "domiciliary-care",
    ]
    # G07 joins two practices (the diagonal); G08 joins the np hospital (two sectors) with
    # mental health; G09 joins 111 with mental health.
    assert qh.count("gp-practice", "gp-practice") == 1
    assert (
        qh.count("mental-health", "acute-trust")
        == qh.count("emergency-department", "mental-health")
        == 1
    )
    assert qh.count("nhs-111", "mental-health") == 1
    assert qh.count("domiciliary-care", "gp-practice") == 0
    assert qh.count("acute-trust", "emergency-department") == 0  # one provider, not a link
    grid = qh.grid()
    assert grid == [list(row) for row in zip(*grid, strict=True)]  # symmetric
    assert sum(map(sum, grid)) == 1 + 2 * (1 + 1 + 1)


def test_only_the_wanted_areas(demo_store: Store, demo_matrices: dict[str, SectorMatrix]) -> None:
    first = next(iter(demo_matrices))
    assert list(sector_matrices(demo_store, [first])) == [first]


def cells(svg: str) -> list[tuple[str, str]]:
    """(fill, text) of every matrix cell."""
    root = ET.fromstring(svg)
    found = []
    for group in root.iter(SVG + "g"):
        rect, text = group.find(SVG + "rect"), group.find(SVG + "text")
        assert rect is not None and text is not None
        found.append((rect.get("fill", ""), text.text or ""))
    return found


def test_every_cell_shows_its_count_as_text(demo_matrices: dict[str, SectorMatrix]) -> None:
    for matrix in demo_matrices.values():
        svg = heatmap_svg(matrix)
        grid = matrix.grid()
        found = cells(svg)
        assert len(found) == len(matrix.sectors) ** 2
        assert [text for _fill, text in found] == [str(n) for row in grid for n in row]


def test_palette_is_binned_and_sequential() -> None:
    counts = [0, 1, 2, 3, 4, 5, 7, 8, 12, 13, 400]
    sectors = tuple((f"s{i}", f"S{i}", 1) for i in range(len(counts)))
    pairs = tuple(("s0", f"s{i}", n) for i, n in enumerate(counts) if n)
    fills = dict(
        (int(text), fill)
        for fill, text in cells(heatmap_svg(SectorMatrix("a", "A", sectors, pairs)))
    )
    expected = {0: 0, 1: 1, 2: 2, 3: 3, 4: 3, 5: 4, 7: 4, 8: 5, 12: 5, 13: 6, 400: 6}
    assert {n: fills[n] for n in counts} == {n: BINS[b][1] for n, b in expected.items()}

    # darker with every bin: the luminance of the fills falls monotonically
    def luminance(colour: str) -> float:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    shades = [luminance(fill) for _low, fill, _ink in BINS]
    assert shades == sorted(shades, reverse=True)


def test_labels_are_escaped_and_the_svg_is_inert() -> None:
    names = [*XSS_PAYLOADS, "bell\x07 and nul\x00", "\ufffe"]
    sectors = tuple((f"s{i}", name, i) for i, name in enumerate(names))
    matrix = SectorMatrix("urn:a", XSS_PAYLOADS[0], sectors, (("s0", "s1", 2),))
    svg = heatmap_svg(matrix)
    root = ET.fromstring(svg)  # well-formed XML, control characters included
    for payload in XSS_PAYLOADS:
        if re.search("[<>\"']", payload):
            assert payload not in svg
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags == {"svg", "title", "desc", "rect", "text", "g"}
    for element in root.iter():
        assert not any(name.startswith("on") or "href" in name for name in element.attrib)
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    texts = "".join(root.itertext())
    assert XSS_PAYLOADS[1][:30] in texts  # shown as text, shortened to the label width
    assert "\x07" not in svg and "\x00" not in svg


def test_same_matrix_same_bytes_and_empty_matrix(demo_matrices: dict[str, SectorMatrix]) -> None:
    matrix = next(iter(demo_matrices.values()))
    assert heatmap_svg(matrix) == heatmap_svg(matrix)
    empty = heatmap_svg(SectorMatrix("urn:a", "Nowhere (fictional)", ()))
    root = ET.fromstring(empty)
    assert "No provider of this area has a sector." in "".join(root.itertext())


def test_heatmap_has_a_visible_title_and_marks_missing_pathways(demo_store: Store) -> None:
    from pcr_graph.analysis.gaps import run_gaps
    from pcr_graph.render.heatmap import missing_pathways

    report = run_gaps(demo_store)
    marked_any = False
    for area, matrix in report.sector_links.items():
        missing = missing_pathways(report, area)
        root = ET.fromstring(heatmap_svg(matrix, missing=missing))
        first = next(root.iter(f"{SVG}text"))
        assert first.text is not None and matrix.area_label[:20] in first.text
        marked = [
            g.find(f"{SVG}title").text  # type: ignore[union-attr]
            for g in root.iter(f"{SVG}g")
            if any(r.get("stroke") == "#C00000" for r in g.iter(f"{SVG}rect"))
        ]
        present = {n for n, _l, _p in matrix.sectors}
        pairs = {(a, b) for a, b in missing if a in present and b in present}
        # Each missing pathway between two sectors on the map marks its two cells.
        assert len(marked) == sum(2 if a != b else 1 for a, b in pairs), matrix.area_label
        assert all("expected pathway with no link" in (t or "") for t in marked)
        marked_any |= bool(marked)
        hits = [h for h in report.hits if h.area == area and h.rule == "missing-pathway"]
        assert len(missing) == len({tuple(s.iri for s in h.subjects) for h in hits})
    assert marked_any, "the demo has a missing pathway between two present sectors"
