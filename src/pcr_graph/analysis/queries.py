"""The query library: ``queries/*.rq`` files with ``#+`` headers, and running them safely.

A header line is ``#+ key: value`` (grlc style). ``#+ bind: values`` asks that a bound IRI
lead the query as ``VALUES`` (see :func:`lead_with_values`), for rules that Oxigraph plans
badly with a substitution. Parameters are declared one per line as
``#+ param: NAME TYPE required|optional [default=VALUE] - description`` and are bound as
RDF terms (Oxigraph ``substitutions`` / rdflib ``initBindings``), never written into the
query text, so no value can change the query's meaning. The one exception is
:func:`lead_with_values`: an IRI bound to a library query, checked to be a plain IRI, leads
its top-level group as ``VALUES`` so that Oxigraph plans the query around it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from pcr_graph.analysis.derived import ensure_derived, rule_text
from pcr_graph.core.errors import UsageError
from pcr_graph.core.resources import queries_dir
from pcr_graph.store.engines import Store, Table

PARAM_TYPES = ("area", "date", "sector", "link-type", "string", "integer", "iri")


@dataclass(frozen=True)
class Param:
    """One declared query parameter."""

    name: str
    type: str
    required: bool
    default: str | None
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A query file with its parsed header."""

    name: str
    path: Path
    text: str
    header: dict[str, str] = field(default_factory=dict)
    params: tuple[Param, ...] = ()

    @property
    def summary(self) -> str:
        return self.header.get("summary", "")

    def with_bindings(
        self, text: str, bindings: dict[str, Node] | None
    ) -> tuple[str, dict[str, Node] | None]:
        """The text to run and what to bind: a library query whose header says
        ``#+ bind: values`` has its bound IRIs lead its top-level group
        (:func:`lead_with_values`); any other query is run as written, everything bound."""
        in_library = self.path.resolve().parent == queries_dir().resolve()
        if in_library and self.header.get("bind") == "values":
            return lead_with_values(text, bindings)
        return text, bindings

    @property
    def family(self) -> str:
        """``violation`` (must be empty on valid data), ``construct``, ``derive`` (writes the
        derived graph, :mod:`pcr_graph.analysis.derived`), ``gap`` or ``listing``."""
        if self.name.endswith("-violation"):
            return "violation"
        if self.name.startswith("derive-"):
            return "derive"
        if self.name.startswith("construct-"):
            return "construct"
        tags = [t.strip() for t in self.header.get("tags", "").split(",")]
        return "gap" if "gap" in tags else "listing"


def parse_header(text: str, source: str = "<query>") -> tuple[dict[str, str], tuple[Param, ...]]:
    """Parse the ``#+`` header of a query.

    >>> header, params = parse_header("#+ summary: Hi\\n#+ param: area area optional - x\\nSELECT")
    >>> header["summary"], params[0].name, params[0].required
    ('Hi', 'area', False)
    """
    header: dict[str, str] = {}
    params: list[Param] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#+"):
            if stripped and not stripped.startswith("#"):
                break
            continue
        key, sep, value = stripped[2:].partition(":")
        if not sep:
            raise UsageError(f"{source}:{number}: header line needs 'key: value'")
        key, value = key.strip(), value.strip()
        if key == "param":
            params.append(_parse_param(value, f"{source}:{number}"))
        else:
            header[key] = value
    return header, tuple(params)


def _parse_param(spec: str, where: str) -> Param:
    words, _, description = spec.partition(" - ")
    parts = words.split()
    if len(parts) < 3 or parts[1] not in PARAM_TYPES or parts[2] not in ("required", "optional"):
        raise UsageError(
            f"{where}: param needs 'NAME TYPE required|optional [default=V] - description'"
            f" with TYPE one of {', '.join(PARAM_TYPES)}"
        )
    default = None
    for extra in parts[3:]:
        if extra.startswith("default="):
            default = extra.removeprefix("default=")
    return Param(parts[0], parts[1], parts[2] == "required", default, description.strip())


