"""SIGKILL during every kind of save leaves the old file or the new one, whole.

Each test forks a child that saves in a loop, kills it with SIGKILL at a random moment,
and checks what is on disk. The kill points are seeded, so a failure can be replayed.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from pcr_graph.core.errors import DataError
from pcr_graph.core.files import atomic_write_text
from pcr_graph.store.engines import open_persistent
from pcr_graph.store.turtle import to_turtle, write_turtle
from tests.conftest import record_cases

KILL_POINTS = 50
CTX = mp.get_context("fork")


def _graph(version: str, size: int = 4000) -> Graph:
    graph = Graph()
    for i in range(size):
        graph.add((URIRef(f"https://example.org/p/{i}"), SKOS.prefLabel, Literal(f"{version} {i}")))
    return graph


def _kill_during(save: Callable[[int], None], seed: int) -> None:
    """Run ``save(n)`` for n = 0, 1, 2 … in a child and SIGKILL it at a random moment."""

    def loop() -> None:
        n = 0
        while True:
            save(n)
            n += 1

    child = CTX.Process(target=loop)
    child.start()
    time.sleep(random.Random(seed).uniform(0.0, 0.08))
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert child.exitcode == -signal.SIGKILL


def _run(tmp_path: Path, versions: list[str], save: Callable[[Path, str], None]) -> int:
    target = tmp_path / "target"
    save(target, versions[0])
    survived = 0
    for point in range(KILL_POINTS):
        _kill_during(lambda n: save(target, versions[n % len(versions)]), seed=point)
        assert target.read_text(encoding="utf-8") in versions, f"kill point {point}: torn file"
        survived += 1
        record_cases("kill points survived", 1)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "target"]
    assert all(name.endswith(".tmp") for name in leftovers)  # only abandoned temp files
    return survived


@pytest.mark.slow
def test_graph_saves_survive_sigkill(tmp_path: Path) -> None:
    texts = [to_turtle(_graph(v)) for v in ("old", "new")]
    assert (
        _run(tmp_path, texts, lambda p, t: write_turtle(_graph(t.split('"')[1].split()[0]), p))
        == KILL_POINTS
    )


@pytest.mark.slow
def test_report_and_map_saves_survive_sigkill(tmp_path: Path) -> None:
    from pcr_graph.render.maps import write_html

    report = ["# report A\n" + "row\n" * 200_000, "# report B\n" + "line\n" * 150_000]
    assert _run(tmp_path, report, lambda p, t: atomic_write_text(p, t)) == KILL_POINTS
    pages = ["<html>A" + "x" * 900_000 + "</html>", "<html>B" + "y" * 700_000 + "</html>"]
    assert _run(tmp_path, pages, lambda p, t: write_html(p, t)) == KILL_POINTS


def test_truncated_graph_is_detected_on_load(tmp_path: Path) -> None:
    path = tmp_path / "graph.ttl"
    write_turtle(_graph("whole", 50), path)
    data = path.read_bytes()
    for cut in sorted({1, 100, len(data) // 2, len(data) - 2, len(data) - 1}):
        path.write_bytes(data[:cut])
        with pytest.raises(DataError, match=r"truncated|damaged"):
            open_persistent([path], tmp_path / f"store-{cut}")
    path.write_bytes(data.replace(b"whole 7", b"whale 7"))
    with pytest.raises(DataError, match="damaged"):
        open_persistent([path], tmp_path / "store-edit")


@pytest.mark.slow
def test_store_builds_survive_sigkill(tmp_path: Path) -> None:
    source = tmp_path / "data.ttl"
    write_turtle(_graph("store", 6000), source)
    folder = tmp_path / "store"
    for point in range(KILL_POINTS):
        _kill_during(lambda n: _rebuild(source, folder), seed=1000 + point)
        store = open_persistent([source], folder)
        assert len(store) == 6000, f"kill point {point}: store holds {len(store)} triples"
        record_cases("kill points survived", 1)
        del store


def _rebuild(source: Path, folder: Path) -> None:
    # Force a rebuild each time by dropping the manifest, as a changed source would.
    (folder / "pcr-graph-manifest.json").unlink(missing_ok=True)
    store = open_persistent([source], folder)
    del store
