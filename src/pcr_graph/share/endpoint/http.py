"""The HTTP side: SPARQL 1.1 Protocol requests in, replies out.

Built on the standard library's :class:`http.server.ThreadingHTTPServer`; no web framework.

- ``GET /sparql?query=…`` and ``POST /sparql`` (``application/sparql-query`` or a form
  with ``query=``); ``/query`` is the same endpoint. ``default-graph-uri`` and
  ``named-graph-uri`` set the dataset. ``GET /sparql`` without a query answers the
  SPARQL 1.1 Service Description.
- ``Host`` must name this server (a DNS-rebinding page cannot read it); every request body
  is read to its end, or the connection closed, before the reply, so no body is ever read
  as a second request.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from pcr_graph.share.endpoint.checks import Refused
from pcr_graph.share.endpoint.worker import QueryRequest, Reply


class _Config(Protocol):
    @property
    def max_rows(self) -> int: ...
    @property
    def max_body(self) -> int: ...
    @property
    def allowed_hosts(self) -> tuple[str, ...]: ...


class _Pool(Protocol):
    def run(self, request: QueryRequest, client: str = "") -> Reply: ...


class Service(Protocol):
    """What the handler needs of the service (:class:`~.service.SparqlEndpoint`)."""

    @property
    def config(self) -> _Config: ...
    @property
    def log(self) -> Callable[[str], None]: ...
    @property
    def pool(self) -> _Pool: ...
    @property
    def page(self) -> str: ...
    @property
    def graphs(self) -> tuple[str, ...]: ...
    @property
    def authority(self) -> str: ...


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}
QUERY_PATHS = ("/sparql", "/query")


def allowed_hosts(bound: str, port: int, extra: tuple[str, ...]) -> frozenset[str] | None:
    """``Host`` values this server answers (lower case, with port), or None for "any IP".

    A loopback server answers its own address and ``localhost``; a server on one address,
    that address; a server on every address (``0.0.0.0``, ``::``), any IP literal, as a
    rebinding attack needs a DNS name. ``extra`` adds names (``--allow-host``).
    """
    names = {bound.lower(), *(h.lower() for h in extra)}
    try:
        address = ipaddress.ip_address(bound)
    except ValueError:
        address = None
    if address is not None and address.is_unspecified:
        return None
    if address is None or address.is_loopback:
        names |= {"localhost", "127.0.0.1", "::1"}
    hosts: set[str] = set()
    for name in names:
        shown = f"[{name}]" if ":" in name else name
        hosts.add(f"{shown}:{port}")
        if port == 80:
            hosts.add(shown)
    return frozenset(hosts)


def _is_ip_literal(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]")
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Handler(BaseHTTPRequestHandler):
    """One connection's requests."""

    server: HttpServer
    protocol_version = "HTTP/1.1"
    server_version = "pcr-graph"
    timeout = 60  # seconds a client may take to send its request
    # Headers and body leave in two writes; with Nagle's algorithm on, the body waits for
    # the client's delayed ACK of the headers (40 ms a request on Linux, keep-alive).
    disable_nagle_algorithm = True

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
        for name, value in {**SECURITY_HEADERS, **(headers or {})}.items():
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
        if reply.unknown_graphs:
            # Named in the dataset but not held here: answered as empty graphs.
            headers["X-PCR-Unknown-Graphs"] = " ".join(
                f"<{urllib.parse.quote(g, safe=':/#?&=;,+$@!~*()')}>" for g in reply.unknown_graphs
            )
        self._send(reply.status, reply.body, reply.content_type, headers)

    def _route(self) -> tuple[str, dict[str, list[str]]]:
        parts = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        return parts.path.rstrip("/") or "/", params

    def _take_body(self) -> bytes | None:
        """The whole request body (b"" if none); None after an error reply that closes."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._error(411, "send the body with a Content-Length, not chunked")
            return None
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            if self.command in ("POST", "PUT", "PATCH"):
                self.close_connection = True
                self._error(411, f"a {self.command} needs a Content-Length")
                return None
            return b""
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

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        allowed = self.server.allowed
        if not host:
            ok = self.request_version == "HTTP/1.0"
        elif allowed is None:
            ok = _is_ip_literal(host) or host.split(":")[0] in self.server.extra_hosts
        else:
            ok = host in allowed
        if not ok:
            self._error(
                403,
                f"Host {host or '(none)'} is not this server (a guard against DNS "
                "rebinding): address it by its IP or localhost, or start it with --allow-host",
            )
        return ok

    def _begin(self) -> bytes | None:
        """Read the body and check the Host; None if an error reply was sent."""
        body = self._take_body()
        if body is None or not self._host_ok():
            return None
        return body

    def _base_iri(self, path: str) -> str:
        host = self.headers.get("Host") or self.server.endpoint.authority
        return f"http://{host}{path}"

    # -- methods
    def do_GET(self) -> None:
        if self._begin() is None:
            return
        path, params = self._route()
        if path in ("/", "/index.html"):
            from pcr_graph.share.endpoint.page import page_csp

            page = self.server.endpoint.page.encode()
            headers = {"Content-Security-Policy": page_csp()}
            self._send(200, page, "text/html; charset=utf-8", headers)
        elif path in QUERY_PATHS:
            if "query" not in params and "update" not in params:
                self._description(path)
            else:
                self._query(path, params, None)
        elif path == "/update":
            self._read_only()
        else:
            self._error(404, f"no such page: {path} (the endpoint is /sparql, the page /)")

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        body = self._begin()
        if body is None:
            return
        path, params = self._route()
        if path == "/update":
            self._read_only()
            return
        if path not in QUERY_PATHS:
            self._error(404, f"no such endpoint: {path} (POST queries to /sparql)")
            return
        media, *media_params = (
            p.strip().lower() for p in self.headers.get("Content-Type", "").split(";")
        )
        charset = next((p[8:].strip('"') for p in media_params if p.startswith("charset=")), None)
        if charset not in (None, "utf-8", "utf8") and media != "application/sparql-update":
            self._error(415, f"cannot read a body in {charset}: send UTF-8")
            return
        if media == "application/sparql-update":
            self._read_only()
        elif media == "application/sparql-query":
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                self._error(400, "the query is not UTF-8")
                return
            if "query" in params:
                self._error(400, "give the query once: in the body or as ?query=, not both")
                return
            self._query(path, params, text)
        elif media == "application/x-www-form-urlencoded":
            try:
                form = urllib.parse.parse_qs(
                    body.decode("utf-8"), keep_blank_values=True, errors="strict"
                )
            except UnicodeDecodeError:
                self._error(400, "the form is not UTF-8")
                return
            merged = {k: params.get(k, []) + form.get(k, []) for k in {*params, *form}}
            self._query(path, merged, None)
        else:
            self._error(
                415,
                f"cannot read a {media or 'body without Content-Type'}: send "
                "application/sparql-query or application/x-www-form-urlencoded",
            )

    def _refuse_write(self) -> None:
        if self._begin() is not None:
            self._read_only()

    do_PUT = do_DELETE = do_PATCH = _refuse_write

    def _read_only(self) -> None:
        self._error(403, "this endpoint is read-only: SPARQL Update and graph writes are refused")

    def _description(self, path: str) -> None:
        from pcr_graph.share.endpoint.description import description_triples
        from pcr_graph.share.endpoint.formats import write_graph
        from pcr_graph.share.endpoint.negotiation import content_type, negotiate

        formats = self._route()[1].get("format", [])
        try:
            fmt = negotiate(
                "DescribeQuery", self.headers.get("Accept"), formats[0] if formats else None
            )
        except Refused as exc:
            self._error(exc.status, exc.message)
            return
        triples = description_triples(self._base_iri(path), self.server.endpoint.graphs)
        self._send(200, write_graph(triples, fmt), content_type(fmt), {"Vary": "Accept"})

    def _query(self, path: str, params: dict[str, list[str]], text: str | None) -> None:
        if "update" in params:
            self._read_only()
            return
        if text is None:
            found = params.get("query", [])
            if len(found) != 1:
                self._error(400, "give exactly one SPARQL query, as ?query=… or in a POST body")
                return
            text = found[0]
        formats = params.get("format", []) or params.get("output", [])
        endpoint = self.server.endpoint
        request = QueryRequest(
            text,
            self.headers.get("Accept"),
            formats[0] if formats else None,
            endpoint.config.max_rows,
            tuple(params.get("default-graph-uri", [])),
            tuple(params.get("named-graph-uri", [])),
            self._base_iri(path),
        )
        self._reply(endpoint.pool.run(request, self.client_address[0]))


class HttpServer(ThreadingHTTPServer):
    """A thread per connection; the endpoint does the work."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], endpoint: Service) -> None:
        import socket

        self.endpoint = endpoint
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        extra = endpoint.config.allowed_hosts
        self.extra_hosts = frozenset(h.lower() for h in extra)
        self.allowed = allowed_hosts(address[0], self.server_address[1], extra)
