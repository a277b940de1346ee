"""The PCN release diff on a small invented register, on both engines.

The real ODS ``succ`` file records no GP practice that changed code between the 2019 and
2023 ePCN releases (its practice-code rows are all older), so the case of a practice that
changed code is written here, with invented codes (``ZP…``, ``ZN…``) on no real
organisation. The real files are compared in tests/ingest/test_registries_pcn.py.
"""

from __future__ import annotations

import pytest

from pcr_graph.analysis.queries import find_query, run_named
from pcr_graph.analysis.release_diff import CHANGES, release_diff
from pcr_graph.core.errors import UsageError
from pcr_graph.store.engines import OxigraphStore, RdflibStore, Store, Table

OLD, NEW = "ePCN 2019-12", "ePCN 2023-01"


def _register() -> str:
    """Turtle of two releases. In the older one:

    - ZP01 (changes code ZP01 -> ZP01X -> ZP02, a chain) and ZP03 in ZN01;
    - ZP04 in ZN02 (ZN02 is succeeded by ZN12, recorded);
    - ZP05, ZP06 in ZN04 (gone, no successor; both go to the new ZN05);
    - ZP07 in ZN06 (leaves); ZP08 in ZN01 (changes code to ZP09 and moves to ZN07);
    - ZP10 in ZN03 (stays).

    In the newer one: ZP02 in ZN01, ZP03 in ZN07 (moved), ZP04 in ZN12, ZP05 and ZP06 in
    ZN05, ZP09 in ZN07, ZP10 and the new ZP11 in ZN03, and ZP07 in ZN03 with an end date
    (not open, so ZP07 left).
    """
    lines = [
        "@prefix pcr: <https://w3id.org/pcr-graph/def#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix p: <https://example.org/invented/practice/> .",
        "@prefix n: <https://example.org/invented/pcn/> .",
    ]
    for code in [f"ZP{i:02d}" for i in range(1, 12)] + ["ZP01X"]:
        lines.append(f'p:{code} pcr:odsCode "{code}" ; skos:prefLabel "Practice {code}" .')
    for code in ("ZN01", "ZN02", "ZN03", "ZN04", "ZN05", "ZN06", "ZN07", "ZN12"):
        lines.append(f'n:{code} pcr:odsCode "{code}" ; skos:prefLabel "Network {code}" .')
    memberships = {
        OLD: [
            ("ZP01", "ZN01"),
            ("ZP03", "ZN01"),
            ("ZP04", "ZN02"),
            ("ZP05", "ZN04"),
            ("ZP06", "ZN04"),
            ("ZP07", "ZN06"),
            ("ZP08", "ZN01"),
            ("ZP10", "ZN03"),
        ],
        NEW: [
            ("ZP02", "ZN01"),
            ("ZP03", "ZN07"),
            ("ZP04", "ZN12"),
            ("ZP05", "ZN05"),
            ("ZP06", "ZN05"),
            ("ZP09", "ZN07"),
            ("ZP10", "ZN03"),
            ("ZP11", "ZN03"),
        ],
    }
    for release, pairs in memberships.items():
        for practice, pcn in pairs:
            lines.append(
                f'[] a pcr:NetworkMembership ; pcr:release "{release}" ; '
                f"pcr:practice p:{practice} ; pcr:network n:{pcn} ."
            )
    lines.append(
        f'[] a pcr:NetworkMembership ; pcr:release "{NEW}" ; pcr:practice p:ZP07 ; '
        'pcr:network n:ZN03 ; pcr:endDate "2022-06-30" .'
    )
    for before, after in (("p:ZP01", "p:ZP01X"), ("p:ZP01X", "p:ZP02"), ("p:ZP08", "p:ZP09")):
        lines.append(f"[] a pcr:Succession ; pcr:predecessor {before} ; pcr:successor {after} .")
    lines.append("[] a pcr:Succession ; pcr:predecessor n:ZN02 ; pcr:successor n:ZN12 .")
    return "\n".join(lines) + "\n"


