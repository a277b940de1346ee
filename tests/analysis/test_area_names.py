"""Areas by name (any case, or an unambiguous start of it), and SPARQL errors in the user's
own terms: the file, and the line and column of their text."""

from __future__ import annotations

from pathlib import Path

import pytest

from pcr_graph.analysis.queries import find_query, resolve_area, run_named
from pcr_graph.core.errors import UsageError
from pcr_graph.core.ids import mint
from pcr_graph.ingest.workbook import import_workbook
from pcr_graph.store.engines import Store
from pcr_graph.store.project import Project
from pcr_graph.store.turtle import write_turtle
from tests.support.testbury import GOOD, write

TB = mint("wb", "tb", "area", "tb")
OB = mint("wb", "tb", "area", "ob")


@pytest.fixture(scope="module", params=["oxigraph", "rdflib"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    root = tmp_path_factory.mktemp("names")
    project = Project(workspace=root / "ws", engine=request.param)
    graph = import_workbook(write(root / "tb", GOOD), name="tb").graph
    write_turtle(graph, project.import_path("tb"))
    return project.open()


@pytest.mark.parametrize(
    "typed",
    [
        "tb",
        "TB",
        "Testbury Health and Care Partnership (fictional)",
        "testbury health and care partnership (FICTIONAL)",
        "testbury",
        "  Testbury  Health ",
    ],
)
def test_an_area_by_id_name_or_start_of_name(store: Store, typed: str) -> None:
    assert resolve_area(store, typed) == TB


def test_codes_still_win_and_nhs_is_optional(store: Store) -> None:
    assert str(resolve_area(store, "QOP")).endswith("/area/QOP")
    assert resolve_area(store, "birmingham") == resolve_area(store, "NHS Birmingham")


def test_an_ambiguous_name_lists_the_candidates(store: Store) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_area(store, "north")
    message = str(caught.value)
    assert "area 'north' is ambiguous: it fits 5 areas" in message
    assert "NHS North West London Integrated Care Board (QRV)" in message


def test_an_unknown_name_offers_the_closest(store: Store) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_area(store, "Tesbury Health")
    assert "did you mean 'Testbury Health and Care Partnership (fictional)'?" in str(caught.value)
    assert resolve_area(store, "oldbridge") == OB


def test_a_syntax_error_names_the_file_line_and_column(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "mine.rq"
    path.write_text("# my query\nSELECT ?x WHERE {\n  ?x a pcr:Area ;\n  FILTER( }\n")
    with pytest.raises(UsageError) as caught:
        run_named(store, find_query(str(path)))
    message = str(caught.value)
    assert message.startswith(f"{path}:")
    line, column = (int(n) for n in message.removeprefix(f"{path}:").split(":")[:2])
    # the position is in the user's five lines (Oxigraph points at the end of the text it
    # could not finish, rdflib at the token it could not read), never in the PREFIX lines
    assert 2 <= line <= 5 and column >= 1
    assert "SPARQL syntax error" in message
