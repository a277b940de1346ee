"""Real SPARQL clients, with their defaults, against ``pcr-graph serve``.

SPARQLWrapper (every query form in every return format it offers, GET and POST), rdflib's
SPARQLStore (queries and triple patterns through a Graph) and Comunica (``node`` with
``@comunica/query-sparql`` from package.json, given the endpoint URL as a plain source, so it
must recognise the endpoint from its Service Description). Answers are compared with the
embedded store's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper import (
    RDF as RDF_FORMAT,
)

from pcr_graph.core.namespaces import PCR, PREFIXES
from pcr_graph.share.endpoint import EndpointConfig, SparqlEndpoint
from pcr_graph.store.engines import Store
from pcr_graph.store.project import Project

ROOT = Path(__file__).resolve().parents[2]
PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
SELECT = PROLOGUE + "SELECT ?area ?label WHERE { ?area a pcr:Area ; skos:prefLabel ?label }"
ASK = PROLOGUE + "ASK { ?s a pcr:Provider }"
CONSTRUCT = (
    PROLOGUE
    + "CONSTRUCT { ?a a pcr:Area ; skos:prefLabel ?l } WHERE { ?a a pcr:Area ; skos:prefLabel ?l }"
)
DESCRIBE = PROLOGUE + "DESCRIBE ?a WHERE { ?a a pcr:Area } LIMIT 1"


@pytest.fixture(scope="module")
def local() -> Store:
    return Project().open()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    service = SparqlEndpoint(Project(), EndpointConfig(port=0, workers=2, timeout=30))
    try:
        service.start()
        yield service.url + "sparql"
    finally:
        service.close()


def _areas(local: Store) -> int:
    return len(list(local.graph().subjects(RDF.type, PCR.Area)))


# -- SPARQLWrapper ------------------------------------------------------------------------

WRAPPER_CALLS = [
    (kind, fmt, method)
    for kind, formats in (
        ("SELECT", (JSON, XML, CSV, TSV)),
        ("ASK", (JSON, XML, CSV, TSV)),
        ("CONSTRUCT", (XML, RDFXML, TURTLE, N3, JSONLD, RDF_FORMAT)),
        ("DESCRIBE", (XML, RDFXML, TURTLE, N3, JSONLD, RDF_FORMAT)),
    )
    for fmt in formats
    for method in (GET,)
] + [
    ("SELECT", JSON, POST),
    ("ASK", XML, POST),
    ("CONSTRUCT", TURTLE, POST),
    ("DESCRIBE", RDFXML, POST),
]


def _graph_of(result: object, fmt: str) -> Graph:
    if isinstance(result, Graph):
        return result
    assert isinstance(result, bytes), type(result)
    return Graph().parse(data=result, format={TURTLE: "turtle", N3: "n3"}.get(fmt, "xml"))


@pytest.mark.parametrize(("kind", "fmt", "method"), WRAPPER_CALLS, ids=lambda v: str(v))
def test_sparqlwrapper_defaults(
    endpoint: str, local: Store, kind: str, fmt: str, method: str
) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(
        {"SELECT": SELECT, "ASK": ASK, "CONSTRUCT": CONSTRUCT, "DESCRIBE": DESCRIBE}[kind]
    )
    client.setReturnFormat(fmt)
    client.setMethod(method)
    result = client.query().convert()
    areas = _areas(local)
    if kind == "SELECT":
        if fmt == JSON:
            assert isinstance(result, dict) and len(result["results"]["bindings"]) == areas
        elif fmt == XML:
            assert len(result.getElementsByTagName("result")) == areas  # type: ignore[union-attr]
        else:
            assert isinstance(result, bytes) and len(result.strip().splitlines()) == areas + 1
    elif kind == "ASK":
        if fmt == JSON:
            assert isinstance(result, dict) and result["boolean"] is True
        elif fmt == XML:
            assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]
        else:
            assert isinstance(result, bytes) and b"true" in result
    else:
        graph = _graph_of(result, fmt)
        if kind == "CONSTRUCT":
            assert len(set(graph.subjects(RDF.type, PCR.Area))) == areas
            assert len(list(graph.triples((None, SKOS.prefLabel, None)))) == areas
        else:
            assert len(set(graph.subjects(RDF.type, PCR.Area))) == 1


def test_sparqlwrapper_call_count() -> None:
    assert len(WRAPPER_CALLS) == 24


# -- rdflib SPARQLStore ---------------------------------------------------------------------


def test_rdflib_sparqlstore_defaults(endpoint: str, local: Store) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=endpoint))
    areas = _areas(local)
    assert len(list(graph.query(SELECT))) == areas
    assert graph.query(ASK).askAnswer is True
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None and len(set(constructed.subjects(RDF.type, PCR.Area))) == areas
    described = graph.query(DESCRIBE).graph
    assert described is not None and len(described) > 0
    # Triple patterns become SELECT queries the store writes itself.
    assert len(list(graph.triples((None, RDF.type, PCR.Area)))) == areas
    first = next(iter(local.graph().subjects(RDF.type, PCR.Area)))
    assert isinstance(first, URIRef) and (first, RDF.type, PCR.Area) in graph


# -- Comunica -------------------------------------------------------------------------------

COMUNICA_SCRIPT = """
const { QueryEngine } = require('@comunica/query-sparql');
const [url, select, ask, construct] = process.argv.slice(1);
(async () => {
  const engine = new QueryEngine();
  const context = { sources: [url] };
  const rows = await (await engine.queryBindings(select, context)).toArray();
  const answer = await engine.queryBoolean(ask, context);
  const quads = await (await engine.queryQuads(construct, context)).toArray();
  const labels = rows.map((row) => row.get('label').value).sort();
  console.log(JSON.stringify({ labels, ask: answer, quads: quads.length }));
})().catch((error) => { console.error(String(error)); process.exit(1); });
"""


@pytest.mark.slow  # node loads Comunica in several seconds
def test_comunica_defaults(endpoint: str, local: Store) -> None:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "@comunica" / "query-sparql").is_dir():
        pytest.fail(
            "Comunica is missing: run tools/test-deps.sh (npm, package.json)", pytrace=False
        )
    done = subprocess.run(
        [node, "-e", COMUNICA_SCRIPT, endpoint, SELECT, ASK, CONSTRUCT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    expected = sorted(
        str(label)
        for area in local.graph().subjects(RDF.type, PCR.Area)
        for label in local.graph().objects(area, SKOS.prefLabel)
    )
    assert answer["labels"] == expected
    assert answer["ask"] is True
    assert answer["quads"] == 2 * _areas(local)
