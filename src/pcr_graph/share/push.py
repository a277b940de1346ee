"""Pushing a graph to a SPARQL 1.1 server, replacing one graph there, checked and atomic.

The steps are in :func:`push_graph`; the HTTP client, its retry policy and its timeouts
are :mod:`pcr_graph.store.http`'s. Every request a push makes is safe to repeat except the
final ``MOVE``, which is sent once and, if its answer is lost, judged by reading the state.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from pcr_graph.store.engines import Table
from pcr_graph.store.http import (
    Endpoints,
    HttpClient,
    RemoteError,
    error_text,
    graph_url,
    safe_url,
)
from pcr_graph.store.remote import parse_graph, parse_json_results, post_form, sparql_term

ISOMORPHISM_LIMIT = 50_000
"""A push compares the uploaded graph with what it reads back (``isomorphic``) up to this
many triples; above it, only the triple count is compared."""


@dataclass(frozen=True)
class PushReport:
    """What a push did."""

    target: str
    """The graph replaced: an IRI, or ``"default"``."""
    triples: int
    verified: str
    """``"isomorphic"`` (read back and compared) or ``"count"`` (triple count only)."""
    replaced_by: str
    """``"MOVE"`` (one SPARQL Update) or ``"PUT"`` (a second Graph Store upload)."""
    retries: int


_REPLACE_FALLBACK = (400, 403, 404, 405, 501)
"""Answers to MOVE that mean "no SPARQL Update here": replace with a second PUT instead."""


def _count(client: HttpClient, endpoints: Endpoints, graph: str | None) -> int:
    where = "?s ?p ?o" if graph is None else f"GRAPH {sparql_term(URIRef(graph))} {{ ?s ?p ?o }}"
    # The graph IRI is ours (a UUID URN) or the user's checked by sparql_term.
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"
    answer = post_form(client, endpoints.query, "query", text, "application/sparql-results+json")
    table = parse_json_results(answer.body)
    if not isinstance(table, Table) or not table.rows or table.rows[0][0] is None:
        raise RemoteError(f"{safe_url(endpoints.query)}: COUNT query gave no number")
    return int(str(table.rows[0][0]))


def _read_back(client: HttpClient, endpoints: Endpoints, graph: str) -> Graph:
    answer = client.request(
        "GET", graph_url(endpoints.store, graph), None, {"Accept": "application/n-triples"}
    )
    return parse_graph(answer.body, answer.media_type or "application/n-triples")


def _lower_languages(graph: Graph) -> Graph:
    """``graph`` with language tags in lower case, as servers store them (tags ignore case)."""
    if not any(
        isinstance(o, Literal) and o.language and o.language != o.language.lower()
        for o in graph.objects()
    ):
        return graph
    lowered = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.language:
            o = Literal(str(o), lang=o.language.lower())
        lowered.add((s, p, o))
    return lowered


def push_graph(
    graph: Graph,
    endpoints: Endpoints,
    target: str | None = None,
    *,
    client: HttpClient | None = None,
    isomorphism_limit: int = ISOMORPHISM_LIMIT,
) -> PushReport:
    """Replace graph ``target`` (``None``: the default graph) on a server with ``graph``.

    1. PUT the Turtle to a fresh temporary graph ``urn:pcr-graph:push:<uuid>``;
    2. check it: the triple count by SPARQL ``COUNT``, and (up to ``isomorphism_limit``
       triples) the graph read back with a Graph Store GET is isomorphic to ``graph``;
    3. replace the target with one SPARQL Update ``MOVE`` (or, where the server has no
       update endpoint, a second PUT to the target), and check its count;
    4. drop the temporary graph (also when any step fails).

    Until step 3 the target is not touched, so a failed push leaves it as it was. Step 3 is
    a single request, atomic on servers whose updates are transactions (Oxigraph, Fuseki).
    """
    # Imported here to keep `pcr-graph --help` fast.
    from rdflib.compare import isomorphic

    from pcr_graph.store.turtle import to_turtle

    client = client or HttpClient(retry_all_5xx=True)
    if target is not None:
        sparql_term(URIRef(target))  # refuse a malformed IRI before sending anything
    temporary = f"urn:pcr-graph:push:{uuid.uuid4()}"
    expected = len(graph)
    body = to_turtle(graph).encode("utf-8")
    turtle = {"Content-Type": "text/turtle; charset=utf-8"}
    moved = False
    try:
        client.request("PUT", graph_url(endpoints.store, temporary), body, turtle)
        found = _count(client, endpoints, temporary)
        if found != expected:
            raise RemoteError(
                f"push check failed: the server holds {found} triples, {expected} were sent; "
                "the target graph was not changed"
            )
        verified = "count"
        if expected <= isomorphism_limit:
            sent = _lower_languages(graph)
            if not isomorphic(sent, _lower_languages(_read_back(client, endpoints, temporary))):
                raise RemoteError(
                    "push check failed: the graph read back differs from the one sent; "
                    "the target graph was not changed"
                )
            verified = "isomorphic"
        replaced_by = _replace(client, endpoints, temporary, target, body, expected)
        moved = replaced_by == "MOVE"
        found = _count(client, endpoints, target)
        if found != expected:
            raise RemoteError(
                f"after replacing, the target holds {found} triples where {expected} were "
                "expected; push again"
            )
    finally:
        if not moved:
            _drop_quietly(client, endpoints, temporary)
    return PushReport(target or "default", expected, verified, replaced_by, client.retried)


def _replace(
    client: HttpClient,
    endpoints: Endpoints,
    temporary: str,
    target: str | None,
    body: bytes,
    expected: int,
) -> str:
    destination = "DEFAULT" if target is None else sparql_term(URIRef(target))
    update = f"MOVE {sparql_term(URIRef(temporary))} TO {destination}"
    # Not retried blindly: if the answer was lost after the server moved the graph, a
    # second MOVE would find the temporary graph gone. Look at the state instead.
    try:
        answer = post_form(client, endpoints.update, "update", update, check=False, retries=0)
    except RemoteError:
        if _count(client, endpoints, temporary) == 0 and (
            _count(client, endpoints, target) == expected
        ):
            return "MOVE"
        raise
    if 200 <= answer.status < 300:
        return "MOVE"
    if answer.status in _REPLACE_FALLBACK:
        client.request(
            "PUT",
            graph_url(endpoints.store, target),
            body,
            {"Content-Type": "text/turtle; charset=utf-8"},
        )
        return "PUT"
    raise RemoteError(
        f"POST {safe_url(endpoints.update)}: HTTP {answer.status} to MOVE: "
        f"{error_text(answer)}; the target graph was not changed"
    )


def _drop_quietly(client: HttpClient, endpoints: Endpoints, graph: str) -> None:
    # Best effort: the push's own error is the one to report.
    with contextlib.suppress(RemoteError):
        client.request("DELETE", graph_url(endpoints.store, graph), check=False, retries=1)


__all__ = ["ISOMORPHISM_LIMIT", "PushReport", "push_graph"]
