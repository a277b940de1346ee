"""Spreadsheet workbooks: the template, the importer, the rejects folder and merging it back.

See :mod:`pcr_graph.ingest.workbook.importer` for how rows are checked, and README.md
("Your own data") for which columns reject a row and which only warn.
"""

from pcr_graph.ingest.workbook.importer import (
    ImportResult,
    Reject,
    import_workbook,
    reference_codes,
)
from pcr_graph.ingest.workbook.rejects import import_of_rejects, write_rejects
from pcr_graph.ingest.workbook.template import DESCRIPTIVE, TEMPLATE, FileSpec, Row

__all__ = [
    "DESCRIPTIVE",
    "TEMPLATE",
    "FileSpec",
    "ImportResult",
    "Reject",
    "Row",
    "import_of_rejects",
    "import_workbook",
    "reference_codes",
    "write_rejects",
]
