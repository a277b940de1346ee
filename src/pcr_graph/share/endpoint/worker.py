"""Running one query inside a worker process, and the worker process itself.

A worker confines itself first (no network, capped memory: :mod:`.sandbox`), then opens
the store read-only and answers requests from its pipe until told to stop. Each request is
checked (:mod:`.checks`), run, and written in the negotiated format (:mod:`.formats`);
every failure becomes an error reply, never the end of the worker, except running out of
memory, after which the worker answers and retires.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pcr_graph.share.endpoint.checks import CheckedQuery, Refused, check_graphs, check_query
from pcr_graph.share.endpoint.negotiation import content_type, negotiate

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from pcr_graph.store.project import Project


@dataclass(frozen=True)
class Reply:
    """An answer to one request, ready to send."""

    status: int
    content_type: str
    body: bytes
    truncated: bool = False
    retry_after: int | None = None
    retire: bool = False
    """The worker that made it should be replaced (it ran out of memory)."""
    unknown_graphs: tuple[str, ...] = ()
    """Graphs the dataset named that this endpoint does not hold (answered as empty)."""


def text_reply(status: int, message: str, retry_after: int | None = None) -> Reply:
    """A plain-text reply (errors)."""
    return Reply(
        status, "text/plain; charset=utf-8", f"{message}\n".encode(), retry_after=retry_after
    )


@dataclass(frozen=True)
class QueryRequest:
    """What the HTTP side sends a worker."""

    query: str
    accept: str | None = None
    fmt: str | None = None
    max_rows: int = 10_000
    default_graphs: tuple[str, ...] = ()
    """``default-graph-uri`` parameters (SPARQL 1.1 Protocol)."""
    named_graphs: tuple[str, ...] = ()
    """``named-graph-uri`` parameters."""
    base_iri: str | None = None
    """The endpoint's URL: relative IRIs in the query resolve against it."""


@dataclass(frozen=True)
class WorkerSpec:
    """How a worker opens its store, and how it is confined."""

    oxigraph_dir: Path | None = None
    """A read-only Oxigraph folder (the usual case)."""
    project: Project | None = None
    """Or the project itself (rdflib engine, a remote store)."""
    memory_mb: int | None = None
    """Address-space cap of the worker (RLIMIT_AS), or None."""
    sandbox: bool = True
    """Deny the worker network sockets (seccomp); refuse to run if that is impossible."""


# --------------------------------------------------------------------------------------
# Answering on Oxigraph (the fast path: no rdflib terms)


def _protocol_dataset(request: QueryRequest) -> dict[str, Any]:
    import pyoxigraph as ox

    return {
        "default_graph": [ox.NamedNode(g) for g in request.default_graphs],
        "named_graphs": [ox.NamedNode(g) for g in request.named_graphs],
    }


def _rows(solutions: Any, cap: int) -> tuple[tuple[str, ...], list[Any], bool]:
    from pcr_graph.share.endpoint.formats.terms import from_oxigraph

    columns = tuple(v.value for v in solutions.variables)
    rows = [tuple(map(from_oxigraph, s)) for s in islice(solutions, cap + 1)]
    return columns, rows[:cap], len(rows) > cap


def answer_oxigraph(store: Any, request: QueryRequest, graphs: frozenset[str]) -> Reply:
    """Check, run and write one query on a pyoxigraph store."""
    import pyoxigraph as ox

    from pcr_graph.core.namespaces import PREFIXES
    from pcr_graph.share.endpoint.formats import write_boolean, write_graph, write_table

    checked = check_query(request.query, graphs)
    fmt = negotiate(checked.form, request.accept, request.fmt)
    options: dict[str, Any] = {"prefixes": PREFIXES, "base_iri": request.base_iri}
    unknown = checked.unknown
    if request.default_graphs or request.named_graphs:
        # The protocol's dataset replaces the query's (SPARQL 1.1 Protocol, 2.1.4).
        unknown = check_graphs(
            [*request.default_graphs, *request.named_graphs], graphs, "default-graph-uri"
        )
        options.update(_protocol_dataset(request))
    else:
        # Without a dataset the default graph is every graph (the project's sources).
        options["use_default_graph_as_union"] = not checked.dataset
    try:
        result = store.query(checked.text, **options)
    except SyntaxError as exc:
        raise Refused(400, f"SPARQL syntax error: {exc}") from None
    media = content_type(fmt)
    if isinstance(result, ox.QueryBoolean):
        body, truncated = write_boolean(bool(result), fmt), False
    elif isinstance(result, ox.QuerySolutions):
        columns, rows, truncated = _rows(result, request.max_rows)
        body = write_table(columns, rows, fmt)
    else:
        triples = list(islice(result, request.max_rows + 1))
        truncated = len(triples) > request.max_rows
        body = write_graph(triples[: request.max_rows], fmt)
    return Reply(200, media, body, truncated, unknown_graphs=unknown)


