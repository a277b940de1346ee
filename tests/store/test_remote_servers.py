"""Push and every read command with ``--store URL``, against servers people run.

Two real servers: Virtuoso 7 from Debian (``virtuoso-opensource-7-bin``, behind many public
endpoints) and ``oxigraph serve``. The demo dataset is pushed with ``pcr-graph push``, then
each read command (query, gaps, metrics, compare, render, export) runs once on the embedded
store and once with ``--store URL``: the outputs must be byte-identical.

Virtuoso 7.2.5 answers some SPARQL forms wrongly, depending on its query plan (a transitive
path inside MINUS, FILTER NOT EXISTS or OPTIONAL; an OPTIONAL aggregate): the library's
queries are written without them, and every gap rule and the planning-table matrix are also
compared on a synthetic England, where those forms do go wrong. The one query whose answer
may differ is listed in :data:`VIRTUOSO_FRAGILE` with the reason; those Virtuoso may refuse
to compile, in :data:`VIRTUOSO_REFUSED`.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Collection
from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from pcr_graph.analysis.gaps import gap_rules
from pcr_graph.analysis.queries import bind_params, find_query, library
from pcr_graph.cli.commands import main
from pcr_graph.core.errors import UsageError
from pcr_graph.ingest.synth import write_synthetic
from pcr_graph.share.push import push_graph
from pcr_graph.store.engines import Store, Table, open_store
from pcr_graph.store.http import Endpoints, RemoteError
from pcr_graph.store.project import Project
from pcr_graph.store.remote import RemoteStore
from tests.support.oxigraph_server import oxigraph_fixture  # noqa: F401
from tests.support.virtuoso_server import Virtuoso, virtuoso_fixture  # noqa: F401

DEMO_AREAS = ("mb", "tl", "wv")
TARGET = "https://example.org/pcr-graph/test/demo"

VIRTUOSO_FRAGILE: dict[str, str] = {
    "providers-in-area": "GROUP_CONCAT's order is not defined by SPARQL 1.1 (§18.5.1.7): "
    "Virtuoso may join the sector labels in another order",
}
"""Queries whose answers from Virtuoso may differ from the embedded store's, and why."""


VIRTUOSO_REFUSED: dict[str, str] = {
    f"pcn-release-{change}": "Virtuoso 7.2.5 may fail to compile it (37000 SQ156 Bad dfe in "
    "sqlo_place_exp), depending on its plan; which of the six fails changes with what the "
    "database holds. The PCN register diff runs on the embedded store and oxigraph serve"
    for change in ("joined", "left", "moved", "opened", "closed", "merged")
}
"""Queries not sent to Virtuoso at all, and why."""


@pytest.fixture(scope="module")
def demo() -> Store:
    """The embedded store with the whole dataset."""
    return Project().open()


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


def library_answers(
    store: Store, skip: Collection[str] = ()
) -> dict[tuple[str, str], list[tuple[str, ...]]]:
    """Every named query and gap rule (but ``skip``), for all areas and for each demo area:
    its rows."""
    from pcr_graph.analysis.derived import ensure_derived, rule_text

    answers = {}
    derived = ensure_derived(store)  # False on a remote store without it: plain texts run
    for named in library():
        if named.family == "derive" or named.name in skip:  # derive: CONSTRUCTs, not answers
            continue
        takes_area = any(p.name == "area" for p in named.params)
        for area in (*DEMO_AREAS, "*") if takes_area else ("*",):
            values = {} if area == "*" else {"area": area}
            extra = {p.name: p.default for p in named.params if p.default and p.name != "area"}
            if any(p.required and p.name not in {**values, **extra} for p in named.params):
                continue
            bindings = bind_params(store, named, {**values, **extra})  # type: ignore[arg-type]
            table = store.query(rule_text(named.path, named.text, derived), bindings or None)
            assert isinstance(table, Table)
            answers[(named.name, area)] = [tuple(row.values()) for row in table.strings()]
    return answers


def compare_commands(
    remote: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    commands: list[list[str]],
) -> None:
    """Each command's standard output (or written files) locally and with ``remote``."""
    for command in commands:
        outputs = []
        # --demo on both sides: without it the local run adds a note that the workspace is
        # empty, which a remote store (whose data is not the workspace's) rightly leaves out.
        for prefix, name in ((["--demo"], "local"), (["--demo", *remote], "remote")):
            args = [str(tmp_path / name / a) if a.startswith("OUT/") else a for a in command]
            (tmp_path / name).mkdir(exist_ok=True)
            code, out, err = run_cli([*prefix, *args], capsys)
            assert code == 0, (command, err)
            written = sorted(
                (p.name, p.read_bytes())
                for a in args
                if a.startswith(str(tmp_path))
                for p in ([Path(a)] if Path(a).is_file() else sorted(Path(a).iterdir()))
            )
            outputs.append((out.replace(str(tmp_path / name), "OUT"), written))
        if outputs[0] != outputs[1]:
            import difflib

            diff = difflib.unified_diff(
                outputs[0][0].splitlines(), outputs[1][0].splitlines(), lineterm="", n=1
            )
            pytest.fail(f"{command}: outputs differ\n" + "\n".join(list(diff)[:40]))
        assert outputs[0][0].strip() or outputs[0][1], command


