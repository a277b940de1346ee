"""Bounded cost: one cell cannot make the import write millions of triples."""

from __future__ import annotations

from pathlib import Path

import pytest

from pcr_graph.core.errors import ImportProblems
from pcr_graph.ingest.workbook import import_workbook
from pcr_graph.ingest.workbook.importer import MAX_LINK_PARTICIPANTS
from tests.conftest import record_cases


def _workbook(folder: Path, participants: int) -> Path:
    folder.mkdir()
    (folder / "areas.csv").write_text("area_id,name\nx,X (fictional)\n", encoding="utf-8")
    (folder / "providers.csv").write_text(
        "provider_id,name,sector,area\n"
        + "".join(f"p{i},Provider {i} (fictional),care-home,x\n" for i in range(participants)),
        encoding="utf-8",
    )
    ids = ";".join(f"p{i}" for i in range(participants))
    (folder / "links.csv").write_text(
        f"link_id,type,participants,area\nL1,mutual-aid,{ids},x\n", encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize("participants", [MAX_LINK_PARTICIPANTS + 1, 2000])
def test_a_link_of_too_many_participants_is_one_clear_problem(
    tmp_path: Path, participants: int
) -> None:
    with pytest.raises(ImportProblems) as raised:
        import_workbook(_workbook(tmp_path / "wb", participants), name="wb")
    problems = [p for p in raised.value.problems if p.file == "links.csv"]
    assert len(problems) == 1
    assert f"joins {participants:,} providers" in problems[0].problem
    assert problems[0].column == "participants"
    record_cases("oversized links", 1)


def test_a_link_at_the_cap_imports_with_bounded_shortcuts(tmp_path: Path) -> None:
    from pcr_graph.core.namespaces import PCR

    result = import_workbook(_workbook(tmp_path / "wb", MAX_LINK_PARTICIPANTS), name="wb")
    shortcuts = len(list(result.graph.triples((None, PCR.collaboratesWith, None))))
    assert shortcuts == MAX_LINK_PARTICIPANTS * (MAX_LINK_PARTICIPANTS - 1)
