"""Hostile files, tested as classes: XML entities, JSON-LD context references, forged or cut
checksum footers, special files as inputs and outputs, formula cells in every CSV we write.

Each family is generated (hypothesis) or enumerated, and its cases are counted for
``benchmarks/hardening_summary.py``.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcr_graph.core.csvsafe import FORMULA_STARTS, read_cell, safe_cell
from pcr_graph.core.errors import DataError
from pcr_graph.core.files import (
    MARKER,
    atomic_write_text,
    footer_line,
    read_input,
)
from pcr_graph.render.tables import format_rows
from pcr_graph.store.engines import open_store
from pcr_graph.store.turtle import parse_file
from tests.conftest import record_cases

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ENGINES = ("oxigraph", "rdflib")

# -- XML entities ------------------------------------------------------------------------


@st.composite
def entity_document(draw: st.DrawFn) -> tuple[str, bytes]:
    """An RDF/XML document that declares entities: nested (billion laughs), external
    (file:, http:), parameter entities; in UTF-8 or UTF-16, with or without an XML declaration."""
    depth = draw(st.integers(1, 12))
    kind = draw(st.sampled_from(["nested", "external-file", "external-http", "parameter"]))
    if kind == "nested":
        decls = ['<!ENTITY e0 "lol">'] + [
            f'<!ENTITY e{i} "{"&e" + str(i - 1) + ";" * 1}' + f"&e{i - 1};" * 9 + '">'
            for i in range(1, depth)
        ]
        use = f"&e{depth - 1};"
    elif kind == "external-file":
        decls = ['<!ENTITY x SYSTEM "file:///etc/passwd">']
        use = "&x;"
    elif kind == "external-http":
        decls = ['<!ENTITY x SYSTEM "http://127.0.0.1:9/x">']
        use = "&x;"
    else:
        decls = ['<!ENTITY % p SYSTEM "file:///etc/passwd">', "%p;"]
        use = "x"
    text = (
        '<?xml version="1.0" encoding="{enc}"?>\n'
        f"<!DOCTYPE rdf:RDF [{' '.join(decls)}]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:skos="http://www.w3.org/2004/02/skos/core#">'
        f'<rdf:Description rdf:about="https://example.org/p"><skos:prefLabel>{use}'
        "</skos:prefLabel></rdf:Description></rdf:RDF>\n"
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-16"]))
    return kind, text.replace("{enc}", encoding).encode(encoding)


@pytest.mark.parametrize("engine", ENGINES)
def test_xml_entities_are_refused_by_every_loader(tmp_path: Path, engine: str) -> None:
    store = open_store([], engine)

    @SETTINGS
    @given(case=entity_document())
    def check(case: tuple[str, bytes]) -> None:
        _kind, data = case
        path = tmp_path / "bomb.rdf"
        path.write_bytes(data)
        before = len(store)
        with pytest.raises(DataError, match="refused: the XML declares or references an entity"):
            store.load_file(path)
        assert len(store) == before
        with pytest.raises(DataError, match="entity"):
            parse_file(path)
        record_cases("xml entity documents", 1)

    check()


def test_plain_rdf_xml_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "plain.rdf"
    path.write_text(
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:skos="http://www.w3.org/2004/02/skos/core#"><rdf:Description'
        ' rdf:about="https://example.org/p"><skos:prefLabel>P &amp; Q</skos:prefLabel>'
        "</rdf:Description></rdf:RDF>",
        encoding="utf-8",
    )
    for engine in ENGINES:
        store = open_store([path], engine)
        assert len(store) == 1
    assert len(parse_file(path)) == 1


# -- JSON-LD contexts by reference -------------------------------------------------------

REFERENCES = st.sampled_from(
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/context.jsonld",
        "https://schema.org/",
        "context.jsonld",
        "/etc/hostname",
    ]
)


@st.composite
def context_document(draw: st.DrawFn) -> str:
    """A JSON-LD document with a context given by reference somewhere: top level, in a list,
    in a nested node, in a scoped term definition, or through @import."""
    ref = draw(REFERENCES)
    inline = {"skos": "http://www.w3.org/2004/02/skos/core#"}
    place = draw(st.sampled_from(["top", "list", "nested", "scoped", "import"]))
    node: dict[str, object] = {"@id": "https://example.org/p", "skos:prefLabel": "P"}
    if place == "top":
        doc: dict[str, object] = {"@context": ref, **node}
    elif place == "list":
        doc = {"@context": [inline, ref], **node}
    elif place == "nested":
        doc = {"@context": inline, **node, "skos:related": {"@context": ref, "@id": "urn:x"}}
    elif place == "scoped":
        doc = {"@context": {**inline, "rel": {"@id": "skos:related", "@context": ref}}, **node}
    else:
        doc = {"@context": {**inline, "@import": ref}, **node}
    import json

    return json.dumps(doc)


@pytest.mark.parametrize("engine", ENGINES)
def test_jsonld_context_references_are_never_followed(tmp_path: Path, engine: str) -> None:
    store = open_store([], engine)

    @SETTINGS
    @given(document=context_document())
    def check(document: str) -> None:
        path = tmp_path / "doc.jsonld"
        path.write_text(document, encoding="utf-8")
        with pytest.raises(DataError, match="refers to a context by reference"):
            store.load_file(path)
        with pytest.raises(DataError, match="context by reference"):
            parse_file(path)
        assert len(store) == 0
        record_cases("json-ld context references", 1)

    check()


# -- the checksum footer ------------------------------------------------------------------

BODY = (
    MARKER
    + "\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    + "".join(f'<https://example.org/p{i}> skos:prefLabel "P{i}" .\n' for i in range(12))
)


def _ours(body: str = BODY, triples: int = 12) -> bytes:
    return (body + footer_line(body.encode("utf-8"), triples)).encode("utf-8")


@st.composite
def damaged_file(draw: st.DrawFn) -> bytes:
    """A file we wrote, then: cut anywhere, a byte changed, the first (marker) line deleted,
    the triple count changed, or lines dropped with the checksum recomputed but not the count."""
    data = _ours()
    how = draw(st.sampled_from(["cut", "flip", "no-marker", "count", "drop-lines"]))
    if how == "cut":
        return data[: draw(st.integers(1, len(data) - 1))]
    if how == "flip":
        at = draw(st.integers(0, len(data) - 2))
        new = bytes([data[at] ^ draw(st.integers(1, 255))])
        return data[:at] + new + data[at + 1 :]
    if how == "no-marker":
        return data.split(b"\n", 1)[1]
    if how == "count":
        wrong = draw(st.integers(0, 100).filter(lambda n: n != 12))
        return _ours(triples=wrong)
    lines = BODY.splitlines(keepends=True)
    keep = draw(st.integers(2, len(lines) - 1))
    body = "".join(lines[:keep])
    return _ours(body, triples=12)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_a_cut_or_damaged_file_of_ours_is_refused(tmp_path: Path, engine: str) -> None:
    good = tmp_path / "good.ttl"
    good.write_bytes(_ours())
    assert len(open_store([good], engine)) == 12

    @SETTINGS
    @given(data=damaged_file())
    def check(data: bytes) -> None:
        path = tmp_path / "damaged.ttl"
        path.write_bytes(data)
        store = open_store([], engine)
        with pytest.raises(DataError, match=r"truncated|damaged|not valid"):
            store.load_file(path)
        assert len(store) == 0, "a refused file added triples"
        record_cases("damaged turtle files", 1)

    check()


def test_a_foreign_file_without_marker_or_footer_loads(tmp_path: Path) -> None:
    path = tmp_path / "theirs.ttl"
    path.write_text(BODY.split("\n", 1)[1], encoding="utf-8")
    assert len(open_store([path])) == 12


# -- special files as inputs --------------------------------------------------------------


def _special_inputs(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    return {"fifo": fifo, "zero": zero, "dangling": dangling, "loop": loop, "folder": folder}


def test_special_files_as_inputs_get_one_message_and_never_hang(tmp_path: Path) -> None:
    expected = {
        "fifo": "not a regular file",
        "zero": "not a regular file",
        "dangling": "broken symbolic link",
        "loop": "loop of symbolic links",
        "folder": "a folder",
    }
    for name, path in _special_inputs(tmp_path).items():
        with pytest.raises(DataError, match=expected[name]) as raised:
            read_input(path)
        assert str(path) in str(raised.value)
        record_cases("special input files", 1)


def test_special_files_as_rdf_sources_are_refused_by_every_engine(tmp_path: Path) -> None:
    for name, path in _special_inputs(tmp_path).items():
        source = path.with_name(f"{name}.ttl")
        source.symlink_to(path)
        for engine in ENGINES:
            with pytest.raises(DataError, match=r"not a regular file|symbolic link|a folder"):
                open_store([source], engine)
        record_cases("special input files", 1)


# -- special files as outputs -------------------------------------------------------------


def test_a_symlink_output_writes_its_target_and_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "real" / "report.md"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    atomic_write_text(link, "new")
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "new"
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "made.md")
    atomic_write_text(dangling, "made")
    assert dangling.is_symlink() and (tmp_path / "made.md").read_text(encoding="utf-8") == "made"
    record_cases("special output files", 2)


def test_a_fifo_output_is_written_to_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="no process is reading"):
        atomic_write_text(fifo, "nobody reads")
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    for _ in range(200):  # wait for the reader to open its end
        try:
            atomic_write_text(fifo, "read by a process")
            break
        except DataError:
            threading.Event().wait(0.01)
    reader.join(10)
    assert got == [b"read by a process"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    record_cases("special output files", 2)


def test_devices_are_written_directly_and_errors_name_the_file() -> None:
    atomic_write_text(Path("/dev/null"), "discarded")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with pytest.raises(DataError, match="cannot write /dev/full: No space left on device"):
        atomic_write_text(Path("/dev/full"), "x" * 10)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    record_cases("special output files", 2)


def test_a_folder_output_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="it is a folder"):
        atomic_write_text(tmp_path, "x")


# -- formula cells in CSV -------------------------------------------------------------------

CELLS = st.text(max_size=12) | st.sampled_from(
    ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x", '=HYPERLINK("http://x")', "-3", "+1.5"]
)


def _plain_number(text: str) -> bool:
    """Independent oracle: digits, sign, point and exponent only, and Python reads a float."""
    if not set(text) <= set("0123456789.eE+-"):
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


@SETTINGS
@given(prefix=st.sampled_from(FORMULA_STARTS), rest=st.text(max_size=12))
def test_safe_cell_never_starts_a_formula_and_reads_back(prefix: str, rest: str) -> None:
    value = prefix + rest
    cell = safe_cell(value)
    assert not cell.startswith(FORMULA_STARTS) or _plain_number(cell)
    assert read_cell(cell) == value
    record_cases("csv formula cells", 1)


@SETTINGS
@given(rows=st.lists(st.lists(CELLS, min_size=3, max_size=3), min_size=1, max_size=5))
def test_query_csv_output_neutralises_every_cell(rows: list[list[str]]) -> None:
    text = format_rows(["a", "b", "c"], rows, "csv")
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert cell == safe_cell(cell), f"unsafe cell {cell!r}"
    record_cases("csv formula cells", 1)


def test_formula_like_names_survive_the_rejects_round_trip(tmp_path: Path) -> None:
    from pcr_graph.ingest.workbook import import_workbook, write_rejects
    from pcr_graph.ingest.workbook.importer import Reject
    from pcr_graph.ingest.workbook.template import TEMPLATE, read_table

    folder = tmp_path / "wb"
    folder.mkdir()
    names = ["=HYPERLINK(1)", "+Plus", "-Minus", "@At"]
    (folder / "areas.csv").write_text("area_id,name\nx,X (fictional)\n", encoding="utf-8")
    (folder / "providers.csv").write_text(
        "provider_id,name,sector,area\n"
        + "".join(f"p{i},{name},care-home,x\n" for i, name in enumerate(names)),
        encoding="utf-8",
    )
    rows, problems = read_table(folder / "providers.csv", TEMPLATE["providers.csv"])
    assert problems == [] and [r.cells["name"] for r in rows] == names
    graph = import_workbook(folder, name="wb").graph
    labels = {str(o) for o in graph.objects() if str(o) in names}
    assert labels == set(names)
    out = tmp_path / "rejects"
    written = write_rejects(out, [Reject(row, ()) for row in rows])
    text = next(p for p in written if p.name == "providers.csv").read_text(encoding="utf-8")
    assert all(f"'{name}" in text for name in names)  # neutralised on disk
    again, _ = read_table(out / "providers.csv", TEMPLATE["providers.csv"])
    assert [r.cells["name"] for r in again] == names  # and read back as written
    record_cases("csv formula cells", len(names))
