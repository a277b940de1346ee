"""Issue 19 against the endpoint, by class: outbound requests, memory, fairness, Host,
request bodies, a killed server's scratch store, and ``serve`` mistakes.

Generated cases are counted for the hardening summary (tests/conftest.py ``record_cases``).
Every server here listens on 127.0.0.1 on a free port and is stopped by its fixture.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcr_graph.core.namespaces import PREFIXES
from pcr_graph.share.endpoint import EndpointConfig, Refused, SparqlEndpoint, check_query
from pcr_graph.share.endpoint.service import SCRATCH_PREFIX, remove_stale_scratch
from pcr_graph.store.project import Project
from tests.conftest import record_cases

CLI = [sys.executable, "-c", "from pcr_graph.cli.commands import main; main()"]


# -- a canary: a local listener that counts every connection made to it ---------------------


class Canary:
    """A TCP listener on 127.0.0.1 that accepts, counts and closes every connection."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    listener = Canary()
    try:
        yield listener
    finally:
        listener.close()


def _escape(text: str, mask: list[bool]) -> str:
    """``text`` with the characters picked by ``mask`` written as SPARQL \\u escapes."""
    return "".join(
        f"\\u{ord(ch):04X}" if pick else ch
        for ch, pick in zip(text, mask + [False] * len(text), strict=False)
    )


WRAPS = [
    ("", ""),
    ('# \\u000a ?s ?p """\n', '\n# """\n'),
    ("# \\u000A ?s ?p '''\n", "\n# '''\n"),
    ('# """\n', '\n# """\n'),
    ('FILTER(?o != "', '")\n'),
    ("# comment \\u000d\n", "\n"),
    ('BIND("""\n', '\n""" AS ?x)\n'),
    ("#\\U0000000a ", "\n"),
    ("\\u0023 ", "\n"),
]


@st.composite
def hostile_queries(draw: st.DrawFn, port: int) -> str:
    """A query text hiding SERVICE, LOAD or FROM <canary> among escapes, comments, strings."""
    target = f"http://127.0.0.1:{port}/x"
    keyword = draw(
        st.sampled_from(["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "LOAD", "FROM"])
    )
    mask = draw(st.lists(st.booleans(), max_size=len(keyword)))
    written = _escape(keyword, mask)
    escaped_target = target.replace("/x", "/\\u0078")
    iri = draw(st.sampled_from([f"<{target}>", f"<{escaped_target}>"]))
    before, after = draw(st.sampled_from(WRAPS))
    if keyword == "FROM":
        return f"SELECT * {before}{written} {iri}{after} WHERE {{ ?s ?p ?o }}"
    if keyword == "LOAD":
        return f"{before}{written} {iri}{after}"
    return f"SELECT * WHERE {{ ?s ?p ?o . {before}{written} {iri} {{ ?s ?p ?o }}{after} }}"


def test_hostile_texts_reach_the_canary_unchecked(canary: Canary) -> None:
    """The canary works: Oxigraph unconfined, given SERVICE, does connect to it."""
    before = canary.hits
    with pytest.raises(OSError):
        list(
            ox.Store().query(
                f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{canary.port}/x> {{ ?s ?p ?o }} }}"
            )
        )
    assert canary.hits > before


@pytest.mark.slow
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_what_the_check_accepts_never_reaches_the_network(
    canary: Canary, data: st.DataObject
) -> None:
    """The check and the engine see one text: an accepted text makes Oxigraph, unconfined,
    connect nowhere (the class of issue 19 item 1, checked without the sandbox)."""
    text = data.draw(hostile_queries(canary.port))
    record_cases("endpoint SERVICE/LOAD/FROM texts", 1)
    before = canary.hits
    try:
        checked = check_query(text)
    except Refused:
        return
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o")))
    with contextlib.suppress(SyntaxError, OSError):
        list(store.query(checked.text, prefixes=PREFIXES, use_default_graph_as_union=True))
    assert canary.hits == before, text


def test_a_worker_cannot_open_a_network_socket(canary: Canary) -> None:
    """The sandbox alone: a confined process running SERVICE reaches nothing."""
    code = (
        "from pcr_graph.share.endpoint.sandbox import deny_network\n"
        "import pyoxigraph as ox, socket\n"
        "deny_network()\n"
        f"service = 'SERVICE <http://127.0.0.1:{canary.port}/x> {{ ?s ?p ?o }}'\n"
        "try:\n    list(ox.Store().query('SELECT * WHERE { ' + service + ' }'))\n"
        "except OSError as exc:\n    print('refused', exc)\n"
        "for family in (socket.AF_INET, socket.AF_INET6):\n"
        "    try:\n        socket.socket(family)\n    except OSError:\n        print('no socket')\n"
    )
    before = canary.hits
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "refused" in done.stdout and done.stdout.count("no socket") == 2
    assert canary.hits == before


