"""The whole service: the data, the worker pool and the HTTP server.

The data is built once into an on-disk Oxigraph store, which every worker opens read-only,
so a replacement worker starts in well under a second and the workers share the operating
system's page cache rather than holding one copy of the data each. When the project has no
``--store`` folder the store is built in a scratch folder, removed on Ctrl-C or SIGTERM; a
scratch folder left by a killed server (its owner no longer running) is removed at the next
start.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pcr_graph.analysis.derived import ensure_derived
from pcr_graph.core.errors import PcrGraphError, UsageError
from pcr_graph.share.endpoint.pool import WorkerPool
from pcr_graph.share.endpoint.worker import WorkerSpec

if TYPE_CHECKING:
    from pcr_graph.share.endpoint.http import HttpServer
    from pcr_graph.store.project import Project

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7879
SCRATCH_PREFIX = "pcr-graph-serve-"
MIN_MEMORY_MB = 768
"""The smallest worker memory cap: below about 600 MB a worker cannot start its threads."""
_OWNER_FILE = "owner.pid"


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
    memory_mb: int | None = 2048
    """Address space a worker may use, in MB (RLIMIT_AS); None: no cap."""
    per_client: int | None = None
    """Workers one client address may hold at once (default: all but one)."""
    allowed_hosts: tuple[str, ...] = ()
    """Host names besides the bound address that requests may name (``--allow-host``)."""
    sandbox: bool = True
    """Deny query workers the network (seccomp). Only tests of the check itself turn it off."""

    def checked(self) -> EndpointConfig:
        """This configuration, or :class:`UsageError` naming the first bad setting."""
        if self.workers < 1:
            raise UsageError(f"--workers must be at least 1, not {self.workers}")
        if self.timeout <= 0:
            raise UsageError(f"--timeout must be above 0 seconds, not {self.timeout:g}")
        if self.max_rows < 1:
            raise UsageError(f"--max-rows must be at least 1, not {self.max_rows}")
        if self.memory_mb is not None and self.memory_mb < MIN_MEMORY_MB:
            raise UsageError(
                f"--memory-limit must be at least {MIN_MEMORY_MB} MB (a worker needs about "
                f"600 MB of address space to open the store), not {self.memory_mb}"
            )
        if not 0 <= self.port <= 65535:
            raise UsageError(f"--port must be between 0 and 65535, not {self.port}")
        return self


def remove_stale_scratch(root: Path | None = None) -> list[Path]:
    """Remove scratch stores of servers no longer running (killed with SIGKILL, say)."""
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(SCRATCH_PREFIX + "*"):
        owner = folder / _OWNER_FILE
        try:
            pid = int(owner.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue  # not ours to judge (no owner file yet: a server still starting)
        if pid == os.getpid() or _running(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Inside, SIGTERM raises KeyboardInterrupt in the main thread, so cleanup runs.

    Entered before the server announces itself: a SIGTERM that arrives just after the
    announcement must still remove the scratch store, not kill the process outright.
    """
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class SparqlEndpoint:
    """The whole service: the data, the worker pool and the HTTP server.

    Use it as a context manager (or call :meth:`start` and :meth:`close`)::

        with SparqlEndpoint(Project(), EndpointConfig(port=0)) as endpoint:
            print(endpoint.url)

    ``store_dir`` serves an existing Oxigraph folder instead of the project's data.
    """

    def __init__(
        self,
        project: Project | None,
        config: EndpointConfig | None = None,
        log: Callable[[str], None] | None = None,
        store_dir: Path | None = None,
    ) -> None:
        self.project = project
        self.config = config or EndpointConfig()
        self.log: Callable[[str], None] = log or (lambda _message: None)
        self.store_dir = store_dir
        self.page = ""
        self.triples = 0
        self.graphs: tuple[str, ...] = ()
        self._pool: WorkerPool | None = None
        self._server: HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._scratch: Path | None = None

    @property
    def pool(self) -> WorkerPool:
        assert self._pool is not None, "start() the endpoint first"
        return self._pool

    @property
    def authority(self) -> str:
        """``host:port`` of the listening socket."""
        assert self._server is not None, "start() the endpoint first"
        address = self._server.server_address
        host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
        shown = f"[{host}]" if ":" in host else host
        return f"{shown}:{address[1]}"

    @property
    def url(self) -> str:
        """The base URL (the page); the query endpoint is ``url + "sparql"``."""
        return f"http://{self.authority}/"

    def _oxigraph_spec(self, folder: Path) -> WorkerSpec:
        config = self.config
        return WorkerSpec(oxigraph_dir=folder, memory_mb=config.memory_mb, sandbox=config.sandbox)

    def _spec(self) -> WorkerSpec:
        from pcr_graph.store.engines import open_persistent, source_graph_iri

        if self.store_dir is not None:
            import pyoxigraph as ox

            store = ox.Store.read_only(str(self.store_dir))
            self.triples = len(store)
            self.graphs = tuple(
                sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
            )
            del store
            return self._oxigraph_spec(self.store_dir)
        project = self.project
        assert project is not None, "give a project or a store folder"
        if project.engine != "oxigraph" or (
            project.store is not None and project.store.startswith(("http://", "https://"))
        ):
            opened = project.open()
            self.triples = len(opened)
            self.graphs = tuple(sorted(source_graph_iri(s) for s in opened.sources()))
            return WorkerSpec(project=project, memory_mb=self.config.memory_mb)
        if project.store is None:
            remove_stale_scratch()
            self._scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
            (self._scratch / _OWNER_FILE).write_text(f"{os.getpid()}\n", encoding="ascii")
            folder = self._scratch / "store"
        else:
            folder = Path(project.store)
        persistent = open_persistent(project.files(), folder)
        # The rules read the derived summary graph: written before the workers open the
        # folder read-only (they cannot write it).
        ensure_derived(persistent)
        persistent.flush()
        self.triples = len(persistent)
        self.graphs = tuple(sorted(source_graph_iri(s) for s in persistent.sources()))
        del persistent  # release the read-write handle; workers open the folder read-only
        return self._oxigraph_spec(folder / "oxigraph")

    def start(self) -> str:
        """Build the data, start the workers, listen; return the base URL.

        Raises :class:`UsageError` (one line) for a bad setting or an address that cannot
        be listened on.
        """
        from pcr_graph.share.endpoint.http import HttpServer
        from pcr_graph.share.endpoint.page import render_page

        config = self.config.checked()
        try:
            spec = self._spec()
            self.page = render_page(self._queries(), self.triples, config.timeout, config.max_rows)
            try:
                self._server = HttpServer((config.host, config.port), self)
            except OSError as exc:
                shown = f"[{config.host}]" if ":" in config.host else config.host
                reason = exc.strerror or str(exc) or type(exc).__name__
                raise UsageError(f"cannot listen on {shown}:{config.port}: {reason}") from None
            except (OverflowError, ValueError) as exc:
                raise UsageError(f"cannot listen on {config.host}:{config.port}: {exc}") from None
            self._pool = WorkerPool(
                spec,
                config.workers,
                config.timeout,
                config.queue_wait,
                self.log,
                per_client=config.per_client,
            )
            try:
                self._pool.start()
            except RuntimeError as exc:  # a worker could not open the store or confine itself
                raise PcrGraphError(f"the query workers could not start: {exc}") from None
        except BaseException:
            self.close()
            raise
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="pcr-graph-serve", daemon=True
        )
        self._thread.start()
        return self.url

    def _queries(self) -> list[object]:
        from pcr_graph.analysis.queries import library

        return list(library()) if self.project is not None else []

    def wait(self) -> None:
        """Block until the server stops: Ctrl-C or SIGTERM (both raise KeyboardInterrupt)."""
        import signal

        def stop(_signum: int, _frame: object) -> None:
            raise KeyboardInterrupt

        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, stop)
        try:
            if self._thread is not None:
                while self._thread.is_alive():
                    self._thread.join(timeout=0.5)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    def close(self) -> None:
        """Stop listening, stop the workers, remove scratch data."""
        if self._server is not None:
            if self._thread is not None:
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
        with contextlib.suppress(Exception):
            self.close()
