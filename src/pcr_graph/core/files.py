"""Files pcr-graph reads and writes: guarded reads, atomic saves, the checksum footer."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pcr_graph.core.errors import DataError


class UnreadableInput(DataError):
    """An input file that cannot be read as a file: ``reason`` says why, without the path."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


MAX_INPUT_BYTES = 4 << 30
"""The largest input file read (4 GiB): a national synthetic graph is about 110 MB."""


def read_input(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """A user's input file's bytes, or one clear :class:`DataError`.

    Refused before anything is read: a missing file, a broken or looping symbolic link, and
    anything that is not a regular file (a FIFO would hang the read, ``/dev/zero`` would
    never end); then a file larger than ``limit``.
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise UnreadableInput(
                path, f"is a broken symbolic link (to {os.readlink(path)})"
            ) from None
        raise UnreadableInput(path, "no such file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnreadableInput(path, "is a loop of symbolic links") from None
        raise UnreadableInput(path, f"cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise UnreadableInput(path, f"cannot read: it is {kind}")
    if info.st_size > limit:
        raise UnreadableInput(path, f"is {info.st_size:,} bytes, more than the {limit:,} read")
    try:
        with path.open("rb") as handle:
            # In chunks: read(limit + 1) would allocate the whole limit up front, which a
            # process with capped memory (the endpoint's query workers) cannot.
            chunks: list[bytes] = []
            total = 0
            while total <= limit and (chunk := handle.read(min(1 << 20, limit + 1 - total))):
                chunks.append(chunk)
                total += len(chunk)
            data = b"".join(chunks)
    except OSError as exc:
        raise UnreadableInput(path, f"cannot read: {exc.strerror}") from None
    if len(data) > limit:
        raise UnreadableInput(path, f"grew past the {limit:,} bytes read while being read")
    return data


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one, whole.

    :func:`atomic_write_chunks` writes data made piece by piece the same way.

    The bytes go to a temporary file in the same folder, are flushed to disk, and then
    replace the target with :func:`os.replace`, which is atomic on POSIX and Windows.

    What the user named is respected: a symbolic link is followed and its target replaced
    (the link stays a link); a FIFO or a character device (``/dev/null``, a terminal) is
    written to directly, never replaced by a regular file; a folder or socket is refused.
    Every failure is a :class:`DataError` naming the file.
    """
    atomic_write_chunks(path, (data,))


def atomic_write_chunks(path: Path, chunks: Iterable[bytes]) -> int:
    """:func:`atomic_write_bytes` for data made piece by piece, never all in memory at once.

    Returns the number of bytes written.
    """
    path = Path(path)
    try:
        target = _write_target(path)
        if target is None:
            return _write_special(path, chunks)
        target.parent.mkdir(parents=True, exist_ok=True)
        return _replace_atomically(target, chunks)
    except OSError as exc:
        raise DataError(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_target(path: Path) -> Path | None:
    """The regular file to replace for ``path``, or None to write to ``path`` directly."""
    if path.is_symlink():
        try:
            path = path.resolve(strict=False)
        except RuntimeError:  # a loop of links
            raise DataError(f"cannot write {path}: it is a loop of symbolic links") from None
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return path
    if stat.S_ISREG(mode):
        return path
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return None
    kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
    raise DataError(f"cannot write {path}: it is {kind}")


def _write_special(path: Path, chunks: Iterable[bytes]) -> int:
    # O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of hanging.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise DataError(f"cannot write {path}: no process is reading this FIFO") from None
        raise
    written = 0
    try:
        os.set_blocking(fd, True)
        for data in chunks:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            written += len(data)
    finally:
        os.close(fd)
    return written


def _replace_atomically(path: Path, chunks: Iterable[bytes]) -> int:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    written = 0
    try:
        # mkstemp creates 0600; give the file the mode a plain open() would have had.
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            for data in chunks:
                handle.write(data)
                written += len(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return written


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write_text(path: Path, text: str) -> None:
    """UTF-8 text version of :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


MARKER = "# pcr-graph turtle: ends with a checksum line; a file without it is truncated"
FOOTER = "# pcr-graph end: "
"""Start of the last line of every Turtle file pcr-graph writes (see :func:`footer_line`)."""

_FOOTER_LINE = re.compile(rb"# pcr-graph end: (\d+) triples, sha256 ([0-9a-f]{64})\n\Z")


def footer_line(body: bytes, triples: int) -> str:
    """The closing checksum line for a file whose bytes before it are ``body``."""
    return _footer(hashlib.sha256(body).hexdigest(), triples)


def _footer(sha256: str, triples: int) -> str:
    return f"{FOOTER}{triples} triples, sha256 {sha256}\n"


def with_footer(chunks: Iterable[bytes], triples: Callable[[], int]) -> Iterator[bytes]:
    """``chunks``, then their closing checksum line (:func:`footer_line`), hashed as they pass.

    ``triples`` is called once every chunk has gone by, for the count the line declares.
    """
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    yield _footer(digest.hexdigest(), triples()).encode("utf-8")


def verify_footer(data: bytes, source: str) -> int | None:
    """Check a pcr-graph Turtle file for corruption; return the triple count it declares.

    Files we write start with :data:`MARKER` and end with a line giving the number of
    triples and the SHA-256 of everything before it. The check runs whenever either end is
    present, so deleting the first line does not turn it off; the caller compares the
    declared count with the triples it parsed (:func:`check_count`). Files written by others
    (neither marker nor footer) are left alone and ``None`` is returned.

    This detects truncation and accidental damage. It is not tamper-proofing: anyone who
    edits a file can recompute its checksum line.
    """
    marker = MARKER.encode("utf-8")
    if data and len(data) < len(marker) and marker.startswith(data):
        raise DataError(f"{source}: truncated: it stops inside its first line")
    cut = data.rfind(FOOTER.encode("utf-8"))
    footer = _FOOTER_LINE.match(data, cut) if cut >= 0 else None
    if footer is None:
        if data.startswith(marker):
            raise DataError(f"{source}: truncated: the closing checksum line is missing")
        if cut == 0 or (cut > 0 and data[cut - 1 : cut] == b"\n"):
            raise DataError(f"{source}: damaged: its closing checksum line is malformed")
        return None
    body = data[:cut]
    if not body.startswith(marker):
        raise DataError(f"{source}: damaged: its first line (the pcr-graph marker) is missing")
    if hashlib.sha256(body).hexdigest() != footer.group(2).decode("ascii"):
        raise DataError(f"{source}: damaged: its contents do not match its checksum line")
    return int(footer.group(1))


def check_count(declared: int | None, parsed: int, source: str) -> None:
    """Refuse a file whose checksum line declares another number of triples than it holds."""
    if declared is not None and declared != parsed:
        raise DataError(
            f"{source}: damaged: its checksum line declares {declared} triples, "
            f"but it holds {parsed}"
        )
