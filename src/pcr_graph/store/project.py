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


_INCOMPLETE = """
SELECT ?label ?count WHERE {
  ?run a pcr:ImportRun ; pcr:rejectedRowCount ?count .
  OPTIONAL { ?run skos:prefLabel ?named }
  BIND (COALESCE(?named, STR(?run)) AS ?label)
  FILTER (?count > 0)
}
ORDER BY ?label
"""


@dataclass(frozen=True)
class Project:
    """The sources a command loads, and the engine it loads them into."""

    workspace: Path = Path(".pcr-graph")
    include_demo: bool | None = None
    """True: load the fictional demo system; False: never; None (the default): only while
    the workspace holds no import, so that your own data is not mixed with the demo's."""
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

    @property
    def uses_demo(self) -> bool:
        """Whether the fictional demo system is part of the data."""
        if self.include_demo is not None:
            return self.include_demo
        return not self.imports()

    def notices(self, store: Store) -> list[str]:
        """What every report and page must say about the data behind it.

        The demo system, when it is shown because the workspace is empty; and each import
        that is incomplete (a lenient import that left rows out), with its rejected-row
        count as the import recorded it (``pcr:rejectedRowCount``).
        """
        found = []
        if self.include_demo is None and self.uses_demo and self.store is None:
            found.append(
                f"Demo data: the workspace {self.workspace} holds no import yet, so this shows "
                "the fictional demo system. `pcr-graph import csv FOLDER` adds your own "
                "workbook; from then on the demo is left out unless you ask for it with --demo."
            )
        for label, count in self.incomplete_imports(store):
            found.append(
                f"Incomplete data: the {label[:1].lower() + label[1:]} left out {count} "
                f"rejected row{'s' if count != 1 else ''} (a lenient import); gaps may stem "
                "from rows that are missing. Correct the rejects folder and import it again."
            )
        return found

    def incomplete_imports(self, store: Store) -> list[tuple[str, int]]:
        """(label, rejected rows) of every import run that left rows out, by label."""
        rows = store.select(_INCOMPLETE).strings()
        return [(row["label"], int(row["count"])) for row in rows]

    def files(self) -> list[Path]:
        """Every file the dataset is made of, in a fixed order."""
        if self.profile is not None and not Path(self.profile).is_file():
            raise UsageError(f"{self.profile}: no such profile file")
        return [
            *ontology_files(),
            *reference_files(include_demo=self.uses_demo, profile=self.profile),
            *self.imports(),
        ]

    @property
    def cache_dir(self) -> Path:
        """Where results keyed by the sources' content are kept (:mod:`pcr_graph.store.cache`)."""
        from pcr_graph.store.cache import CACHE_DIR

        return self.workspace / CACHE_DIR

    def open(self) -> Store:
        """A store with the whole dataset loaded (and its cache attached, see :meth:`_cached`)."""
        if self.store is None:
            return self._cached(open_store(self.files(), self.engine))
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
        return self._cached(open_persistent(self.files(), Path(self.store)))

    def _cached(self, store: Store) -> Store:
        # Derived graph and validation result are kept beside the imports, keyed by the
        # content of every file loaded (plus shapes, derivation queries and their code);
        # only in a workspace that exists: a command never creates one to hold a cache.
        from pcr_graph.store import cache

        if not self.workspace.is_dir():
            return store

        cache.attach(store, self.cache_dir, f"{self.engine}-{cache.content_key(self.files())}")
        return store

    def import_path(self, name: str) -> Path:
        """Where the import called ``name`` is kept."""
        from pcr_graph.core.ids import segment

        return self.imports_dir / f"{segment(name)}.ttl"
