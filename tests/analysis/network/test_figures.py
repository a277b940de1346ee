"""The English text of the metrics: figures and table rows."""

from __future__ import annotations

import pytest

from pcr_graph.analysis import network as nw
from pcr_graph.core.errors import UsageError
from tests.support.small_graphs import PATH, STAR, graph


def test_every_figure_has_a_sentence_with_its_number() -> None:
    m = nw.area_metrics(graph(PATH))
    assert m.figure("density").text == (
        "Density 0.50: 50% of possible provider pairs are directly linked."
    )
    assert m.figure("articulation_points").text == "2 providers would split the network by " + (
        "dropping out: B, C."
    )
    assert all(f.text and f.definition for f in m.figures)
    assert m.figure("integration").value is None
    assert m.figure("integration").display == "n/a"
    with pytest.raises(KeyError):
        m.figure("no-such-metric")


def test_compare_rows_one_row_per_metric_one_column_per_area() -> None:
    path, star = nw.area_metrics(graph(PATH)), nw.area_metrics(graph(STAR))
    columns, rows = nw.compare_rows([("path", path), ("star", star)])
    assert columns == ("metric", "path", "star", "what it measures")
    assert len(rows) == len(path.figures)
    density = next(r for r in rows if r[0] == "Density")
    assert density[1:3] == ("0.500", "0.400")
    with pytest.raises(UsageError):
        nw.compare_rows([("path", path), ("path", path)])
