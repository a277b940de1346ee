"""The SPARQL 1.1 Service Description, answered on ``GET /sparql`` without a query.

Clients such as Comunica read it to learn that the URL is a SPARQL endpoint
(``sd:endpoint``); it also says what the endpoint speaks and which graphs it holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCTERMS_DESCRIPTION = "http://purl.org/dc/terms/description"

RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "RDF_XML",
    "JSON-LD",
    "N3",
    "TriG",
    "N-Quads",
)


def description_triples(endpoint_url: str, graphs: Iterable[str]) -> list[Any]:
    """The service description of the endpoint at ``endpoint_url`` (pyoxigraph Triples)."""
    import pyoxigraph as ox

    def iri(text: str) -> Any:
        return ox.NamedNode(text)

    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    rdf_type = iri(RDF_TYPE)
    triples = [
        ox.Triple(service, rdf_type, iri(SD + "Service")),
        ox.Triple(service, iri(SD + "endpoint"), iri(endpoint_url)),
        ox.Triple(service, iri(SD + "supportedLanguage"), iri(SD + "SPARQL11Query")),
        ox.Triple(service, iri(SD + "feature"), iri(SD + "UnionDefaultGraph")),
        ox.Triple(
            service,
            iri(DCTERMS_DESCRIPTION),
            ox.Literal(
                "pcr-graph's read-only SPARQL 1.1 endpoint: no update, no SERVICE, "
                "a dataset may name only the graphs listed here"
            ),
        ),
        ox.Triple(service, iri(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, iri(SD + "Dataset")),
        ox.Triple(dataset, iri(SD + "defaultGraph"), default),
        ox.Triple(default, rdf_type, iri(SD + "Graph")),
    ]
    triples += [
        ox.Triple(service, iri(SD + "resultFormat"), iri(FORMATS + name)) for name in RESULT_FORMATS
    ]
    for number, name in enumerate(sorted(graphs)):
        node = ox.BlankNode(f"graph{number}")
        triples += [
            ox.Triple(dataset, iri(SD + "namedGraph"), node),
            ox.Triple(node, rdf_type, iri(SD + "NamedGraph")),
            ox.Triple(node, iri(SD + "name"), iri(name)),
        ]
    return triples
