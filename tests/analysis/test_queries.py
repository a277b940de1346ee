"""The query library: every file parses, has a complete header, orders its rows, binds safely."""

from __future__ import annotations

import re

import pytest
from rdflib.plugins.sparql import prepareQuery

from pcr_graph.analysis.queries import NamedQuery, find_query, library, parse_header
from pcr_graph.core.errors import UsageError
from pcr_graph.core.namespaces import sparql_prologue
from pcr_graph.store.engines import open_store

QUERIES = library()
IDS = [q.name for q in QUERIES]
GAP_KEYS = ("summary", "severity", "theme", "finding", "explain", "considered", "tags")


def test_library_is_not_empty() -> None:
    assert {"sector-missing-from-planning", "care-home-without-discharge-link"} <= set(IDS)


@pytest.mark.parametrize("query", QUERIES, ids=IDS)
def test_parses_in_rdflib_and_oxigraph(query: NamedQuery) -> None:
    prepareQuery(sparql_prologue() + query.text)
    store = open_store([], "oxigraph")
    store.query(query.text)  # raises on a syntax error


@pytest.mark.parametrize("query", QUERIES, ids=IDS)
def test_header_is_complete(query: NamedQuery) -> None:
    assert query.summary, "every query needs '#+ summary:'"
    assert query.header.get("tags"), "every query needs '#+ tags:'"
    if query.family == "gap":
        missing = [k for k in GAP_KEYS if not query.header.get(k)]
        assert not missing, f"gap rule header lacks {missing}"
        assert query.header["severity"] in ("high", "medium", "low")
        assert query.header["finding"].startswith("id/finding/")


@pytest.mark.parametrize("query", QUERIES, ids=IDS)
def test_every_select_orders_its_rows(query: NamedQuery) -> None:
    body = "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#"))
    # A CONSTRUCT (a derivation) builds a graph: its subquery's row order means nothing.
    if re.search(r"\bSELECT\b", body, re.I) and query.family != "derive":
        assert re.search(r"\bORDER\s+BY\b", body, re.I), "every SELECT needs ORDER BY"


@pytest.mark.parametrize("query", QUERIES, ids=IDS)
def test_parameters_are_projected(query: NamedQuery) -> None:
    # Oxigraph substitutes only variables the SELECT clause projects.
    select = re.search(r"\bSELECT\b(.*?)\bWHERE\b", query.text, re.S | re.I)
    assert select is not None
    for param in query.params:
        assert f"?{param.name}" in select.group(1), f"?{param.name} must be in SELECT"


def test_unknown_query_names_the_library() -> None:
    with pytest.raises(UsageError, match=r"unknown query 'nope'.*sector-missing-from-planning"):
        find_query("nope")


def test_bad_header_is_reported_with_line() -> None:
    with pytest.raises(UsageError, match=r"q\.rq:2: param needs"):
        parse_header("#+ summary: x\n#+ param: area\nSELECT * WHERE {}", "q.rq")
