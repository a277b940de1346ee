"""``pcr-graph serve``: protocol, formats, read-only rules, limits, load, the page.

One endpoint (real worker processes, real sockets on 127.0.0.1) serves the module; it is
stopped at the end whatever happened.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from pcr_graph.analysis.gaps import run_gaps
from pcr_graph.analysis.queries import library
from pcr_graph.share.endpoint import EndpointConfig, SparqlEndpoint, check_query
from pcr_graph.store.engines import Store, Table, source_graph_iri
from pcr_graph.store.project import Project
from pcr_graph.store.remote import (
    RemoteError,
    RemoteStore,
    parse_json_results,
)
from tests.support.oxigraph_server import stop

MAX_ROWS = 3000  # over every gap rule's answer, under the 4,400 demo triples
MAX_BODY = 8192
TIMEOUT = 4.0
AREAS = "SELECT ?area ?label WHERE { ?area a pcr:Area ; skos:prefLabel ?label } ORDER BY ?label"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
Answer = tuple[int, dict[str, str], bytes]


@pytest.fixture(scope="module")
def local() -> Store:
    return Project().open()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[SparqlEndpoint]:
    config = EndpointConfig(
        port=0, workers=3, timeout=TIMEOUT, max_rows=MAX_ROWS, max_body=MAX_BODY
    )
    service = SparqlEndpoint(Project(), config)
    try:
        service.start()
        yield service
    finally:
        service.close()


def request(
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as answer:
            return answer.status, dict(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


def get(endpoint: SparqlEndpoint, query: str, accept: str | None = None, **params: str) -> Answer:
    url = endpoint.url + "sparql?" + urllib.parse.urlencode({"query": query, **params})
    return request(url, headers={"Accept": accept} if accept else {})


def post(endpoint: SparqlEndpoint, body: str, content_type: str, path: str = "sparql") -> Answer:
    return request(
        endpoint.url + path,
        data=body.encode("utf-8"),
        headers={"Content-Type": content_type},
        method="POST",
    )


# --------------------------------------------------------------------------------------
# Protocol and formats


def test_get_answers_json_equal_to_the_embedded_store(
    endpoint: SparqlEndpoint, local: Store
) -> None:
    status, headers, body = get(endpoint, AREAS)
    assert status == 200
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    assert parse_json_results(body) == local.query(AREAS)


@pytest.mark.parametrize(
    "accept,fmt,media,marker",
    [
        ("text/csv", None, "text/csv", b"area,label\r\n"),
        ("text/tab-separated-values", None, "text/tab-separated-values", b"?area\t?label\n"),
        ("application/sparql-results+xml", None, "application/sparql-results+xml", b"<sparql"),
        ("text/html, */*;q=0.8", None, "application/sparql-results+json", b'"head"'),
        (None, "csv", "text/csv", b"area,label"),
        ("text/csv", "xml", "application/sparql-results+xml", b'<variable name="area"/>'),
        ("text/csv;q=0.2, application/sparql-results+xml;q=0.9", None, "application/sparql", b""),
    ],
)
def test_select_formats_by_accept_and_format_param(
    endpoint: SparqlEndpoint, accept: str | None, fmt: str | None, media: str, marker: bytes
) -> None:
    status, headers, body = get(endpoint, AREAS, accept, **({"format": fmt} if fmt else {}))
    assert status == 200
    assert headers["Content-Type"].startswith(media)
    assert marker in body


def test_csv_and_tsv_hold_every_row(endpoint: SparqlEndpoint, local: Store) -> None:
    table = local.select(AREAS)
    _, _, csv_body = get(endpoint, AREAS, "text/csv")
    _, _, tsv_body = get(endpoint, AREAS, "text/tab-separated-values")
    assert len(csv_body.decode().splitlines()) == len(table) + 1
    assert len(tsv_body.decode().splitlines()) == len(table) + 1
    first = table.rows[0]
    assert f"<{first[0]}>" in tsv_body.decode()


def test_ask_in_every_format(endpoint: SparqlEndpoint) -> None:
    assert json.loads(get(endpoint, "ASK { ?s a pcr:Area }")[2]) == {"head": {}, "boolean": True}
    assert b"<boolean>false</boolean>" in get(endpoint, "ASK { ?s a <urn:none> }", format="xml")[2]


@pytest.mark.parametrize(
    "accept,parse_as",
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
    ],
)
def test_construct_as_turtle_jsonld_nt(
    endpoint: SparqlEndpoint, local: Store, accept: str, parse_as: str
) -> None:
    query = "CONSTRUCT { ?a skos:prefLabel ?l } WHERE { ?a a pcr:Area ; skos:prefLabel ?l }"
    status, headers, body = get(endpoint, query, accept)
    assert status == 200 and headers["Content-Type"].startswith(accept)
    answer = Graph().parse(data=body, format=parse_as)
    expected = local.query(query)
    assert isinstance(expected, Graph) and isomorphic(answer, expected)


def test_unanswerable_accept_is_406_and_inapplicable_format_falls_back_to_accept(
    endpoint: SparqlEndpoint,
) -> None:
    assert get(endpoint, AREAS, "image/png")[0] == 406
    construct = "CONSTRUCT WHERE { ?s a pcr:Area }"
    status, headers, _ = get(endpoint, construct, "application/rdf+xml", format="csv")
    assert status == 200 and headers["Content-Type"].startswith("application/rdf+xml")
    status, headers, _ = get(endpoint, AREAS, "text/csv", format="turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    status, headers, _ = get(endpoint, construct, "application/rdf+xml", format="xml")
    assert status == 200 and headers["Content-Type"].startswith("application/rdf+xml")


def test_post_query_and_post_form(endpoint: SparqlEndpoint, local: Store) -> None:
    expected = local.query(AREAS)
    status, _, body = post(endpoint, AREAS, "application/sparql-query")
    assert status == 200 and parse_json_results(body) == expected
    form = urllib.parse.urlencode({"query": AREAS})
    status, _, body = post(endpoint, form, "application/x-www-form-urlencoded", "query")
    assert status == 200 and parse_json_results(body) == expected
    assert post(endpoint, AREAS, "text/plain")[0] == 415


def test_row_cap_truncates_with_a_header(endpoint: SparqlEndpoint) -> None:
    status, headers, body = get(endpoint, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert status == 200 and headers.get("X-PCR-Truncated") == "true"
    table = parse_json_results(body)
    assert isinstance(table, Table) and len(table) == MAX_ROWS
    status, headers, body = get(endpoint, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert headers.get("X-PCR-Truncated") == "true" and len(body.splitlines()) == MAX_ROWS
    status, headers, _ = get(endpoint, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5")
    assert status == 200 and "X-PCR-Truncated" not in headers


def test_bad_requests(endpoint: SparqlEndpoint) -> None:
    assert get(endpoint, "SELECT WHERE nonsense")[0] == 400
    assert request(endpoint.url + "nowhere")[0] == 404
    status, _, body = post(endpoint, "x" * (MAX_BODY + 1), "application/sparql-query")
    assert status == 413 and b"limit" in body
    status, _, body = get(endpoint, AREAS, **{"default-graph-uri": "file:///etc/passwd"})
    assert status == 403 and b"default-graph-uri <file:///etc/passwd>" in body


# --------------------------------------------------------------------------------------
# Read-only


UPDATES = [
    "INSERT DATA { <urn:x> <urn:y> <urn:z> }",
    "DELETE DATA { <urn:x> <urn:y> <urn:z> }",
    "DELETE WHERE { ?s ?p ?o }",
    "INSERT { ?s a <urn:t> } WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "LOAD SILENT <file:///etc/passwd> INTO GRAPH <urn:g>",
    "CLEAR ALL",
    "CLEAR DEFAULT",
    "CREATE GRAPH <urn:new>",
    "DROP ALL",
    "DROP SILENT GRAPH <urn:g>",
    "COPY DEFAULT TO <urn:g>",
    "MOVE DEFAULT TO <urn:g>",
    "ADD <urn:a> TO <urn:b>",
    "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <urn:x> <urn:y> <urn:z> }",
    "INSERT DATA { <urn:x> <urn:y> ",  # broken update: refused all the same
]


@pytest.mark.parametrize("update", UPDATES)
def test_every_update_form_is_refused_on_every_channel(
    endpoint: SparqlEndpoint, update: str
) -> None:
    before = get(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[2]
    answers = [
        get(endpoint, update),
        post(endpoint, update, "application/sparql-query"),
        post(endpoint, update, "application/sparql-update"),
        post(
            endpoint,
            urllib.parse.urlencode({"update": update}),
            "application/x-www-form-urlencoded",
        ),
        post(
            endpoint, urllib.parse.urlencode({"query": update}), "application/x-www-form-urlencoded"
        ),
        post(endpoint, update, "application/sparql-update", "update"),
        request(endpoint.url + "sparql?" + urllib.parse.urlencode({"update": update})),
    ]
    for status, _, body in answers:
        assert status in (400, 403), body
        assert body.startswith(b"error: ")
    assert any(b"read-only" in body for _, _, body in answers)
    assert get(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[2] == before


def test_update_message_names_the_operation(endpoint: SparqlEndpoint) -> None:
    status, _, body = get(endpoint, "MOVE DEFAULT TO <urn:g>")
    assert status == 403 and b"SPARQL Update (MOVE) is refused" in body


def test_graph_store_writes_are_refused(endpoint: SparqlEndpoint) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        status, _, body = request(endpoint.url + "store?default", data=b"", method=method)
        assert status == 403 and b"read-only" in body


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * WHERE { ?x ?y ?z SERVICE ?x { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://e/> { ?s ?p ?o } } }",
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://e/> { ?s ?p ?o } } } }",
        "ASK { OPTIONAL { service <http://e/> { ?s ?p ?o } } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://e/> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused_wherever_it_hides(endpoint: SparqlEndpoint, query: str) -> None:
    status, _, body = get(endpoint, query)
    assert status == 403 and b"SERVICE is refused" in body


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "ASK FROM <FILE:/etc/hostname> { ?s ?p ?o }",
    ],
)
def test_from_naming_a_file_is_refused(endpoint: SparqlEndpoint, query: str) -> None:
    status, _, body = get(endpoint, query)
    assert status == 403 and b"never reads files" in body


@pytest.mark.parametrize(
    ("query", "graph"),
    [
        (
            "SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }",
            "http://127.0.0.1:9/data.ttl",
        ),
        ("ASK FROM <ftp://example.org/x> { ?s ?p ?o }", "ftp://example.org/x"),
        ("CONSTRUCT { ?s ?p ?o } FROM <urn:not-here> WHERE { ?s ?p ?o }", "urn:not-here"),
    ],
)
def test_a_graph_not_held_is_empty_never_fetched_and_named_in_a_header(
    endpoint: SparqlEndpoint, query: str, graph: str
) -> None:
    status, headers, body = get(
        endpoint, query, "application/n-triples, application/sparql-results+json"
    )
    assert status == 200
    assert headers.get("X-PCR-Unknown-Graphs") == f"<{graph}>"
    assert body in (b"", b'{"head": {}, "boolean": false}') or b'"bindings":[]' in body
    for channel in ({"default-graph-uri": graph}, {"named-graph-uri": graph}):
        status, headers, _ = get(endpoint, "ASK { ?s ?p ?o }", **channel)
        assert status == 200 and headers.get("X-PCR-Unknown-Graphs") == f"<{graph}>"


def test_from_a_held_graph_is_answered(endpoint: SparqlEndpoint, local: Store) -> None:
    source = next(s for s in local.sources() if s.endswith("areas.ttl"))
    graph = source_graph_iri(source)
    # The IRI is the store's own graph name; the point is to send it as a FROM clause.
    query = "SELECT (COUNT(*) AS ?n) FROM <" + graph + "> WHERE { ?s ?p ?o }"  # noqa: S608
    status, _, body = get(endpoint, query)
    assert status == 200
    table = parse_json_results(body)
    assert isinstance(table, Table)
    assert int(str(table.rows[0][0])) == len(local.source_graph(source)) < len(local)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?s WHERE { ?s ?p "SERVICE <http://e/> { ?s ?p ?o }" }',
        "SELECT ?s WHERE { ?s ?p 'INSERT DATA { <urn:a> <urn:b> <urn:c> }' }",
        "# SERVICE <http://e/> { }\nSELECT ?s WHERE { ?s ?p ?o } LIMIT 1",
        "SELECT ?s WHERE { ?s <http://example.org/SERVICE> ?o }",
        'SELECT ?s WHERE { ?s ?p ?o FILTER (?o != """FROM <http://e/>""") } LIMIT 1',
    ],
)
def test_keywords_in_strings_iris_and_comments_are_fine(
    endpoint: SparqlEndpoint, query: str
) -> None:
    status, _, body = get(endpoint, query)
    assert status == 200, body


