"""A real Virtuoso 7 server (Debian's ``virtuoso-opensource-7-bin``) for integration tests.

Use in a test module::

    from tests.support.virtuoso_server import virtuoso_fixture  # noqa: F401

and ask for ``virtuoso`` (a :class:`Virtuoso`) as a test argument. One server serves the
whole test session (a new database takes about 15 s to create): it listens on free ports of
127.0.0.1 only, keeps its database in a temporary folder with its own ``virtuoso.ini``
(written here from the Debian package's default, with everything that would listen
elsewhere or touch the system switched off), and is stopped when the session ends. Tests
keep apart by pushing to graphs of their own.

The database is set up the way docs/sharing.md tells a Virtuoso administrator to, for
``pcr-graph push``: the anonymous ``SPARQL`` user may run SPARQL Update and the Graph Store
endpoint ``/sparql-graph-crud`` may write.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.oxigraph_server import free_port, stop, wait_until_answering

VIRTUOSO_SETUP = (
    'GRANT SPARQL_UPDATE TO "SPARQL"; '
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7); "
    "checkpoint;"
)
"""What an administrator runs once (isql) so that push may write: see docs/sharing.md."""


def _ini(folder: Path, sql_port: int, http_port: int) -> str:
    """``virtuoso.ini`` for a throwaway server in ``folder`` (the Debian default, trimmed).

    Left out of Debian's default: the mDNS announcement ([Zero Config]), replication, the
    plugins, the mail server and the VAD folder; both ports are bound to 127.0.0.1. Changed:
    ``MaxQueryCostEstimationTime = 0`` (Virtuoso otherwise refuses queries its estimator
    guesses would take over 400 s, which on a fresh database includes ``areas``) and
    ``ResultSetMaxRows`` raised from 10,000 (a cut answer would give wrong gaps).
    """
    return f"""\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = .
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxMemPoolSize = 50000000
MaxQueryMem = 256M
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
NumberOfBuffers = 4000
MaxDirtyBuffers = 3000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}/vsp
MaxClientConnections = 10
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
MaxCachedProxyConnections = 0
ProxyConnectionCacheTimeout = 15
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 0

[AutoRepair]
BadParentLinks = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[Replication]
ServerName = db
ServerEnable = 0

[URIQA]
DynamicLocal = 0
DefaultHost = 127.0.0.1:{http_port}

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
DeferInferenceRulesInit = 0
"""


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: its SPARQL endpoint and Graph Store endpoint."""

    base: str
    folder: Path

    @property
    def sparql(self) -> str:
        """The SPARQL 1.1 query and update endpoint."""
        return f"{self.base}/sparql"

    @property
    def graph_store(self) -> str:
        """The SPARQL 1.1 Graph Store HTTP Protocol endpoint."""
        return f"{self.base}/sparql-graph-crud"

    def scoped(self, graph: str) -> str:
        """The query URL whose default graph is ``graph`` (Virtuoso's own default graph is
        the union of every graph, its system graphs included)."""
        from urllib.parse import quote

        return f"{self.sparql}?default-graph-uri={quote(graph, safe='')}"


def _binary(name: str) -> str:
    found = shutil.which(name)
    if not found:
        pytest.fail(
            f"{name} is missing: run tools/test-deps.sh (Debian package virtuoso-opensource-7-bin)"
        )
    return found


@pytest.fixture(scope="session", name="virtuoso")
def virtuoso_fixture() -> Iterator[Virtuoso]:
    """One Virtuoso 7 server for the session, on 127.0.0.1, stopped at the end."""
    server, isql = _binary("virtuoso-t"), _binary("isql-vt")
    with tempfile.TemporaryDirectory(prefix="pcr-virtuoso-") as tmp:
        folder = Path(tmp)
        (folder / "vsp").mkdir()
        for _ in range(3):  # a port may be taken between our check and the bind
            sql_port, http_port = free_port(), free_port()
            if sql_port == http_port:
                continue
            ini = folder / "virtuoso.ini"
            ini.write_text(_ini(folder, sql_port, http_port), encoding="utf-8")
            log = (folder / "server.out").open("wb")
            process = subprocess.Popen(
                [server, "-f", "-c", str(ini)],
                cwd=folder,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            base = f"http://127.0.0.1:{http_port}"
            try:
                wait_until_answering(f"{base}/sparql?query=ASK%7B%7D", process, limit=120)
            except RuntimeError:
                stop(process)
                log.close()
                for leftover in folder.glob("virtuoso*"):
                    leftover.unlink()
                continue
            try:
                subprocess.run(
                    [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={VIRTUOSO_SETUP}"],
                    check=True,
                    capture_output=True,
                    timeout=60,
                )
                yield Virtuoso(base, folder)
            finally:
                stop(process)
                log.close()
            return
        raise RuntimeError(f"could not start virtuoso-t (see {folder}/virtuoso.log)")
