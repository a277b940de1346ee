"""The query library: ``queries/*.rq`` files with ``#+`` headers, and running them safely.

A header line is ``#+ key: value`` (grlc style). Parameters are declared one per line as
``#+ param: NAME TYPE required|optional [default=VALUE] - description`` and are bound as
RDF terms (Oxigraph ``substitutions`` / rdflib ``initBindings``), never written into the
query text, so no value can change the query's meaning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

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

    @property
    def family(self) -> str:
        """``violation`` (must be empty on valid data), ``construct``, ``gap`` or ``listing``."""
        if self.name.endswith("-violation"):
            return "violation"
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
    names = ", ".join(q.name for q in library())
    raise UsageError(f"unknown query {name_or_file!r} (not a file; library has: {names})")


_IRI_FORBIDDEN = frozenset(' <>"{}|\\^`')


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


def resolve_area(store: Store, text: str) -> URIRef:
    """The area named by an area id, an ODS code (``QOP``), an ONS code (``E54000057``), or IRI."""
    value = text.strip()
    if (
        value.startswith(("http://", "https://"))
        and is_plain_iri(value)
        and store.query("ASK { ?a a pcr:Area }", {"a": URIRef(value)})
    ):
        return URIRef(value)
    for candidate in dict.fromkeys((value, value.upper())):
        table = store.query(_AREA_QUERY, {"code": Literal(candidate)})
        assert isinstance(table, Table)
        found = sorted({row[0] for row in table.rows if isinstance(row[0], URIRef)})
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise UsageError(f"area {text!r} is ambiguous: {', '.join(found)}")
    raise UsageError(
        f"unknown area {text!r}: give an area id, an ODS code (e.g. QOP) or an ONS code "
        "(e.g. E54000057); `pcr-graph query areas` lists them"
    )


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
            raise UsageError(
                f"{where}: unknown {param.type} {raw!r} (one of {', '.join(scheme.notations())})"
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


def run_named(
    store: Store, query: NamedQuery, values: dict[str, str] | None = None
) -> Table | bool:
    """Run a library query with parameters bound; SELECT gives a Table, ASK a bool."""
    result = store.query(query.text, bind_params(store, query, values or {}))
    if isinstance(result, (Table, bool)):
        return result
    raise UsageError(f"query {query.name!r} is a CONSTRUCT/DESCRIBE; use `pcr-graph export`")