# --------------------------------------------------------------------------------------
# Answering on any Store (rdflib engine, remote store)


def answer_store(store: Any, request: QueryRequest, graphs: frozenset[str]) -> Reply:
    """Check, run and write one query on a :class:`~pcr_graph.store.engines.Store`."""
    from rdflib import Graph

    from pcr_graph.core.errors import UsageError
    from pcr_graph.share.endpoint.formats import write_boolean, write_graph, write_table
    from pcr_graph.share.endpoint.formats.rdf import rdflib_triple
    from pcr_graph.share.endpoint.formats.terms import from_rdflib
    from pcr_graph.store.engines import Table

    checked: CheckedQuery = check_query(request.query, graphs)
    fmt = negotiate(checked.form, request.accept, request.fmt)
    if checked.dataset or request.default_graphs or request.named_graphs:
        check_graphs([*request.default_graphs, *request.named_graphs], graphs, "dataset")
        raise Refused(403, "a query dataset is only served from an Oxigraph store")
    try:
        result = store.query(checked.text)
    except SyntaxError as exc:
        raise Refused(400, f"SPARQL error: {exc}") from None
    except UsageError as exc:
        raise Refused(400, str(exc)) from None
    cap = request.max_rows
    if isinstance(result, bool):
        return Reply(200, content_type(fmt), write_boolean(result, fmt))
    if isinstance(result, Table):
        rows = [tuple(map(from_rdflib, row)) for row in result.rows[:cap]]
        body = write_table(tuple(result.columns), rows, fmt)
        return Reply(200, content_type(fmt), body, len(result.rows) > cap)
    assert isinstance(result, Graph)
    triples = [rdflib_triple(t) for t in sorted(result)[:cap]]
    return Reply(200, content_type(fmt), write_graph(triples, fmt), len(result) > cap)


def answer(store: Any, request: QueryRequest, graphs: frozenset[str]) -> Reply:
    """One request, answered; every failure becomes an error reply."""
    import pyoxigraph as ox

    try:
        if isinstance(store, ox.Store):
            return answer_oxigraph(store, request, graphs)
        return answer_store(store, request, graphs)
    except Refused as exc:
        return text_reply(exc.status, f"error: {exc.message}")
    except MemoryError:
        reply = text_reply(503, "error: the query needed more memory than a worker may use")
        return Reply(reply.status, reply.content_type, reply.body, retire=True)
    except Exception as exc:  # a failure of one query must not end the worker
        from pcr_graph.core.errors import PcrGraphError

        status = 400 if isinstance(exc, PcrGraphError) else 500
        return text_reply(status, f"error: {type(exc).__name__}: {_first_line(str(exc))}")


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0][:500] if lines else ""


# --------------------------------------------------------------------------------------
# The worker process


def open_worker_store(spec: WorkerSpec) -> tuple[Any, frozenset[str]]:
    """The store a worker answers from, and the graph names a dataset may use."""
    if spec.oxigraph_dir is not None:
        import pyoxigraph as ox

        store = ox.Store.read_only(str(spec.oxigraph_dir))
        names = frozenset(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
        return store, names
    assert spec.project is not None
    from pcr_graph.analysis.derived import ensure_derived  # here: only project workers need it
    from pcr_graph.store.engines import source_graph_iri

    opened = spec.project.open()
    ensure_derived(opened)  # the rules read the derived summary graph
    return opened, frozenset(source_graph_iri(s) for s in opened.sources())


def _store_size(store: Any) -> int:
    return len(store)


def worker_main(inbound: Connection, outbound: Connection, spec: WorkerSpec) -> None:
    """A worker process: confine itself, open the store, answer until told to stop."""
    from pcr_graph.share.endpoint.sandbox import deny_network, limit_memory

    try:
        if spec.sandbox:
            deny_network()
        limit_memory(spec.memory_mb)
        store, graphs = open_worker_store(spec)
        size = _store_size(store)
    except BaseException as exc:
        outbound.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    outbound.send(("ready", size))
    for request in _requests(inbound):
        reply = answer(store, request, graphs)
        outbound.send(reply)
        if reply.retire:
            return


def _requests(inbound: Connection) -> Iterator[QueryRequest]:
    while True:
        try:
            request = inbound.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if request is None:
            return
        yield request


def worker_entry() -> None:
    """Entry point of a worker process: requests arrive on stdin, answers leave on stdout.

    Started as ``python -c``, not through :mod:`multiprocessing`, so a worker never re-runs
    the caller's main script (a notebook, a script without a ``__main__`` guard).
    """
    import os
    from multiprocessing.connection import Connection

    inbound = Connection(os.dup(0), writable=False)
    outbound = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # a stray print goes to stderr, never into the answers
    try:
        spec = inbound.recv()
    except (EOFError, OSError):
        return
    worker_main(inbound, outbound, spec)


WORKER_BOOT = "from pcr_graph.share.endpoint.worker import worker_entry; worker_entry()"