def load_query(path: Path) -> NamedQuery:
    """Read one query file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read query: {exc}") from None
    header, params = parse_header(text, str(path))
    return NamedQuery(path.stem, path, text, header, params)


def library(folder: Path | None = None) -> list[NamedQuery]:
    """Every query in the library, sorted by name."""
    folder = folder or queries_dir()
    return [load_query(p) for p in sorted(folder.glob("*.rq"))]


def find_query(name_or_file: str) -> NamedQuery:
    """A library query by name, or a query file by path."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.exists():
        return load_query(path)
    candidate = queries_dir() / f"{name_or_file}.rq"
    if candidate.exists():
        return load_query(candidate)
    from pcr_graph.core.hints import did_you_mean  # inside: only on this error path

    known = [q.name for q in library()]
    raise UsageError(
        f"unknown query {name_or_file!r}{did_you_mean(name_or_file, known)} "
        f"(not a file; library has: {', '.join(known)})"
    )


_IRI_FORBIDDEN = frozenset(' <>"{}|\\^`')
_WRITABLE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`\x7f]*")
"""An absolute IRI that can be written between ``<`` and ``>``: a scheme, then no space,
control, quote, angle bracket, brace, pipe, caret, backtick or backslash, so it cannot end
the ``<…>`` it is written in."""


def writable_iri(text: str) -> bool:
    """True if ``text`` is an absolute IRI that is safe to write as ``<text>`` in SPARQL.

    >>> writable_iri("https://w3id.org/x"), writable_iri("urn:a> } ?s ?p ?o {")
    (True, False)
    """
    return bool(_WRITABLE_IRI.fullmatch(text))


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def values_clause(variable: str, iris: Iterable[str]) -> str:
    """``VALUES ?variable { <iri> … }`` for IRIs the store itself returned, never for
    anything a user typed (always bound: :func:`bind_params`).

    Writing them into the text is safe because each one is checked by :func:`writable_iri`
    (it cannot end the ``<…>`` it is written in) and the name by the SPARQL ``VARNAME``
    rule; anything else refuses the clause.

    >>> values_clause("p", ["urn:a", "https://x/b"])
    'VALUES ?p { <urn:a> <https://x/b> }'
    >>> values_clause("p", ["urn:a> } ?s ?p ?o {"])
    Traceback (most recent call last):
    ...
    ValueError: not a plain IRI: 'urn:a> } ?s ?p ?o {'
    """
    if not _NAME.fullmatch(variable):
        raise ValueError(f"not a SPARQL variable name: {variable!r}")
    terms = []
    for iri in iris:
        if not writable_iri(iri):
            raise ValueError(f"not a plain IRI: {iri!r}")
        terms.append(f"<{iri}>")
    return f"VALUES ?{variable} {{ {' '.join(terms)} }}"


TOP_GROUP = "\nWHERE {\n"
"""How a library query opens its top-level group: ``WHERE {`` alone on a line at column 0
(sub-queries are indented); tests check every library query has exactly one."""


def lead_with_values(
    text: str, bindings: dict[str, Node] | None
) -> tuple[str, dict[str, Node] | None]:
    """Move the IRIs of ``bindings`` into ``text``, as a ``VALUES`` block that leads its
    top-level group; the other bindings stay bindings.

    Why: Oxigraph plans a query before it applies substitutions, so a bound ``?area`` does
    not decide where evaluation starts. A gap rule for one area then read the whole country
    (0.3-0.7 s at 55,000 providers) to keep one area's rows. Written as ``VALUES`` at the
    start of the group, the area is planned with the query: 20-30 ms. The rows are the same,
    as the rules project every parameter: the group's solutions joined with the value are
    the solutions that have it (``tests/analysis/test_queries.py`` compares every rule's
    rows both ways, for every area of several datasets).

    Why this is safe: only IRIs are written, each checked by :func:`writable_iri`, so none
    can end the ``<…>`` it is in; only into a library query whose layout is known (exactly
    one :data:`TOP_GROUP`); literals (dates, numbers, text a user typed) are always bound.
    Anything else is returned unchanged, to be bound.
    """
    if not bindings or text.count(TOP_GROUP) != 1:
        return text, bindings
    iris = {
        name: value
        for name, value in bindings.items()
        if isinstance(value, URIRef) and writable_iri(str(value)) and _NAME.fullmatch(name)
    }
    if not iris:
        return text, bindings
    for name, iri in sorted(iris.items(), reverse=True):  # each goes first: sorted in the end
        text = leading_values(text, name, [str(iri)])
    rest = {name: value for name, value in bindings.items() if name not in iris}
    return text, rest or None


def leading_values(text: str, variable: str, iris: Sequence[str]) -> str:
    """``text`` with ``VALUES ?variable { <iri> … }`` leading its top-level group, so that
    Oxigraph starts there (see :func:`lead_with_values`); ``text`` unchanged when an IRI
    cannot be written (:func:`writable_iri`) or ``text`` has not exactly one
    :data:`TOP_GROUP`: every row is then read, and the caller keeps those it asked for.

    For IRIs the store returned, never for anything a user typed (always bound).

    >>> leading_values("SELECT ?s\\nWHERE {\\n  ?s ?p ?o\\n}", "s", ["urn:a"])
    'SELECT ?s\\nWHERE {\\n  VALUES ?s { <urn:a> }\\n  ?s ?p ?o\\n}'
    """
    if text.count(TOP_GROUP) != 1 or not all(writable_iri(iri) for iri in iris):
        return text
    return text.replace(TOP_GROUP, f"{TOP_GROUP}  {values_clause(variable, iris)}\n", 1)


def is_plain_iri(text: str) -> bool:
    """True if ``text`` can be an IRI as written: no spaces, controls or ``<>"{}|\\^```.

    >>> is_plain_iri("https://example.org/a"), is_plain_iri('https://x/" } UNION {')
    (True, False)
    """
    return bool(text) and not any(c in _IRI_FORBIDDEN or ord(c) < 0x20 for c in text)


_AREA_QUERY = """
SELECT DISTINCT ?area ?code WHERE {
  ?area a pcr:Area .
  { ?area pcr:odsCode ?code } UNION { ?area pcr:onsCode2021 ?code }
  UNION { ?area pcr:onsCode2022 ?code } UNION { ?area dcterms:identifier ?code }
}
ORDER BY ?area
"""


_AREA_NAMES = """
SELECT ?area ?key WHERE {
  ?area a pcr:Area .
  { ?area skos:prefLabel ?key } UNION { ?area dcterms:identifier ?key }
  UNION { ?area pcr:odsCode ?key } UNION { ?area pcr:onsCode2021 ?key }
  UNION { ?area pcr:onsCode2022 ?key }
}
ORDER BY ?area ?key
"""


def resolve_area(store: Store, text: str) -> URIRef:
    """The area named by an id, an ODS or ONS code, an IRI, or its name.

    Codes and ids match exactly first (``QOP``, ``E54000057``, ``wv``); then, ignoring case,
    an id, a code or a name (``Wyndle Vale Health and Care Partnership (fictional)``), and
    last the one area whose name starts with ``text`` (``wyndle``). A name or prefix that
    fits several areas is refused with the candidates listed.
    """
    value = text.strip()
    if (
        value.startswith(("http://", "https://"))
        and is_plain_iri(value)
        and store.ask("ASK { ?a a pcr:Area }", {"a": URIRef(value)})
    ):
        return URIRef(value)
    for candidate in dict.fromkeys((value, value.upper())):
        table = store.select(_AREA_QUERY, {"code": Literal(candidate)})
        found = sorted({row[0] for row in table.rows if isinstance(row[0], URIRef)})
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise UsageError(f"area {text!r} is ambiguous: {', '.join(found)}")
    return _area_by_name(store, text, value)


def resolve_areas(stores: Store | Sequence[Store], names: Sequence[str]) -> list[URIRef] | None:
    """The areas named by ids, ODS or ONS codes, IRIs or names; None (every area) for none.

    With several stores (a diff of two snapshots), a name is looked up in each in turn and
    the first store that knows it answers; an area none of them knows is an error.
    """
    if not names:
        return None
    candidates = [stores] if not isinstance(stores, Sequence) else list(stores)
    found: list[URIRef] = []
    for name in names:
        problem: UsageError | None = None
        for store in candidates:
            try:
                found.append(resolve_area(store, name))
                break
            except UsageError as exc:
                problem = problem or exc
        else:
            assert problem is not None
            raise problem
    return found


def _area_by_name(store: Store, text: str, value: str) -> URIRef:
    table = store.select(_AREA_NAMES)
    keys: dict[URIRef, set[str]] = {}
    names: dict[URIRef, str] = {}
    for area, key in table.rows:
        if isinstance(area, URIRef) and key is not None:
            keys.setdefault(area, set()).add(str(key))
    for row in table.strings():
        area = URIRef(row["area"])
        if area not in names or len(row["key"]) > len(names[area]):
            names[area] = row["key"]  # the longest key: the name, not a code
    wanted = " ".join(value.split()).casefold()
    if wanted:
        exact = sorted(a for a, ks in keys.items() if wanted in {k.casefold() for k in ks})
        prefixed = sorted(
            a
            for a, ks in keys.items()
            if any(_name_key(k).startswith(_name_key(wanted)) for k in ks)
        )
        for found in (exact, prefixed):
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                shown = "; ".join(f"{names[a]} ({_short(keys[a])})" for a in found[:10])
                more = f" and {len(found) - 10} more" if len(found) > 10 else ""
                raise UsageError(
                    f"area {text!r} is ambiguous: it fits {len(found)} areas: {shown}{more}; "
                    "give more of the name, or an id or code"
                )
    from pcr_graph.core.hints import did_you_mean  # inside: only on this error path

    # Compare with each name whole and cut to the length typed, so a misspelt start of a
    # long name is still recognised.
    starts = {_name_key(n)[: len(wanted)]: n for n in names.values()}
    hint = did_you_mean(wanted, [*starts, *names.values()]) if wanted else ""
    for start, name in starts.items():
        hint = hint.replace(repr(start), repr(name))
    raise UsageError(
        f"unknown area {text!r}{hint}: give an area's name (or the start of it), an area id, "
        "an ODS code (e.g. QOP) or an ONS code (e.g. E54000057); "
        "`pcr-graph query areas` lists them"
    )


def _name_key(name: str) -> str:
    """A name as prefixes are matched: folded, and without a leading "NHS "."""
    folded = " ".join(name.split()).casefold()
    return folded.removeprefix("nhs ")


def _short(keys: set[str]) -> str:
    """The shortest key of an area: its id or code, for listing candidates."""
    return min(keys, key=lambda k: (len(k), k))


def bind_params(store: Store, query: NamedQuery, values: dict[str, str]) -> dict[str, Node]:
    """Turn user-given parameter strings into RDF terms, checking names and types."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        allowed = ", ".join(declared) or "none"
        raise UsageError(
            f"query {query.name!r} has no parameter {unknown[0]!r} (it takes: {allowed})"
        )
    bindings: dict[str, Node] = {}
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None:
            if param.required:
                raise UsageError(f"query {query.name!r} needs -p {param.name} VALUE")
            continue
        bindings[param.name] = _term(store, param, raw, query.name)
    return bindings


