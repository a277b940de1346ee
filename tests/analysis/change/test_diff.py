"""Diffs between two snapshots or two dates of the data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rdflib import URIRef

from pcr_graph.analysis import change as ch
from pcr_graph.core.errors import UsageError
from pcr_graph.store.engines import Store
from pcr_graph.store.project import Project
from tests.support.testshire import WB, fixture_turtle


def test_diff_between_two_dates(store: Store) -> None:
    changes = ch.diff_dates(store, dt.date(2020, 2, 1), dt.date(2020, 7, 1))
    found = {(c.change, c.kind, c.item) for c in changes}
    assert ("gained", "link", "L2 (discharge-coordination)") in found
    assert ("lost", "link", "L3 (joint-training)") in found
    assert {c.item for c in changes if c.kind == "link"} == {
        "L2 (discharge-coordination)",
        "L3 (joint-training)",
    }
    assert [(c.change, c.item) for c in changes if c.kind == "planning sector"] == [
        ("joined", "local-authority")
    ]
    gaps = {(c.change, c.item, c.detail) for c in changes if c.kind == "gap"}
    assert any(
        ch == "closed" and rule == "missing-pathway" and "Adult social care" in text
        for ch, rule, text in gaps
    )
    assert any(
        ch == "opened" and rule == "missing-pathway" and "Care home" in text
        for ch, rule, text in gaps
    )
    assert any(
        ch == "closed" and rule == "sector-missing-from-planning" and "Local authority" in text
        for ch, rule, text in gaps
    )


def test_diff_of_two_turtle_snapshots(tmp_path: Path, project: Project) -> None:
    old, new = tmp_path / "old.ttl", tmp_path / "new.ttl"
    old.write_text(fixture_turtle(drop_links=("L4",)), encoding="utf-8")
    new.write_text(fixture_turtle(), encoding="utf-8")
    stores = [ch.open_snapshot(p, project) for p in (old, new)]
    changes = ch.diff_stores(stores[0], stores[1], areas=[URIRef(f"{WB}area/tx")])
    links = [(c.change, c.item, c.detail) for c in changes if c.kind == "link"]
    assert links == [("gained", "L4 (mutual-aid)", "Alder House; Birch Court")]
    assert all(c.area_label == "Testshire (fictional)" for c in changes)
    assert ch.diff_stores(stores[1], stores[1]) == []


def test_open_snapshot_rejects_what_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        ch.open_snapshot(tmp_path / "missing.ttl")
    with pytest.raises(UsageError, match="not a snapshot"):
        ch.open_snapshot(tmp_path)


def test_a_renamed_provider_is_a_rename_not_a_changed_link(
    tmp_path: Path, project: Project
) -> None:
    old, new = tmp_path / "old.ttl", tmp_path / "new.ttl"
    old.write_text(fixture_turtle(), encoding="utf-8")
    new.write_text(
        fixture_turtle().replace('"Alder House"', '"Alder House Nursing"'), encoding="utf-8"
    )
    changes = ch.diff_files(old, new, project)
    assert [(c.change, c.kind, c.item, c.detail, c.area_label) for c in changes] == [
        ("renamed", "provider", "Alder House Nursing", "was Alder House", "Testshire (fictional)")
    ]


def test_a_new_participant_is_still_a_changed_link(tmp_path: Path, project: Project) -> None:
    old, new = tmp_path / "old.ttl", tmp_path / "new.ttl"
    old.write_text(fixture_turtle(), encoding="utf-8")
    members = "pcr:participant wb:provider\\/tx-ch1, wb:provider\\/tx-ch2 ;"
    assert members in fixture_turtle()
    added = members.replace(" ;", ", wb:provider\\/tx-vol ;")
    new.write_text(fixture_turtle().replace(members, added), encoding="utf-8")
    changes = ch.diff_files(old, new, project)
    links = [(c.change, c.item, c.detail) for c in changes if c.kind == "link"]
    before, after = "Alder House; Birch Court", "Alder House; Birch Court; Testshire Volunteers"
    assert links == [("changed", "L4 (mutual-aid)", f"participants {before} → {after}")]


def test_diff_files_resolves_area_names_in_either_snapshot(
    tmp_path: Path, project: Project
) -> None:
    old, new = tmp_path / "old.ttl", tmp_path / "new.ttl"
    old.write_text(fixture_turtle(drop_links=("L4", "L9")), encoding="utf-8")
    new.write_text(fixture_turtle(), encoding="utf-8")
    changes = ch.diff_files(old, new, project, ["Othershire"])
    assert [(c.change, c.item) for c in changes if c.kind == "link"] == [
        ("gained", "L9 (discharge-coordination)")
    ]
    with pytest.raises(UsageError, match="nowhere"):
        ch.diff_files(old, new, project, ["nowhere"])


def test_diff_dates_takes_area_names(store: Store) -> None:
    by_name = ch.diff_dates(store, dt.date(2020, 2, 1), dt.date(2020, 7, 1), ["tx"])
    by_iri = ch.diff_dates(
        store, dt.date(2020, 2, 1), dt.date(2020, 7, 1), [URIRef(f"{WB}area/tx")]
    )
    assert by_name == by_iri and by_name
