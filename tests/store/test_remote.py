"""The remote store and push, against a real Oxigraph server (``oxigraph serve``).

Values are bound into remote queries as BIND clauses this package writes; a corpus of
breakout payloads shows each travels as one RDF term and the answers equal the embedded
store's. Push is checked end to end, including failures made by a real forwarding proxy
that breaks one step (the target graph must be left as it was).
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD

from pcr_graph.analysis.gaps import run_gaps
from pcr_graph.analysis.queries import bind_params, library
from pcr_graph.cli.commands import main
from pcr_graph.core.errors import UsageError
from pcr_graph.share.push import push_graph
from pcr_graph.store.engines import OxigraphStore, Store, Table
from pcr_graph.store.project import Project
from pcr_graph.store.remote import (
    Endpoints,
    HttpClient,
    RemoteError,
    RemoteStore,
    auth_header,
    bind_query,
    sparql_term,
)
from tests.support.oxigraph_server import oxigraph_fixture, oxigraph_server  # noqa: F401

DEMO_AREAS = ("mb", "tl", "wv")

PAYLOADS = [
    '"',
    "'",
    '"""',
    "'''",
    "\\",
    '\\"',
    'x" } UNION { ?s ?p ?o } #',
    "}",
    "{",
    "} {",
    "# not a comment",
    "line\nbreak",
    "carriage\rreturn",
    "tab\there",
    "\\u0022",
    "\\U00000022",
    '") } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #',
    "> <http://example.org/evil>",
    '"@en',
    '"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '" . ?s ?p ?o . FILTER("1"="1',
    "'; DROP ALL; '",
    " UNION ",
    "\\u005C\\u0022",
    "é ünïcödé 😀 \u2028 \u2029",
    '"""\n} INSERT DATA { <urn:x> <urn:y> <urn:z> } #',
]
TERMS: list[Literal] = [
    *(Literal(p) for p in PAYLOADS),
    Literal('" } {', lang="en-GB"),
    Literal('" } {\n"""', datatype=URIRef("urn:pcr-test:datatype")),
]


@pytest.fixture(scope="module")
def demo() -> Store:
    """The embedded store with the whole dataset (ontology, reference data, fictional demo)."""
    return Project().open()


def payload_graph() -> Graph:
    """Fictional test resources, one per payload, labelled with it."""
    graph = Graph()
    for number, term in enumerate(TERMS):
        graph.add((URIRef(f"urn:pcr-test:payload/{number}"), RDFS.label, term))
    return graph


# --------------------------------------------------------------------------------------
# Binding, without a server


def test_sparql_term_is_one_token_or_refused() -> None:
    assert sparql_term(URIRef("urn:a")) == "<urn:a>"
    assert sparql_term(Literal(3)) == f'"3"^^<{XSD.integer}>'
    for bad in ("http://e/a>b", "http://e/a b", 'http://e/"', "http://e/{x}", "http://e/\\"):
        with pytest.raises(UsageError, match="not a valid IRI"):
            sparql_term(URIRef(bad))
    with pytest.raises(UsageError, match="not valid"):
        sparql_term(Literal("x", datatype=URIRef("http://e/>{")))
    with pytest.raises(UsageError, match="blank node"):
        sparql_term(BNode())


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?label WHERE { ?s rdfs:label ?label }",
        "SELECT * { ?s rdfs:label ?label }",
        "# { a comment with braces }\nSELECT ?label (CONCAT('{', ?label) AS ?x) WHERE "
        "{ ?s rdfs:label ?label }",
        "SELECT ?label (EXISTS { ?s ?p ?o } AS ?e) WHERE { ?s rdfs:label ?label }",
        "CONSTRUCT { ?s rdfs:label ?label } WHERE { ?s rdfs:label ?label }",
        "ASK { ?s rdfs:label ?label }",
        "SELECT ?label WHERE { ?s rdfs:label ?label FILTER (?label != '}') }",
        "SELECT ?label ?x WHERE { ?s rdfs:label ?label } VALUES ?x { 1 2 }",
        # A sub-select that lists the variable in its projection sees its value, as with
        # Oxigraph's substitutions (SEP-0007); one that does not list it (`*`, a count)
        # does not; one that binds it itself is joined on it.
        "SELECT ?label ?s WHERE { { SELECT ?label ?s WHERE { ?s ?p ?o FILTER (?o = ?label) } } }",
        "SELECT ?label ?n WHERE { { SELECT ?label (COUNT(?s) AS ?n) WHERE "
        "{ ?s rdfs:label ?o FILTER (STR(?o) <= STR(?label)) } GROUP BY ?label } }",
        "SELECT ?label ?n WHERE { ?s rdfs:label ?label { SELECT (COUNT(?t) AS ?n) WHERE "
        "{ ?t rdfs:label ?label } } }",
        "SELECT ?label ?s WHERE { { SELECT * WHERE { ?s ?p ?o FILTER (?o = ?label) } } }",
        "SELECT ?label ?s WHERE { { SELECT ?label ?s WHERE { { SELECT ?label ?s WHERE "
        "{ ?s rdfs:label ?o FILTER (?o = ?label) } } } } }",
        "SELECT ?label ?s WHERE { ?s rdfs:label ?o FILTER (?o != '{ SELECT ?label {') "
        "{ SELECT ?label WHERE { ?x rdfs:label ?label } } } ORDER BY ?s",
    ],
)
def test_values_block_binds_like_oxigraph_substitutions(query: str) -> None:
    store = OxigraphStore()
    store.load(payload_graph().serialize(format="nt"), "nt", "payloads")
    for term in TERMS[:8]:
        substituted = store.query(query, {"label": term})
        bound = store.query(bind_query(query, {"label": term}))
        if isinstance(substituted, Graph):
            assert isinstance(bound, Graph) and isomorphic(bound, substituted)
        else:
            assert bound == substituted


