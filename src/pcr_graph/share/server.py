"""``pcr-graph serve``: a read-only SPARQL 1.1 Protocol endpoint over the project's graph.

Built on the standard library's :class:`http.server.ThreadingHTTPServer`; no web framework.

- ``GET /sparql?query=…`` and ``POST /sparql`` (``application/sparql-query`` or a form with
  ``query=``); ``/query`` is the same endpoint. SELECT and ASK answers come as SPARQL JSON,
  CSV, TSV or XML, CONSTRUCT and DESCRIBE as Turtle, JSON-LD or N-Triples, chosen by the
  ``Accept`` header or a ``format=`` parameter.
- ``GET /``: an offline page (escaped, strict Content-Security-Policy, no network loads) to
  write queries and run the named rules of ``queries/``.
- Read-only, checked by *parsing* (rdflib's SPARQL grammar), not by searching the text:
  anything that is not one SPARQL query is refused; SPARQL Update in any form, ``SERVICE``
  anywhere in the query, and ``FROM``/``FROM NAMED`` naming anything but a graph this
  endpoint holds are refused with 403. A string that merely contains "SERVICE" is fine.
- Limits: a time limit per query, a row cap (answers cut there carry
  ``X-PCR-Truncated: true``), a request body limit (413).

Why worker processes. Oxigraph has no way to cancel a running query. A query run in a
thread would go on using a CPU core (and memory) after its client was told it timed out,
and a few such queries would exhaust the server. So each query runs in one of a pool of
worker processes, each holding the store opened read-only; a worker that exceeds the time
limit is killed and replaced, and the client gets 503 "query timed out". Other workers keep
answering meanwhile. The data is built once into an on-disk Oxigraph store, which every
worker opens read-only, so a replacement starts in well under a second and the workers share
the operating system's page cache rather than holding one copy of the data each.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from pcr_graph.core.errors import UsageError
from pcr_graph.store.engines import OxigraphStore, Store, Table

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from pcr_graph.store.project import Project

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7879
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)

SELECT_FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xml": "application/sparql-results+xml",
}
GRAPH_FORMATS: dict[str, str] = {
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}
_MEDIA_ALIASES = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/x-turtle": "turtle",
    "application/json+ld": "jsonld",
    "text/plain": "nt",
}
_FORMAT_ALIASES = {"ttl": "turtle", "json-ld": "jsonld", "ntriples": "nt", "n-triples": "nt"}


# --------------------------------------------------------------------------------------
# Configuration and replies


@dataclass(frozen=True)
class EndpointConfig:
    """How ``pcr-graph serve`` listens and what it allows."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = 2
    timeout: float = 30.0
    """Seconds a query may run before its worker is killed and the client gets 503."""
    max_rows: int = 10_000
    """Rows (or triples) in one answer; more are cut off, with ``X-PCR-Truncated: true``."""
    max_body: int = 1 << 20
    """Bytes in a request body; more is refused with 413."""
    queue_wait: float | None = None
    """Seconds a request may wait for a free worker (default: ``timeout``)."""


@dataclass(frozen=True)
class Reply:
    """An answer to one query, ready to send."""

    status: int
    content_type: str
    body: bytes
    truncated: bool = False
    retry_after: int | None = None


def _text_reply(status: int, message: str, retry_after: int | None = None) -> Reply:
    return Reply(
        status, "text/plain; charset=utf-8", f"{message}\n".encode(), retry_after=retry_after
    )