def _term(store: Store, param: Param, raw: str, qname: str) -> Node:
    from pcr_graph.core.vocab import link_types, sectors

    where = f"query {qname!r}, parameter {param.name!r}"
    if param.type == "area":
        return resolve_area(store, raw)
    if param.type == "date":
        try:
            return Literal(dt.date.fromisoformat(raw.strip()).isoformat(), datatype=XSD.date)
        except ValueError:
            raise UsageError(f"{where}: not a date: {raw!r} (expected YYYY-MM-DD)") from None
    if param.type in ("sector", "link-type"):
        scheme = sectors() if param.type == "sector" else link_types()
        concept = scheme.resolve(raw)
        if concept is None:
            from pcr_graph.core.hints import did_you_mean  # inside: only on this error path

            names = [*scheme.notations(), *scheme.label.values()]
            raise UsageError(
                f"{where}: unknown {param.type} {raw!r}{did_you_mean(raw, names)} "
                f"(one of {', '.join(scheme.notations())})"
            )
        return concept
    if param.type == "integer":
        try:
            return Literal(int(raw))
        except ValueError:
            raise UsageError(f"{where}: not a whole number: {raw!r}") from None
    if param.type == "iri":
        if not raw.startswith(("http://", "https://", "urn:")) or not is_plain_iri(raw):
            raise UsageError(f"{where}: not an IRI: {raw!r}")
        return URIRef(raw)
    return Literal(raw)


