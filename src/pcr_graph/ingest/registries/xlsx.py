"""Reading Excel workbooks (``.xlsx``) as text rows: cell values, never formulas.

An ``.xlsx`` file is a zip of XML parts. openpyxl reads it; with defusedxml installed (a
runtime dependency) openpyxl parses every part with defusedxml, which refuses XML entity
declarations, so no entity expansion ("billion laughs") or external entity can be
triggered. :func:`read_sheets` refuses to read at all if that protection is off, and refuses
a zip whose parts would unpack to more than :data:`MAX_UNPACKED` bytes.

Cells are read as the values Excel last computed (``data_only``): a formula column gives its
cached result, which an importer may use or, better, recompute from the columns it joins on.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from pcr_graph.core.errors import DataError

ZIP_MAGIC = b"PK\x03\x04"
"""The first bytes of every ``.xlsx`` (a zip file)."""

MAX_UNPACKED = 256 * 1024 * 1024
"""The most bytes the parts of a workbook may unpack to (a zip bomb is refused)."""

Sheet = tuple[str, list[tuple[int, list[str]]]]
"""A sheet's name and its non-empty rows, each with its row number (1 = first row)."""


def is_xlsx(path: Path) -> bool:
    """Whether ``path`` starts like a zip file (what every ``.xlsx`` is), by its bytes."""
    try:
        with Path(path).open("rb") as handle:
            return handle.read(4) == ZIP_MAGIC
    except OSError:
        return False


def cell_text(value: object) -> str:
    """A cell value as the text a CSV of the sheet would hold.

    >>> cell_text(20191001), cell_text(None), cell_text(3.0), cell_text(" U123 ")
    ('20191001', '', '3', 'U123')
    >>> cell_text(dt.datetime(2020, 4, 1)), cell_text(True)
    ('20200401', 'TRUE')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y%m%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet of the workbook at ``path``, as text rows (empty rows left out).

    Raises
    ------
    DataError
        When the file is not a readable workbook, declares XML entities, would unpack to
        more than :data:`MAX_UNPACKED` bytes, or defusedxml is not installed.
    """
    # Here, not at the top: openpyxl takes a while to import and only workbooks need it.
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    path = Path(path)
    if not DEFUSEDXML:
        raise DataError(
            f"{path.name}: not read: defusedxml is not installed (or OPENPYXL_DEFUSEDXML is "
            "not True), and pcr-graph reads workbooks only with XML entities refused"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path.name}: not an Excel workbook (.xlsx): {exc}") from exc
    if unpacked > MAX_UNPACKED:
        raise DataError(
            f"{path.name}: its parts would unpack to {unpacked:,} bytes, more than the "
            f"{MAX_UNPACKED:,} a registry workbook may take; not read"
        )
    try:
        # A file object, not the path: openpyxl judges a path by its extension, and a
        # registry file is recognised by its content whatever it is called.
        handle = path.open("rb")
    except OSError as exc:
        raise DataError(f"{path.name}: cannot read file: {exc.strerror}") from exc
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            sheets: list[Sheet] = []
            for sheet in book.worksheets:
                rows: list[tuple[int, list[str]]] = []
                for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                    cells = [cell_text(v) for v in values]
                    if any(cells):
                        rows.append((number, cells))
                sheets.append((sheet.title, rows))
            return sheets
        finally:
            book.close()
    except DataError:
        raise
    except Exception as exc:  # openpyxl and defusedxml raise many kinds; each means "bad file"
        kind = type(exc).__name__
        if "Forbidden" in kind:
            raise DataError(
                f"{path.name}: the workbook declares XML entities ({kind}); refused, as "
                "entities can expand without bound"
            ) from exc
        raise DataError(f"{path.name}: not a readable Excel workbook: {kind}: {exc}") from exc
    finally:
        handle.close()
