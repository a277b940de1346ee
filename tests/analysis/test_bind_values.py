"""``#+ bind: values``: a rule for one area with its area leading as ``VALUES`` gives the rows
it gives with the area bound, on every area of several datasets; only plain IRIs are ever
written, and only into the library's own queries."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from pcr_graph.analysis.derived import base_dir, ensure_derived, rule_text
from pcr_graph.analysis.gaps import gap_rules
from pcr_graph.analysis.queries import (
    TOP_GROUP,
    bind_params,
    lead_with_values,
    library,
    load_query,
)
from pcr_graph.ingest.synth import write_synthetic
from pcr_graph.store.engines import Store, open_store
from pcr_graph.store.project import Project
from tests.analysis.test_gaps_report import fixture_files

VALUES_RULES = [q for q in gap_rules() if q.header.get("bind") == "values"]


def test_every_library_query_opens_its_top_level_group_once() -> None:
    texts = [q.text for q in library()] + [p.read_text() for p in base_dir().glob("*.rq")]
    assert len(texts) > 20
    for text in texts:
        assert text.count(TOP_GROUP) == 1


def _same_rows_both_ways(store: Store) -> int:
    """Every ``bind: values`` rule, for every area with providers, as run both ways."""
    derived = ensure_derived(store)
    areas = [
        URIRef(str(row[0]))
        for row in store.select(
            "SELECT DISTINCT ?a WHERE { ?p pcr:operatesIn ?a } ORDER BY ?a"
        ).rows
    ]
    assert areas
    compared = 0
    for query in VALUES_RULES:
        text = rule_text(query.path, query.text, derived)
        defaults = bind_params(store, query, {})
        for area in areas:
            bindings = {**defaults, "area": area}
            bound = store.select(text, bindings).strings()
            written, rest = query.with_bindings(text, bindings)
            assert written != text and "area" not in (rest or {})
            assert store.select(written, rest).strings() == bound, (query.name, str(area))
            compared += len(bound)
    return compared


def test_values_rules_exist() -> None:
    assert len(VALUES_RULES) >= 5


def test_same_rows_on_the_demo() -> None:
    assert _same_rows_both_ways(Project(workspace=Path("/nonexistent-workspace")).open()) > 0


def test_same_rows_on_the_golden_fixture() -> None:
    assert _same_rows_both_ways(open_store(fixture_files(), "oxigraph")) > 0


@pytest.mark.slow
@pytest.mark.parametrize(("providers", "seed"), [(600, 4), (1500, 5)])
def test_same_rows_on_synthetic_england(tmp_path: Path, providers: int, seed: int) -> None:
    data = tmp_path / "england.ttl"
    write_synthetic(data, providers, seed)
    project = Project(workspace=tmp_path / "none", include_demo=False)
    store = open_store([*project.files(), data], "oxigraph")
    assert _same_rows_both_ways(store) > 50


def test_only_plain_iris_are_written_and_literals_stay_bound() -> None:
    text = "SELECT ?area ?before\nWHERE {\n  ?s ?p ?o\n}\n"
    hostile = URIRef("urn:a> } ?s ?p ?o { <urn:b")
    day = Literal("2020-03-01")
    written, rest = lead_with_values(text, {"area": hostile, "before": day})
    assert written == text and rest == {"area": hostile, "before": day}
    written, rest = lead_with_values(text, {"area": URIRef("urn:x:1"), "before": day})
    assert written == "SELECT ?area ?before\nWHERE {\n  VALUES ?area { <urn:x:1> }\n  ?s ?p ?o\n}\n"
    assert rest == {"before": day}


def test_a_users_own_copy_of_a_rule_is_run_as_written(tmp_path: Path) -> None:
    rule = VALUES_RULES[0]
    mine = tmp_path / rule.path.name
    mine.write_text(rule.text, encoding="utf-8")
    bindings = {"area": URIRef("urn:x:1")}
    assert load_query(mine).with_bindings(rule.text, bindings) == (rule.text, bindings)
    assert rule.with_bindings(rule.text, bindings)[0] != rule.text
