"""The HTTP client of remote stores and push: credentials, URLs, timeouts, retries.

Generated cases (hypothesis) for each class of mistake the adversarial review found
(issue 19 items 9, 10 and 12): malformed tokens and passwords are refused without being
shown; a server echoing ``Authorization`` in its error never gets it printed; bad URLs,
ports and schemes are one-line messages, never tracebacks or folders. Timeouts use real
sockets on 127.0.0.1: a server that never answers (read timeout, not retried) and a
listener whose queue is full (connect timeout, retried).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcr_graph.cli.commands import main
from pcr_graph.core.errors import UsageError
from pcr_graph.store.http import (
    REDACTED,
    Endpoints,
    HttpClient,
    RemoteError,
    auth_header,
    redact,
)
from pcr_graph.store.project import Project
from tests.conftest import record_cases

# --------------------------------------------------------------------------------------
# A server that echoes the credentials it was sent in its error body


class _Echo(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        auth = self.headers.get("Authorization") or ""
        secret = auth.split(" ", 1)[-1]
        body = (
            f"denied. Authorization: {auth}\nyour token {secret} is expired; "
            f'{{"authorization": "{auth}"}}'
        ).encode("utf-8", errors="replace")
        self.send_response(401)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer


@pytest.fixture(scope="module")
def echo() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


_TOKEN_CHARS = st.characters(codec="utf-8", exclude_characters="\x00")
TOKENS = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=6),
    st.text(alphabet=_TOKEN_CHARS, min_size=6, max_size=40),
    st.from_regex(r"[A-Za-z0-9._~+/-]{8,30}(\r\n|\r|\n| |\t)", fullmatch=True),
)


def _run(args: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    import io
    import sys

    for name in ("PCR_GRAPH_TOKEN", "PCR_GRAPH_USER", "PCR_GRAPH_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    with pytest.raises(SystemExit) as info:
        main(args)
    code = info.value.code
    return (code if isinstance(code, int) else 0), err.getvalue()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(token=TOKENS)
def test_a_token_is_never_printed_whatever_it_holds(
    token: str, echo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Malformed: refused, not shown. Well formed: sent, and blanked in the echoed error."""
    record_cases("credential leaks (tokens)", 1)
    monkeypatch.setenv("PCR_GRAPH_TOKEN", token)
    stripped = token.strip(" \t\r\n")
    try:
        header = auth_header()
    except UsageError as exc:
        message = str(exc)
        assert stripped not in message and "\n" not in message
        assert "not shown" in message
        return
    assert header == f"Bearer {stripped}"
    client = HttpClient(retries=0)
    with pytest.raises(RemoteError) as info:
        client.request("POST", f"{echo}/query", b"query=ASK%7B%7D")
    message = str(info.value)
    assert "HTTP 401" in message and stripped not in message and "\n" not in message


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    user=st.text(
        alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x2FF), min_size=1
    ).filter(lambda u: ":" not in u),
    password=st.text(alphabet=_TOKEN_CHARS, min_size=6, max_size=30),
)
def test_a_password_is_never_printed(
    user: str, password: str, echo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_cases("credential leaks (passwords)", 1)
    monkeypatch.delenv("PCR_GRAPH_TOKEN", raising=False)
    monkeypatch.setenv("PCR_GRAPH_USER", user)
    monkeypatch.setenv("PCR_GRAPH_PASSWORD", password)
    try:
        header = auth_header()
    except UsageError as exc:
        assert password.strip("\r\n") not in str(exc) and "\n" not in str(exc)
        return
    assert header is not None
    with pytest.raises(RemoteError) as info:
        HttpClient(retries=0).request("GET", f"{echo}/store?default")
    assert password not in str(info.value) and header.split()[1] not in str(info.value)


def test_the_cli_never_prints_a_crlf_token_or_a_non_ascii_one(
    echo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for token in ("crlf-token-0123456789\r\n", "trailing-cr-0123456789\r"):
        code, err = _run(
            ["--no-demo", "push", "--endpoint", echo, "--retries", "0"],
            {"PCR_GRAPH_TOKEN": token},
            monkeypatch,
        )
        assert code == 2 and "HTTP 401" in err, err
        assert token.strip() not in err and "Traceback" not in err and REDACTED in err
        assert err.count("\n") == 1
    code, err = _run(
        ["push", "--endpoint", echo], {"PCR_GRAPH_TOKEN": "tökén-ünïcode-123"}, monkeypatch
    )
    assert code == 2 and "non-ASCII" in err and "tökén" not in err and err.count("\n") == 1


def test_redact_blanks_echoed_headers() -> None:
    text = "401: Authorization: Basic dXNlcjpwYXNz; Proxy-Authorization=Bearer x.y.z"
    assert redact(text) == f"401: Authorization: {REDACTED}; Proxy-Authorization={REDACTED}"


# --------------------------------------------------------------------------------------
# URLs: one-line messages, never a traceback, never a folder

BAD_URLS = [
    "http://[::1",
    "http://[::1/sparql",
    "http://127.0.0.1:99999/",
    "http://127.0.0.1:-1/",
    "http://127.0.0.1:port/",
    "http:///query",
    "http://exa mple.org/",
    "http://example.org/\nsparql",
    "ftp://x/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:70/",
    "s3://bucket/key",
]
URL_CASES = st.one_of(
    st.sampled_from(BAD_URLS),
    st.builds(
        lambda port: f"http://127.0.0.1:{port}/query",
        st.one_of(st.integers(65536, 10**9), st.from_regex(r"[a-z]{1,5}", fullmatch=True)),
    ),
    st.builds(
        lambda scheme, rest: f"{scheme}://{rest}",
        st.from_regex(r"[a-z][a-z0-9+.-]{0,8}", fullmatch=True).filter(
            lambda s: s not in ("http", "https")
        ),
        st.from_regex(r"[a-z0-9./]{0,12}", fullmatch=True),
    ),
    st.builds(lambda host: f"http://[{host}/", st.from_regex(r"[0-9a-f:]{1,12}", fullmatch=True)),
)


@settings(max_examples=60, deadline=None)
@given(url=URL_CASES)
def test_bad_endpoint_urls_are_one_line_usage_errors(url: str) -> None:
    record_cases("bad endpoint URLs", 1)
    with pytest.raises(UsageError) as info:
        Endpoints.from_url(url)
    assert "\n" not in str(info.value)
    with pytest.raises(UsageError):
        Project(store=url).open()


@pytest.mark.parametrize("url", BAD_URLS)
def test_bad_store_and_endpoint_urls_in_the_cli(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for args in (["--store", url, "gaps"], ["push", "--endpoint", url]):
        code, err = _run(args, {}, monkeypatch)
        assert code == 2 and "Traceback" not in err and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []  # no `ftp:` folder, nothing at all


# --------------------------------------------------------------------------------------
# Timeouts, told apart


def test_a_read_timeout_is_reported_as_such_and_not_retried() -> None:
    accepted: list[socket.socket] = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            accepted.append(connection)  # read nothing, answer nothing

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    try:
        client = HttpClient(read_timeout=0.5, retries=3, backoff=0.01)
        started = time.monotonic()
        with pytest.raises(RemoteError) as info:
            client.request("POST", url, b"query=ASK%7B%7D")
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in accepted:
            connection.close()
        listener.close()
    message = str(info.value)
    assert "read timeout" in message and "not retried" in message
    assert "cannot connect" not in message
    assert len(accepted) == 1 and client.retried == 0
    assert elapsed < 3 * 0.5  # one wait, not four


def test_a_connect_timeout_is_reported_as_such_and_retried() -> None:
    # A listener that never accepts, its queue filled: the kernel drops further SYNs, so a
    # new connection neither succeeds nor is refused.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    address = listener.getsockname()
    fillers = []
    for _ in range(8):
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        filler.connect_ex(address)
        fillers.append(filler)
    time.sleep(0.2)
    try:
        client = HttpClient(connect_timeout=0.3, retries=2, backoff=0.01)
        with pytest.raises(RemoteError) as info:
            client.request("GET", f"http://127.0.0.1:{address[1]}/query?query=ASK%7B%7D")
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
    message = str(info.value)
    assert "cannot connect" in message and "connect timeout" in message
    assert "after 2 retries" in message and "read timeout" not in message


def test_a_refused_connection_is_retried_then_reported() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HttpClient(retries=2, backoff=0.01)
    with pytest.raises(RemoteError, match="cannot connect: connection refused, after 2 retries"):
        client.request("GET", f"http://127.0.0.1:{port}/query")
