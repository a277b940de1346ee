"""The synthetic England: deterministic, clearly synthetic, realistic, and accepted by the
whole product (validates, every gap rule runs, every area renders)."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest
from rdflib import URIRef

from pcr_graph.analysis.gaps import gap_rules, run_gaps
from pcr_graph.core import vocab
from pcr_graph.core.errors import DataError, UsageError
from pcr_graph.core.files import FOOTER, verify_footer
from pcr_graph.core.resources import ontology_files, reference_files
from pcr_graph.ingest.synth import (
    AREAS,
    SECTOR_MIX,
    SYNTHETIC,
    SyntheticEngland,
    link_types,
    sector_counts,
    synthesise,
    write_synthetic,
)
from pcr_graph.render.mapdata import area_map
from pcr_graph.render.maps import render_area_html
from pcr_graph.store.engines import Store, open_store
from pcr_graph.validation.validate import validate

SMALL = 200
"""The smallest England (pySHACL validates it in a few seconds)."""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[SyntheticEngland, Path]:
    path = tmp_path_factory.mktemp("synth") / "england.ttl"
    return write_synthetic(path, SMALL, seed=5), path


@pytest.fixture(scope="module")
def store(small: tuple[SyntheticEngland, Path]) -> Store:
    return open_store([*ontology_files(), *reference_files(include_demo=False), small[1]])


@pytest.fixture(scope="module")
def medium() -> SyntheticEngland:
    return synthesise(3_000, seed=2)


def _select(store: Store, sparql: str) -> list[dict[str, str]]:
    return store.select(sparql).strings()


# --- determinism ----------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_turtle(tmp_path: Path) -> None:
    first = write_synthetic(tmp_path / "a.ttl", 400, seed=11)
    write_synthetic(tmp_path / "b.ttl", 400, seed=11)
    assert (tmp_path / "a.ttl").read_bytes() == (tmp_path / "b.ttl").read_bytes()
    assert "".join(first.turtle()) == "".join(synthesise(400, seed=11).turtle())


def test_another_seed_gives_another_england() -> None:
    assert "".join(synthesise(400, seed=1).turtle()) != "".join(synthesise(400, seed=2).turtle())


# --- the sector mix ---------------------------------------------------------------------------


def test_at_55000_the_sector_mix_is_the_real_one() -> None:
    counts = sector_counts(55_000)
    assert counts == dict(SECTOR_MIX)
    trusts = sum(
        counts[s] for s in ("acute-trust", "mental-health", "community-health", "ambulance")
    )
    assert (counts["care-home"], counts["domiciliary-care"], counts["gp-practice"]) == (
        15_000,
        12_000,
        6_500,
    )
    assert trusts == 220 and counts["local-authority"] == 153


@pytest.mark.parametrize("providers", [1_000, 9_999, 120_000])
def test_other_sizes_scale_the_mix_and_add_up(providers: int) -> None:
    counts = sector_counts(providers)
    assert sum(counts.values()) == providers
    assert all(n >= 1 for n in counts.values())
    assert counts["acute-trust"] >= AREAS and counts["local-authority"] >= AREAS
    # Care homes and home care stay the two biggest sectors, in roughly their share.
    biggest = sorted(counts, key=counts.__getitem__)[-2:]
    assert set(biggest) == {"care-home", "domiciliary-care"}
    for sector in biggest:
        assert abs(counts[sector] / providers - dict(SECTOR_MIX)[sector] / 55_000) < 0.1


def test_the_smallest_england_still_has_a_trust_and_a_council_per_area() -> None:
    counts = sector_counts(SMALL)
    assert sum(counts.values()) == SMALL
    assert counts["acute-trust"] == counts["local-authority"] == AREAS
    assert min(counts.values()) == 1


@pytest.mark.parametrize("providers", [0, 199, 10**9])
def test_sizes_out_of_range_are_a_usage_error(providers: int) -> None:
    with pytest.raises(UsageError, match="--providers"):
        synthesise(providers, seed=1)


def test_providers_come_in_the_mix_and_sit_in_42_areas(medium: SyntheticEngland) -> None:
    per_sector = Counter(s[0] for s in medium.sectors)
    assert dict(per_sector) == sector_counts(3_000)
    assert {a for areas in medium.areas for a in areas} == set(range(AREAS))
    assert max(medium.area_sizes()) > 1.5 * min(medium.area_sizes())


# --- clearly synthetic, in the data -----------------------------------------------------------


def test_everything_invented_is_marked_and_named_synthetic(store: Store) -> None:
    unmarked = _select(
        store,
        """
        SELECT ?thing WHERE {
          VALUES ?class { pcr:Area pcr:Region pcr:Provider pcr:PlanningForum
                          pcr:CollaborationLink pcr:Evidence }
          ?thing a ?class .
          FILTER (STRSTARTS(STR(?thing), "https://w3id.org/pcr-graph/id/synthetic/"))
          FILTER NOT EXISTS { ?thing pcr:fictional true }
        }""",
    )
    assert unmarked == []
    labels = _select(
        store,
        """
        SELECT ?label WHERE {
          ?thing skos:prefLabel|dcterms:title ?label .
          FILTER (STRSTARTS(STR(?thing), "https://w3id.org/pcr-graph/id/synthetic/"))
        }""",
    )
    assert labels and all(row["label"].startswith("Synthetic") for row in labels)


def test_the_dataset_describes_itself_as_synthetic(store: Store) -> None:
    rows = _select(
        store,
        f"SELECT ?d WHERE {{ <{SYNTHETIC}dataset> dcterms:description ?d ; pcr:fictional true }}",
    )
    assert len(rows) == 1 and "synthetic England" in rows[0]["d"]
    assert "Nothing here describes a real organisation" in rows[0]["d"]


def test_no_real_area_iri_or_name_is_used(small: tuple[SyntheticEngland, Path]) -> None:
    text = small[1].read_text(encoding="utf-8")
    assert "/id/area/" not in text and "/id/region/" not in text
    real_names = (Path(__file__).resolve().parents[2] / "graph" / "areas.ttl").read_text("utf-8")
    for name in set(re.findall(r'skos:(?:pref|alt)Label "([^"]+)"', real_names)):
        assert name not in text


# --- realistic link patterns ------------------------------------------------------------------


def test_link_patterns_look_like_a_health_system(medium: SyntheticEngland) -> None:
    sector = [s[0] for s in medium.sectors]
    degree: Counter[int] = Counter(p for link in medium.links for p in link.participants)
    homes = [p for p, s in enumerate(sector) if s == "care-home"]
    discharged = {
        p
        for link in medium.links
        if link.type == "discharge-coordination"
        for p in link.participants
    }
    # Most care homes, not all, have a discharge link.
    assert 0.6 < sum(p in discharged for p in homes) / len(homes) < 0.97
    # NHS trusts are hubs.
    trusts = [p for p, s in enumerate(sector) if s == "acute-trust"]
    assert sum(degree[p] for p in trusts) / len(trusts) > 5 * (
        sum(degree[p] for p in homes) / len(homes)
    )
    # GP practices work in clusters: n-ary shared-governance links of 4 or more practices.
    clusters = [k for k in medium.links if k.type == "shared-governance"]
    assert clusters and all(sector[p] == "gp-practice" for k in clusters for p in k.participants)
    assert max(len(k.participants) for k in clusters) >= 4
    # Some links cross an area boundary; every link cites evidence.
    assert any(len(k.areas) == 2 for k in medium.links)
    assert all(0 <= k.evidence < len(medium.evidence) for k in medium.links)
    # A few hundred thousand links at 55,000 providers: about 2.6 per provider.
    assert 2 < len(medium.links) / medium.providers < 4
    assert medium.forums and all(f.members for f in medium.forums)


# --- the product accepts it -------------------------------------------------------------------


def test_the_file_loads_completely(store: Store, small: tuple[SyntheticEngland, Path]) -> None:
    england, path = small
    (source,) = [s for s in store.sources() if s.endswith("england.ttl")]
    assert len(store.source_graph(source)) == england.triples()
    # The footer gives the triple count and the SHA-256 of every byte before it.
    data = path.read_bytes()
    body, _, footer = data.rpartition(FOOTER.encode("utf-8"))
    assert footer.decode("utf-8") == (
        f"{england.triples()} triples, sha256 {hashlib.sha256(body).hexdigest()}\n"
    )
    verify_footer(data, path.name)  # the product's own check accepts it
    damaged = data.replace(b"Synthetic", b"Synthetik", 1)
    with pytest.raises(DataError, match="do not match its checksum"):
        verify_footer(damaged, path.name)


@pytest.mark.slow
def test_it_conforms_to_the_shapes_with_pyshacl_and_the_fast_validator(store: Store) -> None:
    assert validate(store, "pyshacl") == []
    assert validate(store, "fast") == []


def test_every_gap_rule_runs_and_the_designed_gaps_show(store: Store) -> None:
    report = run_gaps(store)
    assert [r.name for r in report.rules] == [q.name for q in gap_rules()]
    fired = Counter(h.rule for h in report.hits)
    for rule in (
        "area-without-planning-forum",
        "area-without-mutual-aid",
        "area-without-inequalities-initiative",
        "care-home-without-discharge-link",
        "sector-missing-from-planning",
        "missing-pathway",
    ):
        assert fired[rule] > 0, rule
    assert fired["area-without-planning-forum"] == 1
    assert fired["link-without-evidence"] == 0
    assert len(report.areas) == AREAS


def test_an_area_renders(store: Store, small: tuple[SyntheticEngland, Path]) -> None:
    england = small[0]
    area = england.largest_area()
    iri = URIRef(england.area_iri(area))
    report = run_gaps(store, areas=[iri])
    page = render_area_html(area_map(store, iri, report))
    assert england.area_label(area) in page
    assert page.count("Synthetic") > england.area_sizes()[area]


def test_cli_writes_an_import_that_every_command_sees(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pcr_graph.cli.commands import main

    workspace = ["--workspace", str(tmp_path / "ws"), "--no-demo"]
    with pytest.raises(SystemExit) as done:
        main([*workspace, "synth", "--providers", "250", "--seed", "3"])
    assert done.value.code == 0
    assert (tmp_path / "ws" / "imports" / "synthetic-england.ttl").is_file()
    with pytest.raises(SystemExit) as done:
        main([*workspace, "query", "areas", "-p", "area", "SYN07", "--format", "csv"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and "Synthetic Area 07 (synthetic)" in out


def test_link_types_are_the_vocabularys_in_its_list_order() -> None:
    types = vocab.link_types()
    assert set(link_types()) == set(types.notations())
    ranks = [types.rank(t) for t in link_types()]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
