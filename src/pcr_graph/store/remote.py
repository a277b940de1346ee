"""A remote SPARQL 1.1 server as a :class:`~pcr_graph.store.engines.Store`,
and pushing a graph to one.

:class:`RemoteStore` speaks the SPARQL 1.1 Protocol (queries and updates) and the Graph Store
Protocol (loading, reading graphs) with the standard library's :mod:`urllib`, so any server
that follows them works: Oxigraph server, Apache Jena Fuseki, GraphDB, Virtuoso, Neptune, or
``pcr-graph serve`` itself (read-only).

Endpoints. Given a URL whose path ends in ``/query`` or ``/sparql``, that URL is the query
endpoint and its siblings ``/update`` and ``/store`` are the update and graph store endpoints
(Oxigraph server's layout); any other URL is a base, and the three are ``BASE/query``,
``BASE/update`` and ``BASE/store``. The query URL keeps its own query string, so
``…/query?default-graph-uri=urn:x`` queries one named graph. Every endpoint can be given
explicitly (:class:`Endpoints`).

Parameters. The SPARQL protocol has no way to send bindings apart from the query text, so a
bound query gets a ``VALUES`` block, written by this module, as the first thing in its WHERE
group: each value is an rdflib term serialised with ``.n3()`` and then checked to be exactly
one SPARQL IRI or literal token (:func:`sparql_term`); a value that is not refuses to be sent.
The place of the block is found by a tokenizer that skips strings, IRIs and comments, and is
then proven by parsing the query with a placeholder block there. No user text is ever
formatted into the query in any other way (docs/sharing.md).

Credentials come from the environment only: ``PCR_GRAPH_TOKEN`` (bearer) or
``PCR_GRAPH_USER`` and ``PCR_GRAPH_PASSWORD`` (basic). They are never written to a message.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from pcr_graph.core.errors import PcrGraphError, UsageError
from pcr_graph.core.namespaces import bind_prefixes
from pcr_graph.store.engines import (
    SOURCE_GRAPH,
    Bindings,
    QueryResult,
    Table,
    format_for,
    with_prologue,
)

ENV_USER = "PCR_GRAPH_USER"
ENV_PASSWORD = "PCR_GRAPH_PASSWORD"
ENV_TOKEN = "PCR_GRAPH_TOKEN"

ISOMORPHISM_LIMIT = 50_000
"""A push compares the uploaded graph with what it reads back (``isomorphic``) up to this
many triples; above it, only the triple count is compared."""

_RESULT_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
_MEDIA_TYPES = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "json-ld": "application/ld+json",
    "xml": "application/rdf+xml",
}
_PARSERS = {
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


class RemoteError(PcrGraphError):
    """A remote endpoint could not be reached, refused a request, or answered wrongly."""


# --------------------------------------------------------------------------------------
# Endpoints and HTTP


@dataclass(frozen=True)
class Endpoints:
    """The three URLs of a SPARQL server: query, update and graph store."""

    query: str
    update: str
    store: str

    @classmethod
    def from_url(
        cls, url: str, *, update: str | None = None, store: str | None = None
    ) -> Endpoints:
        """Derive the endpoints from a query URL (``…/query``, ``…/sparql``) or a base URL.

        >>> Endpoints.from_url("http://127.0.0.1:7878/query?default-graph-uri=urn:g")
        Endpoints(query='http://127.0.0.1:7878/query?default-graph-uri=urn:g', \
update='http://127.0.0.1:7878/update', store='http://127.0.0.1:7878/store')
        >>> Endpoints.from_url("https://example.org/ds/").query
        'https://example.org/ds/query'
        """
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"not an http(s) URL: {url!r}")
        path = parts.path.rstrip("/")
        head, _, last = path.rpartition("/")
        if last in ("query", "sparql"):
            base, query = head, url
        else:
            base = path
            query = urllib.parse.urlunsplit(
                (parts.scheme, parts.netloc, base + "/query", parts.query, "")
            )

        def sibling(name: str) -> str:
            return urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"{base}/{name}", "", ""))

        return cls(query, update or sibling("update"), store or sibling("store"))


def auth_header(environ: Mapping[str, str] | None = None) -> str | None:
    """The ``Authorization`` header value from the environment, or None."""
    env = os.environ if environ is None else environ
    token = env.get(ENV_TOKEN, "")
    user, password = env.get(ENV_USER, ""), env.get(ENV_PASSWORD, "")
    if token and (user or password):
        raise UsageError(f"set either {ENV_TOKEN} or {ENV_USER}/{ENV_PASSWORD}, not both")
    if token:
        return f"Bearer {token}"
    if user or password:
        if not (user and password):
            raise UsageError(f"{ENV_USER} and {ENV_PASSWORD} must be set together")
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return f"Basic {pair}"
    return None


@dataclass(frozen=True)
class Response:
    """An HTTP answer: status, headers (lower-case names) and body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect could carry the credentials to another host: report it instead.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _first_line(text: str, limit: int = 300) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    line = lines[0] if lines else ""
    return line if len(line) <= limit else line[:limit] + "…"