def test_binding_is_refused_where_it_cannot_be_proven() -> None:
    with pytest.raises(UsageError, match="SELECT clause"):
        bind_query("SELECT ?s WHERE { ?s ?p ?label }", {"label": Literal("x")})
    with pytest.raises(UsageError, match="short form"):
        bind_query("CONSTRUCT WHERE { ?s ?p ?label }", {"label": Literal("x")})
    with pytest.raises(UsageError, match="without a WHERE"):
        bind_query("DESCRIBE <urn:x>", {"x": Literal("x")})
    with pytest.raises(UsageError, match="variable name"):
        bind_query("SELECT * WHERE { ?s ?p ?o }", {"o) } {": Literal("x")})
    with pytest.raises(UsageError, match="syntax"):
        bind_query("SELECT * WHERE { ?s ?p ?o", {"o": Literal("x")})


def test_a_sub_select_that_reads_a_parameter_gets_it_first() -> None:
    text = bind_query(
        "SELECT ?a ?n WHERE { { SELECT ?a (COUNT(?b) AS ?n) WHERE { ?x ?p ?b FILTER (?b < ?a) "
        "} GROUP BY ?a } { SELECT ?a ?c WHERE { ?a ?q ?c } } { SELECT ?n WHERE { ?x ?q ?n } } }",
        {"a": Literal(3)},
    )
    three = sparql_term(Literal(3))
    assert text == (
        f"SELECT ?a ?n WHERE {{ BIND({three} AS ?a)  {{ SELECT ?a (COUNT(?b) AS ?n) WHERE "
        f"{{ BIND({three} AS ?a)  ?x ?p ?b FILTER (?b < ?a) }} GROUP BY ?a }} "
        "{ SELECT ?a ?c WHERE { ?a ?q ?c } } { SELECT ?n WHERE { ?x ?q ?n } } }"
    )


@pytest.mark.slow
def test_every_library_query_binds_the_same_through_values(demo: Store) -> None:
    """All named queries and gap rules, each with its parameters, give the same rows."""
    checked = 0
    for named in library():
        params = {p.name for p in named.params}
        area_sets = [{"area": a} for a in DEMO_AREAS] if "area" in params else [{}]
        for values in area_sets:
            extra = {p.name: p.default for p in named.params if p.default and p.name != "area"}
            if any(p.required and p.name not in values for p in named.params):
                continue
            bindings = bind_params(demo, named, {**values, **extra})  # type: ignore[arg-type]
            if not bindings:
                continue
            assert demo.query(bind_query(named.text, bindings)) == demo.query(
                named.text, bindings
            ), named.name
            checked += 1
    assert checked >= 20