READ_COMMANDS = [
    ["query", "areas", "--format", "csv"],
    ["query", "stale-evidence", "-p", "before", "2020-01-01", "--format", "json"],
    ["query", "planning-table-matrix", "--format", "csv"],
    ["gaps", "--area", "tl", "--format", "json"],
    ["gaps", "--format", "json"],
    ["gaps", "--format", "md"],
    ["gaps", "--format", "csv"],
    ["metrics", "--area", "mb", "--format", "json"],
    ["metrics", "--area", "wv"],
    ["compare", "mb", "wv"],
    ["render", "--area", "tl", "-o", "OUT/tl.html"],
    ["render", "--area", "mb", "-o", "OUT/mb.html"],
    ["export", "--format", "gexf", "-o", "OUT/net.gexf"],
    ["export", "--format", "graphml", "-o", "OUT/net.graphml"],
    ["export", "--format", "csv", "-o", "OUT/csv"],
    ["export", "--format", "turtle", "-o", "OUT/all.ttl"],
    ["export", "--format", "nt", "-o", "OUT/all.nt"],
    ["export", "--format", "jsonld", "-o", "OUT/all.jsonld"],
]
"""Read commands whose output must not depend on where the store is: with Virtuoso too."""


# --------------------------------------------------------------------------------------
# Virtuoso 7


