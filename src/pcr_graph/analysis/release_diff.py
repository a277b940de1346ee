"""What changed between two releases of the published PCN register.

The source of truth is six library queries, ``queries/pcn-release-*.rq`` (run them with
``pcr-graph query`` too); this module runs them with the two releases bound and gathers their
rows. Between two ePCN releases loaded in the store (``pcr:NetworkMembership`` nodes citing
their ``pcr:release``), with open memberships only (no published end date):

- practices that **joined** (in a PCN in the newer release, in none in the older),
  **left** (the other way round) or **moved** (in a PCN in both, never the same one);
- PCNs that **opened** (practices in the newer release, none in the older), **closed** (the
  other way round) or **merged** (gone from the newer release, into a PCN of it).

Identity follows ODS successions (``pcr:Succession``, chained): a practice or PCN whose code
changed is one history, never "left" and "joined"; a practice whose PCN was succeeded by
another did not move; a PCN with a recorded successor in the newer release is "merged" into
it (basis ``ODS succession``), not "closed", and its successor did not "open". A PCN gone
with no recorded successor is "closed", and also "merged" (basis ``practices``) into each
PCN holding two or more of its practices.

Each query projects each release's membership set in a sub-SELECT first and joins the sets
on the release and the practice or PCN (hash joins; about 0.2 to 1.3 s each on the whole
national import, where a NOT EXISTS per row took over 500 s).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pcr_graph.analysis.queries import bind_params, find_query
from pcr_graph.core.errors import UsageError
from pcr_graph.store.engines import Store, Table

REGISTER_NOTE = (
    "These describe the published register (NHS Digital ODS ePCN releases), not observed "
    "practice: identity follows ODS successions (a practice or PCN that changed code is one "
    "history); a practice that left may have closed, or merged with no recorded succession."
)

CHANGES = ("joined", "left", "moved", "opened", "closed", "merged")
RELEASE_QUERIES = {change: "pcn-release-" + change for change in CHANGES}
"""The library query (``queries/pcn-release-<change>.rq``) that finds each kind of change."""
"""The six changes, each the query ``pcn-release-<change>``."""

_RELEASES = """
PREFIX pcr: <https://w3id.org/pcr-graph/def#>
SELECT DISTINCT ?release WHERE {
  ?membership a pcr:NetworkMembership ;
              pcr:release ?release .
  FILTER(STRSTARTS(?release, "ePCN "))
}
ORDER BY ?release
"""


@dataclass
class ReleaseDiff:
    """The changes between two releases; every item is (code, label, ...) text."""

    old: str
    new: str
    joined: list[tuple[str, str, str]] = field(default_factory=list)
    """(practice, practice name, PCN(s) joined)."""
    left: list[tuple[str, str, str]] = field(default_factory=list)
    """(practice, practice name, PCN(s) left)."""
    moved: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(practice, practice name, old PCN(s), new PCN(s)); the practice is ``OLD->NEW`` when
    its code changed by an ODS succession."""
    opened: list[tuple[str, str]] = field(default_factory=list)
    """(PCN, PCN name)."""
    closed: list[tuple[str, str]] = field(default_factory=list)
    """(PCN, PCN name)."""
    merged: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    """(gone PCN, its name, the PCN it went into, how many of its practices went, basis:
    ``ODS succession`` or ``practices``)."""

    def counts(self) -> dict[str, int]:
        """How many of each change."""
        return {
            "practices joined": len(self.joined),
            "practices left": len(self.left),
            "practices moved": len(self.moved),
            "PCNs opened": len(self.opened),
            "PCNs closed": len(self.closed),
            "PCNs merged": len(self.merged),
        }

    def text(self, limit: int = 10) -> str:
        """A plain-text summary: the counts, then up to ``limit`` examples of each."""
        lines = [f"PCN register: {self.old} -> {self.new}", REGISTER_NOTE, ""]
        lines += [f"{name}: {count}" for name, count in self.counts().items()]
        by_succession = sum(1 for *_, basis in self.merged if basis == "ODS succession")
        lines.append(
            f"  ({by_succession} by a recorded ODS succession, "
            f"{len(self.merged) - by_succession} inferred from practices moving together)"
        )
        sections: list[tuple[str, list[str]]] = [
            ("joined", [f"{c} {n} -> {p}" for c, n, p in self.joined]),
            ("left", [f"{c} {n} <- {p}" for c, n, p in self.left]),
            ("moved", [f"{c} {n}: {a} -> {b}" for c, n, a, b in self.moved]),
            ("opened", [f"{c} {n}" for c, n in self.opened]),
            ("closed", [f"{c} {n}" for c, n in self.closed]),
            (
                "merged",
                [f"{c} {n} -> {b} ({k} practices; {s})" for c, n, b, k, s in self.merged],
            ),
        ]
        for title, items in sections:
            if items and limit > 0:
                lines += ["", f"{title} (first {min(limit, len(items))} of {len(items)}):"]
                lines += [f"  {item}" for item in items[:limit]]
        return "\n".join(lines) + "\n"