@pytest.fixture(scope="module")
def endpoint() -> Iterator[SparqlEndpoint]:
    config = EndpointConfig(port=0, workers=2, timeout=6.0, memory_mb=768, max_body=4096)
    service = SparqlEndpoint(Project(), config)
    try:
        service.start()
        yield service
    finally:
        service.close()


def _http(
    endpoint: SparqlEndpoint,
    query: str,
    source: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    import http.client

    host, port = endpoint.authority.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=60, source_address=(source, 0))
    try:
        body = urllib.parse.urlencode({"query": query})
        connection.request(
            "POST",
            "/sparql",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        )
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_endpoint_never_reaches_the_network(
    endpoint: SparqlEndpoint, canary: Canary, data: st.DataObject
) -> None:
    text = data.draw(hostile_queries(canary.port))
    record_cases("endpoint SERVICE/LOAD/FROM requests", 1)
    before = canary.hits
    status, _ = _http(endpoint, text)
    assert status in (200, 400, 403)
    assert canary.hits == before, text


# -- memory and fairness ------------------------------------------------------------------

HEAVY_SORT = "SELECT ?c ?f WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
CONCAT_DOUBLINGS = (
    'SELECT (STRLEN(?x31) AS ?n) WHERE { BIND("ab" AS ?x0) '
    + " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(31))
    + " }"
)
"""31 doublings of a 2-character string: 4 GiB of text (issue 19)."""
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.slow  # the worker grows to its 768 MB cap first
def test_a_query_past_the_memory_cap_gets_503_and_the_server_goes_on() -> None:
    record_cases("endpoint memory-heavy queries", 2)
    config = EndpointConfig(port=0, workers=1, timeout=120.0, memory_mb=768)
    with SparqlEndpoint(Project(), config) as service:
        for number, query in enumerate((HEAVY_SORT, CONCAT_DOUBLINGS), start=1):
            status, body = _http(service, query)
            assert status == 503 and b"memory" in body, body
            assert _http(service, "ASK { ?s ?p ?o }") == (200, b'{"head": {}, "boolean": true}')
            assert service.pool.replaced == number


@pytest.mark.slow
def test_two_heavy_queries_from_one_client_do_not_starve_another(
    endpoint: SparqlEndpoint,
) -> None:
    """One client (127.0.0.2) sends two queries that run to the time limit; another client
    (127.0.0.3) is answered while they run, not after (per-client limit: 1 of 2 workers)."""
    record_cases("endpoint fairness rounds", 1)
    finished: list[str] = []
    lock = threading.Lock()

    def ask(name: str, source: str, query: str) -> int:
        status, _ = _http(endpoint, query, source)
        with lock:
            finished.append(name)
        return status

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        heavy = [pool.submit(ask, f"heavy{i}", "127.0.0.2", CROSS_JOIN) for i in range(2)]
        import time

        time.sleep(0.5)  # the heavy queries are running or queued
        light = pool.submit(ask, "light", "127.0.0.3", "ASK { ?s a ?t }")
        assert light.result() == 200
        statuses = [h.result() for h in heavy]
    assert statuses == [503, 503]
    assert finished[0] == "light", finished


# -- Host, bodies, CSV ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:80", "127.0.0.1.nip.io", "localhost:1"]
)
def test_a_foreign_host_header_is_refused(endpoint: SparqlEndpoint, host: str) -> None:
    record_cases("endpoint Host headers", 1)
    status, body = _http(endpoint, "ASK {}", headers={"Host": host})
    assert status == 403 and b"DNS rebinding" in body


