"""What every command sees: the ontology, the built-in graph, and the user's imports.

Imports live in a workspace folder (default ``.pcr-graph`` in the current folder), one
Turtle file per imported workbook or registry, until removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pcr_graph.core.errors import UsageError
from pcr_graph.core.resources import ontology_files, reference_files
from pcr_graph.store.engines import Store, open_persistent, open_store

_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
"""A ``--store`` value that names a URL scheme: never taken as a folder (``ftp:/x``)."""


@dataclass(frozen=True)
class Project:
    """The sources a command loads, and the engine it loads them into."""

    workspace: Path = Path(".pcr-graph")
    include_demo: bool = True
    profile: Path | None = None
    engine: str = "oxigraph"
    store: str | None = None
    """None: an in-memory store; a folder: an on-disk Oxigraph store, rebuilt only when a
    source file changed; an http(s) URL: a remote SPARQL 1.1 endpoint."""

    @property
    def imports_dir(self) -> Path:
        return self.workspace / "imports"

    def imports(self) -> list[Path]:
        """The imported Turtle files, sorted by name."""
        if not self.imports_dir.is_dir():
            return []
        return sorted(self.imports_dir.glob("*.ttl"))

    def files(self) -> list[Path]:
        """Every file the dataset is made of, in a fixed order."""
        if self.profile is not None and not Path(self.profile).is_file():
            raise UsageError(f"{self.profile}: no such profile file")
        return [
            *ontology_files(),
            *reference_files(include_demo=self.include_demo, profile=self.profile),
            *self.imports(),
        ]

    def open(self) -> Store:
        """A store with the whole dataset loaded."""
        if self.store is None:
            return open_store(self.files(), self.engine)
        scheme = _URL_SCHEME.match(self.store)
        if scheme and scheme.group(1).lower() in ("http", "https"):
            # Imported here to keep `pcr-graph --help` fast.
            from pcr_graph.store.remote import RemoteStore

            return RemoteStore(self.store)
        if scheme:
            raise UsageError(
                f"--store {scheme.group(0)}…: only http:// and https:// endpoints are supported "
                "(or a folder path for an on-disk store)"
            )
        if self.engine != "oxigraph":
            raise UsageError("--store DIR keeps an on-disk Oxigraph store; use --engine oxigraph")
        return open_persistent(self.files(), Path(self.store))

    def import_path(self, name: str) -> Path:
        """Where the import called ``name`` is kept."""
        from pcr_graph.core.ids import segment

        return self.imports_dir / f"{segment(name)}.ttl"
