"""Files pcr-graph writes: atomic saves, digests and the Turtle checksum footer."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from pcr_graph.core.errors import DataError


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one, whole.

    The bytes go to a temporary file in the same folder, are flushed to disk, and then
    replace the target with :func:`os.replace`, which is atomic on POSIX and Windows.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600; give the file the mode a plain open() would have had.
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def footer_line(body: bytes, triples: int) -> str:
    """The closing checksum line for a file whose bytes before it are ``body``."""
    return f"{FOOTER}{triples} triples, sha256 {hashlib.sha256(body).hexdigest()}\n"


def verify_footer(data: bytes, source: str) -> None:
    """Raise DataError if ``data`` is a pcr-graph Turtle file that was cut short or altered.

    Files we write start with :data:`MARKER` and end with a line giving the SHA-256 of
    everything before it; files written by others are left alone.
    """
    marker = MARKER.encode("utf-8")
    if data and len(data) < len(marker) and marker.startswith(data):
        raise DataError(f"{source}: truncated: it stops inside its first line")
    if not data.startswith(marker):
        return
    cut = data.rfind(FOOTER.encode("utf-8"))
    if cut < 0 or not data.endswith(b"\n"):
        raise DataError(f"{source}: truncated: the closing checksum line is missing")
    body, footer = data[:cut], data[cut:].decode("utf-8", "replace")
    digest = footer.rsplit("sha256 ", 1)[-1].strip()
    if hashlib.sha256(body).hexdigest() != digest:
        raise DataError(f"{source}: damaged: its contents do not match its checksum line")