@pytest.fixture(params=["oxigraph", "rdflib"])
def store(request: pytest.FixtureRequest) -> Store:
    loaded: Store = OxigraphStore() if request.param == "oxigraph" else RdflibStore()
    loaded.load(_register(), "turtle", "invented-register")
    return loaded


def test_a_practice_that_changed_code_is_one_history(store: Store) -> None:
    diff = release_diff(store)
    assert (diff.old, diff.new) == (OLD, NEW)
    assert [c for c, *_ in diff.joined] == ["ZP11"]
    assert [c for c, *_ in diff.left] == ["ZP07"]
    # ZP01 -> ZP01X -> ZP02 stayed in ZN01: neither left, joined nor moved. ZP08 became
    # ZP09 and changed PCN: one move, named by both codes. ZP04's PCN was succeeded: kept.
    assert diff.moved == [
        ("ZP03", "Practice ZP03", "ZN01", "ZN07"),
        ("ZP05", "Practice ZP05", "ZN04", "ZN05"),
        ("ZP06", "Practice ZP06", "ZN04", "ZN05"),
        ("ZP08->ZP09", "Practice ZP09", "ZN01", "ZN07"),
    ]


def test_pcn_successions_make_a_merge_not_a_close_and_an_open(store: Store) -> None:
    diff = release_diff(store)
    assert [c for c, _ in diff.opened] == ["ZN05", "ZN07"]
    assert [c for c, _ in diff.closed] == ["ZN04", "ZN06"]
    assert diff.merged == [
        ("ZN02", "Network ZN02", "ZN12", 1, "ODS succession"),
        ("ZN04", "Network ZN04", "ZN05", 2, "practices"),
    ]
    assert diff.counts() == {
        "practices joined": 1,
        "practices left": 1,
        "practices moved": 4,
        "PCNs opened": 2,
        "PCNs closed": 2,
        "PCNs merged": 2,
    }
    assert "ZP11" in diff.text(limit=1) and "PCNs merged: 2" in diff.text(limit=0)
    assert "first" not in diff.text(limit=0) and "ZN05" not in diff.text(limit=0)


def test_without_successions_a_code_change_is_a_leave_and_a_join() -> None:
    plain = OxigraphStore()
    text = "\n".join(line for line in _register().splitlines() if "pcr:Succession" not in line)
    plain.load(text, "turtle", "invented-register")
    diff = release_diff(plain)
    assert {c for c, *_ in diff.joined} == {"ZP02", "ZP09", "ZP11"}
    assert {c for c, *_ in diff.left} == {"ZP01", "ZP07", "ZP08"}
    assert ("ZN02", "Network ZN02") in diff.closed
    assert ("ZN12", "Network ZN12") in diff.opened
    assert ("ZP04", "Practice ZP04", "ZN02", "ZN12") in diff.moved


def test_the_queries_run_by_name_with_the_releases_bound(store: Store) -> None:
    for change in CHANGES:
        query = find_query(f"pcn-release-{change}")
        assert "register" in query.header["tags"] and query.family == "listing"
        table = run_named(store, query, {"old": OLD, "new": NEW})
        assert isinstance(table, Table) and len(table)
        assert {row["from"] for row in table.strings()} == {OLD}
        assert {row["to"] for row in table.strings()} == {NEW}
        defaulted = run_named(store, query, {})
        assert isinstance(defaulted, Table)
        assert defaulted.strings() == [{**row, "old": "", "new": ""} for row in table.strings()], (
            change
        )


def test_releases_must_be_loaded_and_in_order(store: Store) -> None:
    with pytest.raises(UsageError, match="unknown release 'ePCN 2020-01'"):
        release_diff(store, "ePCN 2020-01", NEW)
    with pytest.raises(UsageError, match="older release"):
        release_diff(store, NEW, OLD)
    with pytest.raises(UsageError, match="needs two ePCN releases"):
        release_diff(OxigraphStore())
