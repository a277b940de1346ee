"""What a query answers, typed: a :class:`Table` for SELECT, a bool for ASK, a graph for
CONSTRUCT and DESCRIBE; :class:`QueryForms` gives every engine ``select``, ``ask`` and
``construct``, each refusing a query of another form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph
from rdflib.term import Node

from pcr_graph.core.errors import UsageError


@dataclass(frozen=True)
class Table:
    """The result of a SELECT: column names and rows of rdflib terms (``None`` if unbound)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Node | None, ...], ...] = field(default=())

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Node | None, ...]]:
        return iter(self.rows)

    def dicts(self) -> list[dict[str, Node | None]]:
        """Rows as dictionaries keyed by column name."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def strings(self) -> list[dict[str, str]]:
        """Rows as dictionaries of plain strings ("" for unbound)."""
        return [
            {c: "" if v is None else str(v) for c, v in zip(self.columns, row, strict=True)}
            for row in self.rows
        ]


class LazyTable(Table):
    """A :class:`Table` from Oxigraph whose rdflib terms are built only when asked for.

    Big results are mostly read with :meth:`strings`, which needs no rdflib term for an IRI
    or a plain or language-tagged string (their text is Oxigraph's); other literals go
    through rdflib, so every string is exactly ``str()`` of the rdflib term.
    """

    def __init__(
        self,
        columns: tuple[str, ...],
        raw: list[tuple[Any, ...]],
        convert: Callable[[object], Node | None],
        text: Callable[[object], str],
    ) -> None:
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "_raw", raw)
        object.__setattr__(self, "_convert", convert)
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "_built", None)

    @property
    def rows(self) -> tuple[tuple[Node | None, ...], ...]:
        built: tuple[tuple[Node | None, ...], ...] | None = self.__dict__["_built"]
        if built is None:
            convert = self.__dict__["_convert"]
            built = tuple(tuple(map(convert, row)) for row in self.__dict__["_raw"])
            object.__setattr__(self, "_built", built)
        return built

    def __len__(self) -> int:
        return len(self.__dict__["_raw"])

    def strings(self) -> list[dict[str, str]]:
        text = self.__dict__["_text"]
        columns = self.columns
        return [dict(zip(columns, map(text, row), strict=True)) for row in self.__dict__["_raw"]]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Table):
            return NotImplemented
        return (self.columns, self.rows) == (other.columns, other.rows)

    def __hash__(self) -> int:
        return hash((self.columns, self.rows))

    def __repr__(self) -> str:
        return f"Table(columns={self.columns!r}, rows={self.rows!r})"


Bindings = Mapping[str, Node]
QueryResult = Table | bool | Graph


def _form(result: QueryResult) -> str:
    if isinstance(result, bool):
        return "an ASK"
    if isinstance(result, Table):
        return "a SELECT"
    return "a CONSTRUCT or DESCRIBE"


class QueryForms:
    """:meth:`select`, :meth:`ask` and :meth:`construct`: :meth:`query` with its answer typed.

    Mixed into every engine, so callers get a :class:`Table`, a ``bool`` or a graph and never
    check which one came back. A query of the wrong form is refused with a
    :class:`~pcr_graph.core.errors.UsageError` naming both forms.
    """

    def query(self, sparql: str, bindings: Bindings | None = None) -> QueryResult:
        """Run a SPARQL query of any form (each engine implements it)."""
        raise NotImplementedError

    def select(self, sparql: str, bindings: Bindings | None = None) -> Table:
        """Run a SELECT query; its rows."""
        result = self.query(sparql, bindings)
        if not isinstance(result, Table):
            raise UsageError(f"select() needs a SELECT query; this is {_form(result)} query")
        return result

    def select_strings(self, sparql: str, bindings: Bindings | None = None) -> list[dict[str, str]]:
        """Run a SELECT query; its rows as text (:meth:`Table.strings`): a call to hand
        to :func:`~pcr_graph.store.engines.run_concurrently`."""
        return self.select(sparql, bindings).strings()

    def ask(self, sparql: str, bindings: Bindings | None = None) -> bool:
        """Run an ASK query; its answer."""
        result = self.query(sparql, bindings)
        if not isinstance(result, bool):
            raise UsageError(f"ask() needs an ASK query; this is {_form(result)} query")
        return result

    def construct(self, sparql: str, bindings: Bindings | None = None) -> Graph:
        """Run a CONSTRUCT (or DESCRIBE) query; its triples."""
        result = self.query(sparql, bindings)
        if isinstance(result, bool | Table):
            raise UsageError(
                f"construct() needs a CONSTRUCT or DESCRIBE query; this is {_form(result)} query"
            )
        return result


__all__ = ["Bindings", "LazyTable", "QueryForms", "QueryResult", "Table"]
