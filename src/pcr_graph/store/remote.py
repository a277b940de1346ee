"""A remote SPARQL 1.1 server as a :class:`~pcr_graph.store.engines.Store`.

:class:`RemoteStore` speaks the SPARQL 1.1 Protocol (queries and updates) and the Graph Store
Protocol (loading) through :class:`~pcr_graph.store.http.HttpClient`, so any server that
follows them works: Oxigraph server, Virtuoso 7, Apache Jena Fuseki, GraphDB, Neptune, or
``pcr-graph serve`` itself (read-only). Pushing a graph to one is
:mod:`pcr_graph.share.push`.

Endpoints. Given a URL whose path ends in ``/query`` or ``/sparql``, that URL is the query
endpoint; any other URL is a base, and the query endpoint is ``BASE/query``
(:class:`~pcr_graph.store.http.Endpoints`). The query URL keeps its own query string, so
``…/query?default-graph-uri=urn:x`` queries one named graph.

Requests. Queries and updates are sent form-encoded (``application/x-www-form-urlencoded``,
the one form every SPARQL 1.1 server must accept: Virtuoso 7.2 hangs on an
``application/sparql-query`` body), with the query URL's own parameters
(``default-graph-uri`` …) moved into the form.

Parameters. The SPARQL protocol has no way to send bindings apart from the query text, so a
bound query gets one ``BIND(value AS ?name)`` per parameter, written by this module, as the
first thing in its WHERE group (not a ``VALUES`` block: Virtuoso 7.2 evaluates some queries
wrongly with one there, e.g. ``missing-pathway`` for one area): each value is an rdflib
term serialised with ``.n3()`` and then checked to be exactly
one SPARQL IRI or literal token (:func:`sparql_term`); a value that is not refuses to be sent.
The place of the block is found by a tokenizer that skips strings, IRIs and comments, and is
then proven by parsing the query with a placeholder block there. No user text is ever
formatted into the query in any other way (docs/sharing.md).

Credentials come from the environment only: ``PCR_GRAPH_TOKEN`` (bearer) or
``PCR_GRAPH_USER`` and ``PCR_GRAPH_PASSWORD`` (basic). They are never written to a message.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node, Variable

from pcr_graph.core.errors import UsageError
from pcr_graph.core.namespaces import bind_prefixes
from pcr_graph.store.engines import (
    Bindings,
    QueryForms,
    QueryResult,
    Table,
    format_for,
    graph_source,
    source_graph_iri,
    with_prologue,
)
from pcr_graph.store.http import (
    ENV_PASSWORD,
    ENV_TOKEN,
    ENV_USER,
    Endpoints,
    HttpClient,
    RemoteError,
    Response,
    auth_header,
    first_line,
    graph_url,
    safe_url,
    split_params,
)

_TABLE_ACCEPT = "application/sparql-results+json"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
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
}
"""Answers read back: the line-based and Turtle formats only (never asked for RDF/XML or
JSON-LD, whose parsers could expand entities or fetch a remote ``@context``)."""


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


def _scan(text: str) -> Iterator[tuple[str, int, int, int]]:
    """Each piece of ``text`` (strings, IRIs and comments whole, then runs of other text,
    each brace and parenthesis alone) with the offset just after it and the depth of braces
    and of parentheses it stands in."""
    braces = parens = 0
    position = 0
    while position < len(text):
        match = _SKIP.match(text, position)
        assert match is not None  # the last alternative matches any character
        token = match.group(0)
        position = match.end()
        yield token, position, braces, parens
        if token == "{":
            braces += 1
        elif token == "}":
            braces -= 1
        elif token == "(":
            parens += 1
        elif token == ")":
            parens -= 1


def query_tokens(text: str) -> Iterator[str]:
    """The pieces of a SPARQL text: strings, IRIs and comments whole, then runs of other text.

    Words inside strings, IRIs and comments are never seen as keywords by the caller.
    """
    for token, _end, _braces, _parens in _scan(text):
        if token[0] in "\"'<#":
            yield token
        else:
            yield from re.findall(r"[^\s{}()]+|[{}()]", token)


def _group_offsets(text: str) -> list[int]:
    """Offsets just after each ``{`` that opens a block at the query's top level.

    Strings, IRIs and comments are skipped whole, so a brace inside them does not count,
    and braces inside parentheses (``(EXISTS { … } AS ?e)``) are not top level.
    """
    scanned = _scan(text)
    return [end for token, end, braces, parens in scanned if token == "{" and braces == parens == 0]


_WORDS = re.compile(r"[?$]?[A-Za-z_][A-Za-z0-9_]*")


def _subselect_groups(text: str) -> list[tuple[int, frozenset[str]]]:
    """Each sub-select's WHERE group: the offset just after its ``{`` and the variables
    its projection lists plainly (none for ``SELECT *``, as Oxigraph's substitutions).

    Strings, IRIs and comments are skipped whole; a ``SELECT`` inside a block is a
    sub-select; variables inside parentheses of its projection (``(COUNT(?x) AS ?n)``) are
    computed there, not projected from its group, so they are not listed.
    """
    found: list[tuple[int, frozenset[str]]] = []
    reading: set[str] | None = None  # the projection being read, while reading one
    projection_parens = 0
    for token, end, braces, parens in _scan(text):
        if token == "{" and reading is not None:
            found.append((end, frozenset(reading)))
            reading = None
        elif token[0] not in "\"'<#{}()":
            for word in _WORDS.findall(token):
                if reading is not None:
                    if parens == projection_parens and word[0] in "?$":
                        reading.add(word[1:])
                elif braces > 0 and word.upper() == "SELECT":
                    reading, projection_parens = set(), parens
    return found


def _sub_selects(node: Any) -> Iterator[Any]:
    """The ``SubSelect`` nodes of an rdflib parse tree, outermost first."""
    if isinstance(node, str):  # terms are strings: nothing below them
        return
    if getattr(node, "name", None) == "SubSelect":
        yield node
    children = dict.values(node) if isinstance(node, dict) else node
    if isinstance(node, (dict, list)) or hasattr(node, "asList"):
        for child in children:
            yield from _sub_selects(child)


def _pattern_variables(node: Any, found: set[str]) -> set[str]:
    """The variables a parsed group binds: those of its patterns, BINDs, VALUES and inner
    sub-selects' projections; not those only read by expressions (FILTER, BIND's value)."""
    if isinstance(node, Variable):
        found.add(str(node))
    elif isinstance(node, dict):
        for key, child in dict.items(node):
            if key != "expr":
                _pattern_variables(child, found)
    elif not isinstance(node, str) and (isinstance(node, list) or hasattr(node, "asList")):
        for child in node:
            _pattern_variables(child, found)
    return found


def _needs(sub_select: Any, names: tuple[str, ...]) -> tuple[str, ...]:
    """Which of ``names`` the parsed sub-select lists plainly in its projection without
    binding them itself: it reads them (a FILTER) and means the value given."""
    if "projection" not in sub_select:  # SELECT *: not substituted by Oxigraph either
        return ()
    listed = {str(i["var"]) for i in sub_select["projection"] if "var" in i}
    own = _pattern_variables(sub_select["where"], set())
    return tuple(n for n in names if n in listed and n not in own)


def _starts_with_binds(group: Any, names: tuple[str, ...], placeholder: URIRef) -> bool:
    parts = list(group["part"]) if "part" in group else []
    return len(parts) >= len(names) and all(
        part.name == "Bind" and str(part["var"]) == name and _unwrap(part["expr"]) == placeholder
        for part, name in zip(parts, names, strict=False)
    )


@lru_cache(maxsize=256)
def _bind_offsets(text: str, names: tuple[str, ...]) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Where the ``BIND`` clauses for ``names`` go, and which: first thing in the WHERE group,
    and first thing in the WHERE group of a sub-select that projects one of them without
    binding it itself (``{ SELECT ?before ?e WHERE { ?e dc:date ?d FILTER (?d < ?before) } }``).

    That binds as Oxigraph's substitutions do (SEP-0007: a sub-select that projects the
    variable sees its value) and rdflib's ``initBindings``; where the sub-select binds the
    variable itself the outer BIND already gives the same rows (and Virtuoso 7.2.5 fails on
    a BIND of a grouped sub-select's key). The places are found by :func:`_group_offsets` and
    :func:`_subselect_groups` and then proven: the query with placeholder clauses there is
    parsed again, and its WHERE group, and each such sub-select's, must start with exactly
    those clauses. Any doubt refuses the binding.
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
    groups = _subselect_groups(text)
    needs = [_needs(sub, names) for sub in _sub_selects(_parse(text)["where"])]
    if len(needs) != len(groups):
        raise UsageError("cannot bind parameters: the query's sub-selects were not found")
    places = [(offsets[index], names)]
    places += [(offset, need) for (offset, _), need in zip(groups, needs, strict=True) if need]
    placeholder = URIRef("urn:pcr-graph:placeholder")
    trial = text
    for offset, bound in sorted(places, reverse=True):
        trial = trial[:offset] + _bind_block(bound, [placeholder] * len(bound)) + trial[offset:]
    try:
        query = _parse(trial)
        subs = list(_sub_selects(query["where"]))
        proven = _starts_with_binds(query["where"], names, placeholder) and len(subs) == len(needs)
        for sub, need in zip(subs, needs, strict=False):
            proven = proven and _starts_with_binds(sub["where"], need, placeholder)
    except (UsageError, KeyError, IndexError, TypeError, ValueError):
        proven = False
    if not proven:
        raise UsageError("cannot bind parameters: the query's WHERE clause was not found")
    return tuple(sorted(places, reverse=True))


def _unwrap(expr: Any) -> Any:
    """The one term an rdflib expression node of nested single ``expr`` fields holds."""
    while hasattr(expr, "name") and set(expr.keys()) == {"expr"}:
        expr = expr["expr"]
    return expr


def _bind_block(names: tuple[str, ...], terms: list[Node]) -> str:
    binds = " ".join(f"BIND({sparql_term(t)} AS ?{n})" for n, t in zip(names, terms, strict=True))
    return f" {binds} "


def bind_query(sparql: str, bindings: Bindings | None) -> str:
    """``sparql`` with ``bindings`` in ``BIND`` clauses that open its WHERE group.

    Variables are checked against the SPARQL ``VARNAME`` rule and each value is one token
    from :func:`sparql_term`; nothing else is added to the text, and the place it goes is
    proven by parsing (see :func:`_bind_offsets`). ``BIND`` clauses first in the WHERE
    group, and in the WHERE group of each sub-select that projects the variable, bind it
    before any FILTER, OPTIONAL or aggregate of that group sees it, as Oxigraph's
    substitutions and rdflib's ``initBindings`` do.

    >>> print(bind_query("SELECT ?a WHERE { ?a ?b ?c }", {"a": Literal('x" } {')}))
    SELECT ?a WHERE { BIND("x\\" } {" AS ?a)  ?a ?b ?c }
    """
    if not bindings:
        return sparql
    names = tuple(sorted(bindings))
    for name in names:
        if not _VARNAME.fullmatch(name):
            raise UsageError(f"not a SPARQL variable name: {name!r}")
    text = sparql
    for offset, bound in _bind_offsets(sparql, names):  # last first: offsets stay true
        block = _bind_block(bound, [bindings[n] for n in bound])
        text = text[:offset] + block + text[offset:]
    return text


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
        raise RemoteError(f"the endpoint sent invalid {fmt}: {first_line(str(exc))}") from None
    return graph


# --------------------------------------------------------------------------------------
# The store


def query_form(text: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the query's first form keyword
    outside strings, IRIs and comments (None if it has none).

    >>> query_form("PREFIX x: <urn:select:> # ASK\\nconstruct { ?s ?p 'SELECT' } WHERE {}")
    'CONSTRUCT'
    """
    for token in query_tokens(text):
        if token.upper() in _FORMS:
            return token.upper()
    return None


def _truncated(answer: Response) -> bool:
    """Whether the server says it cut its answer: pcr-graph serve's ``X-PCR-Truncated``,
    or Virtuoso's partial "anytime" result (``X-SQL-State: S1TAT``)."""
    headers = answer.headers
    return (
        headers.get("x-pcr-truncated", "").lower() == "true"
        or headers.get("x-sql-state", "").upper() == "S1TAT"
    )


def post_form(
    client: HttpClient,
    url: str,
    name: str,
    text: str,
    accept: str | None = None,
    *,
    check: bool = True,
    retries: int | None = None,
) -> Response:
    """POST ``text`` as the form field ``name`` (``query`` or ``update``) to ``url``.

    The parameters of ``url``'s own query string (``default-graph-uri``, ``using-graph-uri``
    …) go into the form too, as the SPARQL 1.1 Protocol asks of form-encoded requests.
    """
    base, params = split_params(url)
    body = urllib.parse.urlencode([*params, (name, text)]).encode("ascii")
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if accept:
        headers["Accept"] = accept
    return client.request("POST", base, body, headers, check=check, retries=retries)


class RemoteStore(QueryForms):
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
        return f"RemoteStore({safe_url(self.endpoints.query)!r})"

    def _post_query(self, text: str) -> Response:
        # Ask for the one kind of answer the query's form gives: a server free to choose
        # (Virtuoso) answers a CONSTRUCT as a SPARQL JSON table of s, p, o otherwise.
        accept = _GRAPH_ACCEPT if query_form(text) in ("CONSTRUCT", "DESCRIBE") else _TABLE_ACCEPT
        return post_form(self.client, self.endpoints.query, "query", text, accept)

    def query(self, sparql: str, bindings: Bindings | None = None) -> QueryResult:
        text = bind_query(with_prologue(sparql), bindings)
        answer = self._post_query(text)
        if _truncated(answer):
            # A partial answer would silently give wrong gaps and metrics.
            raise RemoteError(
                f"{safe_url(self.endpoints.query)} cut its answer at its row limit; "
                "raise the server's limit (pcr-graph serve --max-rows) or narrow the query"
            )
        if answer.media_type in ("application/sparql-results+json", "application/json"):
            return parse_json_results(answer.body)
        return parse_graph(answer.body, answer.media_type)

    def update(self, sparql: str) -> None:
        post_form(self.client, self.endpoints.update, "update", with_prologue(sparql))

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
        table = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g")
        names = (graph_source(str(g)) for (g,) in table.rows if g is not None)
        return sorted(name for name in names if name is not None)

    def graph(self) -> Graph:
        return self.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")

    def source_graph(self, source: str) -> Graph:
        # The graph IRI is bound as a value, like any parameter.
        return self.construct(
            "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
            {"g": URIRef(source_graph_iri(source))},
        )

    def __len__(self) -> int:
        table = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        value = table.rows[0][0] if table.rows else None
        return int(str(value)) if value is not None else 0


__all__ = [
    "ENV_PASSWORD",
    "ENV_TOKEN",
    "ENV_USER",
    "Endpoints",
    "HttpClient",
    "RemoteError",
    "RemoteStore",
    "auth_header",
    "bind_query",
    "graph_url",
    "parse_graph",
    "parse_json_results",
    "post_form",
    "query_form",
    "query_tokens",
    "sparql_term",
]
