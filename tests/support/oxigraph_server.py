"""A real Oxigraph server (the ``oxigraph`` PyPI package's binary) for integration tests.

Use in a test module::

    from .oxigraph_server import oxigraph_fixture  # noqa: F401

and ask for ``oxigraph`` (the server's base URL) as a test argument. Each test gets a new
server on a free port of 127.0.0.1 with its data in the test's ``tmp_path``; the fixture
stops it (terminate, then wait) whatever the test did.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def oxigraph_binary() -> Path:
    """The ``oxigraph`` executable installed with the dev dependencies."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = beside if beside.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the oxigraph server binary is missing: `pip install oxigraph` (dev group)")
    return Path(found)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_answering(url: str, process: subprocess.Popen[bytes], limit: float = 30) -> None:
    """Poll ``url`` until it answers (any HTTP status), failing if ``process`` exits."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not answer within {limit} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate ``process`` and wait for it (kill if it does not stop)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def oxigraph_server(location: Path, *, union_default_graph: bool = False) -> Iterator[str]:
    """Run ``oxigraph serve`` on a free port of 127.0.0.1; yield its base URL."""
    binary = oxigraph_binary()
    for _ in range(3):  # another process may take the port between our check and the bind
        port = free_port()
        args = [str(binary), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
        if union_default_graph:
            args.append("--union-default-graph")
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_answering(f"{base}/query?query=ASK%7B%7D", process)
        except RuntimeError:
            stop(process)
            continue
        try:
            yield base
        finally:
            stop(process)
        return
    raise RuntimeError("could not start oxigraph serve")


@pytest.fixture(name="oxigraph")
def oxigraph_fixture(tmp_path: Path) -> Iterator[str]:
    """A fresh Oxigraph server for one test: its base URL (``/query``, ``/update``, ``/store``)."""
    with oxigraph_server(tmp_path / "oxigraph-data") as url:
        yield url