def test_check_query_parses_rather_than_searches() -> None:
    assert check_query('SELECT * WHERE { ?s ?p "SERVICE" }').form == "SelectQuery"
    assert check_query("DESCRIBE <urn:x>").form == "DescribeQuery"


# --------------------------------------------------------------------------------------
# Time limit and load


@pytest.mark.slow
def test_a_long_query_times_out_while_others_are_answered(endpoint: SparqlEndpoint) -> None:
    replaced = endpoint.pool.replaced
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        slow = pool.submit(get, endpoint, CROSS_JOIN)
        quick = [pool.submit(get, endpoint, AREAS) for _ in range(6)]
        for future in quick:
            assert future.result()[0] == 200
            assert not slow.done()  # answered while the long query still runs
        status, _, body = slow.result()
    assert status == 503 and b"query timed out" in body
    assert get(endpoint, AREAS)[0] == 200
    assert endpoint.pool.replaced == replaced + 1


QUERIES = [
    AREAS,
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p",
    "ASK { ?s a pcr:Provider }",
    "CONSTRUCT { ?s a pcr:Provider } WHERE { ?s a pcr:Provider }",
]


@pytest.mark.parametrize("clients,per_client", [(8, 6), (32, 3)])
def test_concurrent_clients_get_identical_answers(
    endpoint: SparqlEndpoint, clients: int, per_client: int
) -> None:
    expected = {q: get(endpoint, q)[2] for q in QUERIES}

    def client(number: int) -> list[tuple[str, int, bytes]]:
        answers = []
        for round_ in range(per_client):
            query = QUERIES[(number + round_) % len(QUERIES)]
            status, _, body = get(endpoint, query)
            answers.append((query, status, body))
        return answers

    with concurrent.futures.ThreadPoolExecutor(max_workers=clients) as pool:
        results = [a for answers in pool.map(client, range(clients)) for a in answers]
    assert len(results) == clients * per_client
    assert [status for _, status, _ in results if status != 200] == []
    assert all(body == expected[query] for query, _, body in results)


