"""Every example in the command help runs as written.

Each command's examples run in order, in a fresh folder laid out as a reader's would be:
a workbook ``my-review/`` (the fictional Testbury workbook, with the usual mistakes), the
registry files at ``../shared/data/raw``, two snapshots ``round1.ttl`` and ``round2.ttl``.
Where an example says the reader did something first ("once corrected"), the test does it.
The only change made to an example is the port of a server: tests listen on free ports.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest

from pcr_graph.cli.commands import cli
from pcr_graph.core.resources import graph_dir
from tests.support.oxigraph_server import free_port, oxigraph_server, stop, wait_until_answering
from tests.support.testbury import bad_files, fix_folder, write


def _examples() -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []

    def walk(group: click.Group, prefix: str) -> None:
        for name, command in sorted(group.commands.items()):
            if isinstance(command, click.Group):
                walk(command, prefix + name + " ")
                continue
            text = command.help or ""
            block = text.split("Example:", 1)[1] if "Example:" in text else ""
            joined = block.replace("\\\n", " ")  # a shell line continued with a backslash
            lines = [line.strip() for line in joined.splitlines() if line.strip()]
            lines = [line for line in lines if line.startswith(("pcr-graph ", "curl "))]
            if lines:
                found.append((prefix + name, lines))

    walk(cli, "")
    return found


EXAMPLES = _examples()
SLOW = {"import registries", "reference", "synth"}
"""Commands whose examples read every registry file or make 65,000 providers."""


def _run(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    words = shlex.split(line.split("    #", 1)[0])
    assert words[0] == "pcr-graph"
    code = "from pcr_graph.cli.commands import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *words[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture
def scene(tmp_path: Path, raw_dir: Path) -> Iterator[Path]:
    """The reader's folder (``work/``), beside ``shared/data/raw``."""
    (tmp_path / "shared" / "data").mkdir(parents=True)
    (tmp_path / "shared" / "data" / "raw").symlink_to(raw_dir)
    work = tmp_path / "work"
    write(work / "my-review", bad_files())
    shutil.copyfile(graph_dir() / "demo.ttl", work / "round1.ttl")
    shutil.copyfile(graph_dir() / "demo.ttl", work / "round2.ttl")
    yield work


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PCR_GRAPH_")}
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    return env


# What the reader did before an example, where the example says so.
BEFORE: dict[str, Callable[[Path], None]] = {
    "pcr-graph import csv fix-me/": lambda work: fix_folder(work / "fix-me") and None,
    "pcr-graph import csv my-review/ --name": lambda work: fix_folder(work / "my-review") and None,
}


def _check(command: str, line: str, done: subprocess.CompletedProcess[str]) -> None:
    # exit 1 means "the data has problems": what --fail-on and validate are for
    allowed = {0, 1} if ("--fail-on" in line or command == "validate") else {0}
    assert done.returncode in allowed, (line, done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr, (line, done.stderr)
    assert not [x for x in done.stderr.splitlines() if x.startswith("error:")], (line, done.stderr)


@pytest.mark.slow
@pytest.mark.parametrize(
    "command,lines",
    [
        pytest.param(c, ls, id=c, marks=[pytest.mark.slow] if c in SLOW else [])
        for c, ls in EXAMPLES
    ],
)
def test_every_help_example_runs_as_written(
    command: str, lines: list[str], scene: Path, tmp_path: Path
) -> None:
    env = _env()
    if command == "serve":
        _serve(lines, scene, env)
        return
    if command == "push":
        with oxigraph_server(tmp_path / "oxigraph") as base:
            port = base.rsplit(":", 1)[1]
            for line in lines:
                _check(command, line, _run(line.replace("7878", port), scene, env))
        return
    if command == "remove":
        _check(command, "import", _run("pcr-graph import csv my-review/ --lenient", scene, env))
    for line in lines:
        for start, prepare in BEFORE.items():
            if line.startswith(start):
                prepare(scene)
        _check(command, line, _run(line, scene, env))


def _serve(lines: list[str], work: Path, env: dict[str, str]) -> None:
    serve, *clients = lines
    port = str(free_port())
    words = shlex.split(serve.replace("7879", port))
    code = "from pcr_graph.cli.commands import main; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", code, *words[1:]],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/", process, limit=60)
        for client in clients:
            words = shlex.split(client.replace("7879", port))
            assert words[0] == "curl"
            done = subprocess.run(
                ["curl", "--fail", "--silent", "--show-error", *words[1:]],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert done.returncode == 0, (client, done.stderr)
            assert sorted(done.stdout.splitlines()[0].split(",")) == ["o", "p", "s"]
            assert len(done.stdout.splitlines()) == 4  # the header and LIMIT 3 rows
    finally:
        stop(process)


def test_the_examples_are_found() -> None:
    commands = dict(EXAMPLES)
    assert {"build", "gaps", "query", "import csv", "serve", "push"} <= set(commands)
    assert all(lines for lines in commands.values())