@pytest.mark.slow
def test_push_to_virtuoso_reads_back_isomorphic(virtuoso: Virtuoso, demo: Store) -> None:
    endpoints = Endpoints.from_url(virtuoso.sparql, store=virtuoso.graph_store)
    assert endpoints.update == virtuoso.sparql  # Virtuoso takes updates at /sparql
    report = push_graph(demo.graph(), endpoints, TARGET + "/push")
    assert (report.verified, report.replaced_by, report.triples) == (
        "isomorphic",
        "MOVE",
        len(demo),
    )
    remote = RemoteStore(virtuoso.scoped(TARGET + "/push"))
    assert len(remote) == len(demo)
    assert isomorphic(remote.graph(), demo.graph())
    # a second push replaces the graph, and leaves no temporary graph behind
    smaller = demo.graph()
    for triple in list(smaller)[: len(smaller) // 2]:
        smaller.remove(triple)
    push_graph(smaller, endpoints, TARGET + "/push")
    assert isomorphic(remote.graph(), smaller)
    graphs = RemoteStore(virtuoso.sparql).query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
    assert isinstance(graphs, Table)
    assert not [g for (g,) in graphs.rows if str(g).startswith("urn:pcr-graph:push:")]


@pytest.mark.slow
def test_push_to_virtuosos_missing_default_graph_is_a_clear_error(
    virtuoso: Virtuoso, demo: Store
) -> None:
    endpoints = Endpoints.from_url(virtuoso.sparql, store=virtuoso.graph_store)
    with pytest.raises(RemoteError) as info:
        push_graph(demo.graph(), endpoints)
    message = str(info.value)
    assert "HTTP 500" in message and "default graph" in message and "<" not in message


@pytest.mark.slow
def test_every_query_on_virtuoso_matches_the_embedded_store(
    virtuoso: Virtuoso, demo: Store
) -> None:
    target = TARGET + "/library"
    push_graph(
        demo.graph(), Endpoints.from_url(virtuoso.sparql, store=virtuoso.graph_store), target
    )
    local = library_answers(demo, VIRTUOSO_REFUSED)
    remote = library_answers(RemoteStore(virtuoso.scoped(target)), VIRTUOSO_REFUSED)
    assert remote.keys() == local.keys() and len(local) >= 40
    checked = [key for key in local if key[0] not in VIRTUOSO_FRAGILE]
    assert len(checked) >= 30
    for key in checked:
        assert sorted(remote[key]) == sorted(local[key]), key
    # Virtuoso 7.2.5 does not always honour ORDER BY after GROUP BY (missing-pathway); the
    # commands sort what they print, which test_read_commands_against_virtuoso checks.
    in_order = sum(remote[key] == local[key] for key in checked)
    assert in_order >= len(checked) - 3


@pytest.mark.slow
def test_every_gap_rule_on_a_synthetic_england_in_virtuoso_matches_the_embedded_store(
    virtuoso: Virtuoso, tmp_path: Path
) -> None:
    """At this size Virtuoso 7.2.5 got the discharge rules, missing-pathway and the
    planning-table matrix wrong while they held a transitive path inside MINUS or OPTIONAL,
    or OPTIONAL aggregates; the demo is too small to show it every time."""
    from pcr_graph.analysis.derived import ensure_derived, rule_text

    data = tmp_path / "england.ttl"
    write_synthetic(data, 600, 3)
    local = open_store([*Project(workspace=tmp_path / "none", include_demo=False).files(), data])
    target = TARGET + "/synthetic"
    push_graph(
        local.graph(), Endpoints.from_url(virtuoso.sparql, store=virtuoso.graph_store), target
    )
    remote = RemoteStore(virtuoso.scoped(target))
    assert ensure_derived(local)  # the embedded store answers from its derived graph
    with_forum = local.query(
        "SELECT DISTINCT ?area WHERE { ?forum <https://w3id.org/pcr-graph/def#area> ?area } "
        "ORDER BY ?area LIMIT 2"
    )
    assert isinstance(with_forum, Table) and len(with_forum.rows) == 2
    firing: set[str] = set()
    for named in [*gap_rules(), find_query("planning-table-matrix")]:
        for bindings in (None, *({"area": area} for (area,) in with_forum.rows)):
            answers = []
            for store, derived in ((local, True), (remote, False)):
                table = store.query(rule_text(named.path, named.text, derived), bindings)
                assert isinstance(table, Table)
                answers.append(sorted(tuple(row.values()) for row in table.strings()))
            if answers[1] != answers[0]:
                here, there = (set(a) for a in answers)
                pytest.fail(
                    f"{named.name} {bindings}: {len(answers[0])} rows, {len(answers[1])} on "
                    f"Virtuoso; only here {sorted(here - there)[:3]}, "
                    f"only there {sorted(there - here)[:3]}"
                )
            firing |= {named.name} if answers[0] else set()
    assert {
        "care-home-without-discharge-link",
        "home-care-without-discharge-link",
        "forum-without-non-nhs-member",
        "missing-pathway",
        "planning-table-matrix",
    } <= firing and len(firing) >= 10, firing


@pytest.mark.slow
def test_read_commands_against_virtuoso_give_the_same_output(
    virtuoso: Virtuoso, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = TARGET + "/cli"
    code, out, err = run_cli(
        [
            *("push", "--endpoint", virtuoso.sparql),
            *("--store-url", virtuoso.graph_store, "--graph", target),
        ],
        capsys,
    )
    assert code == 0, err
    assert f"to <{target}>" in out and "checked: isomorphic; replaced by MOVE" in out
    compare_commands(["--store", virtuoso.scoped(target)], tmp_path, capsys, READ_COMMANDS)


@pytest.mark.slow
def test_virtuoso_hangs_on_sparql_query_bodies_which_we_never_send(virtuoso: Virtuoso) -> None:
    """Why queries go form-encoded: a direct POST body gets no answer from Virtuoso 7.2."""
    from pcr_graph.store.http import HttpClient

    client = HttpClient(read_timeout=2, retries=0)
    with pytest.raises(RemoteError, match="read timeout; not retried"):
        client.request(
            "POST", virtuoso.sparql, b"ASK {}", {"Content-Type": "application/sparql-query"}
        )
    assert RemoteStore(virtuoso.sparql, client=client).query("ASK { }") is True


# --------------------------------------------------------------------------------------
# oxigraph serve


@pytest.mark.slow
def test_every_query_on_oxigraph_serve_matches_the_embedded_store(
    oxigraph: str, demo: Store
) -> None:
    push_graph(demo.graph(), Endpoints.from_url(oxigraph))
    assert library_answers(RemoteStore(oxigraph)) == library_answers(demo)


@pytest.mark.slow
def test_read_commands_against_oxigraph_serve_give_the_same_output(
    oxigraph: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["push", "--endpoint", oxigraph, "--graph", TARGET], capsys)
    assert code == 0, err
    scoped = f"{oxigraph}/query?default-graph-uri={urllib.parse.quote(TARGET, safe='')}"
    commands = [
        *READ_COMMANDS,
        ["query", "providers-in-area", "-p", "area", "wv", "--format", "csv"],
    ]
    compare_commands(["--store", scoped], tmp_path, capsys, commands)


def test_trig_export_of_a_store_without_source_graphs_is_refused(oxigraph: str) -> None:
    from pcr_graph.share.export import export

    push_graph(Project().open().graph(), Endpoints.from_url(oxigraph), TARGET)
    remote = RemoteStore(f"{oxigraph}/query?default-graph-uri={TARGET}")
    with pytest.raises(UsageError, match="no source graphs"):
        export(remote, "trig", Path("unused.trig"))
    assert not Path("unused.trig").exists()