class Refused(Exception):
    """A request this endpoint will not answer, with the status and message to send."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --------------------------------------------------------------------------------------
# Checking a query by parsing it


@dataclass(frozen=True)
class CheckedQuery:
    """A query that may run: its form and the graphs its dataset clause names."""

    form: str
    """``SelectQuery``, ``AskQuery``, ``ConstructQuery`` or ``DescribeQuery``."""
    dataset: tuple[str, ...] = ()


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


@lru_cache(maxsize=512)
def check_query(text: str, stored_graphs: frozenset[str] = frozenset()) -> CheckedQuery:
    """Parse ``text`` (with the project's prefixes) and refuse what a read-only endpoint must.

    Raises :class:`Refused`: 400 if it is not one SPARQL 1.1 query, 403 if it is SPARQL
    Update, uses ``SERVICE``, or has ``FROM``/``FROM NAMED`` naming a graph not in
    ``stored_graphs``. Answers are cached by query text (rdflib's parser takes 5 to 100 ms
    on a gap rule, the store a few), so a query asked again is checked at no cost.

    >>> check_query('SELECT ?s WHERE { ?s ?p "SERVICE <http://x/> {}" }').form
    'SelectQuery'
    >>> check_query("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    pcr_graph.share.server.Refused: SERVICE is refused: this endpoint does not fetch other endpoints
    """
    from pyparsing.exceptions import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    # The grammar alone needs no PREFIX declarations (names are resolved later, by the
    # store), so the project's prologue is not parsed again for every query.
    full = text
    try:
        parsed = parseQuery(full)
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
    for graph in dataset:
        if graph not in stored_graphs:
            raise Refused(
                403,
                f"FROM <{graph}> is refused: FROM and FROM NAMED may only name a graph this "
                "endpoint holds (it never fetches URLs or files)",
            )
    return CheckedQuery(query.name, tuple(dataset))


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


# --------------------------------------------------------------------------------------
# Content negotiation


def negotiate(form: str, accept: str | None, fmt: str | None) -> str:
    """The answer format (a key of :data:`SELECT_FORMATS` or :data:`GRAPH_FORMATS`).

    ``format=`` wins over ``Accept``; without either, JSON for SELECT/ASK, Turtle for
    CONSTRUCT/DESCRIBE.

    >>> negotiate("SelectQuery", "text/csv;q=0.5, application/sparql-results+xml", None)
    'xml'
    >>> negotiate("ConstructQuery", "text/html,*/*;q=0.8", None)
    'turtle'
    """
    tabular = form in ("SelectQuery", "AskQuery")
    formats = SELECT_FORMATS if tabular else GRAPH_FORMATS
    default = "json" if tabular else "turtle"
    if fmt:
        asked = fmt.strip().lower()
        asked = _FORMAT_ALIASES.get(asked, asked)
        if not tabular and asked == "json":
            asked = "jsonld"
        if asked not in formats:
            kind = "SELECT/ASK" if tabular else "CONSTRUCT/DESCRIBE"
            raise Refused(
                400, f"format={fmt} does not apply to a {kind} answer (use {', '.join(formats)})"
            )
        return asked
    if not accept or not accept.strip():
        return default
    by_type = {media: key for key, media in formats.items()}
    choices: list[tuple[float, int, str]] = []
    for order, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        key: str | None = by_type.get(media) or _MEDIA_ALIASES.get(media)
        if media == "*/*":
            key = default
        elif media.endswith("/*"):
            major = media[:-1]
            key = next((k for k, m in formats.items() if m.startswith(major)), None)
        if key in formats and quality > 0:
            choices.append((-quality, order, key))
    if not choices:
        raise Refused(
            406,
            f"cannot answer as {accept!r}: this answer is available as "
            + ", ".join(formats.values()),
        )
    return min(choices)[2]


# --------------------------------------------------------------------------------------
# Serialising answers


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    cell = {"type": "literal", "value": str(term)}
    if term.language:
        cell["xml:lang"] = term.language
    elif term.datatype is not None and term.datatype != XSD.string:
        cell["datatype"] = str(term.datatype)
    return cell


def _tsv_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    assert isinstance(term, Literal)
    text = (
        str(term)
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    if term.language:
        return f'"{text}"@{term.language}'
    if term.datatype is not None and term.datatype != XSD.string:
        return f'"{text}"^^<{term.datatype}>'
    return f'"{text}"'


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    from xml.sax.saxutils import escape

    if _XML_INVALID.search(text):
        raise Refused(406, "the answer holds characters XML cannot carry: ask for JSON or TSV")
    return escape(text)


def _xml_attr(text: str) -> str:
    from xml.sax.saxutils import quoteattr

    _xml_text(text)
    return quoteattr(text)


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{_xml_text(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{_xml_text(str(term))}</bnode>"
    assert isinstance(term, Literal)
    attrs = ""
    if term.language:
        attrs = f" xml:lang={_xml_attr(term.language)}"
    elif term.datatype is not None and term.datatype != XSD.string:
        attrs = f" datatype={_xml_attr(str(term.datatype))}"
    return f"<literal{attrs}>{_xml_text(str(term))}</literal>"


def serialise_table(table: Table, fmt: str) -> bytes:
    """A SELECT answer in one of :data:`SELECT_FORMATS` (SPARQL 1.1 result formats)."""
    if fmt == "json":
        bindings = [
            {c: _json_term(v) for c, v in zip(table.columns, row, strict=True) if v is not None}
            for row in table.rows
        ]
        data = {"head": {"vars": list(table.columns)}, "results": {"bindings": bindings}}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow(
                ["" if v is None else f"_:{v}" if isinstance(v, BNode) else str(v) for v in row]
            )
        return out.getvalue().encode()
    if fmt == "tsv":
        lines = ["\t".join(f"?{c}" for c in table.columns)]
        lines += ["\t".join("" if v is None else _tsv_term(v) for v in row) for row in table.rows]
        return ("\n".join(lines) + "\n").encode()
    if fmt == "xml":
        parts = ['<?xml version="1.0" encoding="utf-8"?>\n']
        parts.append('<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>')
        parts += [f"<variable name={_xml_attr(c)}/>" for c in table.columns]
        parts.append("</head>\n<results>\n")
        for row in table.rows:
            parts.append("<result>")
            for column, value in zip(table.columns, row, strict=True):
                if value is not None:
                    parts.append(f"<binding name={_xml_attr(column)}>{_xml_term(value)}</binding>")
            parts.append("</result>\n")
        parts.append("</results>\n</sparql>\n")
        return "".join(parts).encode()
    raise ValueError(f"unknown SELECT format {fmt!r}")


def serialise_boolean(value: bool, fmt: str) -> bytes:
    """An ASK answer in one of :data:`SELECT_FORMATS`."""
    word = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n"
        ).encode()
    return f"{word}\n".encode()


def serialise_graph(graph: Graph, fmt: str) -> bytes:
    """A CONSTRUCT/DESCRIBE answer in one of :data:`GRAPH_FORMATS`."""
    if fmt == "turtle":
        from pcr_graph.store.turtle import to_turtle

        return to_turtle(graph).encode()
    if fmt == "nt":
        lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
        return ("\n".join(lines) + "\n").encode() if lines else b""
    if fmt == "jsonld":
        from pcr_graph.share.export import jsonld_text

        return jsonld_text(graph).encode()
    raise ValueError(f"unknown graph format {fmt!r}")


# --------------------------------------------------------------------------------------
# Running one query (inside a worker process)


@dataclass(frozen=True)
class QueryRequest:
    """What the HTTP side sends a worker."""

    query: str
    accept: str | None = None
    fmt: str | None = None
    max_rows: int = 10_000


def _run(
    store: Store, sparql: str, checked: CheckedQuery, cap: int
) -> tuple[Table | bool | Graph, bool]:
    """Run ``sparql``; stop reading after ``cap`` rows or triples (and say so)."""
    if isinstance(store, OxigraphStore):
        return _run_oxigraph(store, sparql, checked, cap)
    result = store.query(sparql)
    if isinstance(result, Table):
        return Table(result.columns, result.rows[:cap]), len(result.rows) > cap
    if isinstance(result, Graph) and len(result) > cap:
        kept = Graph()
        for triple in sorted(result)[:cap]:
            kept.add(triple)
        return kept, True
    return result, False


def _run_oxigraph(
    store: OxigraphStore, sparql: str, checked: CheckedQuery, cap: int
) -> tuple[Table | bool | Graph, bool]:
    # The store's query() reads every row and always queries the union graph, which would
    # hide FROM; query_capped reads lazily and queries the real default graph when asked.
    return store.query_capped(sparql, cap, union=not checked.dataset)


def answer(store: Store, request: QueryRequest, stored_graphs: frozenset[str]) -> Reply:
    """Check, run and serialise one query; every failure becomes an error reply."""
    try:
        checked = check_query(request.query, stored_graphs)
        fmt = negotiate(checked.form, request.accept, request.fmt)
        if checked.dataset and not isinstance(store, OxigraphStore):
            raise Refused(403, "FROM and FROM NAMED are only served from an Oxigraph store")
        try:
            result, truncated = _run(store, request.query, checked, request.max_rows)
        except SyntaxError as exc:
            raise Refused(400, f"SPARQL error: {exc}") from None
        except UsageError as exc:  # Oxigraph's syntax error, as the store words it
            raise Refused(400, str(exc)) from None
        if isinstance(result, bool):
            return Reply(200, _content_type(fmt), serialise_boolean(result, fmt))
        if isinstance(result, Table):
            body = serialise_table(result, fmt)
        else:
            body = serialise_graph(result, fmt)
        return Reply(200, _content_type(fmt), body, truncated)
    except Refused as exc:
        return _text_reply(exc.status, f"error: {exc.message}")
    except Exception as exc:  # a failure of one query must not end the worker
        from pcr_graph.core.errors import PcrGraphError

        status = 400 if isinstance(exc, PcrGraphError) else 500
        return _text_reply(status, f"error: {type(exc).__name__}: {_first_line(str(exc))}")


def _content_type(fmt: str) -> str:
    media = SELECT_FORMATS.get(fmt) or GRAPH_FORMATS[fmt]
    return f"{media}; charset=utf-8"


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0][:500] if lines else ""


# --------------------------------------------------------------------------------------
# Worker processes


@dataclass(frozen=True)
class WorkerSpec:
    """How a worker opens its store: a read-only Oxigraph folder, or the project itself."""

    oxigraph_dir: Path | None = None
    project: Project | None = None


def _open_worker_store(spec: WorkerSpec) -> Store:
    if spec.oxigraph_dir is not None:
        return OxigraphStore.read_only(spec.oxigraph_dir)
    assert spec.project is not None
    return spec.project.open()


def _stored_graphs(store: Store) -> frozenset[str]:
    from pcr_graph.store.remote import source_graph_iri

    return frozenset(source_graph_iri(source) for source in store.sources())


def worker_main(inbound: Connection, outbound: Connection, spec: WorkerSpec) -> None:
    """A worker process: open the store, then answer requests until told to stop."""
    try:
        store = _open_worker_store(spec)
        graphs = _stored_graphs(store)
    except BaseException as exc:
        outbound.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    outbound.send(("ready", len(store)))
    while True:
        try:
            request = inbound.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if request is None:
            return
        outbound.send(answer(store, request, graphs))


def worker_entry() -> None:
    """Entry point of a worker process: its requests arrive on stdin, answers leave on stdout.

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


_WORKER_BOOT = "from pcr_graph.share.server import worker_entry; worker_entry()"


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    inbound: Connection
    """Answers from the worker."""
    outbound: Connection
    """Requests to the worker."""

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self.inbound.close()
        self.outbound.close()


class WorkerPool:
    """Worker processes answering queries, each killed and replaced if it runs too long."""

    def __init__(
        self,
        spec: WorkerSpec,
        size: int,
        timeout: float,
        queue_wait: float | None = None,
        log: Callable[[str], None] | None = None,
        startup_timeout: float = 300.0,
    ) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self.spec = spec
        self.size = size
        self.timeout = timeout
        self.queue_wait = timeout if queue_wait is None else queue_wait
        self.startup_timeout = startup_timeout
        self._log = log or (lambda _message: None)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.replaced = 0
        """Workers killed after a timeout or a crash, and started anew."""

    def _spawn(self) -> _Worker:
        import os
        import sys
        from multiprocessing.connection import Connection

        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH", "")) if p
        )
        process = subprocess.Popen(
            [sys.executable, "-c", _WORKER_BOOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert process.stdin is not None and process.stdout is not None
        outbound = Connection(os.dup(process.stdin.fileno()), readable=False)
        inbound = Connection(os.dup(process.stdout.fileno()), writable=False)
        process.stdin.close()
        process.stdout.close()
        worker = _Worker(process, inbound, outbound)
        with self._lock:
            self._all.add(worker)
        with contextlib.suppress(OSError):  # if it died at once, _await_ready says so
            outbound.send(self.spec)
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        if not worker.inbound.poll(self.startup_timeout):
            worker.kill()
            raise RuntimeError(f"a query worker did not start within {self.startup_timeout} s")
        try:
            status, detail = worker.inbound.recv()
        except (EOFError, OSError):
            worker.kill()
            raise RuntimeError("a query worker died while opening the store") from None
        if status != "ready":
            worker.kill()
            raise RuntimeError(f"a query worker could not open the store: {detail}")

    def start(self) -> None:
        """Start every worker and wait until each has opened the store."""
        workers = [self._spawn() for _ in range(self.size)]
        try:
            for worker in workers:
                self._await_ready(worker)
        except BaseException:
            self.close()
            raise
        for worker in workers:
            self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
            self.replaced += 1
        worker.kill()
        if self._closed:
            return
        try:
            fresh = self._spawn()
            self._await_ready(fresh)
        except Exception as exc:
            self._log(f"could not replace a query worker: {exc}")
            return
        if self._closed:
            fresh.kill()
        else:
            self._idle.put(fresh)

    def run(self, request: QueryRequest) -> Reply:
        """Answer one query in a free worker; 503 if none frees up or the query times out."""
        try:
            worker = self._idle.get(timeout=self.queue_wait)
        except queue.Empty:
            return _text_reply(
                503, "error: the server is busy: every query worker is in use", retry_after=1
            )
        try:
            worker.outbound.send(request)
            if worker.inbound.poll(self.timeout):
                reply: Reply = worker.inbound.recv()
                self._idle.put(worker)
                return reply
        except (EOFError, OSError) as exc:
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            return _text_reply(500, f"error: the query worker failed: {exc}")
        # Oxigraph cannot cancel a query: end the process that runs it.
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
        return _text_reply(503, f"error: query timed out after {self.timeout:g} s")

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()


# --------------------------------------------------------------------------------------
# The page


_PAGE_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
.note { color: #555; margin-top: 0; }
textarea { width: 100%; height: 14rem; font: 13px/1.4 ui-monospace, monospace; }
.controls { display: flex; gap: .6rem; align-items: center; margin: .5rem 0; }
#status { color: #444; }
#status.error { color: #a40000; }
table { border-collapse: collapse; margin: .5rem 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: .2rem .4rem; text-align: left; vertical-align: top; }
th { background: #f1f1f1; }
pre { background: #f6f6f6; padding: .6rem; overflow: auto; max-height: 30rem; }
.rules td:first-child { white-space: nowrap; font-family: ui-monospace, monospace; }
"""

_PAGE_JS = """
"use strict";
const byId = (id) => document.getElementById(id);
const queries = JSON.parse(byId("queries").textContent);
const mediaTypes = {
  json: "application/sparql-results+json", csv: "text/csv",
  tsv: "text/tab-separated-values", xml: "application/sparql-results+xml",
  turtle: "text/turtle", jsonld: "application/ld+json", nt: "application/n-triples",
};
function showStatus(text, isError) {
  const status = byId("status");
  status.textContent = text;
  status.className = isError ? "error" : "";
}
function cellText(term) {
  if (!term) { return ""; }
  if (term["xml:lang"]) { return term.value + " @" + term["xml:lang"]; }
  return term.value;
}
function showTable(data) {
  const out = byId("results");
  if ("boolean" in data) {
    const pre = document.createElement("pre");
    pre.textContent = String(data.boolean);
    out.replaceChildren(pre);
    return 1;
  }
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const name of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const binding of data.results.bindings) {
    const row = body.insertRow();
    for (const name of data.head.vars) {
      row.insertCell().textContent = cellText(binding[name]);
    }
  }
  out.replaceChildren(table);
  return data.results.bindings.length;
}
async function run(text) {
  const choice = byId("format").value;
  const accept = choice === "table"
    ? "application/sparql-results+json, text/turtle;q=0.9" : mediaTypes[choice];
  showStatus("running…", false);
  byId("results").replaceChildren();
  let response;
  try {
    response = await fetch("sparql", {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", "Accept": accept },
      body: text,
    });
  } catch (error) {
    showStatus("the endpoint could not be reached: " + error, true);
    return;
  }
  const body = await response.text();
  if (!response.ok) {
    showStatus(response.status + " " + body, true);
    return;
  }
  const truncated = response.headers.get("X-PCR-Truncated") === "true";
  const type = (response.headers.get("Content-Type") || "").split(";")[0];
  let count = "";
  if (choice === "table" && type === "application/sparql-results+json") {
    count = showTable(JSON.parse(body)) + " rows";
  } else {
    const pre = document.createElement("pre");
    pre.textContent = body;
    byId("results").replaceChildren(pre);
    count = type;
  }
  showStatus(count + (truncated ? " (cut at the row limit)" : ""), false);
}
byId("run").addEventListener("click", () => run(byId("query").value));
for (const button of document.querySelectorAll("button[data-rule]")) {
  button.addEventListener("click", () => {
    const text = queries[button.dataset.rule];
    byId("query").value = text;
    run(text);
  });
}
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pcr-graph SPARQL endpoint</title>
<style>@@CSS@@</style>
</head>
<body>
<h1>pcr-graph SPARQL endpoint</h1>
<p class="note">Read-only SPARQL 1.1 over @@TRIPLES@@. Queries run for at most @@TIMEOUT@@;
answers stop at @@ROWS@@ rows. The endpoint is <code>/sparql</code>
(GET <code>?query=</code> or POST).</p>
<textarea id="query" spellcheck="false" aria-label="SPARQL query">@@EXAMPLE@@</textarea>
<div class="controls">
<button id="run" type="button">Run query</button>
<label>Answer as <select id="format">
<option value="table">table</option><option value="json">SPARQL JSON</option>
<option value="csv">CSV</option><option value="tsv">TSV</option>
<option value="xml">SPARQL XML</option><option value="turtle">Turtle</option>
<option value="jsonld">JSON-LD</option><option value="nt">N-Triples</option>
</select></label>
<span id="status" role="status"></span>
</div>
<div id="results"></div>
<h2>Named queries and gap rules</h2>
<table class="rules">
<thead><tr><th>query</th><th>kind</th><th>severity</th><th>summary</th><th></th></tr></thead>
<tbody>
@@RULES@@
</tbody>
</table>
<script type="application/json" id="queries">@@QUERIES@@</script>
<script>@@JS@@</script>
</body>
</html>
"""

_EXAMPLE = """SELECT ?area ?label WHERE {
  ?area a pcr:Area ; skos:prefLabel ?label .
}
ORDER BY ?label
LIMIT 50"""


def page_csp() -> str:
    """The Content-Security-Policy of the page: its own script and style, fetches to itself."""
    from pcr_graph.render.maps import csp_hash

    return (
        "default-src 'none'; "
        f"script-src {csp_hash(_PAGE_JS)}; style-src {csp_hash(_PAGE_CSS)}; "
        "connect-src 'self'; img-src 'none'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


def render_page(queries: Sequence[Any], triples: int, config: EndpointConfig) -> str:
    """The HTML page at ``/``: a query box, and the named queries with a button each.

    ``queries`` are :class:`~pcr_graph.analysis.queries.NamedQuery` objects; every text from them
    is escaped, and their query texts travel as script-safe JSON.
    """
    from pcr_graph.render.maps import esc, script_json

    rows = []
    for named in queries:
        params = ", ".join(p.name for p in named.params)
        summary = named.summary + (f" (parameters: {params}, unbound here)" if params else "")
        rows.append(
            f"<tr><td>{esc(named.name)}</td><td>{esc(named.family)}</td>"
            f"<td>{esc(named.header.get('severity', ''))}</td><td>{esc(summary)}</td>"
            f'<td><button type="button" data-rule="{esc(named.name)}">Run</button></td></tr>'
        )
    values = {
        "CSS": _PAGE_CSS,
        "JS": _PAGE_JS,
        "TRIPLES": esc(f"{triples:,} triples"),
        "TIMEOUT": esc(f"{config.timeout:g} s"),
        "ROWS": esc(f"{config.max_rows:,}"),
        "EXAMPLE": esc(_EXAMPLE),
        "RULES": "\n".join(rows),
        "QUERIES": script_json({q.name: q.text for q in queries}),
    }
    return re.sub(r"@@([A-Z]+)@@", lambda m: values[m.group(1)], _PAGE)


# --------------------------------------------------------------------------------------
# HTTP


_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer
    protocol_version = "HTTP/1.1"
    server_version = "pcr-graph"
    timeout = 60  # seconds a client may take to send its request

    # -- plumbing
    def log_message(self, format: str, *args: Any) -> None:
        self.server.endpoint.log(f"{self.address_string()} {format % args}")

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in {**_SECURITY_HEADERS, **(headers or {})}.items():
            self.send_header(name, value)
        if "Content-Security-Policy" not in (headers or {}):
            self.send_header("Content-Security-Policy", "default-src 'none'")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._send(status, f"error: {message}\n".encode(), "text/plain; charset=utf-8")

    def _reply(self, reply: Reply) -> None:
        headers = {"Vary": "Accept"}
        if reply.truncated:
            headers["X-PCR-Truncated"] = "true"
        if reply.retry_after is not None:
            headers["Retry-After"] = str(reply.retry_after)
        self._send(reply.status, reply.body, reply.content_type, headers)

    def _route(self) -> tuple[str, dict[str, list[str]]]:
        parts = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        return parts.path, params

    # -- methods
    def do_GET(self) -> None:
        path, params = self._route()
        if path in ("/", "/index.html"):
            page = self.server.endpoint.page.encode()
            self._send(
                200,
                page,
                "text/html; charset=utf-8",
                {"Content-Security-Policy": page_csp()},
            )
        elif path in ("/sparql", "/query"):
            self._query(params, None)
        elif path == "/update":
            self._read_only()
        else:
            self._error(404, f"no such page: {path} (the endpoint is /sparql, the page /)")

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        path, params = self._route()
        if path == "/update":
            self._read_only()
            return
        if path not in ("/sparql", "/query"):
            self._error(404, f"no such endpoint: {path} (POST queries to /sparql)")
            return
        body = self._body()
        if body is None:
            return
        media = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media == "application/sparql-update":
            self._read_only()
        elif media == "application/sparql-query":
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                self._error(400, "the query is not UTF-8")
                return
            self._query(params, text)
        elif media == "application/x-www-form-urlencoded":
            try:
                form = urllib.parse.parse_qs(
                    body.decode("utf-8"), keep_blank_values=True, strict_parsing=False
                )
            except UnicodeDecodeError:
                self._error(400, "the form is not UTF-8")
                return
            self._query({**params, **form}, None)
        else:
            self._error(
                415,
                f"cannot read a {media or 'body without Content-Type'}: send "
                "application/sparql-query or application/x-www-form-urlencoded",
            )

    def _refuse_write(self) -> None:
        self._read_only()

    do_PUT = do_DELETE = do_PATCH = _refuse_write

    def _read_only(self) -> None:
        self._error(403, "this endpoint is read-only: SPARQL Update and graph writes are refused")

    def _body(self) -> bytes | None:
        length_text = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._error(411, "send the body with a Content-Length, not chunked")
            return None
        if length_text is None:
            self.close_connection = True
            self._error(411, "a POST needs a Content-Length")
            return None
        try:
            length = int(length_text)
        except ValueError:
            self.close_connection = True
            self._error(400, "Content-Length is not a number")
            return None
        limit = self.server.endpoint.config.max_body
        if length < 0 or length > limit:
            # The body is not read: close the connection rather than parse it as a request.
            self.close_connection = True
            self._error(413, f"the request body is over the limit of {limit:,} bytes")
            return None
        return self.rfile.read(length)

    def _query(self, params: dict[str, list[str]], text: str | None) -> None:
        if "update" in params:
            self._read_only()
            return
        for name in ("default-graph-uri", "named-graph-uri"):
            if name in params:
                self._error(400, f"{name} is not supported here: name graphs with FROM")
                return
        if text is None:
            found = params.get("query", [])
            if len(found) != 1:
                self._error(400, "give exactly one SPARQL query, as ?query=… or in a POST body")
                return
            text = found[0]
        formats = params.get("format", [])
        request = QueryRequest(
            text,
            self.headers.get("Accept"),
            formats[0] if formats else None,
            self.server.endpoint.config.max_rows,
        )
        self._reply(self.server.endpoint.pool.run(request))


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], endpoint: SparqlEndpoint) -> None:
        import socket

        self.endpoint = endpoint
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)


# --------------------------------------------------------------------------------------
# The endpoint


class SparqlEndpoint:
    """The whole service: the data, the worker pool and the HTTP server.

    Use it as a context manager (or call :meth:`start` and :meth:`close`)::

        with SparqlEndpoint(Project(), EndpointConfig(port=0)) as endpoint:
            print(endpoint.url)
    """

    def __init__(
        self,
        project: Project,
        config: EndpointConfig | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.project = project
        self.config = config or EndpointConfig()
        self.log: Callable[[str], None] = log or (lambda _message: None)
        self.page = ""
        self.triples = 0
        self._pool: WorkerPool | None = None
        self._server: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._scratch: Path | None = None

    @property
    def pool(self) -> WorkerPool:
        assert self._pool is not None, "start() the endpoint first"
        return self._pool

    @property
    def url(self) -> str:
        """The base URL (the page); the query endpoint is ``url + "sparql"``."""
        assert self._server is not None, "start() the endpoint first"
        address = self._server.server_address
        host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
        port = address[1]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def _spec(self) -> WorkerSpec:
        from pcr_graph.store.engines import open_persistent

        project = self.project
        if project.engine != "oxigraph" or (
            project.store is not None and project.store.startswith(("http://", "https://"))
        ):
            store = project.open()
            self.triples = len(store)
            return WorkerSpec(project=project)
        if project.store is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="pcr-graph-serve-"))
            folder = self._scratch / "store"
        else:
            folder = Path(project.store)
        store = open_persistent(project.files(), folder)
        self.triples = len(store)
        del store  # release the read-write handle; workers open the folder read-only
        return WorkerSpec(oxigraph_dir=folder / "oxigraph")

    def start(self) -> str:
        """Build the data, start the workers, listen; return the base URL."""
        from pcr_graph.analysis.queries import library

        try:
            spec = self._spec()
            self.page = render_page(library(), self.triples, self.config)
            self._pool = WorkerPool(
                spec, self.config.workers, self.config.timeout, self.config.queue_wait, self.log
            )
            self._pool.start()
            self._server = _HttpServer((self.config.host, self.config.port), self)
        except BaseException:
            self.close()
            raise
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="pcr-graph-serve", daemon=True
        )
        self._thread.start()
        return self.url

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C in the CLI)."""
        if self._thread is not None:
            while self._thread.is_alive():
                self._thread.join(timeout=0.5)

    def close(self) -> None:
        """Stop listening, stop the workers, remove scratch data."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> SparqlEndpoint:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "GRAPH_FORMATS",
    "SELECT_FORMATS",
    "CheckedQuery",
    "EndpointConfig",
    "QueryRequest",
    "Refused",
    "Reply",
    "SparqlEndpoint",
    "WorkerPool",
    "WorkerSpec",
    "answer",
    "check_query",
    "negotiate",
    "render_page",
    "serialise_boolean",
    "serialise_graph",
    "serialise_table",
]
