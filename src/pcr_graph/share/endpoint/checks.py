"""Checking a query before it runs: one SPARQL 1.1 query, read-only, no outbound fetches.

The check *parses* the query (rdflib's SPARQL grammar) rather than searching its text, and
the engine runs exactly the text the check parsed: SPARQL's ``\\uXXXX`` code point escapes
(§19.2) are expanded once, here, before both; a text whose expansion still holds an escape
is refused, so neither parser can read a different query out of it (issue 19: rdflib
expands escapes everywhere, Oxigraph only inside strings, and a ``\\u000a`` in a comment
hid a ``SERVICE`` from the check). The worker that runs queries is moreover unable to open
a network socket (:mod:`.sandbox`), so a disagreement left between two grammars can still
not fetch anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


class Refused(Exception):
    """A request this endpoint will not answer, with the status and message to send."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class CheckedQuery:
    """A query that may run: the text to run, its form and the graphs its dataset names."""

    form: str
    """``SelectQuery``, ``AskQuery``, ``ConstructQuery`` or ``DescribeQuery``."""
    dataset: tuple[str, ...] = ()
    text: str = ""
    """The query with its code point escapes expanded: what the check parsed, and runs."""
    unknown: tuple[str, ...] = ()
    """Graphs its ``FROM``/``FROM NAMED`` name that this endpoint does not hold (empty)."""


_WORD = re.compile(r"[A-Za-z]+")


def _words(text: str) -> set[str]:
    """Upper-case words of ``text`` outside strings, IRIs and comments."""
    from pcr_graph.store.remote import query_tokens

    return {t.upper() for t in query_tokens(text) if _WORD.fullmatch(t)}


def _field(node: Any, key: str) -> Any:
    """A field of an rdflib parse tree node, or None.

    ``CompValue.get(key)`` answers a missing key with the key itself, so it cannot be used.
    """
    return dict.get(node, key) if isinstance(node, dict) else None


def _walk(node: Any) -> Iterator[Any]:
    """Every node of an rdflib SPARQL parse tree (CompValues, ParseResults, lists)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, CompValue):
            stack.extend(current.values())
        elif isinstance(current, (ParseResults, list, tuple)):
            stack.extend(current)


def expand_escapes(text: str) -> str:
    """``text`` with its SPARQL code point escapes expanded, exactly as rdflib does.

    Raises :class:`Refused` (400) if an escape is not a code point, or if the expansion
    spells another escape (``\\u005Cu0041``): that text would mean one query to a parser
    that expands once and another to one that expands again.

    >>> expand_escapes("SELECT * WHERE { ?s ?p \\"caf\\\\u00e9\\" }")
    'SELECT * WHERE { ?s ?p "café" }'
    """
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes, expandUnicodeEscapes_re

    try:
        expanded = expandUnicodeEscapes(text)
    except ValueError as exc:
        raise Refused(400, f"not a SPARQL query: {exc}") from None
    if expanded != text and expandUnicodeEscapes_re.search(expanded):
        raise Refused(
            400, "not a SPARQL query: a \\u escape that spells another escape is ambiguous"
        )
    return expanded


@lru_cache(maxsize=1024)
def check_query(text: str, stored_graphs: frozenset[str] = frozenset()) -> CheckedQuery:
    """Parse ``text`` and refuse what a read-only endpoint must.

    Raises :class:`Refused`: 400 if it is not one SPARQL 1.1 query, 403 if it is SPARQL
    Update, uses ``SERVICE``, or has ``FROM``/``FROM NAMED`` naming a ``file:`` IRI. A
    graph it names that is not in ``stored_graphs`` is an empty graph (Oxigraph never
    fetches one), listed in :attr:`CheckedQuery.unknown`. Answers are cached by query text
    (rdflib's parser takes 5 to 100 ms on a gap rule), so a query asked again costs nothing.

    >>> check_query('SELECT ?s WHERE { ?s ?p "SERVICE <http://x/> {}" }').form
    'SelectQuery'
    >>> try:
    ...     check_query("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }")
    ... except Refused as exc:
    ...     print(exc.status, exc.message[:18])
    403 SERVICE is refused
    """
    from pyparsing.exceptions import ParseException
    from rdflib.plugins.sparql.parser import Query, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    # The grammar alone needs no PREFIX declarations (names are resolved by the store).
    full = expand_escapes(text)
    try:
        parsed = Query.parse_string(full, parse_all=True)
    except ParseException as exc:
        operation = _update_operation(full, parseUpdate)
        if operation is not None:
            raise Refused(
                403, f"this endpoint is read-only: SPARQL Update ({operation}) is refused"
            ) from None
        raise Refused(400, f"not a SPARQL query: {exc}") from None
    except Exception as exc:  # rdflib raises a few other types on odd input
        raise Refused(400, f"not a SPARQL query: {exc}") from None
    query = parsed[1]
    for node in _walk(query):
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            raise Refused(403, "SERVICE is refused: this endpoint does not fetch other endpoints")
    dataset: list[str] = []
    for clause in _field(query, "datasetClause") or []:
        for key in ("default", "named"):
            graph = _field(clause, key)
            if graph is not None:
                dataset.append(str(graph))
    unknown = check_graphs(dataset, stored_graphs, "FROM")
    return CheckedQuery(query.name, tuple(dataset), full, unknown)


def check_graphs(graphs: list[str], stored_graphs: frozenset[str], where: str) -> tuple[str, ...]:
    """The graphs of a dataset this endpoint does not hold (they are empty, never fetched).

    A ``file:`` IRI is refused (403): it can only mean "read this file", which an endpoint
    must never do, and an empty answer would hide that.
    """
    for graph in graphs:
        if graph.lower().startswith("file:"):
            raise Refused(
                403,
                f"{where} <{graph}> is refused: this endpoint never reads files or fetches "
                "URLs; a dataset names graphs it holds",
            )
    return tuple(g for g in graphs if g not in stored_graphs)


def _update_operation(text: str, parse_update: Callable[[str], Any]) -> str | None:
    """The first operation of ``text`` if it is SPARQL Update (parsed, or by its keywords)."""
    try:
        request = parse_update(text)
    except Exception:  # not a valid update either: fall back to its keywords
        found = sorted(_words(text) & UPDATE_KEYWORDS)
        return " ".join(found) if found else None
    operations = _field(request, "request") or []
    names = [str(op.name) for op in operations if hasattr(op, "name")] or ["update"]
    return _OPERATION_NAMES.get(names[0], names[0].upper())


_OPERATION_NAMES = {
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT",
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
}