def pcn_releases(store: Store) -> list[str]:
    """The ePCN releases with memberships in the store, oldest first."""
    return [row["release"] for row in _table(store.query(_RELEASES)).strings()]


def release_diff(store: Store, old: str | None = None, new: str | None = None) -> ReleaseDiff:
    """Compare two ePCN releases (default: the oldest and the newest loaded).

    Raises
    ------
    UsageError
        When fewer than two releases are loaded, ``old``/``new`` is not one of them, or
        ``old`` is not the older.
    """
    releases = pcn_releases(store)
    if len(releases) < 2 and (old is None or new is None):
        raise UsageError(
            "release diff needs two ePCN releases in the data; loaded: "
            + (", ".join(releases) or "none (import the ePCN workbooks with import registries)")
        )
    old = old or releases[0]
    new = new or releases[-1]
    for name in (old, new):
        if name not in releases:
            raise UsageError(f"unknown release {name!r} (one of {', '.join(releases)})")
    if old >= new:
        raise UsageError(
            f"--old {old!r} must be an older release than --new {new!r} (ODS successions "
            "are followed forward in time)"
        )
    rows = {change: change_rows(store, change, old, new) for change in CHANGES}
    diff = ReleaseDiff(old, new)
    for change in ("joined", "left"):
        grouped = _grouped(rows[change], ("practiceCode",), "practiceLabel", ("pcnCode",))
        getattr(diff, change).extend((k[0], label, pcns[0]) for k, label, pcns in grouped)
    for key, label, (olds, news) in _grouped(
        rows["moved"], ("wasCode", "practiceCode"), "practiceLabel", ("oldPcnCode", "newPcnCode")
    ):
        was, now = key
        diff.moved.append((now if was == now else f"{was}->{now}", label, olds, news))
    for change in ("opened", "closed"):
        grouped = _grouped(rows[change], ("pcnCode",), "pcnLabel", ())
        getattr(diff, change).extend((k[0], label) for k, label, _ in grouped)
    seen: set[tuple[str, str]] = set()
    for row in rows["merged"]:
        if (row["pcnCode"], row["intoCode"]) not in seen:
            seen.add((row["pcnCode"], row["intoCode"]))
            diff.merged.append(
                (
                    row["pcnCode"],
                    row["pcnLabel"],
                    row["intoCode"],
                    int(row["practices"] or 0),
                    row["basis"],
                )
            )
    return diff


def change_rows(store: Store, change: str, old: str, new: str) -> list[dict[str, str]]:
    """The rows of ``pcn-release-<change>`` between two releases, as plain strings."""
    query = find_query(RELEASE_QUERIES[change])
    bindings = bind_params(store, query, {"old": old, "new": new})
    return _table(store.query(query.text, bindings)).strings()


def _grouped(
    rows: list[dict[str, str]], key: tuple[str, ...], label: str, lists: tuple[str, ...]
) -> list[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    """Rows gathered by ``key`` (in first-seen order): the least label, and each of the
    ``lists`` columns as sorted, comma-joined distinct values."""
    labels: dict[tuple[str, ...], set[str]] = defaultdict(set)
    values: dict[tuple[str, ...], list[set[str]]] = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        if row[label]:
            labels[k].add(row[label])
        slots = values.setdefault(k, [set() for _ in lists])
        for slot, column in zip(slots, lists, strict=True):
            slot.add(row[column])
    return [
        (k, min(labels[k], default=""), tuple(", ".join(sorted(s)) for s in slots))
        for k, slots in values.items()
    ]


def _table(result: object) -> Table:
    if not isinstance(result, Table):
        raise TypeError("a SELECT query gave no table")
    return result