# --------------------------------------------------------------------------------------
# Against a real Oxigraph server


def test_payloads_travel_as_values_and_match_the_embedded_store(oxigraph: str) -> None:
    graph = payload_graph()
    local = OxigraphStore()
    local.load(graph.serialize(format="nt"), "nt", "payloads")
    report = push_graph(graph, Endpoints.from_url(oxigraph))
    assert report.verified == "isomorphic" and report.triples == len(TERMS)
    remote = RemoteStore(oxigraph)
    query = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s"
    assert len(TERMS) >= 20
    for number, term in enumerate(TERMS):
        expected = Table(("s", "label"), ((URIRef(f"urn:pcr-test:payload/{number}"), term),))
        assert local.query(query, {"label": term}) == expected
        assert remote.query(query, {"label": term}) == expected, repr(term)
    # nothing was written by any of them
    assert len(remote) == len(TERMS)


@pytest.mark.slow
def test_push_then_gap_report_is_the_same_remotely(oxigraph: str, demo: Store) -> None:
    report = push_graph(demo.graph(), Endpoints.from_url(oxigraph))
    assert report.triples == len(demo) and report.replaced_by == "MOVE"
    remote = RemoteStore(oxigraph)
    assert len(remote) == len(demo)
    assert run_gaps(remote).to_json() == run_gaps(demo).to_json()
    areas = [URIRef(f"https://w3id.org/pcr-graph/id/wb/demo/area/{a}") for a in DEMO_AREAS]
    assert run_gaps(remote, areas=areas).to_json() == run_gaps(demo, areas=areas).to_json()
    assert isomorphic(remote.graph(), demo.graph())
    assert not _temporary_graphs(oxigraph)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


@pytest.mark.slow
def test_query_gaps_and_render_commands_run_against_the_server(
    oxigraph: str, demo: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["push", "--endpoint", oxigraph], capsys)
    assert code == 0, err
    assert f"pushed {len(demo)} triples to the default graph" in out
    remote = ["--store", f"{oxigraph}/query"]
    commands = [
        ["query", "providers-in-area", "-p", "area", "wv", "--format", "csv"],
        ["query", "stale-evidence", "-p", "before", "2020-01-01", "--format", "json"],
        ["gaps", "--format", "json"],
        ["gaps", "--area", "tl", "--format", "md"],
    ]
    for command in commands:
        local_code, local_out, _ = run_cli(["--demo", *command], capsys)
        remote_code, remote_out, remote_err = run_cli(["--demo", *remote, *command], capsys)
        assert (remote_code, remote_out) == (local_code, local_out), remote_err
        assert local_out.strip()
    for where, prefix in (
        (tmp_path / "local.html", ["--demo"]),
        (tmp_path / "remote.html", ["--demo", *remote]),
    ):
        code, _, err = run_cli([*prefix, "render", "--area", "mb", "-o", str(where)], capsys)
        assert code == 0, err
    assert (tmp_path / "remote.html").read_bytes() == (tmp_path / "local.html").read_bytes()


@pytest.mark.slow
def test_push_to_a_named_graph_and_query_it(oxigraph: str, demo: Store) -> None:
    target = "https://example.org/pcr-graph/test"
    push_graph(demo.graph(), Endpoints.from_url(oxigraph), target)
    assert len(RemoteStore(oxigraph)) == 0  # the default graph is untouched
    scoped = RemoteStore(f"{oxigraph}/query?default-graph-uri={target}")
    assert len(scoped) == len(demo)
    areas = [URIRef("https://w3id.org/pcr-graph/id/wb/demo/area/wv")]
    assert run_gaps(scoped, areas=areas).to_json() == run_gaps(demo, areas=areas).to_json()
    # a second push replaces the graph rather than adding to it
    smaller = Graph()
    smaller.add((URIRef("urn:pcr-test:a"), RDFS.label, Literal("only this")))
    push_graph(smaller, Endpoints.from_url(oxigraph), target)
    assert isomorphic(scoped.graph(), smaller)


def test_push_refuses_a_malformed_graph_iri(oxigraph: str) -> None:
    with pytest.raises(UsageError, match="not a valid IRI"):
        push_graph(payload_graph(), Endpoints.from_url(oxigraph), "urn:x> } DROP ALL {")
    assert len(RemoteStore(oxigraph)) == 0


