"""store_to_turtle: the same bytes as to_turtle(store.graph()), without the rdflib graph.

Every test compares the fast path with the rdflib route it replaces, on the demo data, on a
synthetic England, on a hand-written graph of awkward terms and on generated graphs; and
checks that what it writes loads back to the same triples.
"""

from __future__ import annotations

import logging
import string
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from pcr_graph.core.errors import DataError
from pcr_graph.core.files import FOOTER, MARKER, atomic_write_text, footer_line, verify_footer
from pcr_graph.core.namespaces import ID, PCR, PREFIXES, SECTOR
from pcr_graph.core.resources import ontology_files, reference_files
from pcr_graph.ingest.synth import write_synthetic
from pcr_graph.store.engines import OxigraphStore, RdflibStore, Store, open_store
from pcr_graph.store.turtle import (
    _namespace_manager,
    _TurtleWriter,
    parse_file,
    store_to_turtle,
    to_turtle,
)

HEADER = "pcr-graph dataset\nsecond header line"


@pytest.fixture(autouse=True)
def _quiet_rdflib() -> Iterator[None]:
    # rdflib logs a traceback and warns for every ill-typed literal it converts; the
    # awkward graphs below have them on purpose.
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield
    logger.setLevel(level)


def _assert_same_as_rdflib_route(store: Store) -> str:
    fast = store_to_turtle(store, HEADER)
    assert fast == to_turtle(store.graph(), HEADER)
    return fast


