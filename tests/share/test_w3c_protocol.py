"""The W3C SPARQL 1.1 Protocol test suite (query side) against ``pcr-graph serve``.

The suite (``../shared/testsuites/w3c-sparql11-protocol/protocol/manifest.ttl``, copied from
w3c/rdf-tests) describes each test as HTTP requests and the expected response: a status
class, a result format (boolean, tabular, RDF) and an ASK answer. The endpoint serves an
Oxigraph store holding the suite's graphs (``ut:graphData``: data1-3 under their labels);
each request is sent as written, to this endpoint's ``/sparql/``, with ``Host`` naming it.

Every query test passes; the update tests are not run: the endpoint is read-only and refuses
all of them (403), a deliberate refusal documented in docs/sharing.md.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from pcr_graph.share.endpoint import EndpointConfig, SparqlEndpoint
from tests.conftest import record_cases

SUITE = Path(__file__).resolve().parents[3] / "shared" / "testsuites" / "w3c-sparql11-protocol"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RESULT_TYPES = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ),
}


@dataclass(frozen=True)
class Step:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: str | None
    statuses: tuple[int, ...]
    """Acceptable status classes (2 for 2xx, ...)."""
    form: str | None
    boolean: bool | None


@dataclass(frozen=True)
class Case:
    name: str
    steps: tuple[Step, ...]
    graphs: tuple[tuple[str, str], ...]
    """(file, graph name) pairs the test expects the service to hold."""


def _manifest() -> Graph:
    folder = SUITE / "protocol"
    if not (folder / "manifest.ttl").is_file():
        pytest.fail(f"the W3C protocol suite is missing: {folder}", pytrace=False)
    return Graph().parse(folder / "manifest.ttl", publicID=BASE)


def load_cases() -> list[Case]:
    graph = _manifest()
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    cases = []
    for test in Collection(graph, graph.value(manifest, MF.entries)):
        name = str(test).split("#")[1]
        action = graph.value(test, MF.action)
        steps = []
        for req in Collection(graph, graph.value(action, HT.requests)):
            body_node = graph.value(req, HT.body)
            header_list = graph.value(req, HT.headers)
            headers = (
                tuple(
                    (str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
                    for h in Collection(graph, header_list)
                )
                if header_list is not None
                else ()
            )
            resp = graph.value(req, HT.resp)
            statuses = tuple(
                sorted(
                    int(str(s).split("StatusCode")[1][0])
                    for s in graph.objects(resp, MF.expectedStatus)
                )
            )
            form = graph.value(resp, MF.expectedFormat)
            boolean = graph.value(resp, MF.expectedBoolean)
            steps.append(
                Step(
                    str(graph.value(req, HT.methodName)),
                    str(graph.value(req, HT.absolutePath)),
                    headers,
                    None if body_node is None else str(graph.value(body_node, CNT.chars)),
                    statuses,
                    None if form is None else str(form),
                    None if boolean is None else bool(boolean.toPython()),
                )
            )
        data = tuple(
            (str(graph.value(d, UT.graph)), str(graph.value(d, RDFS.label)))
            for d in graph.objects(test, UT.graphData)
        )
        cases.append(Case(name, tuple(steps), data))
    return cases


CASES = load_cases()
QUERY_CASES = [c for c in CASES if "update" not in c.name]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlEndpoint]:
    folder = tmp_path_factory.mktemp("w3c-protocol") / "store"
    store = ox.Store(str(folder))
    loaded = set()
    for case in CASES:
        for file, name in case.graphs:
            if name in loaded:
                continue
            loaded.add(name)
            path = SUITE / "protocol" / Path(file).name
            store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    store.flush()
    del store
    service = SparqlEndpoint(None, EndpointConfig(port=0, workers=2, timeout=20), store_dir=folder)
    try:
        service.start()
        yield service
    finally:
        service.close()


def send(service: SparqlEndpoint, step: Step) -> tuple[int, str, bytes]:
    host, port = service.authority.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        headers = {name: value for name, value in step.headers}
        body = None
        if step.body is not None:
            charset = headers.get("content-type", "").partition("charset=")[2] or "utf-8"
            body = step.body.encode(charset)
        connection.request(step.method, step.path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.getheader("Content-Type") or "", answer.read()
    finally:
        connection.close()


def _boolean(media: str, body: bytes) -> bool:
    if media == "application/sparql-results+json":
        value = json.loads(body)["boolean"]
        assert isinstance(value, bool)
        return value
    from xml.etree import ElementTree

    node = ElementTree.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert node is not None and node.text in ("true", "false")
    return node.text == "true"


def check(step: Step, status: int, content_type: str, body: bytes) -> None:
    assert status // 100 in step.statuses, (status, body[:300])
    media = content_type.split(";")[0].strip()
    if step.form in RESULT_TYPES:
        assert media in RESULT_TYPES[step.form], media
    if step.form == "tabular" and media == "application/sparql-results+json":
        assert "bindings" in json.loads(body)["results"]
    if step.form == "RDF":
        Graph().parse(data=body, format={"text/turtle": "turtle"}.get(media, media))
    if step.boolean is not None:
        assert _boolean(media, body) is step.boolean


def test_the_suite_has_its_query_tests() -> None:
    assert len(CASES) == 34 and len(QUERY_CASES) == 20


@pytest.mark.parametrize("case", QUERY_CASES, ids=lambda c: c.name)
def test_w3c_protocol_query(served: SparqlEndpoint, case: Case) -> None:
    record_cases("w3c protocol requests", len(case.steps))
    for step in case.steps:
        check(step, *send(served, step))


COUNT_ALL = Step(
    "GET",
    "/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20%7B%20GRAPH%20%3Fg%20%7B%3Fs%20%3Fp%20%3Fo%7D%20%7D",
    (),
    None,
    (2,),
    None,
    None,
)


def _is_query(step: Step) -> bool:
    media = dict(step.headers).get("content-type", "")
    return (
        "query=" in step.path
        or media.startswith("application/sparql-query")
        or (step.body or "").startswith("query=")
    )


@pytest.mark.parametrize("case", [c for c in CASES if "update" in c.name], ids=lambda c: c.name)
def test_w3c_protocol_update_is_refused(served: SparqlEndpoint, case: Case) -> None:
    """The deliberate refusal: every update request gets 4xx and the data stays the same."""
    before = send(served, COUNT_ALL)
    updates = [step for step in case.steps if not _is_query(step)]
    assert updates
    for step in updates:  # the read-back steps' expectations assume the update ran
        status, _, body = send(served, step)
        assert status // 100 == 4, body
    assert send(served, COUNT_ALL) == before
