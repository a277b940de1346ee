"""Reading and writing RDF files: deterministic Turtle, atomic saves, checked loads."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD, NamespaceManager
from rdflib.term import Node

from pcr_graph.core.errors import DataError
from pcr_graph.core.files import (
    MARKER,
    atomic_write_text,
    check_count,
    footer_line,
    read_input,
    verify_footer,
)
from pcr_graph.core.namespaces import PREFIXES, bind_prefixes
from pcr_graph.core.untrusted import check_rdf_input

if TYPE_CHECKING:
    from pcr_graph.store.engines import Store


def _term_key(term: Node) -> tuple[int, str]:
    # IRIs before blank nodes before literals; then by their N-Triples text.
    rank = 0 if isinstance(term, URIRef) else 1 if isinstance(term, BNode) else 2
    return rank, term.n3()


def _namespace_manager() -> NamespaceManager:
    # Only the project's prefixes: rdflib's default bindings (dcmitype:, schema:, ...)
    # would abbreviate IRIs with prefixes this file never declares.
    return bind_prefixes(Graph(bind_namespaces="none")).namespace_manager


def to_turtle(graph: Graph, header: str = "") -> str:
    """Serialise ``graph`` as Turtle whose bytes depend only on its triples.

    Subjects, predicates and objects are sorted (``rdf:type`` first), prefixes are the
    project's own, and blank nodes are written by label, so the same triples always give
    the same text. ``header`` lines are written first as ``#`` comments.
    """
    nm = _namespace_manager()
    used: set[str] = set()

    def n3(term: Node) -> str:
        if isinstance(term, URIRef):
            text = term.n3(nm)
            if not text.startswith("<"):
                used.add(text.split(":", 1)[0])
            return text
        if isinstance(term, Literal) and term.datatype is not None:
            text = term.n3(nm)
            _note_datatype_prefix(text, used)
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
            parts.append(_predicate_part(ptext, [n3(o) for o in objects]))
        body.append(_subject_block(n3(subject), parts))
    return _document(header, used, body, len(graph))


def _note_datatype_prefix(literal_text: str, used: set[str]) -> None:
    if "^^" in literal_text and not literal_text.endswith(">"):
        used.add(literal_text.rsplit("^^", 1)[1].split(":", 1)[0])


def _predicate_part(predicate_text: str, object_texts: list[str]) -> str:
    return f"    {predicate_text} " + ",\n        ".join(object_texts)


def _subject_block(subject_text: str, parts: list[str]) -> str:
    return subject_text + "\n" + " ;\n".join(parts) + " .\n"


def _document(header: str, used: set[str], body: list[str], triples: int) -> str:
    lines = [MARKER] + [f"# {line}".rstrip() for line in header.splitlines()]
    lines += [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items() if p in used]
    text = "\n".join(lines) + "\n\n" + "\n".join(body)
    return text + footer_line(text.encode("utf-8"), triples)


_ALL_TRIPLES = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"


def store_to_turtle(store: Store, header: str = "") -> str:
    """``to_turtle(store.graph(), header)``, character for character, without the graph.

    On Oxigraph the triples are read from its indexes and written from the text of their
    terms, each distinct term formatted once; copying a national dataset into an rdflib
    graph and sorting rdflib terms took most of a build. Terms whose text is not plainly
    predictable (escapes in a literal, numeric literals, IRIs that a prefix might
    abbreviate in rdflib's peculiar way) are formatted by rdflib itself, one by one. Other
    engines take the rdflib route.
    """
    if store.engine != "oxigraph":
        return to_turtle(store.graph(), header)
    from pcr_graph.store.engines import OxigraphStore

    with _cycle_collector_paused():
        if isinstance(store, OxigraphStore):  # its indexes, read directly
            return _TurtleWriter().write(store.triples(), header)
        table = store.select(_ALL_TRIPLES)
        return _TurtleWriter().write(table.rows, header)


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    # Millions of row tuples, sets and dicts, none in a reference cycle: left on, the
    # collector rescans them all every time their number grows by a quarter (a third of
    # the time at 10,000 providers).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# rdflib abbreviates an IRI when its local name (after the last character that cannot be
# in an XML name) starts with a letter, digit or "_". These patterns cover the ASCII cases
# whose answer is certain; anything else asks rdflib.
_PLAIN_LOCAL_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_NAME_BREAK = re.compile(r"[/#?=&:]")
_NOT_IN_IRI = re.compile(r'[<>" {}|\\^`]')  # rdflib refuses to write these
_NEEDS_ESCAPE = re.compile(r'[\n\r\\"]')
_XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"  # rdflib splits it specially
# rdflib rewrites INF and NaN in these; let it.
_FLOATING = frozenset(str(XSD[name]) for name in ("float", "double", "decimal"))
_IRI, _BLANK, _LITERAL = "0", "1", "2"  # sort ranks, as in _term_key


class _TurtleWriter:
    """to_turtle's text from a stream of (subject, predicate, object) rows.

    Every term is keyed by a rank character and its N-Triples text (``term.n3()``), so
    sorting and de-duplicating plain strings gives exactly the order and the set of
    triples that to_turtle gets from an rdflib graph; each key's Turtle text is worked out
    once.
    """

    def __init__(self) -> None:
        self.nm = _namespace_manager()
        self.used: set[str] = set()
        bound = sorted(((str(ns), p) for p, ns in self.nm.namespaces()), key=lambda b: -len(b[0]))
        # Alternatives are tried in order, so a match is the longest bound namespace.
        self._bound = re.compile("|".join(re.escape(ns) for ns, _ in bound) or "(?!)")
        self._prefix = {ns: p for ns, p in bound if ns[-1:] in ("/", "#")}
        self._texts: dict[str, str] = {}  # key -> Turtle text
        self._literal_keys: dict[Literal, str] = {}
        self._datatype_texts: dict[str, str] = {}

    def write(self, rows: Iterable[tuple[Node | None, ...]], header: str) -> str:
        tree = self._group(rows)
        rdf_type = _IRI + RDF.type.n3()
        texts = self._texts
        known, text = texts.get, self._text
        body: list[str] = []
        triples = 0
        for subject in sorted(tree):
            predicates = tree[subject]
            parts = []
            for predicate in sorted(predicates, key=lambda p: (p != rdf_type, p)):
                objects = sorted(predicates[predicate])
                triples += len(objects)
                ptext = "a" if predicate == rdf_type else known(predicate) or text(predicate)
                parts.append(_predicate_part(ptext, [known(o) or text(o) for o in objects]))
            body.append(_subject_block(known(subject) or text(subject), parts))
        return _document(header, self.used, body, triples)

    def _group(self, rows: Iterable[tuple[Node | None, ...]]) -> dict[str, dict[str, set[str]]]:
        """subject key -> predicate key -> object keys, without duplicates.

        Rows come sorted by subject and predicate, so the dictionaries are looked up once
        per run, but any order gives the same result.
        """
        tree: dict[str, dict[str, set[str]]] = {}
        predicates: dict[str, set[str]] = {}
        objects: set[str] = set()
        last_subject = last_predicate = ""
        literal_key = self._literal_key
        # str() first: "<" + URIRef(...) would be a URIRef again (and slow).
        for subject, predicate, obj in rows:
            raw = str(subject)
            if raw != last_subject:
                predicates = tree.setdefault(_node_key(subject, raw), {})
                last_subject, last_predicate = raw, ""
            raw = str(predicate)
            if raw != last_predicate:
                if type(predicate) is not URIRef:
                    raise TypeError(f"unexpected predicate {predicate!r}")
                objects = predicates.setdefault(_IRI + "<" + raw + ">", set())
                last_predicate = raw
            kind = type(obj)
            if kind is URIRef:
                objects.add(_IRI + "<" + str(obj) + ">")
            elif kind is Literal:
                objects.add(literal_key(obj))  # type: ignore[arg-type]
            else:
                objects.add(_node_key(obj, str(obj)))
        return tree

    def _text(self, key: str) -> str:
        """The Turtle text of an IRI or blank node key (literals' are stored on sight)."""
        if key[0] == _BLANK:
            text = key[1:]
        else:
            text = self._iri_text(key[2:-1])
            if not text.startswith("<"):
                self.used.add(text.split(":", 1)[0])
        self._texts[key] = text
        return text

    def _iri_text(self, value: str) -> str:
        """``URIRef(value).n3(nm)``, worked out from the text where the answer is certain."""
        bound = self._bound.match(value)
        if bound is not None:
            prefix = self._prefix.get(bound.group())
            local = value[bound.end() :]
            if prefix is not None and _PLAIN_LOCAL_NAME.fullmatch(local):
                return prefix + ":" + local
            # A name break after the namespace means rdflib's split point lies further
            # on, where no namespace is bound: it writes the whole IRI.
            if not _NAME_BREAK.search(local):
                return URIRef(value).n3(self.nm)
        if _NOT_IN_IRI.search(value) or value.startswith(_XML_NAMESPACE):
            return URIRef(value).n3(self.nm)  # rdflib's answer, or its error
        return "<" + value + ">"

    def _literal_key(self, term: Literal) -> str:
        key = self._literal_keys.get(term)
        if key is None:
            ntriples, text = self._literal_texts_of(term)
            key = self._literal_keys[term] = _LITERAL + ntriples
            self._texts[key] = text
            _note_datatype_prefix(text, self.used)
        return key

    def _literal_texts_of(self, term: Literal) -> tuple[str, str]:
        """``(term.n3(), text to_turtle writes)``."""
        lexical = str(term)
        datatype = term.datatype
        if _NEEDS_ESCAPE.search(lexical) or (datatype is not None and str(datatype) in _FLOATING):
            ntriples = term.n3()
            return ntriples, term.n3(self.nm) if datatype is not None else ntriples
        quoted = '"' + lexical + '"'
        if term.language:
            quoted += "@" + term.language
            return quoted, quoted
        if datatype is None:
            return quoted, quoted
        return f"{quoted}^^<{datatype}>", quoted + "^^" + self._datatype(datatype)

    def _datatype(self, datatype: URIRef) -> str:
        key = str(datatype)
        text = self._datatype_texts.get(key)
        if text is None:
            text = self._datatype_texts[key] = self.nm.normalizeUri(datatype)
        return text


def _node_key(term: Node | None, text: str) -> str:
    kind = type(term)
    if kind is URIRef:
        return _IRI + "<" + text + ">"
    if kind is BNode:
        return _BLANK + "_:" + text
    # A quoted triple or an unbound cell: to_turtle's rdflib terms cannot carry it either.
    raise TypeError(f"unexpected term {term!r}")


def write_turtle(graph: Graph, path: Path, header: str = "") -> None:
    """Atomically write ``graph`` as deterministic Turtle (see :func:`to_turtle`)."""
    atomic_write_text(path, to_turtle(graph, header))


def parse_file(path: Path, fmt: str | None = None) -> Graph:
    """Parse one RDF file into a new graph, turning parser errors into :class:`DataError`."""
    path = Path(path)
    graph = bind_prefixes(Graph())
    data = read_input(path)
    declared = verify_footer(data, str(path))
    fmt = fmt or _guess_format(path)
    check_rdf_input(data, fmt, str(path))
    try:
        graph.parse(data=data, format=fmt)
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        raise DataError(f"{path}: not valid RDF: {_first_line(exc)}") from exc
    check_count(declared, len(graph), str(path))
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
