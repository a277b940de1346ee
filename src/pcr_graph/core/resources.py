"""Where the built-in ontology, graph data and queries live.

In a wheel they are packaged under ``pcr_graph/_data``; in a source checkout (editable
install) they are the top-level ``ontology/``, ``graph/`` and ``queries/`` folders.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def data_root() -> Path:
    """The folder holding ``ontology/``, ``graph/`` and ``queries/``."""
    packaged = Path(__file__).resolve().parents[1] / "_data"
    if (packaged / "ontology").is_dir():
        return packaged
    return Path(__file__).resolve().parents[3]


def ontology_dir() -> Path:
    """``ontology/``: OWL, SHACL and SKOS files."""
    return data_root() / "ontology"


def graph_dir() -> Path:
    """``graph/``: reference data, findings, profile and the fictional demo system."""
    return data_root() / "graph"


def queries_dir() -> Path:
    """``queries/``: the named SPARQL queries and gap rules."""
    return data_root() / "queries"


def ontology_files() -> list[Path]:
    """Every Turtle file of the ontology except the SHACL shapes, sorted."""
    return sorted(p for p in ontology_dir().glob("*.ttl") if not p.name.endswith(".shapes.ttl"))


def shapes_files() -> list[Path]:
    """The SHACL shapes files, sorted."""
    return sorted(ontology_dir().glob("*.shapes.ttl"))


DEMO_FILE = "demo.ttl"
"""The fictional demo system, generated from the ``graph/demo/`` workbook."""

PROFILE_FILE = "profile-default.ttl"
"""The default expectation profile; ``--profile FILE`` replaces it."""


def reference_files(*, include_demo: bool = True, profile: Path | None = None) -> list[Path]:
    """The built-in graph files, sorted: areas, programme, findings, a profile, the demo."""
    files = []
    for path in sorted(graph_dir().glob("*.ttl")):
        if path.name == DEMO_FILE and not include_demo:
            continue
        if path.name == PROFILE_FILE and profile is not None:
            continue
        files.append(path)
    if profile is not None:
        files.append(Path(profile))
    return files
