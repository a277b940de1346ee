"""The fictional demo workbook: its size and coverage, its integrity, and its designed gaps.

Runs on the CSV files alone (no RDF), against the plain-Python oracle in ``demo_oracle``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.support.demo_oracle import (
    HIT_KEYS,
    LINK_TYPES,
    REGISTER_RULES,
    REVIEW_RULES,
    RULES,
    SECTOR_PARENT,
    THEMES,
    compute_candidates,
    compute_gaps,
    split_cell,
    validate_workbook,
)

DEMO = Path(__file__).resolve().parents[2] / "graph" / "demo"
EXPECTED_FILE = DEMO / "expected-gaps.json"

# Every sector notation of the vocabulary except the two grouping concepts.
LEAF_AND_NAMED_SECTORS = sorted(set(SECTOR_PARENT) - {"nhs", "nhs-trust"})
AREA_LEVEL_RULES = (
    "area-without-mutual-aid",
    "area-without-inequalities-initiative",
    "area-without-planning-forum",
)


def rows(name: str) -> list[dict[str, str]]:
    with (DEMO / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def gaps() -> dict[str, list[dict[str, str]]]:
    return compute_gaps(DEMO)


@pytest.fixture(scope="module")
def candidates() -> dict[str, list[dict[str, str]]]:
    return compute_candidates(DEMO)


def test_workbook_is_valid() -> None:
    assert validate_workbook(DEMO) == []


def test_three_fictional_areas_without_real_codes() -> None:
    areas = rows("areas.csv")
    assert len(areas) == 3
    for area in areas:
        assert area["name"].endswith("(fictional)")
        assert not (area["ons_code"] or area["ods_code"] or area["region"])


def test_no_real_identifiers_on_providers() -> None:
    for provider in rows("providers.csv"):
        assert not provider["ods_code"]
        assert not provider["cqc_location_id"]
        assert not provider["cqc_provider_id"]


def test_sizes() -> None:
    assert len(rows("providers.csv")) >= 66
    assert len(rows("links.csv")) >= 105
    assert 20 <= len(rows("evidence.csv")) <= 30


def test_every_sector_is_used() -> None:
    used = {s for p in rows("providers.csv") for s in split_cell(p["sector"])}
    assert set(LEAF_AND_NAMED_SECTORS) <= used, set(LEAF_AND_NAMED_SECTORS) - used


def test_some_providers_span_two_areas_or_two_sectors() -> None:
    providers = rows("providers.csv")
    spanning = {p["provider_id"]: p["sector"] for p in providers if len(split_cell(p["area"])) > 1}
    assert sorted(spanning.values()) == ["ambulance", "nhs-111"]
    assert any(len(split_cell(p["sector"])) > 1 for p in providers)


def test_every_link_type_and_theme_is_used() -> None:
    links = rows("links.csv")
    assert {link["type"] for link in links} == set(LINK_TYPES)
    assert {t for link in links for t in split_cell(link["themes"])} == set(THEMES)


def test_links_shape() -> None:
    links = rows("links.csv")
    sizes = [len(split_cell(link["participants"])) for link in links]
    assert sum(1 for n in sizes if n == 2) > len(links) / 2
    assert any(3 <= n <= 4 for n in sizes)
    assert all(link["area"] for link in links), "every link names its area"
    assert all(link["start"][:4] in {"2020", "2021"} for link in links)
    assert all(link["end"][:4] in {"", "2020", "2021"} for link in links)
    assert sum(1 for link in links if not link["evidence"]) == 3


def test_evidence_is_fictional() -> None:
    for item in rows("evidence.csv"):
        assert item["date"][:4] in {"2019", "2020", "2021"}
        assert item["url"] == "" or item["url"].startswith("https://example.org/")
        assert item["quote"]


def test_names_exercise_escaping() -> None:
    names = [p["name"] for p in rows("providers.csv")]
    assert any("'" in n for n in names)
    assert any("&" in n for n in names)
    assert any("," in n for n in names)


def test_oracle_finds_exactly_the_designed_hits(gaps: dict[str, list[dict[str, str]]]) -> None:
    expected = json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))
    assert sorted(gaps) == sorted(RULES)
    assert gaps == expected


def test_expected_file_is_canonical_json() -> None:
    text = EXPECTED_FILE.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_register_rules_find_nothing_in_the_fictional_demo(
    gaps: dict[str, list[dict[str, str]]],
) -> None:
    assert {rule: gaps[rule] for rule in REGISTER_RULES} == {rule: [] for rule in REGISTER_RULES}


@pytest.mark.parametrize("rule", REVIEW_RULES)
def test_every_rule_has_hits_and_non_hits(
    rule: str,
    gaps: dict[str, list[dict[str, str]]],
    candidates: dict[str, list[dict[str, str]]],
) -> None:
    hits, considered = gaps[rule], candidates[rule]
    assert hits, f"{rule} has no hit"
    keys = considered[0].keys()
    projected = [{k: h[k] for k in keys} for h in hits]
    assert all(p in considered for p in projected), "every hit is a candidate"
    non_hits = [c for c in considered if c not in projected]
    assert non_hits, f"{rule} has no non-hit"
    if rule in AREA_LEVEL_RULES:
        assert {c["area"] for c in considered} - {h["area"] for h in hits}


def test_hit_keys_are_known(gaps: dict[str, list[dict[str, str]]]) -> None:
    for hits in gaps.values():
        for hit in hits:
            assert set(hit) <= set(HIT_KEYS)
            assert "area" in hit


def test_story_well_connected_has_fewest_hits(gaps: dict[str, list[dict[str, str]]]) -> None:
    per_area: dict[str, int] = {}
    for hits in gaps.values():
        for hit in hits:
            per_area[hit["area"]] = per_area.get(hit["area"], 0) + 1
    assert per_area["wv"] < per_area["mb"] < per_area["tl"]