def test_remote_store_load_sources_update(tmp_path: Path) -> None:
    with oxigraph_server(tmp_path / "data", union_default_graph=True) as url:
        remote = RemoteStore(url)
        remote.load(payload_graph().serialize(format="turtle"), "turtle", "payloads.ttl")
        assert remote.sources() == ["payloads.ttl"]
        # Oxigraph keeps language tags in lower case (they ignore case), rdflib as written.
        assert set(remote.source_graph("payloads.ttl")) == set(payload_graph())
        assert len(remote) == len(TERMS)
        remote.update("INSERT DATA { <urn:pcr-test:x> rdfs:label 'added' }")
        assert len(remote) == len(TERMS) + 1
        result = remote.construct("CONSTRUCT WHERE { <urn:pcr-test:x> ?p ?o }")
        assert type(result) is Graph and len(result) == 1
        assert remote.ask("ASK { <urn:pcr-test:x> rdfs:label 'added' }") is True
        assert remote.select("SELECT ?o WHERE { <urn:pcr-test:x> ?p ?o }").strings() == [
            {"o": "added"}
        ]
        with pytest.raises(UsageError, match=r"ask\(\) needs an ASK query; this is a SELECT"):
            remote.ask("SELECT ?o WHERE { <urn:pcr-test:x> ?p ?o }")
        with pytest.raises(UsageError, match=r"select\(\) needs a SELECT query; this is an ASK"):
            remote.select("ASK { <urn:pcr-test:x> ?p ?o }")


# --------------------------------------------------------------------------------------
# Failures, made by a real proxy in front of the real server


@dataclass
class Proxy:
    """Forwards every request to ``upstream``; ``fault`` may answer or alter one instead."""

    upstream: str
    fault: Callable[[Proxy, str, str, bytes], tuple[int, bytes] | None] = lambda *_: None
    alter: Callable[[str, str, bytes], bytes] = lambda _method, _path, body: body
    seen: list[tuple[str, str, str]] = field(default_factory=list)
    url: str = ""

    def count(self, method: str, marker: str) -> int:
        return sum(1 for m, p, _ in self.seen if m == method and marker in p)


@pytest.fixture(name="proxy")
def proxy_fixture(oxigraph: str) -> Iterator[Proxy]:
    proxy = Proxy(oxigraph)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            proxy.seen.append((self.command, self.path, self.headers.get("Authorization") or ""))
            faulty = proxy.fault(proxy, self.command, self.path, body)
            if faulty is not None:
                status, text = faulty
                self.send_response(status)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)
                return
            headers = {
                k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")
            }
            request = urllib.request.Request(
                proxy.upstream + self.path,
                data=body if self.command in ("POST", "PUT") else None,
                headers=headers,
                method=self.command,
            )
            try:
                with urllib.request.urlopen(request) as answer:
                    status, data, kind = answer.status, answer.read(), answer.headers
            except urllib.error.HTTPError as exc:
                status, data, kind = exc.code, exc.read(), exc.headers
            data = proxy.alter(self.command, self.path, data)
            self.send_response(status)
            if kind.get("Content-Type"):
                self.send_header("Content-Type", kind["Content-Type"])
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _temporary_graphs(url: str) -> list[str]:
    table = RemoteStore(url).select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g")
    return [str(g) for (g,) in table.rows if str(g).startswith("urn:pcr-graph:push:")]


def _first_graph() -> Graph:
    graph = Graph()
    graph.add((URIRef("urn:pcr-test:before"), RDFS.label, Literal("the graph before")))
    return graph


def _fast_client(retries: int = 3) -> HttpClient:
    return HttpClient(retries=retries, retry_all_5xx=True, backoff=0.01)


def test_failed_check_leaves_the_target_as_it_was(proxy: Proxy) -> None:
    endpoints = Endpoints.from_url(proxy.upstream)
    push_graph(_first_graph(), endpoints)

    def drop_a_line(method: str, path: str, body: bytes) -> bytes:
        if method == "GET" and "/store" in path:
            return b"\n".join(body.splitlines()[1:]) + b"\n"
        return body

    proxy.alter = drop_a_line
    with pytest.raises(RemoteError, match=r"read back differs.*not changed"):
        push_graph(payload_graph(), Endpoints.from_url(proxy.url), client=_fast_client())
    assert isomorphic(RemoteStore(proxy.upstream).graph(), _first_graph())
    assert not _temporary_graphs(proxy.upstream)
    assert proxy.count("DELETE", "urn%3Apcr-graph%3Apush") == 1


