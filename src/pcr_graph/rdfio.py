"""Reading and writing RDF files: deterministic Turtle, atomic saves, checked loads."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from .errors import DataError
from .namespaces import PREFIXES, bind_prefixes


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


def _term_key(term: Node) -> tuple[int, str]:
    # IRIs before blank nodes before literals; then by their N-Triples text.
    rank = 0 if isinstance(term, URIRef) else 1 if isinstance(term, BNode) else 2
    return rank, term.n3()


def to_turtle(graph: Graph, header: str = "") -> str:
    """Serialise ``graph`` as Turtle whose bytes depend only on its triples.

    Subjects, predicates and objects are sorted (``rdf:type`` first), prefixes are the
    project's own, and blank nodes are written by label, so the same triples always give
    the same text. ``header`` lines are written first as ``#`` comments.
    """
    nm = bind_prefixes(Graph()).namespace_manager
    used: set[str] = set()

    def n3(term: Node) -> str:
        if isinstance(term, URIRef):
            text = term.n3(nm)
            if not text.startswith("<"):
                used.add(text.split(":", 1)[0])
            return text
        if isinstance(term, Literal) and term.datatype is not None:
            text = term.n3(nm)
            if "^^" in text and not text.endswith(">"):
                used.add(text.rsplit("^^", 1)[1].split(":", 1)[0])
            return text
        return term.n3()

    body: list[str] = []
    subjects = sorted(set(graph.subjects()), key=_term_key)
    for subject in subjects:
        predicates = sorted(
            set(graph.predicates(subject)),
            key=lambda p: (p != RDF.type, p.n3()),
        )
        parts = []
        for predicate in predicates:
            objects = sorted(graph.objects(subject, predicate), key=_term_key)
            ptext = "a" if predicate == RDF.type else n3(predicate)
            parts.append(f"    {ptext} " + ",\n        ".join(n3(o) for o in objects))
        body.append(n3(subject) + "\n" + " ;\n".join(parts) + " .\n")

    lines = [MARKER] + [f"# {line}".rstrip() for line in header.splitlines()]
    lines += [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items() if p in used]
    text = "\n".join(lines) + "\n\n" + "\n".join(body)
    return text + _footer(text.encode("utf-8"), len(graph))


MARKER = "# pcr-graph turtle: ends with a checksum line; a file without it is truncated"
_FOOTER = "# pcr-graph end: "


def _footer(body: bytes, triples: int) -> str:
    return f"{_FOOTER}{triples} triples, sha256 {hashlib.sha256(body).hexdigest()}\n"


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
    cut = data.rfind(_FOOTER.encode("utf-8"))
    if cut < 0 or not data.endswith(b"\n"):
        raise DataError(f"{source}: truncated: the closing checksum line is missing")
    body, footer = data[:cut], data[cut:].decode("utf-8", "replace")
    digest = footer.rsplit("sha256 ", 1)[-1].strip()
    if hashlib.sha256(body).hexdigest() != digest:
        raise DataError(f"{source}: damaged: its contents do not match its checksum line")


def write_turtle(graph: Graph, path: Path, header: str = "") -> None:
    """Atomically write ``graph`` as deterministic Turtle (see :func:`to_turtle`)."""
    atomic_write_text(path, to_turtle(graph, header))


def parse_file(path: Path, fmt: str | None = None) -> Graph:
    """Parse one RDF file into a new graph, turning parser errors into :class:`DataError`."""
    path = Path(path)
    graph = bind_prefixes(Graph())
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror}") from None
    verify_footer(data, str(path))
    try:
        graph.parse(data=data, format=fmt or _guess_format(path))
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        raise DataError(f"{path}: not valid RDF: {_first_line(exc)}") from exc
    return graph


def parse_files(paths: Iterable[Path]) -> Graph:
    """Parse several RDF files into one graph."""
    graph = bind_prefixes(Graph())
    for path in paths:
        graph += parse_file(path)
    return graph


def _guess_format(path: Path) -> str:
    suffix = path.suffix.lower()
    return {
        ".ttl": "turtle",
        ".nt": "nt",
        ".nq": "nquads",
        ".trig": "trig",
        ".jsonld": "json-ld",
        ".json": "json-ld",
        ".rdf": "xml",
        ".owl": "xml",
    }.get(suffix, "turtle")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