def _assert_reloads(text: str, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "graph.ttl"
    atomic_write_text(path, text)
    verify_footer(path.read_bytes(), str(path))
    assert isomorphic(parse_file(path), store.graph())


# --- real data ----------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_data_is_byte_identical_and_reloads(tmp_path: Path) -> None:
    store = open_store([*ontology_files(), *reference_files(include_demo=True)])
    text = _assert_same_as_rdflib_route(store)
    _assert_reloads(text, store, tmp_path)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("synth") / "england.ttl"
    write_synthetic(path, 500, seed=1)
    return open_store([*ontology_files(), *reference_files(include_demo=False), path])


@pytest.mark.slow
def test_synthetic_england_is_byte_identical(synthetic: Store) -> None:
    text = _assert_same_as_rdflib_route(synthetic)
    assert f"\n{FOOTER}{len(synthetic.graph())} triples, sha256 " in text


@pytest.mark.slow
def test_bug_rdflib_default_prefix_left_graph_ttl_unloadable(
    synthetic: Store, tmp_path: Path
) -> None:
    # The synthetic dataset is a dctype:Dataset. rdflib binds dcmitype: (and schema:,
    # dcat:, ...) by default, so to_turtle wrote "dcmitype:Dataset" with no @prefix line
    # and the file did not parse. Only the project's prefixes may abbreviate.
    text = store_to_turtle(synthetic, HEADER)
    assert "dcmitype:" not in text
    assert "<http://purl.org/dc/dcmitype/Dataset>" in text
    _assert_reloads(text, synthetic, tmp_path)


# --- awkward terms ------------------------------------------------------------------------

EX = "http://example.org/"
WEIRD = URIRef("http://example.org/types#weird")


def _lit(text: str, datatype: URIRef | None = None, lang: str | None = None) -> Literal:
    # normalize=False: Oxigraph, not rdflib, should see the lexical form as written.
    return Literal(text, datatype=datatype, lang=lang, normalize=False)


LABELS = [
    _lit("line one\nline two"),
    _lit('say "hi"'),
    _lit("back\\slash"),
    _lit('ends with a quote\n"'),
    _lit('three """ quotes\nand a newline'),
    _lit("carriage\rreturn"),
    _lit("tab\there"),
    _lit(""),
    _lit("café — 😀 שלום"),
    _lit("colour", lang="en-GB"),
    _lit("color", lang="en"),
    _lit("Farbe\nneu", lang="de"),
    _lit(str(ID) + "plain"),  # the same text as an IRI object next to it
    ID.plain,
    _lit("typed string", XSD.string),
]
TYPED = [
    _lit("42", XSD.integer),
    _lit("007", XSD.integer),
    _lit("-5", XSD.integer),
    _lit("not a number", XSD.integer),
    _lit("true", XSD.boolean),
    _lit("0", XSD.boolean),
    _lit("1.50", XSD.decimal),
    _lit("2", XSD.decimal),
    _lit("1e3", XSD.double),
    _lit("INF", XSD.double),
    _lit("-INF", XSD.float),
    _lit("NaN", XSD.double),
    _lit("0.1", XSD.float),
    _lit("2020-04-01", XSD.date),
    _lit("2020-02-30", XSD.date),
    _lit("2021-03-04T05:06:07Z", XSD.dateTime),
    _lit("2021-03", XSD.gYearMonth),
    _lit("https://example.org/a b", XSD.anyURI),
    _lit("odd", WEIRD),
    _lit("line\nbreak", WEIRD),
    _lit("ours", PCR.sha256),
    _lit("blob", URIRef("http://purl.org/dc/dcmitype/Text")),
]
# IRIs next to a prefix: some abbreviate, some cannot, some rdflib splits its own way.
LINKED = [
    ID["123abc"],
    ID._under,
    ID["a.b"],
    ID["a%20b"],
    ID["-dash"],
    ID["area/x1"],
    ID["area/"],
    URIRef(str(ID)),
    ID["café"],
    ID["q?a=b&c=d"],
    ID["x#frag"],
    PCR.Provider,
    URIRef(PREFIXES["pcr"] + "a/b"),
    SECTOR["care-home"],
    URIRef(PREFIXES["sector"].rstrip("/")),
    URIRef("https://w3id.org/pcr-graph/def/other/x"),
    URIRef("http://purl.org/dc/dcmitype/Dataset"),
    URIRef("https://schema.org/name"),
    URIRef("http://www.w3.org/XML/1998/namespace#lang"),
    URIRef("http://www.w3.org/XML/1998/namespacelang"),
    URIRef(EX + "a!"),  # sorts before <http://example.org/a> in N-Triples text
    URIRef(EX + "a"),
    URIRef("urn:isbn:0451450523"),
    RDF.type,
    BNode("b1"),
    _lit("a literal"),
]
# Valid IRIs that rdflib abbreviates to prefixed names Turtle does not allow.
UNWRITABLE = [ID["a(b)"], ID["ends."]]


def _awkward(extra: list[URIRef]) -> Graph:
    graph = Graph()
    plain = ID.plain
    graph.add((plain, RDF.type, PCR.Provider))
    graph.add((plain, RDF.type, URIRef("http://www.w3.org/ns/org#Organization")))
    for label in LABELS:
        graph.add((plain, SKOS.prefLabel, label))
    for value in TYPED:
        graph.add((plain, PCR.quote, value))
    for target in [*LINKED, *extra]:
        graph.add((ID["a-b"], URIRef("http://www.w3.org/ns/org#linkedTo"), target))
    graph.add((RDF.type, RDFS.label, _lit("rdf:type as a subject")))
    graph.add((URIRef(EX + "a!"), URIRef(EX + "p#1"), _lit("first")))
    graph.add((URIRef(EX + "a"), URIRef(EX + "p#1"), _lit("second")))
    graph.add((URIRef(EX + "a"), URIRef(EX + "p!"), _lit("bang")))
    graph.add((URIRef(EX + "a"), URIRef(EX + "p"), _lit("no hash")))
    graph.add((BNode("b1"), RDFS.label, _lit("a blank node")))
    graph.add((BNode("b1"), RDFS.seeAlso, BNode("b2")))
    graph.add((BNode("b2"), RDFS.seeAlso, ID.plain))
    return graph


def _load_twice(store: Store, graph: Graph) -> Store:
    """Load ``graph`` as one source and every other triple again as a second source."""
    # split("\n"), not splitlines(): a literal may hold a form feed or U+2028.
    # Sorted, so which triples the second source repeats does not depend on set order;
    # blank nodes are left out of it (each load makes its own, so they would not overlap).
    lines = sorted(f"{line}\n" for line in graph.serialize(format="nt").split("\n") if line)
    store.load("".join(lines), "nt", "first")
    store.load("".join(line for line in lines[::2] if "_:" not in line), "nt", "second")
    return store


def test_awkward_terms_are_byte_identical_and_reload(tmp_path: Path) -> None:
    store = _load_twice(OxigraphStore(), _awkward([]))
    text = _assert_same_as_rdflib_route(store)
    _assert_reloads(text, store, tmp_path)
    # The two sources overlap: each triple is written, and counted, once.
    assert text.count('"a blank node"') == 1
    quads = sum(1 for _ in store.triples())  # type: ignore[attr-defined]
    assert len(store.graph()) < quads  # some triples are in both sources
    assert f"{FOOTER}{len(store.graph())} triples" in text


def test_awkward_terms_rdflib_cannot_write_are_still_byte_identical() -> None:
    store = _load_twice(OxigraphStore(), _awkward(UNWRITABLE))
    text = _assert_same_as_rdflib_route(store)
    assert "id:a(b)" in text  # rdflib's prefixed name, kept byte for byte


def test_other_engines_take_the_rdflib_route() -> None:
    store = _load_twice(RdflibStore(), _awkward([]))
    assert store_to_turtle(store, HEADER) == to_turtle(store.graph(), HEADER)


# --- generated terms ----------------------------------------------------------------------

NAMESPACES = [
    *PREFIXES.values(),
    str(ID) + "area/",
    EX,
    EX + "vocab#",
    "urn:x:",
    "http://www.w3.org/XML/1998/namespace",
    "http://purl.org/dc/dcmitype/",
]
# Characters an IRI may hold (percent escapes whole), including ones that stop rdflib's
# prefixed names or end them oddly.
LOCAL_PIECES = [
    *string.ascii_letters[:6],
    *string.digits[:3],
    *"_-.~!$&'()*+,;=:@/?",
    "%41",
    "é",
    "ß",
    "·",
    "\u0301",
    "\u0660",
]

iris = st.builds(
    lambda ns, pieces: URIRef(ns + "".join(pieces)),
    st.sampled_from(NAMESPACES),
    st.lists(st.sampled_from(LOCAL_PIECES), max_size=6),
)
blank_nodes = st.sampled_from([BNode(f"b{i}") for i in range(3)])
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=8) | st.sampled_from(
    ['"', '""', '"""', "\\", '\\"', "\n", '\n"', '\n\\"', "a\r\n", "INF", "NaN", "inf"]
)
NUMBERS = ["1", "01", "-0", "+3", "1.0", "1.50", "1e3", "1E-2", "-INF", "true", "false", "0"]
DATES = ["2020-01-01", "2020-02-30", "2021-03-04T05:06:07Z", "12:00:00", "2021-03"]
lexical_forms = texts | st.sampled_from([*NUMBERS, *DATES])
DATATYPES = [
    XSD.string,
    XSD.integer,
    XSD.int,
    XSD.boolean,
    XSD.decimal,
    XSD.double,
    XSD.float,
    XSD.date,
    XSD.dateTime,
    XSD.time,
    XSD.gYearMonth,
    XSD.anyURI,
    WEIRD,
    PCR.sha256,
]
literals = (
    st.builds(_lit, texts)
    | st.builds(lambda t, lang: _lit(t, lang=lang), texts, st.sampled_from(["en", "en-GB", "de"]))
    | st.builds(_lit, lexical_forms, st.sampled_from(DATATYPES))
)
subjects = iris | blank_nodes
objects = iris | blank_nodes | literals
triples = st.tuples(subjects, iris | st.just(RDF.type), objects)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(triples, max_size=25))
def test_generated_graphs_are_byte_identical(triples: list[tuple[URIRef, URIRef, URIRef]]) -> None:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    _assert_same_as_rdflib_route(_load_twice(OxigraphStore(), graph))


@pytest.mark.slow
@settings(max_examples=1000, deadline=None)
@given(iris)
def test_iri_text_is_rdflibs(iri: URIRef) -> None:
    expected = iri.n3(_namespace_manager())
    assert _TurtleWriter()._iri_text(str(iri)) == expected


# --- the footer ---------------------------------------------------------------------------


def test_footer_line_is_what_verify_footer_checks() -> None:
    body = f"{MARKER}\n# no triples\n".encode()
    data = body + footer_line(body, 0).encode()
    assert footer_line(body, 0).startswith(FOOTER)
    verify_footer(data, "ok.ttl")
    with pytest.raises(DataError, match="damaged"):
        verify_footer(data.replace(b"no triples", b"no triplex"), "bad.ttl")
