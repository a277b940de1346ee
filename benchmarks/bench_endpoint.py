"""Throughput of ``pcr-graph serve`` against ``oxigraph serve``, same machine, data and queries.

Both servers hold the same triples (the built-in dataset: ontology, reference areas,
fictional demo system), built into one Oxigraph folder layout (a named graph per source;
``oxigraph serve --union-default-graph`` so a query without FROM sees them all, as
``pcr-graph serve`` does). Each run sends a fixed number of requests from 8 and then 32
client threads, each its own client (own keep-alive connection, own source address
127.0.0.x, as separate machines would be): a mix of a listing, an aggregate, an ASK, a
CONSTRUCT and two gap rules, every text with the PREFIX lines Oxigraph needs. Both servers
run in one benchmark run, alternately, so they share the machine's conditions.

``pcr-graph serve`` runs with every refusal and limit on (read-only check, SERVICE refused,
sandboxed workers, memory cap, per-client limit, Host check, row cap). Records requests per
second, p50/p95 latency, errors, whether every answer to a query was the same, and the
ratio of pcr-graph's throughput to Oxigraph's. Writes ``benchmarks/results/endpoint.json``.
Never asserts a time.

Run: ``.venv/bin/python benchmarks/bench_endpoint.py``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pcr_graph.analysis.queries import find_query
from pcr_graph.core.files import atomic_write_text
from pcr_graph.store.engines import open_persistent, with_prologue
from pcr_graph.store.project import Project

RESULTS = Path(__file__).resolve().parent / "results" / "endpoint.json"
CLIENTS = (8, 32)
REQUESTS = 600  # per run: bounded, so the whole benchmark takes a minute or two
WORKERS = 2
QUERIES = [
    with_prologue(q)
    for q in (
        "SELECT ?area ?label WHERE { ?area a pcr:Area ; skos:prefLabel ?label } ORDER BY ?label",
        "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p",
        "ASK { ?s a pcr:Provider }",
        "CONSTRUCT { ?s a pcr:Provider ; skos:prefLabel ?l } WHERE { ?s a pcr:Provider ; "
        "skos:prefLabel ?l }",
        find_query("missing-pathway").text,
        find_query("provider-without-links").text,
    )
]
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load(host: str, port: int, path: str, clients: int) -> dict[str, Any]:
    """Send REQUESTS requests from ``clients`` clients; throughput, latency, errors."""
    jobs: queue.Queue[str] = queue.Queue()
    for i in range(REQUESTS):
        jobs.put(QUERIES[i % len(QUERIES)])
    answers: list[tuple[str, int, bytes, float]] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        source = (f"127.0.0.{10 + number}", 0)
        connection = http.client.HTTPConnection(host, port, timeout=120, source_address=source)
        mine = []
        while True:
            try:
                query = jobs.get_nowait()
            except queue.Empty:
                break
            body = urllib.parse.urlencode({"query": query})
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT}
            start = time.perf_counter()
            try:
                connection.request("POST", path, body=body, headers=headers)
                answer = connection.getresponse()
                status, data = answer.status, answer.read()
            except (OSError, http.client.HTTPException) as exc:
                status, data = 0, str(exc).encode()
                connection.close()
                connection = http.client.HTTPConnection(
                    host, port, timeout=120, source_address=source
                )
            mine.append((query, status, data, time.perf_counter() - start))
        connection.close()
        with lock:
            answers.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    latencies = [a[3] for a in answers]
    bodies: dict[str, set[bytes]] = {}
    for query, status, data, _ in answers:
        if status == 200:
            bodies.setdefault(query, set()).add(data)
    return {
        "clients": clients,
        "requests": len(answers),
        "errors": sum(1 for a in answers if a[1] != 200),
        "identical_answers": all(len(b) == 1 for b in bodies.values()),
        "requests_per_second": round(len(answers) / elapsed, 1),
        "latency_p50_ms": round(1000 * statistics.median(latencies), 1),
        "latency_p95_ms": round(1000 * _percentile(latencies, 0.95), 1),
    }


@contextlib.contextmanager
def pcr_graph_serve(workspace: Path) -> Iterator[tuple[str, int]]:
    """``pcr-graph serve`` in its own process (so the clients here do not share its GIL)."""
    command = [sys.executable, "-c", "from pcr_graph.cli.commands import main; main()"]
    args = ["serve", "--port", "0", "--quiet", "--workers", str(WORKERS), "--max-rows", "100000"]
    process = subprocess.Popen([*command, *args], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("serving "):
            raise RuntimeError(f"pcr-graph serve did not start: {line!r}")
        parts = urllib.parse.urlsplit(line.split(" at ")[1].split(" ")[0])
        assert parts.hostname is not None and parts.port is not None
        yield parts.hostname, parts.port
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def oxigraph_serve(workdir: Path) -> Iterator[tuple[str, int]]:
    """``oxigraph serve`` over the same triples, in the same named-graph layout."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.support.oxigraph_server import oxigraph_server

    store = open_persistent(Project().files(), workdir / "store")
    del store
    with oxigraph_server(workdir / "store" / "oxigraph", union_default_graph=True) as base:
        parts = urllib.parse.urlsplit(base)
        assert parts.hostname is not None and parts.port is not None
        yield parts.hostname, parts.port


def main() -> None:
    started = time.perf_counter()
    runs: dict[str, list[dict[str, Any]]] = {"pcr-graph serve": [], "oxigraph serve": []}
    with tempfile.TemporaryDirectory() as scratch:
        servers = {
            "pcr-graph serve": (pcr_graph_serve(Path(scratch) / "ws"), "/sparql"),
            "oxigraph serve": (oxigraph_serve(Path(scratch)), "/query"),
        }
        with servers["pcr-graph serve"][0] as ours, servers["oxigraph serve"][0] as theirs:
            for clients in CLIENTS:
                for name, (host, port), path in (
                    ("oxigraph serve", theirs, "/query"),
                    ("pcr-graph serve", ours, "/sparql"),
                ):
                    load(host, port, path, clients)  # warm: caches, connections
                    result = load(host, port, path, clients)
                    runs[name].append(result)
                    print(
                        f"{name:16} clients {clients:2}: "
                        f"{result['requests_per_second']:7.1f} req/s  "
                        f"p50 {result['latency_p50_ms']:7.1f} ms  "
                        f"p95 {result['latency_p95_ms']:7.1f} ms  "
                        f"errors {result['errors']}  identical {result['identical_answers']}"
                    )
    ratios = {
        str(ours["clients"]): round(ours["requests_per_second"] / theirs["requests_per_second"], 2)
        for ours, theirs in zip(runs["pcr-graph serve"], runs["oxigraph serve"], strict=True)
    }
    print("pcr-graph serve / oxigraph serve throughput:", ratios)
    report = {
        "benchmark": "pcr-graph serve against oxigraph serve: concurrent clients on 127.0.0.1",
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "requests_per_run": REQUESTS,
        "query_mix": len(QUERIES),
        "pcr_graph_workers": WORKERS,
        "runs": runs,
        "throughput_ratio_by_clients": ratios,
        "seconds": round(time.perf_counter() - started, 1),
    }
    atomic_write_text(RESULTS, json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