def test_failed_move_leaves_the_target_as_it_was(proxy: Proxy) -> None:
    push_graph(_first_graph(), Endpoints.from_url(proxy.upstream))
    proxy.fault = lambda _p, method, path, _b: (
        (500, b"disk full") if path.startswith("/update") else None
    )
    with pytest.raises(RemoteError, match="HTTP 500 to MOVE"):
        push_graph(payload_graph(), Endpoints.from_url(proxy.url), client=_fast_client())
    assert isomorphic(RemoteStore(proxy.upstream).graph(), _first_graph())
    assert not _temporary_graphs(proxy.upstream)
    assert proxy.count("POST", "/update") == 1  # a MOVE is never blindly repeated


def test_push_retries_connection_trouble_with_backoff(proxy: Proxy) -> None:
    def flaky(p: Proxy, method: str, path: str, _body: bytes) -> tuple[int, bytes] | None:
        if method == "PUT" and p.count("PUT", "/store") <= 2:
            return 503, b"try later"
        return None

    proxy.fault = flaky
    client = HttpClient(retries=3, retry_all_5xx=True, backoff=0.05)
    report = push_graph(payload_graph(), Endpoints.from_url(proxy.url), client=client)
    assert report.retries == 2 and proxy.count("PUT", "/store") == 3
    assert set(RemoteStore(proxy.upstream).graph()) == set(payload_graph())


def test_push_gives_up_after_its_retries(proxy: Proxy) -> None:
    push_graph(_first_graph(), Endpoints.from_url(proxy.upstream))
    proxy.fault = lambda _p, method, _path, _b: (502, b"bad gateway") if method == "PUT" else None
    with pytest.raises(RemoteError, match="HTTP 502"):
        push_graph(payload_graph(), Endpoints.from_url(proxy.url), client=_fast_client(2))
    assert proxy.count("PUT", "/store") == 3
    assert isomorphic(RemoteStore(proxy.upstream).graph(), _first_graph())


def test_without_an_update_endpoint_push_replaces_by_put(proxy: Proxy) -> None:
    push_graph(_first_graph(), Endpoints.from_url(proxy.upstream))
    proxy.fault = lambda _p, _m, path, _b: (404, b"no") if path.startswith("/update") else None
    report = push_graph(payload_graph(), Endpoints.from_url(proxy.url), client=_fast_client())
    assert report.replaced_by == "PUT"
    assert set(RemoteStore(proxy.upstream).graph()) == set(payload_graph())
    assert not _temporary_graphs(proxy.upstream)


def test_credentials_come_from_the_environment(
    proxy: Proxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PCR_GRAPH_TOKEN", "s3cret-token")
    push_graph(_first_graph(), Endpoints.from_url(proxy.url))
    assert proxy.seen and all(auth == "Bearer s3cret-token" for _, _, auth in proxy.seen)
    monkeypatch.delenv("PCR_GRAPH_TOKEN")
    monkeypatch.setenv("PCR_GRAPH_USER", "reviewer")
    monkeypatch.setenv("PCR_GRAPH_PASSWORD", "pa:ss")
    assert auth_header() == "Basic cmV2aWV3ZXI6cGE6c3M="
    proxy.seen.clear()
    RemoteStore(proxy.url).query("ASK { ?s ?p ?o }")
    assert proxy.seen[0][2] == "Basic cmV2aWV3ZXI6cGE6c3M="
    monkeypatch.setenv("PCR_GRAPH_TOKEN", "x")
    with pytest.raises(UsageError, match="not both"):
        auth_header()


def test_refused_request_is_a_one_line_error(
    oxigraph: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["--store", oxigraph, "query", "areas"], capsys)
    assert code == 0  # an empty store answers with no rows
    code, _, err = run_cli(["push", "--endpoint", "http://127.0.0.1:9", "--retries", "0"], capsys)
    assert code == 2 and "cannot connect" in err and "Traceback" not in err
