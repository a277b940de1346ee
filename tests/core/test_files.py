"""core/files: streamed atomic saves and the checksum footer computed as the bytes pass."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from pcr_graph.core.errors import DataError
from pcr_graph.core.files import (
    FOOTER,
    MARKER,
    atomic_write_chunks,
    footer_line,
    verify_footer,
    with_footer,
)


def test_chunks_are_written_whole_and_counted(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.txt"
    written = atomic_write_chunks(target, (b"one\n", b"", b"two\n" * 1000))
    assert target.read_bytes() == b"one\n" + b"two\n" * 1000
    assert written == len(target.read_bytes())
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_a_failure_part_way_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")

    def chunks() -> Iterator[bytes]:
        yield b"new part"
        raise DataError("the generator failed")

    with pytest.raises(DataError, match="generator failed"):
        atomic_write_chunks(target, chunks())
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_with_footer_equals_footer_line_of_the_whole_body() -> None:
    pieces = [f"{MARKER}\n".encode(), b"<urn:a> <urn:p> <urn:b> .\n", b"<urn:a> <urn:p> 1 .\n"]
    counted: list[str] = []

    def triples() -> int:
        counted.append("asked")
        return 2

    streamed = list(with_footer(iter(pieces), triples))
    body = b"".join(pieces)
    assert streamed[:-1] == pieces and counted == ["asked"]
    assert streamed[-1].decode() == footer_line(body, 2)
    assert streamed[-1] == (
        f"{FOOTER}2 triples, sha256 {hashlib.sha256(body).hexdigest()}\n".encode()
    )
    assert verify_footer(b"".join(streamed), "streamed.ttl") == 2
