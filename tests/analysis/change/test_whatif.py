"""What if a provider drops out: computed on a copy only."""

from __future__ import annotations

from pcr_graph.analysis import change as ch
from pcr_graph.analysis import network as nw
from pcr_graph.store.engines import Store
from tests.support.testshire import WB, P


def test_what_if_removes_on_a_copy_only(store: Store) -> None:
    size = len(store)
    report = ch.what_if_remove(store, "tx-acute")
    assert len(store) == size
    assert P("tx-acute") in nw.provider_graph(store, "tx")
    assert report.links_ended == ("L1 (shared-pathway)", "L2 (discharge-coordination)")
    assert report.links_continuing == ("L5 (shared-governance)",)
    assert report.seats == ("Testshire Board",)
    assert report.integration == ((f"{WB}area/tx", 0.625, 0.125),)
    found = {(c.change, c.kind, c.item) for c in report.changes}
    assert {
        ("lost", "sector", "acute-trust"),
        ("lost", "sector", "emergency-department"),
        ("cut off", "sector", "ambulance"),
        ("isolated", "provider", "Testshire Ambulance"),
        ("lost", "pathway", "ambulance ↔ emergency-department"),
        ("lost", "pathway", "acute-trust ↔ adult-social-care"),
    } <= found
    assert ("lost", "pathway", "community-health ↔ care-home") not in found
    opened = [c for c in report.changes if c.change == "opened"]
    assert sorted(c.item for c in opened if c.item == "missing-pathway") == ["missing-pathway"] * 2
    assert any(
        c.item == "provider-without-links" and "Testshire Ambulance" in c.detail for c in opened
    )
