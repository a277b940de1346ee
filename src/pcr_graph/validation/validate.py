"""SHACL validation, reported one readable line per violation.

Two validators give the same answers: pySHACL (the reference, in Python over an rdflib copy
of the data) and :mod:`pcr_graph.validation.compiled` (the shapes compiled to SPARQL and run in the
store, which scales to the whole country). ``engine="auto"`` uses the compiled one except on
rdflib's reference store, and pySHACL whenever the shapes use a feature it does not compile.
"""

from __future__ import annotations

from pcr_graph.core.errors import UsageError
from pcr_graph.store.engines import Store
from pcr_graph.validation.compiled import UnsupportedShapes, validate_fast
from pcr_graph.validation.reference import validate_pyshacl
from pcr_graph.validation.results import Violation

VALIDATORS = ("auto", "fast", "pyshacl")
"""``fast``: compiled SPARQL; ``pyshacl``: the reference; ``auto``: fast unless the store is
rdflib's reference engine or the shapes need pySHACL."""


def validate(store: Store, engine: str = "auto") -> list[Violation]:
    """Check the whole dataset against the shapes; an empty list means it conforms.

    ``engine`` is one of :data:`VALIDATORS`; both validators give the same violations.
    """
    if engine not in VALIDATORS:
        raise UsageError(f"unknown validator {engine!r} (one of {', '.join(VALIDATORS)})")
    if engine == "fast" and store.engine == "rdflib":
        raise UsageError(
            "the fast validator needs the Oxigraph engine (rdflib's SPARQL engine gets some of "
            "its queries wrong); use --engine pyshacl or auto"
        )
    kept = _cached(store, engine)
    if kept is not None:
        return kept
    found: list[Violation] | None = None
    if engine == "fast" or (engine == "auto" and store.engine != "rdflib"):
        try:
            found = validate_fast(store)
        except UnsupportedShapes:
            if engine == "fast":
                raise
    if found is None:
        found = validate_pyshacl(store)
    _keep(store, engine, found)
    return found


def _entry(engine: str) -> str:
    return f"validation-{engine}.json"


def _cached(store: Store, engine: str) -> list[Violation] | None:
    """The violations found before in the same sources with the same shapes and code.

    :mod:`pcr_graph.store.cache` keys the entry by the content of every source file, the
    shapes and the validators' code, and gives no entry for a store changed since it was
    loaded: any change validates again.
    """
    import json

    from pcr_graph.store import cache

    data = cache.read(store, _entry(engine))
    if data is None:
        return None
    try:
        return [Violation(**record) for record in json.loads(data)]
    except (ValueError, TypeError):
        return None  # written by another layout: validate again


def _keep(store: Store, engine: str, violations: list[Violation]) -> None:
    import dataclasses
    import json

    from pcr_graph.store import cache

    records = [dataclasses.asdict(v) for v in violations]
    cache.write(store, _entry(engine), json.dumps(records, sort_keys=True).encode("utf-8"))
