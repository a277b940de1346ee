"""HTTP for remote SPARQL servers: endpoints, credentials, and a client with a retry policy.

The client is :mod:`requests` with :class:`urllib3.util.Retry` (no retry loop of our own):

- **Connecting** (refused, host not found, no connection within ``connect_timeout``) is
  retried ``retries`` times with exponential backoff: nothing reached the server.
- **Reading** (connected, but no answer within ``read_timeout``, or the connection broke
  while waiting) is **never retried**: the server may still be running the request, and a
  slow query sent again is only slower. The message says which of the two happened.
- **Answers** 502 and 504, and 503 with ``Retry-After`` (a busy server), are retried; with
  ``retry_all_5xx`` (push, whose requests are all safe to repeat) every 5xx is.
- Redirects are not followed: one could carry the credentials to another host.

Credentials come from the environment only (``PCR_GRAPH_TOKEN``, or ``PCR_GRAPH_USER`` and
``PCR_GRAPH_PASSWORD``). They never appear in a message: a malformed one is refused without
being shown, URLs are printed without any ``user:password@`` part, and an error body from the
server is shown with the credentials (and any ``Authorization:`` header it echoes) blanked.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pcr_graph.core.errors import PcrGraphError, UsageError

ENV_USER = "PCR_GRAPH_USER"
ENV_PASSWORD = "PCR_GRAPH_PASSWORD"
ENV_TOKEN = "PCR_GRAPH_TOKEN"

REDACTED = "[redacted]"


class RemoteError(PcrGraphError):
    """A remote endpoint could not be reached, refused a request, or answered wrongly."""


# --------------------------------------------------------------------------------------
# URLs


def check_url(url: str, what: str = "URL") -> urllib.parse.SplitResult:
    """``url`` split, if it is an http(s) URL with a host and a valid port; else UsageError.

    The message shows the URL without credentials and says what is wrong, in one line.

    >>> check_url("http://127.0.0.1:7878/query").port
    7878
    >>> check_url("http://[::1")
    Traceback (most recent call last):
    ...
    pcr_graph.core.errors.UsageError: not a valid URL: 'http://[::1' (Invalid IPv6 URL)
    """
    if any(ord(c) < 0x21 or c == "\x7f" for c in url):
        raise UsageError(f"not a valid {what}: it holds a space or a control character")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range or not a number)
    except ValueError as exc:
        raise UsageError(f"not a valid {what}: {safe_url(url)!r} ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UsageError(f"not an http(s) {what}: {safe_url(url)!r}")
    if not parts.hostname:
        raise UsageError(f"not a valid {what}: {safe_url(url)!r} has no host")
    return parts


def safe_url(url: str) -> str:
    """The URL without any ``user:password@`` part (never print credentials)."""
    head, sep, rest = url.partition("://")
    if not sep:
        return url
    netloc, slash, tail = rest.partition("/")
    return f"{head}{sep}{netloc.rpartition('@')[2]}{slash}{tail}"


def with_params(url: str, params: Mapping[str, str]) -> str:
    """``url`` with ``params`` added to its query string."""
    parts = urllib.parse.urlsplit(url)
    extra = urllib.parse.urlencode(params)
    query = f"{parts.query}&{extra}" if parts.query and extra else parts.query or extra
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def graph_url(store_url: str, graph: str | None) -> str:
    """The Graph Store Protocol URL of ``graph`` (``None``: the default graph)."""
    if graph is None:
        return with_params(store_url, {}) + ("&" if "?" in store_url else "?") + "default"
    return with_params(store_url, {"graph": graph})


def split_params(url: str) -> tuple[str, list[tuple[str, str]]]:
    """``url`` without its query string, and that query string's parameters."""
    parts = urllib.parse.urlsplit(url)
    base = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return base, urllib.parse.parse_qsl(parts.query, keep_blank_values=True)


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

        A query URL ending in ``/sparql`` (Virtuoso, Fuseki's ``/ds/sparql``, pcr-graph's
        own endpoint) takes its updates at the same URL; ``/query`` (Oxigraph) at the
        sibling ``/update``. The graph store is the sibling ``/store`` unless given.

        >>> Endpoints.from_url("http://127.0.0.1:7878/query?default-graph-uri=urn:g")
        Endpoints(query='http://127.0.0.1:7878/query?default-graph-uri=urn:g', \
update='http://127.0.0.1:7878/update', store='http://127.0.0.1:7878/store')
        >>> Endpoints.from_url("https://example.org/ds/").query
        'https://example.org/ds/query'
        """
        parts = check_url(url)
        for extra, name in ((update, "--update-url"), (store, "--store-url")):
            if extra is not None:
                check_url(extra, name)
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

        default_update = split_params(query)[0] if last == "sparql" else sibling("update")
        return cls(query, update or default_update, store or sibling("store"))


# --------------------------------------------------------------------------------------
# Credentials


_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")


def _check_secret(name: str, value: str) -> str:
    """``value`` without surrounding white space, refused (not shown) if not header-safe."""
    value = value.strip(" \t\r\n")
    if not value:
        return ""
    if not _HEADER_SAFE.fullmatch(value):
        bad = next(c for c in value if not _HEADER_SAFE.fullmatch(c))
        kind = "a non-ASCII character" if ord(bad) > 0x7E else "a space or control character"
        raise UsageError(
            f"{name} holds {kind} (at position {value.index(bad) + 1}), which an HTTP "
            "header cannot carry; its value is not shown"
        )
    return value


def auth_header(environ: Mapping[str, str] | None = None) -> str | None:
    """The ``Authorization`` header value from the environment, or None.

    White space around a value (a token file saved with a CRLF line end) is removed; a value
    still holding a control or non-ASCII character is refused without being shown.
    """
    env = os.environ if environ is None else environ
    token = _check_secret(ENV_TOKEN, env.get(ENV_TOKEN, ""))
    user = env.get(ENV_USER, "").strip(" \t\r\n")
    password = env.get(ENV_PASSWORD, "").strip("\r\n")
    if token and (user or password):
        raise UsageError(f"set either {ENV_TOKEN} or {ENV_USER}/{ENV_PASSWORD}, not both")
    if token:
        return f"Bearer {token}"
    if user or password:
        if not (user and password):
            raise UsageError(f"{ENV_USER} and {ENV_PASSWORD} must be set together")
        for name, value in ((ENV_USER, user), (ENV_PASSWORD, password)):
            if any(ord(c) < 0x20 or c == "\x7f" for c in value):
                raise UsageError(f"{name} holds a control character; its value is not shown")
        if ":" in user:
            raise UsageError(f"{ENV_USER} cannot hold ':' (basic authentication splits on it)")
        # RFC 7617: user-id and password in UTF-8, so non-ASCII ones travel as base64.
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return f"Basic {pair}"
    return None


def _secrets(authorization: str | None, environ: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if environ is None else environ
    found = [authorization or ""]
    if authorization:
        found += authorization.split(" ", 1)[1:]
    for name in (ENV_TOKEN, ENV_PASSWORD):
        value = env.get(name, "")
        found += [value, value.strip()]
    return sorted({s for s in found if len(s) >= 4}, key=len, reverse=True)


_ECHOED_HEADER = re.compile(
    r"""(?i)\b((?:proxy-)?authorization|cookie)("?\s*[:=]\s*"?)"""  # the name, then
    r"""(?!\[redacted\])(?:[A-Za-z]+[ \t]+)?[^\s,;}\]"']+"""  # a scheme and a value
)