def test_own_host_names_are_answered(endpoint: SparqlEndpoint) -> None:
    port = endpoint.authority.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        assert _http(endpoint, "ASK {}", headers={"Host": host})[0] == 200


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", "/update", "application/sparql-update"),
        ("POST", "/sparql", "application/sparql-update"),
        ("POST", "/sparql", "text/plain"),
        ("POST", "/nowhere", "application/sparql-query"),
        ("PUT", "/store?default", "text/turtle"),
        ("DELETE", "/store?default", "text/turtle"),
        ("GET", "/nowhere", "text/plain"),
    ],
)
def test_every_body_is_read_so_none_becomes_a_second_request(
    endpoint: SparqlEndpoint, method: str, path: str, content_type: str
) -> None:
    """A refused request's body, itself shaped like a request, is never answered."""
    record_cases("endpoint unread-body paths", 1)
    host, port = endpoint.authority.rsplit(":", 1)
    smuggled = f"GET /smuggled HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(smuggled)}\r\n\r\n"
    ).encode()
    follow = (
        f"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head + smuggled + follow.encode())
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", received)
    assert len(statuses) == 2, received
    assert statuses[1] == b"200" and b"smuggled" not in received


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_never_start_a_formula(endpoint: SparqlEndpoint, prefix: str) -> None:
    record_cases("endpoint CSV formula prefixes", 1)
    literal = (prefix + "HYPERLINK(1)").replace("\t", "\\t").replace("\r", "\\r")
    host, port = endpoint.authority.rsplit(":", 1)
    import http.client

    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    query = f'SELECT ?x ?n WHERE {{ BIND("{literal}" AS ?x) BIND(-3 AS ?n) }}'
    connection.request(
        "GET", "/sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": "text/csv"}
    )
    body = connection.getresponse().read().decode()
    connection.close()
    rows = body.split("\r\n")
    assert rows[1].startswith(("'" + prefix, "\"'" + prefix)) and rows[1].endswith(",-3"), rows


# -- a killed server's scratch store; serve mistakes -------------------------------------------


def _serve(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    return subprocess.Popen(
        [*CLI, "--workspace", str(tmp_path / "ws"), "serve", "--quiet", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow  # builds the store in a subprocess
def test_sigterm_removes_the_scratch_store_and_a_stale_one_goes_at_start(tmp_path: Path) -> None:
    stale = tmp_path / (SCRATCH_PREFIX + "dead")
    stale.mkdir()
    dead = subprocess.run(["true"], check=True)  # a process id that has finished
    del dead
    (stale / "owner.pid").write_text("999999999\n", encoding="ascii")
    process = _serve(tmp_path, "--port", "0")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("serving "), process.stderr.read() if process.stderr else ""
        assert not stale.exists()
        assert len(list(tmp_path.glob(SCRATCH_PREFIX + "*"))) == 1
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert list(tmp_path.glob(SCRATCH_PREFIX + "*")) == []


def test_remove_stale_scratch_keeps_live_and_unknown_folders(tmp_path: Path) -> None:
    live = tmp_path / (SCRATCH_PREFIX + "live")
    live.mkdir()
    (live / "owner.pid").write_text(f"{os.getpid()}\n", encoding="ascii")
    unknown = tmp_path / (SCRATCH_PREFIX + "starting")
    unknown.mkdir()
    assert remove_stale_scratch(tmp_path) == []
    assert live.exists() and unknown.exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--host", "no-such-host.invalid"], "cannot listen on no-such-host.invalid"),
        (["--host", "999.1.1.1"], "cannot listen on 999.1.1.1"),
        (["--host", "[::1"], "cannot listen on"),
    ],
)
def test_serve_mistakes_are_one_line(tmp_path: Path, args: list[str], expected: str) -> None:
    record_cases("serve mistakes", 1)
    process = _serve(tmp_path, *args)
    _, err = process.communicate(timeout=120)
    assert process.returncode in (1, 2), err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err and expected in lines[0], err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--memory-limit", "10"], "'--memory-limit': 10 is not in the range x>=768"),
        (["--workers", "0"], "'--workers'"),
        (["--port", "70000"], "'--port'"),
    ],
)
def test_serve_option_mistakes_are_click_usage_errors(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    """Click's own form for a bad option value: usage, hint, then one "Error:" line."""
    record_cases("serve mistakes", 1)
    process = _serve(tmp_path, *args)
    _, err = process.communicate(timeout=120)
    lines = [line for line in err.splitlines() if line.strip()]
    assert process.returncode == 2 and "Traceback" not in err
    assert lines[-1].startswith("Error: Invalid value for") and expected in lines[-1], err


@pytest.mark.slow
def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        process = _serve(tmp_path, "--port", str(port))
        _, err = process.communicate(timeout=120)
    lines = [line for line in err.splitlines() if line.strip()]
    assert process.returncode == 2 and len(lines) == 1, err
    assert f"cannot listen on 127.0.0.1:{port}" in lines[0] and "in use" in lines[0]