@dataclass
class HttpClient:
    """A small urllib client: credentials from the environment, retries with backoff.

    Connection errors and 5xx answers are retried ``retries`` times, waiting
    ``backoff``, 2×``backoff``, 4×``backoff`` … seconds; a 503 is retried only if it
    carries ``Retry-After`` (a busy server, not a query that timed out) unless
    ``retry_all_5xx``. Other answers are returned, or raised as :class:`RemoteError`
    when ``check`` is true and the status is not 2xx.
    """

    timeout: float = 120.0
    retries: int = 4
    backoff: float = 0.5
    retry_all_5xx: bool = False
    authorization: str | None = field(default_factory=auth_header, repr=False)
    sleep: Callable[[float], None] = time.sleep
    retried: int = 0
    """How many retries this client has made (for reports)."""

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        check: bool = True,
        retries: int | None = None,
    ) -> Response:
        """Send one request (retrying as described above) and return the answer."""
        opener = urllib.request.build_opener(_NoRedirect)
        all_headers = {"User-Agent": "pcr-graph", **(headers or {})}
        if self.authorization:
            all_headers["Authorization"] = self.authorization
        attempts = 1 + (self.retries if retries is None else retries)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            request = urllib.request.Request(url, data=body, headers=all_headers, method=method)
            try:
                with opener.open(request, timeout=self.timeout) as raw:
                    answer = Response(raw.status, _lower(raw.headers.items()), raw.read())
            except urllib.error.HTTPError as exc:
                answer = Response(exc.code, _lower(exc.headers.items()), exc.read())
            except (urllib.error.URLError, OSError) as exc:
                if last:
                    reason = getattr(exc, "reason", exc)
                    raise RemoteError(f"{method} {_safe(url)}: cannot connect: {reason}") from None
                self._wait(attempt)
                continue
            if answer.status >= 500 and not last and self._retryable(answer):
                self._wait(attempt)
                continue
            if check and not 200 <= answer.status < 300:
                raise RemoteError(
                    f"{method} {_safe(url)}: HTTP {answer.status}: {_first_line(answer.text())}"
                )
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _retryable(self, answer: Response) -> bool:
        if self.retry_all_5xx or answer.status in (502, 504):
            return True
        return answer.status == 503 and "retry-after" in answer.headers

    def _wait(self, attempt: int) -> None:
        self.retried += 1
        self.sleep(self.backoff * (2**attempt))


