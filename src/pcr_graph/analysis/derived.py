"""The derived summary graph: summaries of the data that several gap rules read.

At national scale the heavy rules all re-derived the same few summaries from some 290,000
link participations on every run: which sector pairs each area's links join, which
providers bridge a sector to another, who has a discharge link to a trust of an area.
Those summaries are written once into the named graph :data:`DERIVED_GRAPH` by the
``queries/derive-*.rq`` files, plain SPARQL CONSTRUCT queries (see docs/model.md, "The
derived graph", for their vocabulary, which users' own SPARQL may read too), and the rules
read them from there.

:func:`ensure_derived` is called before any rule runs
(:func:`pcr_graph.analysis.gaps.run_gaps`, :func:`pcr_graph.analysis.queries.run_named`). It
derives the graph when it is missing and derives it again when the store changed since
(``what-if`` and ``diff --at`` edit a copy in place): a store is taken to be unchanged while
no load or update went through it (the engines count them: ``generation``) since
derivation. A remote store is never written to: one that shows a derived graph (pcr-graph's own
endpoint derives it before it serves) is read as it is; on one that does not, the rules run
their plain text from ``queries/base/`` (:func:`rule_text`). With a cache attached
(:mod:`pcr_graph.store.cache`, done by :meth:`pcr_graph.store.project.Project.open`) the
graph derived from the same sources, shapes, derivation queries and code is read back
instead of computed.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef

from pcr_graph.core.errors import UsageError
from pcr_graph.core.resources import queries_dir
from pcr_graph.store import cache
from pcr_graph.store.engines import DERIVED_GRAPH, Store, Table

DERIVED_NS = "https://w3id.org/pcr-graph/def/derived#"
"""The vocabulary of the derived summaries (prefix ``pcrd:``)."""

CACHE_ENTRY = "derived.nt"


@dataclass
class _State:
    generation: int | None  # the store's write count just after derivation


_STATE: weakref.WeakKeyDictionary[object, _State] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def derive_files(folder: Path | None = None) -> list[Path]:
    """The derivation queries, ``queries/derive-*.rq``, sorted by name."""
    return sorted((folder or queries_dir()).glob("derive-*.rq"))


def _skip_comment_or_string(text: str, i: int) -> int:
    """Index just past a comment or string starting at ``text[i]`` (``i`` if neither)."""
    char = text[i]
    if char == "#":
        end = text.find("\n", i)
        return len(text) if end < 0 else end + 1
    if char in "\"'":
        quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else char
        j = i + len(quote)
        while j < len(text):
            if text[j] == "\\":
                j += 2
                continue
            if text.startswith(quote, j):
                return j + len(quote)
            j += 1
        return len(text)
    return i


_CONSTRUCT = re.compile(r"\bCONSTRUCT\s*\{", re.IGNORECASE)


def as_insert(
    text: str, graph: str = DERIVED_GRAPH, using: Sequence[str] = (), source: str = "<query>"
) -> str:
    """The SPARQL Update that writes what the CONSTRUCT query ``text`` builds into ``graph``.

    ``CONSTRUCT { T } WHERE { P }`` becomes ``INSERT { GRAPH <graph> { T } } USING <u> …
    WHERE { P }``: the same template and pattern, evaluated inside the store (no triple is
    handed to Python). ``P`` is matched against the merge of the ``using`` graphs, as a
    query is against the union of the sources (an update has no such union by default).
    Comments and strings are skipped when looking for the template's braces.

    Examples
    --------
    >>> text = "PREFIX x: <urn:x#>\\nCONSTRUCT { ?s x:p '}' } WHERE { ?s x:q 1 }"
    >>> print(as_insert(text, "urn:g", ["urn:a"]))
    PREFIX x: <urn:x#>
    INSERT { GRAPH <urn:g> { ?s x:p '}' } } USING <urn:a>
     WHERE { ?s x:q 1 }
    """
    i = 0
    start = opened = -1
    while i < len(text):
        j = _skip_comment_or_string(text, i)
        if j != i:
            i = j
            continue
        match = _CONSTRUCT.match(text, i)
        if match and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            start = opened = i = match.end()
            start = match.start()
            break
        i += 1
    if start < 0:
        raise UsageError(f"{source}: a derivation query must be a CONSTRUCT {{ … }} WHERE query")
    depth = 1
    while i < len(text) and depth:
        j = _skip_comment_or_string(text, i)
        if j != i:
            i = j
            continue
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    if depth:
        raise UsageError(f"{source}: the CONSTRUCT template is not closed")
    template = text[opened : i - 1]
    clauses = "".join(f" USING <{iri}>\n" for iri in using)
    return f"{text[:start]}INSERT {{ GRAPH <{graph}> {{{template}}} }}{clauses}{text[i:]}"


MARKER = f"<{DERIVED_GRAPH}> a <{DERIVED_NS}DerivedGraph>"
"""A triple the derived graph holds, so that a store can be asked whether it has one."""
_HAS_DERIVED = f"ASK {{ {MARKER} }}"
_KEYED = f"ASK {{ GRAPH <{DERIVED_GRAPH}> {{ <{DERIVED_GRAPH}> <{DERIVED_NS}key> ?key }} }}"
_DUMP = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
_DROP = f"DROP SILENT GRAPH <{DERIVED_GRAPH}>"


def _dump(store: Store) -> bytes:
    table = store.query(_DUMP, {"g": URIRef(DERIVED_GRAPH)})
    assert isinstance(table, Table)
    key = URIRef(DERIVED_NS + "key")
    lines = [
        f"{s.n3()} {p.n3()} {o.n3()} .\n"  # type: ignore[union-attr]
        for s, p, o, _g in table.rows
        if p != key
    ]
    return "".join(sorted(lines)).encode("utf-8")


def _insert(store: Store, ntriples: str) -> None:
    """Add triples to the derived graph, on every engine (a remote one too).

    The only text ever given is made by this module: the marker, a key checked to be a hex
    digest, or a cache entry of N-Triples it wrote itself (checked by its digest). No value a
    user typed reaches it, so INSERT DATA text is safe here where binding is not possible.
    """
    store.update("INSERT DATA { GRAPH <" + DERIVED_GRAPH + "> {\n" + ntriples + "\n} }")


def derive(store: Store) -> None:
    """(Re)write the derived graph of ``store`` from its data.

    On the embedded engines the CONSTRUCTs run as queries over the union of the sources
    (on Oxigraph side by side) and their triples go into the graph once all have run
    (``construct_into``: :class:`~pcr_graph.store.engines.OxigraphStore`,
    :class:`~pcr_graph.store.engines.RdflibStore`); elsewhere each runs as the equivalent
    SPARQL Update (:func:`as_insert`).
    """
    from pcr_graph.store.engines import source_graph_iri

    store.update(_DROP)
    construct_into = getattr(store, "construct_into", None)
    # Every source graph, never the derived one: summaries are of the data only. rdflib's
    # reference store matches an update's pattern against the union of its graphs already
    # (and would try to fetch a USING graph from the network).
    using = [] if store.engine == "rdflib" else [source_graph_iri(n) for n in store.sources()]
    texts = {path: path.read_text(encoding="utf-8") for path in derive_files()}
    if construct_into is not None:
        construct_into(list(texts.values()), DERIVED_GRAPH)
    else:
        for path, text in texts.items():
            store.update(as_insert(text, DERIVED_GRAPH, using, str(path)))
    _insert(store, MARKER)


def ensure_derived(store: Store) -> bool:
    """Make sure ``store`` holds an up-to-date derived graph (see the module docstring).

    Returns
    -------
    bool
        True when the rules may read the derived graph; False for a remote store that
        does not show one (it is never written to): rules then run their plain text
        (:func:`rule_text`).
    """
    with _LOCK:
        state = _STATE.get(store)
        now = cache.generation(store)
        if state is not None and now is not None and state.generation == now:
            return True
        if store.engine == "remote" or now is None:
            # pcr-graph's own endpoint derives the graph before it serves and keeps it
            # current; another server is left as it is (never written to by a rule).
            return bool(store.query(_HAS_DERIVED))
        key = cache.key_of(store)
        if state is None and key is not None and store.query(_KEYED, {"key": Literal(key)}):
            # A reopened on-disk store whose derived graph was made from these very sources,
            # shapes, derivation queries and code.
            _STATE[store] = _State(now)
            return True
        cached = cache.read(store, CACHE_ENTRY) if key is not None else None
        # Old summaries go first: this store's, or those a reopened on-disk store holds.
        store.update(_DROP)
        if cached is not None:
            _insert(store, cached.decode("utf-8"))
        else:
            derive(store)
        if key is not None:
            # The key is a hex digest (checked): safe to write as a literal.
            assert re.fullmatch(r"[A-Za-z0-9-]+", key)
            _insert(store, f'<{DERIVED_GRAPH}> <{DERIVED_NS}key> "{key}"')
        cache.settle(store, now)
        if cached is None and key is not None:
            cache.write(store, CACHE_ENTRY, _dump(store))
        _STATE[store] = _State(cache.generation(store))
        return True


def is_current(store: Store) -> bool:
    """True when ``store``'s derived graph is up to date (derived, read back or adopted
    since its last write): reading it now costs no derivation."""
    with _LOCK:
        state = _STATE.get(store)
        now = cache.generation(store)
        return state is not None and now is not None and state.generation == now


def adopt(store: Store) -> None:
    """Take the derived graph ``store`` holds now as up to date, without deriving it.

    For an area copy given the summaries of its areas from a store whose derived graph is
    current (:func:`pcr_graph.analysis.change.scope.store_of`): the rules bound to those
    areas read no other summary.
    """
    with _LOCK:
        _STATE[store] = _State(cache.generation(store))


def base_dir() -> Path:
    """``queries/base/``: the plain texts of the rules rewritten on the derived graph."""
    return queries_dir() / "base"


def rule_text(path: Path, text: str, derived: bool) -> str:
    """The text to run for the query file ``path`` holding ``text``: ``text`` itself when the
    store holds the derived graph (``derived``) or the file is not one of the library's;
    else the library query's plain text from :func:`base_dir`, if it has one."""
    if derived or Path(path).resolve().parent != queries_dir().resolve():
        return text
    plain = base_dir() / Path(path).name
    return plain.read_text(encoding="utf-8") if plain.is_file() else text