def redact(text: str, authorization: str | None = None) -> str:
    """``text`` with every credential blanked: the header value, the token, the password,
    and whatever follows an ``Authorization:`` a server echoes back.

    >>> redact("denied: Authorization: Bearer abc123 for /x", "Bearer abc123")
    'denied: Authorization: [redacted] for /x'
    """
    for secret in _secrets(authorization):
        text = text.replace(secret, REDACTED)
    return _ECHOED_HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text).replace(
        f"{REDACTED} {REDACTED}", REDACTED
    )


def first_line(text: str, limit: int = 300) -> str:
    """The first non-blank line of ``text``, cut at ``limit`` characters."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    line = lines[0] if lines else ""
    return line if len(line) <= limit else line[:limit] + "…"


def error_text(answer: Response, limit: int = 400) -> str:
    """An error answer's body as one line of text: an HTML page's text without its markup
    (Virtuoso's and most servers' error pages), else the first line."""
    text = answer.text()
    if answer.media_type in ("text/html", "application/xhtml+xml") or text.lstrip().startswith(
        "<!DOCTYPE"
    ):
        # Imported here to keep `pcr-graph --help` fast.
        import html

        text = html.unescape(re.sub(r"(?s)<!--.*?-->|<[^>]*>", "\n", text))
        words = " ".join(line.strip() for line in text.splitlines() if line.strip())
        return words if len(words) <= limit else words[:limit] + "…"
    return first_line(text, limit)


# --------------------------------------------------------------------------------------
# The client


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


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every error it wraps (``reason``, first argument, cause, context)."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not f for f in found):
        found.append(current)
        inner = getattr(current, "reason", None)
        if not isinstance(inner, BaseException):
            first = current.args[0] if current.args else None
            inner = first if isinstance(first, BaseException) else None
        current = inner or current.__cause__ or current.__context__
    return found


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost cause of a requests/urllib3 error (an OSError, usually)."""
    return _chain(exc)[-1]


def _why_not_connected(exc: BaseException) -> str:
    cause = _root_cause(exc)
    if isinstance(cause, socket.gaierror):
        return "host not found"
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror[:1].lower() + cause.strerror[1:]
    return type(cause).__name__


