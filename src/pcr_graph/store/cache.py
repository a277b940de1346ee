"""Results worth keeping between runs, beside the workspace, keyed by what they depend on.

The derived summary graph (:mod:`pcr_graph.analysis.derived`) and the validation result
(:mod:`pcr_graph.validation.validate`) take seconds to compute at national scale and
depend only on the loaded files, the shapes, the derivation queries and the code that
computes them. :func:`attach` records, for a freshly opened store, a key that is the
SHA-256 of all of those (:func:`content_key`); an entry is written and read under that key
only, so any changed byte of any of them (a source, a shape, a ``derive-*.rq`` file, the
validator's code) gives another key and the work is done again. Nothing is ever looked up
by file name or date.

A store changed after it was opened (``what-if`` and ``diff --at`` edit a copy in place)
no longer matches its key. :func:`key_of` therefore also checks that no write went through
the store object since it was attached (its ``generation``, counted by the engines on every
load and update), except the derived graph's own (:func:`settle`); after any other write
there is no key and no cache. A store without a generation (a remote one) has no key.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE_DIR = "cache"
"""The cache folder inside the workspace."""

CACHE_VERSION = "1"
"""Bumped when the layout of an entry changes."""


@dataclass
class _Attached:
    folder: Path
    key: str
    generation: int


_FOOTER = b"\n#pcr-graph-cache sha256 "
"""Every entry ends with this and the SHA-256 of what comes before it."""

_ATTACHED: weakref.WeakKeyDictionary[object, _Attached] = weakref.WeakKeyDictionary()


def _package_sources() -> list[Path]:
    """The code whose output is cached: the validators and the derivation."""
    root = Path(__file__).resolve().parents[1]
    return sorted(
        [
            *(root / "validation").glob("*.py"),
            root / "analysis" / "derived.py",
            Path(__file__).resolve(),
        ]
    )


def content_key(files: Iterable[Path]) -> str:
    """SHA-256 over the bytes of every file in ``files`` (in order), the shapes, every
    ``queries/derive-*.rq`` file and the code that computes cached results.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = pathlib.Path(tmp) / "a.ttl"
    ...     _ = f.write_bytes(b"x")
    ...     one = content_key([f])
    ...     _ = f.write_bytes(b"y")
    ...     one != content_key([f])
    True
    """
    from pcr_graph.core.resources import queries_dir, shapes_files

    digest = hashlib.sha256(b"pcr-graph cache %s\n" % CACHE_VERSION.encode())
    groups = (
        ("source", list(files)),
        ("shapes", shapes_files()),
        ("derive", sorted(queries_dir().glob("derive-*.rq"))),
        ("code", _package_sources()),
    )
    for kind, paths in groups:
        _add_files(digest, kind, paths)
    return digest.hexdigest()


def _add_files(digest: Any, label: str, paths: Iterable[Path]) -> None:
    """Add each file to ``digest``: a line naming ``label`` and its size, then its SHA-256."""
    for path in paths:
        data = Path(path).read_bytes()
        digest.update(b"%s %d\n" % (label.encode(), len(data)))
        digest.update(hashlib.sha256(data).digest())


def output_key(files: Iterable[Path], request: str) -> str:
    """The key of a command's output: :func:`content_key` of ``files``, every query file
    (``queries/**/*.rq``), every line of pcr-graph's own code, and ``request`` (the
    command, its arguments and anything else its output depends on, as text).

    Wider than :func:`content_key` on purpose: an output depends on every rule, every
    formatter and template, so any change to any of them is another key.
    """
    from pcr_graph.core.resources import queries_dir

    digest = hashlib.sha256(b"pcr-graph output %s\n" % CACHE_VERSION.encode())
    digest.update(content_key(files).encode() + b"\n")
    package = Path(__file__).resolve().parents[1]
    _add_files(digest, "query", sorted(queries_dir().rglob("*.rq")))
    _add_files(digest, "code", sorted(package.rglob("*.py")))
    digest.update(request.encode("utf-8"))
    return digest.hexdigest()


def read_entry(folder: Path, name: str, key: str) -> bytes | None:
    """The entry ``name`` kept under ``key`` in ``folder``, or None (none, torn, altered)."""
    return _read_path(Path(folder) / f"{name}-{key}")


def write_entry(folder: Path, name: str, key: str, data: bytes) -> None:
    """Keep ``data`` as the entry ``name`` under ``key`` in ``folder`` (replacing the
    entries of that name kept under other keys); see :func:`write`."""
    _write_path(Path(folder) / f"{name}-{key}", name, data)


def generation(store: object) -> int | None:
    """How many writes went through ``store`` (None: the engine does not count them)."""
    value = getattr(store, "generation", None)
    return value if isinstance(value, int) else None


def attach(store: object, folder: Path, key: str) -> None:
    """Let ``store`` (just loaded from the files ``key`` was computed from) use ``folder``."""
    now = generation(store)
    if now is not None:
        _ATTACHED[store] = _Attached(Path(folder), key, now)


def settle(store: object, before: int | None) -> None:
    """Say that the writes to ``store`` since its generation was ``before`` changed no data
    (they wrote the derived graph): if its key was valid then, it stays valid."""
    found = _ATTACHED.get(store)
    now = generation(store)
    if found is not None and now is not None and found.generation == before:
        found.generation = now


def key_of(store: object) -> str | None:
    """The cache key of ``store``, or None: not attached, or changed since it was."""
    found = _ATTACHED.get(store)
    if found is None or generation(store) != found.generation:
        return None
    return found.key


def _path(store: object, name: str) -> Path | None:
    key = key_of(store)
    found = _ATTACHED.get(store)
    if key is None or found is None:
        return None
    return found.folder / f"{name}-{key}"


def read(store: object, name: str) -> bytes | None:
    """The entry ``name`` for ``store``'s current key, or None (no key, or not written)."""
    path = _path(store, name)
    return None if path is None else _read_path(path)


def _read_path(path: Path) -> bytes | None:
    if not path.is_file():
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    body, sep, digest = data.rpartition(_FOOTER)
    if not sep or hashlib.sha256(body).hexdigest().encode() + b"\n" != digest:
        return None  # a torn or altered file is not an entry: recompute
    return body


def write(store: object, name: str, data: bytes) -> None:
    """Keep ``data`` as the entry ``name`` for ``store``'s current key (if it has one).

    Older entries of the same name are removed. Written atomically, with pcr-graph's
    checksum footer, so a torn write is never read back.
    """
    path = _path(store, name)
    if path is not None:
        _write_path(path, name, data)


def _write_path(path: Path, name: str, data: bytes) -> None:
    from pcr_graph.core.files import atomic_write_bytes

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"{name}-*"):
            if old != path:
                old.unlink(missing_ok=True)
        atomic_write_bytes(path, data + _FOOTER + hashlib.sha256(data).hexdigest().encode() + b"\n")
    except OSError:
        pass  # a cache that cannot be written is only a slower next run
