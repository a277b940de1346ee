"""core/vocab: list order and sector display groups come from the ontology files."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from pcr_graph.core import vocab
from pcr_graph.core.namespaces import PCR, SECTOR
from pcr_graph.core.resources import ontology_dir

# Written out on purpose (as in test_ontology.py): a change to the vocabulary's order or
# groups must be a deliberate change to this test too.
SECTOR_GROUPS = {
    "nhs": [
        "nhs",
        "nhs-trust",
        "acute-trust",
        "emergency-department",
        "ambulance",
        "community-health",
        "mental-health",
        "nhs-111",
        "urgent-treatment-centre",
    ],
    "primary": ["primary-care", "gp-practice", "out-of-hours", "pharmacy", "dental"],
    "social": ["adult-social-care", "care-home", "domiciliary-care"],
    "council": ["local-authority", "public-health"],
    "voluntary": ["voluntary-sector", "hospice"],
    "other": ["education", "healthwatch"],
}


def test_groups_and_their_order_are_the_documented_ones() -> None:
    groups = vocab.sector_groups()
    assert [g.notation for g in groups] == list(SECTOR_GROUPS)
    for group in groups:
        assert group.members == frozenset(SECTOR_GROUPS[group.notation])
        assert (group.label and group.label != group.notation) or group.notation == "other"


def test_every_sector_is_in_exactly_one_group() -> None:
    listed = [m for g in vocab.sector_groups() for m in g.members]
    assert sorted(listed) == vocab.sectors().notations()
    for notation, members in SECTOR_GROUPS.items():
        assert all(vocab.sector_group(m) == notation for m in members)


def test_display_order_is_group_then_list_order() -> None:
    documented = [m for members in SECTOR_GROUPS.values() for m in members]
    shuffled = sorted(documented, key=lambda n: n[::-1])
    assert sorted(shuffled, key=vocab.sector_sort_key) == documented
    assert [vocab.sectors().notation[c] for c in vocab.sectors().ordered()] == documented


def test_a_sector_the_vocabulary_lacks_sorts_last_in_other() -> None:
    assert vocab.sector_group("made-up") == vocab.OTHER_GROUP
    keys = sorted(["made-up", "healthwatch", "care-home", "aaa"], key=vocab.sector_sort_key)
    assert keys == ["care-home", "healthwatch", "aaa", "made-up"]


@pytest.mark.parametrize("name", ["sectors", "link-types"])
def test_every_concept_has_a_distinct_integer_list_order(name: str) -> None:
    graph = Graph().parse(ontology_dir() / f"{name}.ttl")
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    ranks = [graph.value(c, PCR.listOrder) for c in concepts]
    assert all(isinstance(r, Literal) and isinstance(r.toPython(), int) for r in ranks)
    assert sorted(int(str(r)) for r in ranks) == list(range(1, len(concepts) + 1))


def test_a_new_sector_in_no_group_joins_its_parents_group(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = Graph()
    for triple in vocab.vocabulary_graph():
        graph.add(triple)
    new = SECTOR["supported-living"]
    graph.add((new, RDF.type, SKOS.Concept))
    graph.add((new, SKOS.inScheme, URIRef(str(vocab.sectors().iri))))
    graph.add((new, SKOS.notation, Literal("supported-living")))
    graph.add((new, SKOS.broader, SECTOR["adult-social-care"]))
    cached = (vocab.scheme, vocab.sector_groups, vocab._sector_group_of, vocab._group_rank)
    for function in cached:
        function.cache_clear()
    monkeypatch.setattr(vocab, "vocabulary_graph", lambda: graph)
    try:
        assert vocab.sector_group("supported-living") == "social"
        assert vocab.sector_group("care-home") == "social"
    finally:
        monkeypatch.undo()
        for function in cached:
            function.cache_clear()


def test_render_has_a_shape_for_every_group_and_its_heading_from_the_ontology() -> None:
    from pcr_graph.render.maps.palette import _GROUP_SHAPES, _group_heading

    groups = vocab.sector_groups()
    assert list(_GROUP_SHAPES) == [g.notation for g in groups]
    assert [_group_heading(g.notation) for g in groups] == [
        "NHS trusts and services",
        "Primary care",
        "Adult social care",
        "Local authority",
        "Voluntary sector and hospices",
        "Other",
    ]