@dataclass
class HttpClient:
    """Requests with urllib3's retry policy (see the module docstring); one per command.

    ``retried`` counts the retries made, for reports.
    """

    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    retries: int = 4
    backoff: float = 0.5
    retry_all_5xx: bool = False
    authorization: str | None = field(default_factory=auth_header, repr=False)
    retried: int = 0
    _sessions: dict[int, Any] = field(default_factory=dict, repr=False)

    def _session(self, retries: int) -> Any:
        # Imported here to keep `pcr-graph --help` fast.
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util import Retry

        if retries not in self._sessions:
            statuses = range(500, 600) if self.retry_all_5xx else (502, 504)
            policy = Retry(
                total=None,
                connect=retries,
                read=0,
                status=retries,
                other=0,
                redirect=0,
                backoff_factor=self.backoff,
                status_forcelist=statuses,
                allowed_methods=None,  # every method: the caller passes retries=0 where unsafe
                respect_retry_after_header=True,
                raise_on_status=False,
                raise_on_redirect=False,
            )
            session = requests.Session()
            session.trust_env = False  # no ~/.netrc credentials, no proxy from the environment
            adapter = HTTPAdapter(max_retries=policy)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._sessions[retries] = session
        return self._sessions[retries]

    def close(self) -> None:
        """Close the connections this client keeps open."""
        for session in self._sessions.values():
            session.close()
        self._sessions.clear()

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
        """Send one request (retried as the policy says) and return the answer.

        Raises :class:`RemoteError` when no answer came (saying whether connecting or
        reading failed), and for a non-2xx answer when ``check`` is true.
        """
        # Imported here to keep `pcr-graph --help` fast.
        import requests

        check_url(url)
        all_headers = {"User-Agent": "pcr-graph", **(headers or {})}
        if self.authorization:
            all_headers["Authorization"] = self.authorization
        session = self._session(self.retries if retries is None else retries)
        where = f"{method} {safe_url(url)}"
        try:
            raw = session.request(
                method,
                url,
                data=body,
                headers=all_headers,
                timeout=(self.connect_timeout, self.read_timeout),
                allow_redirects=False,
            )
        except requests.exceptions.ConnectTimeout:
            raise RemoteError(
                f"{where}: cannot connect: no connection within {self.connect_timeout:g} s "
                f"(connect timeout{self._tries(retries)})"
            ) from None
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError) as exc:
            failure = _read_failure(exc)
            if isinstance(exc, requests.exceptions.ReadTimeout) or failure == "timeout":
                raise RemoteError(
                    f"{where}: connected, but no answer within {self.read_timeout:g} s (read "
                    "timeout; not retried, as the server may still be working on it)"
                ) from None
            if failure == "broken":
                raise RemoteError(
                    f"{where}: connected, but the connection broke before the answer came "
                    f"({type(_root_cause(exc)).__name__}; not retried)"
                ) from None
            raise RemoteError(
                f"{where}: cannot connect: {_why_not_connected(exc)}{self._tries(retries)}"
            ) from None
        except requests.exceptions.RequestException as exc:
            # Invalid URLs and headers were refused before; anything else, without its text
            # (which may quote a header value).
            raise RemoteError(f"{where}: request failed ({type(exc).__name__})") from None
        history = getattr(getattr(raw.raw, "retries", None), "history", ()) or ()
        self.retried += len(history)
        answer = Response(
            raw.status_code, {k.lower(): v for k, v in raw.headers.items()}, raw.content
        )
        if check and not 200 <= answer.status < 300:
            detail = redact(error_text(answer), self.authorization)
            raise RemoteError(f"{where}: HTTP {answer.status}: {detail}")
        return answer

    def _tries(self, retries: int | None) -> str:
        count = self.retries if retries is None else retries
        return f", after {count} retr{'y' if count == 1 else 'ies'}" if count else ""


def _read_failure(exc: BaseException) -> str | None:
    """``"timeout"`` or ``"broken"`` if ``exc`` happened after the request was sent."""
    # Imported here to keep `pcr-graph --help` fast.
    from urllib3.exceptions import ProtocolError, ReadTimeoutError

    chain = _chain(exc)
    if any(isinstance(e, ReadTimeoutError) for e in chain):
        return "timeout"
    if any(isinstance(e, ProtocolError) for e in chain):
        return "broken"
    return None


__all__ = [
    "ENV_PASSWORD",
    "ENV_TOKEN",
    "ENV_USER",
    "Endpoints",
    "HttpClient",
    "RemoteError",
    "Response",
    "auth_header",
    "check_url",
    "error_text",
    "first_line",
    "graph_url",
    "redact",
    "safe_url",
    "split_params",
    "with_params",
]
