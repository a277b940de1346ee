"""Worker processes answering queries, shared fairly between clients.

Why processes. Oxigraph has no way to cancel a running query. A query run in a thread would
go on using a CPU core (and memory) after its client was told it timed out, and a few such
queries would exhaust the server. So each query runs in one of a pool of worker processes,
each holding the store opened read-only; a worker that exceeds the time limit is killed and
replaced, and the client gets 503 "query timed out". A worker that runs out of memory (its
address space is capped) dies or retires, and is replaced the same way.

Fairness. A client (one remote address) may hold at most ``per_client`` workers at once;
its further queries wait. When a worker frees up it goes to the waiting query whose client
holds the fewest workers (the oldest first among equals), so two heavy queries from one
client cannot hold every other client at 503 for the whole time limit.
"""

from __future__ import annotations

import contextlib
import itertools
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pcr_graph.share.endpoint.worker import (
    WORKER_BOOT,
    QueryRequest,
    Reply,
    WorkerSpec,
    text_reply,
)

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


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
        per_client: int | None = None,
    ) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self.spec = spec
        self.size = size
        self.timeout = timeout
        self.queue_wait = timeout if queue_wait is None else queue_wait
        self.startup_timeout = startup_timeout
        self.per_client = per_client if per_client else max(1, size - 1)
        """Workers one client may hold at once (default: all but one)."""
        self._log = log or (lambda _message: None)
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._tickets = itertools.count()
        self._waiting: dict[int, str] = {}
        """Ticket -> client of every query waiting for a worker."""
        self._holding: dict[str, int] = {}
        """Client -> workers it holds now."""
        self._closed = False
        self.replaced = 0
        """Workers killed after a timeout, a crash or running out of memory, and started anew."""

    # -- processes
    def _spawn(self) -> _Worker:
        import os
        import sys
        from multiprocessing.connection import Connection

        package_root = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH", "")) if p
        )
        # The worker's address space is capped (RLIMIT_AS). glibc reserves 64 MB of address
        # space for each malloc arena and makes up to 8 per core as threads contend, so the
        # store's threads could use up the cap before any query ran and a new thread fail
        # with EAGAIN ("Resource temporarily unavailable"; seen once in CI). Two arenas keep
        # the reservation small and predictable.
        env.setdefault("MALLOC_ARENA_MAX", "2")
        process = subprocess.Popen(
            [sys.executable, "-c", WORKER_BOOT],
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
            raise RuntimeError(f"a query worker could not start: {detail}")

    def start(self) -> None:
        """Start every worker and wait until each has opened the store."""
        workers = [self._spawn() for _ in range(self.size)]
        try:
            for worker in workers:
                self._await_ready(worker)
        except BaseException:
            self.close()
            raise
        with self._changed:
            self._idle.extend(workers)
            self._changed.notify_all()

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
            return
        self._release(fresh)

    def _release(self, worker: _Worker) -> None:
        with self._changed:
            self._idle.append(worker)
            self._changed.notify_all()

    # -- scheduling
    def _my_turn(self, ticket: int, client: str) -> bool:
        """True if ``ticket`` is the waiting query a free worker should go to now."""
        best: tuple[int, int] | None = None
        for other, who in self._waiting.items():
            held = self._holding.get(who, 0)
            if held >= self.per_client:
                continue
            key = (held, other)
            if best is None or key < best:
                best = key
        return best is not None and best[1] == ticket

    def _acquire(self, client: str) -> _Worker | None:
        deadline = time.monotonic() + self.queue_wait
        with self._changed:
            ticket = next(self._tickets)
            self._waiting[ticket] = client
            try:
                while not (self._idle and self._my_turn(ticket, client)):
                    left = deadline - time.monotonic()
                    if left <= 0 or self._closed:
                        return None
                    self._changed.wait(left)
                self._holding[client] = self._holding.get(client, 0) + 1
                return self._idle.pop()
            finally:
                del self._waiting[ticket]
                self._changed.notify_all()

    def _done(self, client: str) -> None:
        with self._changed:
            held = self._holding.get(client, 0) - 1
            if held > 0:
                self._holding[client] = held
            else:
                self._holding.pop(client, None)
            self._changed.notify_all()

    def run(self, request: QueryRequest, client: str = "") -> Reply:
        """Answer one query in a free worker; 503 if none frees up or the query times out."""
        worker = self._acquire(client)
        if worker is None:
            return text_reply(
                503, "error: the server is busy: every query worker is in use", retry_after=1
            )
        try:
            return self._ask(worker, request)
        finally:
            self._done(client)

    def _ask(self, worker: _Worker, request: QueryRequest) -> Reply:
        try:
            worker.outbound.send(request)
            if worker.inbound.poll(self.timeout):
                reply: Reply = worker.inbound.recv()
                if reply.retire:
                    self._retire(worker)
                else:
                    self._release(worker)
                return reply
        except (EOFError, OSError):
            self._retire(worker)
            return text_reply(503, f"error: {self._death(worker)}")
        # Oxigraph cannot cancel a query: end the process that runs it.
        self._retire(worker)
        return text_reply(503, f"error: query timed out after {self.timeout:g} s")

    def _death(self, worker: _Worker) -> str:
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(timeout=5)
        if self.spec.memory_mb and worker.process.returncode is not None:
            return (
                "the query worker stopped, most likely for want of memory: a worker may "
                f"use {self.spec.memory_mb:,} MB"
            )
        return f"the query worker stopped (exit code {worker.process.returncode})"

    def _retire(self, worker: _Worker) -> None:
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()

    def close(self) -> None:
        """Stop every worker."""
        with self._changed:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._changed.notify_all()
        for worker in workers:
            worker.kill()
