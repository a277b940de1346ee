"""Throughput and latency of ``pcr-graph serve`` under 8 and 32 concurrent clients.

Starts ``pcr-graph serve`` (in its own process) on 127.0.0.1 over the built-in dataset
(ontology, reference areas, fictional demo system) and sends a fixed number of requests
from 8 and then 32 client threads: a mix of a listing, an aggregate, an ASK, a CONSTRUCT
and two gap rules. Records requests per second, p50/p95/max latency, the error count and
whether every answer to a query was byte-identical. The same mix is timed on the embedded
store (what HTTP and the worker hop add) and, as a reference, against ``oxigraph serve``
holding the same triples. Writes ``benchmarks/results/endpoint.json`` and prints a table.
Never asserts a time.

Run: ``.venv/bin/python benchmarks/bench_endpoint.py``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pcr_graph.analysis.queries import find_query
from pcr_graph.core.files import atomic_write_text
from pcr_graph.share.push import push_graph
from pcr_graph.store.engines import with_prologue
from pcr_graph.store.http import Endpoints
from pcr_graph.store.project import Project

RESULTS = Path(__file__).resolve().parent / "results" / "endpoint.json"
CLIENTS = (8, 32)
REQUESTS = 480  # per client count: bounded, so a run takes a minute or so
WORKERS = (2, 4)
QUERIES = [
    "SELECT ?area ?label WHERE { ?area a pcr:Area ; skos:prefLabel ?label } ORDER BY ?label",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p",
    "ASK { ?s a pcr:Provider }",
    "CONSTRUCT { ?s a pcr:Provider ; skos:prefLabel ?l } WHERE { ?s a pcr:Provider ; "
    "skos:prefLabel ?l }",
    find_query("missing-pathway").text,
    find_query("provider-without-links").text,
]


def _get(base: str, query: str) -> tuple[int, bytes, float]:
    url = base + "?" + urllib.parse.urlencode({"query": query})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    except OSError as exc:
        status, body = 0, str(exc).encode()
    return status, body, time.perf_counter() - start


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load(base: str, queries: list[str], clients: int) -> dict[str, Any]:
    """Send REQUESTS requests from ``clients`` threads; throughput, latency, errors."""
    expected = {q: _get(base, q)[1] for q in queries}
    jobs = [queries[i % len(queries)] for i in range(REQUESTS)]
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=clients) as pool:
        answers = list(pool.map(lambda q: (q, *_get(base, q)), jobs))
    elapsed = time.perf_counter() - start
    latencies = [a[3] for a in answers]
    errors = sum(1 for a in answers if a[1] != 200)
    return {
        "clients": clients,
        "requests": len(answers),
        "errors": errors,
        "identical_answers": all(a[2] == expected[a[0]] for a in answers),
        "requests_per_second": round(len(answers) / elapsed, 1),
        "latency_p50_ms": round(1000 * statistics.median(latencies), 1),
        "latency_p95_ms": round(1000 * _percentile(latencies, 0.95), 1),
        "latency_max_ms": round(1000 * max(latencies), 1),
    }


def embedded_baseline() -> dict[str, Any]:
    """The same mix on the embedded store, one thread: the floor the endpoint adds to."""
    store = Project().open()
    start = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for query in QUERIES:
            store.query(query)
    per_query = (time.perf_counter() - start) / (rounds * len(QUERIES))
    return {"mean_query_ms": round(1000 * per_query, 2), "triples": len(store)}


def oxigraph_reference(workdir: Path) -> list[dict[str, Any]]:
    """The same load against ``oxigraph serve`` holding the same triples."""
    binary = Path(sys.executable).parent / "oxigraph"
    if not binary.exists():
        return []
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.oxigraph_server import oxigraph_server

    with oxigraph_server(workdir / "oxigraph") as base:
        push_graph(Project().open().graph(), Endpoints.from_url(base))
        # Oxigraph knows none of our prefixes: send the queries with the prologue.
        queries = [with_prologue(q) for q in QUERIES]
        return [load(f"{base}/query", queries, clients) for clients in CLIENTS]


@contextlib.contextmanager
def served(workers: int) -> Iterator[str]:
    """``pcr-graph serve`` in its own process (so the clients here do not share its GIL)."""
    command = [sys.executable, "-c", "from pcr_graph.cli.commands import main; main()", "serve"]
    args = ["--port", "0", "--quiet", "--workers", str(workers), "--max-rows", "100000"]
    process = subprocess.Popen([*command, *args], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("serving "):
            raise RuntimeError(f"pcr-graph serve did not start: {line!r}")
        yield line.split(" at ")[1].split(" ")[0]
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    runs = []
    started = time.perf_counter()
    for workers in WORKERS:
        with served(workers) as base:
            for clients in CLIENTS:
                result = {"workers": workers, **load(base + "sparql", QUERIES, clients)}
                runs.append(result)
                print(
                    f"workers {workers:2} clients {clients:2}: "
                    f"{result['requests_per_second']:7.1f} req/s  "
                    f"p50 {result['latency_p50_ms']:7.1f} ms  "
                    f"p95 {result['latency_p95_ms']:7.1f} ms  "
                    f"errors {result['errors']}  identical {result['identical_answers']}"
                )
    with tempfile.TemporaryDirectory() as scratch:
        reference = oxigraph_reference(Path(scratch))
    for result in reference:
        print(
            f"oxigraph serve, clients {result['clients']:2}: "
            f"{result['requests_per_second']:7.1f} req/s  p95 {result['latency_p95_ms']:7.1f} ms"
        )
    baseline = embedded_baseline()
    print(f"embedded store: {baseline['mean_query_ms']} ms per query of the mix")
    report = {
        "benchmark": "pcr-graph serve: concurrent clients on 127.0.0.1",
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "requests_per_run": REQUESTS,
        "query_mix": len(QUERIES),
        "runs": runs,
        "oxigraph_serve_reference": reference,
        "embedded_baseline": baseline,
        "seconds": round(time.perf_counter() - started, 1),
    }
    atomic_write_text(RESULTS, json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
