"""Sector mixing on a small graph."""

from __future__ import annotations

from pcr_graph.analysis import network as nw
from pcr_graph.analysis.network import Link, Provider


def test_mixing_matrix_counts_each_link_once_per_sector_pair() -> None:
    G = nw.build_provider_graph(
        [
            Provider("t", "Trust", ("acute-trust", "emergency-department")),
            Provider("g1", "GP 1", ("gp-practice",)),
            Provider("g2", "GP 2", ("gp-practice",)),
        ],
        [
            Link("L1", "information-sharing", ("t", "g1", "g2")),
            Link("L2", "mutual-aid", ("g1", "g2")),
        ],
    )
    assert nw.mixing_matrix(G) == (
        ("acute-trust", "gp-practice", 1),
        ("emergency-department", "gp-practice", 1),
        ("gp-practice", "gp-practice", 2),
    )
    S = nw.build_sector_graph(G)
    assert S.nodes["gp-practice"]["providers"] == 2
    assert S.edges["gp-practice", "gp-practice"]["links"] == ("L1", "L2")
    assert S.edges["acute-trust", "gp-practice"]["weight"] == 1