def _lower(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {k.lower(): v for k, v in items}


def _safe(url: str) -> str:
    """The URL without any user:password part (never print credentials)."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def _with_params(url: str, params: Mapping[str, str]) -> str:
    parts = urllib.parse.urlsplit(url)
    extra = urllib.parse.urlencode(params)
    query = f"{parts.query}&{extra}" if parts.query and extra else parts.query or extra
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def graph_url(store_url: str, graph: str | None) -> str:
    """The Graph Store Protocol URL of ``graph`` (``None``: the default graph)."""
    if graph is None:
        return _with_params(store_url, {}) + ("&" if "?" in store_url else "?") + "default"
    return _with_params(store_url, {"graph": graph})


# --------------------------------------------------------------------------------------
# Binding values safely


_IRI_CHARS = r'[^\x00-\x20<>"{}|^`\\]*'
_IRIREF = re.compile(f"<{_IRI_CHARS}>")
_ECHAR = r"\\[tbnrf\"'\\]"
_LITERAL_TOKEN = re.compile(
    r'(?:"(?:[^"\\\n\r]|' + _ECHAR + r')*"'
    r'|"""(?:(?:"|"")?(?:[^"\\]|' + _ECHAR + r'))*""")'
    r"(?:@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*|\^\^<" + _IRI_CHARS + ">)?"
)
_VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def sparql_term(term: Node) -> str:
    """``term`` as exactly one SPARQL IRI or literal token, or :class:`UsageError`.

    The text is rdflib's ``.n3()`` (which escapes quotes, backslashes and line breaks) and
    is then checked against the SPARQL grammar's ``IRIREF`` and ``RDFLiteral`` terminals,
    so whatever a value holds, it cannot end the token early and become query syntax.

    >>> sparql_term(Literal('say "hi" } UNION {'))
    '"say \\\\"hi\\\\" } UNION {"'
    >>> sparql_term(URIRef("https://w3id.org/pcr-graph/id/area/x"))
    '<https://w3id.org/pcr-graph/id/area/x>'
    """
    if isinstance(term, URIRef):
        text = f"<{term}>"
        if not _IRIREF.fullmatch(text):
            raise UsageError(f"cannot bind {str(term)!r}: not a valid IRI")
        return text
    if isinstance(term, Literal):
        text = term.n3()
        if not _LITERAL_TOKEN.fullmatch(text):
            raise UsageError(f"cannot bind {str(term)!r}: its datatype or language is not valid")
        return text
    if isinstance(term, BNode):
        raise UsageError("cannot bind a blank node to a remote query (it names nothing there)")
    raise UsageError(f"cannot bind {term!r}")


@dataclass(frozen=True)
class _Shape:
    form: str  # SelectQuery, AskQuery, ConstructQuery, DescribeQuery
    projected: frozenset[str] | None  # None: SELECT * (or not a SELECT)
    has_template: bool  # CONSTRUCT { template } WHERE { … }
    has_where: bool


def _parse(text: str) -> Any:
    from pyparsing.exceptions import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return parseQuery(text)[1]
    except ParseException as exc:
        raise UsageError(f"SPARQL syntax error: {exc}") from None


@lru_cache(maxsize=256)
def _shape(text: str) -> _Shape:
    query = _parse(text)
    # rdflib's CompValue.get() answers a missing key with its name: test with `in`.
    projected: frozenset[str] | None = None
    if query.name == "SelectQuery" and "projection" in query:
        names = set()
        for item in query["projection"]:
            for key in ("var", "evar"):
                if key in item:
                    names.add(str(item[key]))
        projected = frozenset(names)
    return _Shape(query.name, projected, "template" in query, "where" in query)


_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'  # short strings
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|<" + _IRI_CHARS + r">"  # IRIs (a lone < is the less-than operator)
    r"|#[^\n\r]*"  # comments
    r"|[^\"'<#{}()]+"  # anything else, up to the next character that matters
    r"|.",
    re.DOTALL,
)


def query_tokens(text: str) -> Iterator[str]:
    """The pieces of a SPARQL text: strings, IRIs and comments whole, then runs of other text.

    Words inside strings, IRIs and comments are never seen as keywords by the caller.
    """
    position = 0
    while position < len(text):
        match = _SKIP.match(text, position)
        assert match is not None  # the last alternative matches any character
        position = match.end()
        token = match.group(0)
        if token[0] in "\"'<#":
            yield token
        else:
            yield from re.findall(r"[^\s{}()]+|[{}()]", token)


def _group_offsets(text: str) -> list[int]:
    """Offsets just after each ``{`` that opens a block at the query's top level.

    Strings, IRIs and comments are skipped whole, so a brace inside them does not count,
    and braces inside parentheses (``(EXISTS { … } AS ?e)``) are not top level.
    """
    offsets: list[int] = []
    braces = parens = 0
    position = 0
    while position < len(text):
        match = _SKIP.match(text, position)
        assert match is not None  # the last alternative matches any character
        token = match.group(0)
        position = match.end()
        if token == "{":
            if braces == 0 and parens == 0:
                offsets.append(position)
            braces += 1
        elif token == "}":
            braces -= 1
        elif token == "(":
            parens += 1
        elif token == ")":
            parens -= 1
    return offsets


@lru_cache(maxsize=256)
def _values_offset(text: str, names: tuple[str, ...]) -> int:
    """Where a ``VALUES`` block for ``names`` goes: first thing in the WHERE group.

    The place is found by :func:`_group_offsets` and then proven: the query with a
    placeholder block there is parsed again, and its WHERE group must start with exactly
    that block. Any doubt refuses the binding.
    """
    shape = _shape(text)
    if not shape.has_where:
        raise UsageError("cannot bind parameters of a query without a WHERE clause")
    if shape.form == "ConstructQuery" and not shape.has_template:
        raise UsageError(
            "cannot bind parameters of the short form CONSTRUCT WHERE { … }: "
            "write CONSTRUCT { … } WHERE { … }"
        )
    for name in names:
        if shape.projected is not None and name not in shape.projected:
            raise UsageError(f"a bound parameter must appear in the query's SELECT clause: ?{name}")
    offsets = _group_offsets(text)
    index = 1 if shape.has_template else 0
    if len(offsets) <= index:
        raise UsageError("cannot find the WHERE clause to bind parameters in")
    offset = offsets[index]
    placeholder = URIRef("urn:pcr-graph:placeholder")
    trial = text[:offset] + _values_block(names, [placeholder] * len(names)) + text[offset:]
    try:
        first = _parse(trial)["where"]["part"][0]
        proven = (
            first.name == "InlineData"
            and [str(v) for v in first["var"]] == list(names)
            and [list(row) for row in first["value"]] == [[placeholder] * len(names)]
        )
    except (UsageError, KeyError, IndexError, TypeError):
        proven = False
    if not proven:
        raise UsageError("cannot bind parameters: the query's WHERE clause was not found")
    return offset


def _values_block(names: tuple[str, ...], terms: list[Node]) -> str:
    variables = " ".join(f"?{n}" for n in names)
    values = " ".join(sparql_term(t) for t in terms)
    return f" VALUES ({variables}) {{ ({values}) }} "


def bind_query(sparql: str, bindings: Bindings | None) -> str:
    """``sparql`` with ``bindings`` in a ``VALUES`` block that opens its WHERE group.

    Variables are checked against the SPARQL ``VARNAME`` rule and each value is one token
    from :func:`sparql_term`; nothing else is added to the text, and the place it goes is
    proven by parsing (see :func:`_values_offset`). A ``VALUES`` block first in the WHERE
    group binds the variables before any FILTER, OPTIONAL or aggregate of that group sees
    them, as Oxigraph's substitutions and rdflib's ``initBindings`` do.

    >>> print(bind_query("SELECT ?a WHERE { ?a ?b ?c }", {"a": Literal('x" } {')}))
    SELECT ?a WHERE { VALUES (?a) { ("x\\" } {") }  ?a ?b ?c }
    """
    if not bindings:
        return sparql
    names = tuple(sorted(bindings))
    for name in names:
        if not _VARNAME.fullmatch(name):
            raise UsageError(f"not a SPARQL variable name: {name!r}")
    offset = _values_offset(sparql, names)
    block = _values_block(names, [bindings[n] for n in names])
    return sparql[:offset] + block + sparql[offset:]


# --------------------------------------------------------------------------------------
# Results


def _term(cell: Mapping[str, Any]) -> Node:
    kind, value = cell.get("type"), cell.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        language = cell.get("xml:lang")
        datatype = cell.get("datatype")
        if language:
            return Literal(value, lang=language)
        if datatype and datatype != str(XSD.string):
            return Literal(value, datatype=URIRef(datatype))
        return Literal(value)
    raise RemoteError(f"unsupported term in SPARQL JSON results: {kind!r}")


def parse_json_results(body: bytes) -> Table | bool:
    """SPARQL 1.1 Query Results JSON as a :class:`Table` (or a bool for ASK)."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise RemoteError(f"the endpoint sent invalid JSON results: {exc}") from None
    if "boolean" in data:
        return bool(data["boolean"])
    columns = tuple(data.get("head", {}).get("vars", []))
    rows = tuple(
        tuple(_term(b[c]) if c in b else None for c in columns)
        for b in data.get("results", {}).get("bindings", [])
    )
    return Table(columns, rows)


def parse_graph(body: bytes, media_type: str) -> Graph:
    """An RDF answer (N-Triples, Turtle, JSON-LD, RDF/XML) as an rdflib graph."""
    fmt = _PARSERS.get(media_type)
    if fmt is None:
        raise RemoteError(f"the endpoint answered with unexpected type {media_type!r}")
    graph = bind_prefixes(Graph())
    try:
        graph.parse(data=body, format=fmt)
    except Exception as exc:  # rdflib raises many types for bad syntax
        raise RemoteError(f"the endpoint sent invalid {fmt}: {_first_line(str(exc))}") from None
    return graph


# --------------------------------------------------------------------------------------
# The store


def source_graph_iri(source: str) -> str:
    """The named graph a source is loaded into (as :mod:`pcr_graph.store.engines` names it)."""
    return SOURCE_GRAPH + urllib.parse.quote(source, safe="/:._-")


class RemoteStore:
    """A SPARQL 1.1 server behind the :class:`~pcr_graph.store.engines.Store` interface.

    Queries see whatever the server's default graph is: a graph you pushed to, or with
    Oxigraph ``--union-default-graph`` (GraphDB, Virtuoso by default) every graph.
    :meth:`load` puts a source into its own named graph, as the embedded stores do.
    """

    engine = "remote"

    def __init__(
        self,
        url: str,
        *,
        update_url: str | None = None,
        store_url: str | None = None,
        client: HttpClient | None = None,
    ) -> None:
        self.endpoints = Endpoints.from_url(url, update=update_url, store=store_url)
        self.client = client or HttpClient()

    def __repr__(self) -> str:
        return f"RemoteStore({_safe(self.endpoints.query)!r})"

    def _post_query(self, text: str) -> Response:
        return self.client.request(
            "POST",
            self.endpoints.query,
            text.encode("utf-8"),
            {"Content-Type": "application/sparql-query", "Accept": _RESULT_ACCEPT},
        )

    def query(self, sparql: str, bindings: Bindings | None = None) -> QueryResult:
        text = bind_query(with_prologue(sparql), bindings)
        answer = self._post_query(text)
        if answer.headers.get("x-pcr-truncated", "").lower() == "true":
            # A partial answer would silently give wrong gaps and metrics.
            raise RemoteError(
                f"{_safe(self.endpoints.query)} cut its answer at its row limit; "
                "raise the server's limit (pcr-graph serve --max-rows) or narrow the query"
            )
        if answer.media_type in ("application/sparql-results+json", "application/json"):
            return parse_json_results(answer.body)
        return parse_graph(answer.body, answer.media_type)

    def update(self, sparql: str) -> None:
        self.client.request(
            "POST",
            self.endpoints.update,
            with_prologue(sparql).encode("utf-8"),
            {"Content-Type": "application/sparql-update"},
        )

    def load(self, data: bytes | str, fmt: str, source: str) -> None:
        body = data.encode("utf-8") if isinstance(data, str) else data
        media = _MEDIA_TYPES.get(fmt)
        if media is None:
            raise UsageError(f"{source}: cannot send RDF format {fmt!r} to a remote store")
        # One Graph Store Protocol POST: the server parses the whole body before adding it.
        self.client.request(
            "POST",
            graph_url(self.endpoints.store, source_graph_iri(source)),
            body,
            {"Content-Type": f"{media}; charset=utf-8"},
        )

    def load_file(self, path: Path, fmt: str | None = None) -> None:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise RemoteError(f"{path}: cannot read: {exc.strerror}") from None
        self.load(data, fmt or format_for(path), str(path))

    def sources(self) -> list[str]:
        table = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g")
        assert isinstance(table, Table)
        return sorted(
            urllib.parse.unquote(str(g)[len(SOURCE_GRAPH) :])
            for (g,) in table.rows
            if g is not None and str(g).startswith(SOURCE_GRAPH)
        )

    def graph(self) -> Graph:
        result = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        assert isinstance(result, Graph)
        return result

    def source_graph(self, source: str) -> Graph:
        # The graph IRI is bound as a value, like any parameter.
        result = self.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
            {"g": URIRef(source_graph_iri(source))},
        )
        assert isinstance(result, Graph)
        return result

    def __len__(self) -> int:
        table = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert isinstance(table, Table) and table.rows
        value = table.rows[0][0]
        return int(str(value)) if value is not None else 0


# --------------------------------------------------------------------------------------
# Push


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
    answer = client.request(
        "POST",
        endpoints.query,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}".encode(),
        {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    table = parse_json_results(answer.body)
    if not isinstance(table, Table) or not table.rows or table.rows[0][0] is None:
        raise RemoteError(f"{_safe(endpoints.query)}: COUNT query gave no number")
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
        answer = client.request(
            "POST",
            endpoints.update,
            update.encode("utf-8"),
            {"Content-Type": "application/sparql-update"},
            check=False,
            retries=0,
        )
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
        f"POST {_safe(endpoints.update)}: HTTP {answer.status} to MOVE: "
        f"{_first_line(answer.text())}; the target graph was not changed"
    )


def _drop_quietly(client: HttpClient, endpoints: Endpoints, graph: str) -> None:
    # Best effort: the push's own error is the one to report.
    with contextlib.suppress(RemoteError):
        client.request("DELETE", graph_url(endpoints.store, graph), check=False, retries=1)


__all__ = [
    "ENV_PASSWORD",
    "ENV_TOKEN",
    "ENV_USER",
    "Endpoints",
    "HttpClient",
    "PushReport",
    "RemoteError",
    "RemoteStore",
    "auth_header",
    "bind_query",
    "graph_url",
    "parse_json_results",
    "push_graph",
    "query_tokens",
    "source_graph_iri",
    "sparql_term",
]
