"""Changes to the collaboration graph: store copies edited with SPARQL UPDATE, snapshots at a
date, the diff between two snapshots, and what happens if a provider drops out.

The edits (``edits``) only ever touch a copy; ``diff`` compares two snapshots (links,
forums, pathways, gaps); ``whatif`` removes a provider from a copy and compares the area's
metrics and gaps before and after.
"""

from __future__ import annotations

from pcr_graph.analysis.change.diff import (
    CHANGE_COLUMNS,
    Change,
    Snapshot,
    change_rows,
    diff_dates,
    diff_files,
    diff_snapshots,
    diff_stores,
    open_snapshot,
    take_snapshot,
)
from pcr_graph.analysis.change.edits import (
    copy_store,
    remove_provider,
    restrict_to_date,
    snapshot_at,
)
from pcr_graph.analysis.change.whatif import WhatIf, what_if_remove

__all__ = [
    "CHANGE_COLUMNS",
    "Change",
    "Snapshot",
    "WhatIf",
    "change_rows",
    "copy_store",
    "diff_dates",
    "diff_files",
    "diff_snapshots",
    "diff_stores",
    "open_snapshot",
    "remove_provider",
    "restrict_to_date",
    "snapshot_at",
    "take_snapshot",
    "what_if_remove",
]