# --------------------------------------------------------------------------------------
# Remote store over our own endpoint, and the CLI


@pytest.mark.slow
def test_remote_store_over_the_endpoint_gives_the_same_gaps(
    endpoint: SparqlEndpoint, local: Store
) -> None:
    remote = RemoteStore(endpoint.url + "sparql")
    assert run_gaps(remote).to_json() == run_gaps(local).to_json()
    area = URIRef("https://w3id.org/pcr-graph/id/wb/demo/area/wv")
    assert run_gaps(remote, areas=[area]).to_json() == run_gaps(local, areas=[area]).to_json()
    with pytest.raises(RemoteError, match="row limit"):
        remote.graph()  # more triples than the endpoint's row cap: refused, not cut short


@pytest.mark.slow
def test_serve_command_listens_and_stops(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "from pcr_graph.cli.commands import main; main()"]
    process = subprocess.Popen(
        [*command, "--workspace", str(tmp_path), "serve", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("serving "), process.stderr.read() if process.stderr else ""
        base = line.split(" at ")[1].split(" ")[0]
        assert base.startswith("http://127.0.0.1:")
        status, _, body = request(base + "sparql?" + urllib.parse.urlencode({"query": AREAS}))
        assert status == 200 and b"fictional" in body
    finally:
        stop(process)  # type: ignore[arg-type]
    assert process.returncode is not None


# --------------------------------------------------------------------------------------
# The page


def test_page_is_offline_escaped_and_lists_the_rules(endpoint: SparqlEndpoint) -> None:
    status, headers, body = request(endpoint.url)
    assert status == 200
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp
    assert "unsafe-inline" not in csp
    page = body.decode()
    assert "<link" not in page and "src=" not in page and "@import" not in page
    for named in library():
        assert f'data-rule="{named.name}"' in page
    embedded = page.split('id="queries">')[1].split("</script>")[0]
    assert json.loads(embedded) == {q.name: q.text for q in library()}


def test_http_connection_without_content_length_is_411(endpoint: SparqlEndpoint) -> None:
    host, port = endpoint.url.split("//")[1].rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.putrequest("POST", "/sparql")
        connection.putheader("Content-Type", "application/sparql-query")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        connection.send(b"5\r\nASK{}\r\n0\r\n\r\n")
        assert connection.getresponse().status == 411
    finally:
        connection.close()


@pytest.mark.browser
def test_page_runs_queries_and_rules_in_chromium(
    endpoint: SparqlEndpoint, chromium_page: object
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(chromium_page, Page)
    page = chromium_page
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(endpoint.url)
    page.click("#run")
    page.wait_for_selector("#results table tbody tr")
    assert page.locator("#results table tbody tr").count() > 3
    page.click('button[data-rule="provider-without-links"]')
    # (the page's CSP forbids eval, so wait with Playwright's own assertions)
    expect(page.locator("#status")).to_contain_text("rows")
    assert "pcr:Provider" in page.locator("#query").input_value()
    page.select_option("#format", "csv")
    page.fill("#query", AREAS)
    page.click("#run")
    page.wait_for_selector("#results pre")
    assert "area,label" in (page.locator("#results pre").text_content() or "")
    assert errors == []
    assert requested and all(url.startswith(endpoint.url) for url in requested)


@pytest.mark.slow
def test_serving_an_on_disk_store_opens_it_read_only(tmp_path: Path) -> None:
    project = Project(workspace=tmp_path / "ws", store=str(tmp_path / "store"))
    config = EndpointConfig(port=0, workers=2, timeout=TIMEOUT)
    with SparqlEndpoint(project, config) as service:
        status, _, body = get(service, "ASK { ?s a pcr:Area }")
        assert status == 200 and json.loads(body)["boolean"] is True
    # the folder is kept (it is the user's store) and is still usable read-write
    assert (tmp_path / "store" / "oxigraph").is_dir()
    assert len(project.open()) > 0


def test_syntax_errors_point_into_the_text_sent(endpoint: SparqlEndpoint) -> None:
    """No hidden prefix lines: the line and column are those of the query as written."""
    status, _, body = get(endpoint, "SELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTR }")
    assert status == 400 and b"line:4, col:3" in body, body
    # One rdflib accepts and Oxigraph refuses: Oxigraph's position, in the same text.
    status, _, body = get(endpoint, "SELECT ?s WHERE {\n ?s ?p ?o }\nGROUP BY ?x")
    assert status == 400 and b"error at 3:" in body, body


def test_relative_iris_resolve_against_the_endpoint(endpoint: SparqlEndpoint) -> None:
    status, _, body = get(endpoint, "CONSTRUCT { <s> <p> 1 } WHERE {}", "application/n-triples")
    assert status == 200
    assert body.startswith(f"<{endpoint.url}s> <{endpoint.url}p> ".encode()), body


def test_service_description_on_get_without_a_query(endpoint: SparqlEndpoint, local: Store) -> None:
    for accept, fmt in (("text/turtle", "turtle"), ("application/rdf+xml", "xml")):
        status, headers, body = request(endpoint.url + "sparql", headers={"Accept": accept})
        assert status == 200 and headers["Content-Type"].startswith(accept)
        graph = Graph().parse(data=body, format=fmt)
        sd = "http://www.w3.org/ns/sparql-service-description#"
        assert (None, URIRef(sd + "endpoint"), URIRef(endpoint.url + "sparql")) in graph
        names = set(graph.objects(None, URIRef(sd + "name")))
        assert names == {URIRef(source_graph_iri(source)) for source in local.sources()}


@pytest.mark.slow
def test_an_rdflib_project_is_served_too(tmp_path: Path) -> None:
    config = EndpointConfig(port=0, workers=1, timeout=30)
    with SparqlEndpoint(Project(engine="rdflib"), config) as service:
        status, _, body = get(service, AREAS)
        assert status == 200 and b"fictional" in body
        query = "CONSTRUCT { ?a a pcr:Area } WHERE { ?a a pcr:Area }"
        status, headers, body = get(service, query, "application/rdf+xml")
        assert status == 200 and headers["Content-Type"].startswith("application/rdf+xml")
        assert len(Graph().parse(data=body, format="xml")) > 0