_OXIGRAPH_AT = re.compile(r"^SPARQL syntax error: error at (\d+):(\d+): ")
_RDFLIB_AT = re.compile(r"\s*\(at char (\d+)\), \(line:(\d+), col:(\d+)\)")


def syntax_error_in_user_terms(message: str, path: Path) -> str:
    """A store's SPARQL syntax error, placed in the user's text: ``FILE:LINE:COL: …``.

    The stores see the query behind the PREFIX lines pcr-graph adds in front; those lines
    are taken off the position, and the file is named. Other messages pass unchanged.

    >>> from pcr_graph.core.namespaces import sparql_prologue
    >>> n = sparql_prologue().count("\\n")
    >>> syntax_error_in_user_terms(
    ...     f"SPARQL syntax error: error at {n + 1}:44: expected one of ABS", Path("q.rq"))
    'q.rq:1:44: SPARQL syntax error: expected one of ABS'
    """
    from pcr_graph.core.namespaces import sparql_prologue

    prologue = sparql_prologue()
    lines = prologue.count("\n")
    found = _OXIGRAPH_AT.match(message)
    if found:
        line, column = int(found.group(1)) - lines, int(found.group(2))
        rest = message[found.end() :]
        return f"{path}:{max(line, 1)}:{column}: SPARQL syntax error: {rest}"
    found = _RDFLIB_AT.search(message)
    if found and message.startswith("SPARQL syntax error: "):
        line, column = int(found.group(2)) - lines, int(found.group(3))
        rest = (message[: found.start()] + message[found.end() :]).removeprefix(
            "SPARQL syntax error: "
        )
        return f"{path}:{max(line, 1)}:{column}: SPARQL syntax error: {rest.strip()}"
    return message


def run_named(
    store: Store, query: NamedQuery, values: dict[str, str] | None = None
) -> Table | bool:
    """Run a library query with parameters bound; SELECT gives a Table, ASK a bool.

    A syntax error names the query's file and the line and column in its own text. The
    derived graph is brought up to date first, as rules read it
    (:func:`pcr_graph.analysis.derived.ensure_derived`).
    """
    bindings = bind_params(store, query, values or {})
    text = rule_text(query.path, query.text, ensure_derived(store))
    text, bound = query.with_bindings(text, bindings)
    try:
        result = store.query(text, bound)
    except UsageError as exc:
        raise UsageError(syntax_error_in_user_terms(str(exc), query.path)) from None
    if isinstance(result, (Table, bool)):
        return result
    raise UsageError(f"query {query.name!r} is a CONSTRUCT/DESCRIBE; use `pcr-graph export`")
