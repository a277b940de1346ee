"""SHACL paths and value constraints as SPARQL text."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from pcr_graph.validation.sparql_text import UnsupportedShapes, sparql_path, value_tests

PREFIXES = (
    "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> . "
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . "
)


def _path_of(turtle: str) -> tuple[str, bool]:
    shapes = Graph().parse(data=PREFIXES + f"ex:S sh:path {turtle} .", format="turtle")
    path = sparql_path(shapes, shapes.value(URIRef("https://example.org/S"), SH.path))
    return path.sparql, path.may_be_empty


@pytest.mark.parametrize(
    ("turtle", "sparql", "empty"),
    [
        ("ex:p", "<https://example.org/p>", False),
        ("[ sh:inversePath ex:p ]", "^<https://example.org/p>", False),
        ("( ex:p ex:q )", "(<https://example.org/p> / <https://example.org/q>)", False),
        (
            "[ sh:alternativePath ( ex:p [ sh:inversePath ex:q ] ) ]",
            "(<https://example.org/p> | ^<https://example.org/q>)",
            False,
        ),
        ("[ sh:zeroOrMorePath ex:p ]", "(<https://example.org/p>)*", True),
        ("[ sh:oneOrMorePath ex:p ]", "(<https://example.org/p>)+", False),
        ("( [ sh:zeroOrOnePath ex:p ] [ sh:zeroOrMorePath ex:q ] )", None, True),
    ],
)
def test_shacl_paths_become_sparql_property_paths(
    turtle: str, sparql: str | None, empty: bool
) -> None:
    found, may_be_empty = _path_of(turtle)
    if sparql is not None:
        assert found == sparql
    assert may_be_empty is empty


@pytest.mark.parametrize(
    "turtle",
    [
        "( ex:p )",  # a sequence of one
        "[ sh:inversePath ex:p ; sh:zeroOrMorePath ex:q ]",  # two kinds at once
        "[ sh:alternativePath ( ex:p ) ]",
        '"p"',
    ],
)
def test_malformed_paths_are_refused(turtle: str) -> None:
    with pytest.raises(UnsupportedShapes):
        _path_of(turtle)


def test_value_tests_name_their_components_and_escape_the_shapes_text() -> None:
    shapes = Graph().parse(
        data=PREFIXES
        + "ex:S sh:minInclusive 1 ; sh:maxLength 3 ; sh:pattern '^a\" } #' ; sh:flags 'i' ; "
        "sh:languageIn ( 'en' ) .",
        format="turtle",
    )
    tests = dict(value_tests(shapes, URIRef("https://example.org/S")))
    assert set(tests) == {"minInclusive", "maxLength", "pattern", "languageIn"}
    # The pattern is one escaped SPARQL string: its quote and brace cannot end the query.
    assert 'REGEX(STR(?v), "^a\\" } #", "i")' in tests["pattern"]
