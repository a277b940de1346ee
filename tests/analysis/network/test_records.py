"""Plain records: expected pathways named by users."""

from __future__ import annotations

import pytest

from pcr_graph.analysis import network as nw
from pcr_graph.core.errors import UsageError


def test_resolve_pairs_takes_notations_and_labels() -> None:
    assert nw.resolve_pairs([("Care home", "gp-practice"), ("HOSPICE", "Pharmacy")]) == [
        nw.ExpectedPair("care-home", "gp-practice"),
        nw.ExpectedPair("hospice", "pharmacy"),
    ]
    with pytest.raises(
        UsageError, match=r"--expect: unknown sector 'nowhere' \(one of .*care-home"
    ):
        nw.resolve_pairs([("care-home", "nowhere")])
