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
    if engine == "fast" or (engine == "auto" and store.engine != "rdflib"):
        try:
            return validate_fast(store)
        except UnsupportedShapes:
            if engine == "fast":
                raise
    return validate_pyshacl(store)
