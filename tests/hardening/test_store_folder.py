"""Two commands on one ``--store`` folder, and a damaged store: one clear message, or a
rebuild from the sources; never a spinning process or a traceback."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from pcr_graph.core.errors import UsageError
from pcr_graph.store.engines import open_persistent
from pcr_graph.store.turtle import write_turtle
from tests.conftest import record_cases


def _source(tmp_path: Path, triples: int = 500) -> Path:
    graph = Graph()
    for i in range(triples):
        graph.add(
            (URIRef(f"https://example.org/s{i}"), URIRef("https://example.org/p"), Literal(i))
        )
    path = tmp_path / "data.ttl"
    write_turtle(graph, path)
    return path


def test_a_second_opener_is_told_who_holds_the_folder(tmp_path: Path) -> None:
    source = _source(tmp_path)
    folder = tmp_path / "store"
    first = open_persistent([source], folder)
    with pytest.raises(UsageError, match=r"another pcr-graph command \(process \d+\)"):
        open_persistent([source], folder)
    del first  # dropping the store releases the folder
    assert len(open_persistent([source], folder)) == 500
    record_cases("store folder contention", 1)


def test_two_processes_on_one_store_folder(tmp_path: Path) -> None:
    source = _source(tmp_path)
    folder = tmp_path / "store"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path;"
            "from pcr_graph.store.engines import open_persistent;"
            f"s = open_persistent([Path({str(source)!r})], Path({str(folder)!r}));"
            "print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        started = time.monotonic()
        second = subprocess.run(
            [
                sys.executable,
                "-c",
                "from pcr_graph.cli import main; main()",
                "--store",
                str(folder),
                "validate",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert time.monotonic() - started < 60
    finally:
        holder.kill()
        holder.wait()
    record_cases("store folder contention", 1)
    assert second.returncode == 2, second.stderr
    assert "Traceback" not in second.stderr
    assert f"process {holder.pid}" in second.stderr


@pytest.mark.parametrize("damage", ["delete-current", "garbage-current", "truncate-tables"])
def test_a_damaged_store_is_rebuilt_from_its_sources(tmp_path: Path, damage: str) -> None:
    source = _source(tmp_path)
    folder = tmp_path / "store"
    store = open_persistent([source], folder)
    del store
    db = folder / "oxigraph"
    if damage == "delete-current":
        (db / "CURRENT").unlink()
    elif damage == "garbage-current":
        (db / "CURRENT").write_bytes(b"\x00garbage\n")
    else:
        for table in db.glob("*.sst"):
            table.write_bytes(table.read_bytes()[:7])
        for log in db.glob("MANIFEST-*"):
            log.write_bytes(log.read_bytes()[:20])
    reopened = open_persistent([source], folder)
    assert len(reopened) == 500
    record_cases("damaged store folders", 1)
