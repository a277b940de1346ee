"""What changed between two releases of the published PCN register.

Between two ePCN releases loaded in the store (``pcr:NetworkMembership`` nodes citing their
``pcr:release``), with open memberships only (no published end date):

- practices that **joined** (in a PCN in the newer release, in none in the older),
  **left** (the other way round) or **moved** (in a PCN in both, never the same one);
- PCNs that **opened** (practices in the newer release, none in the older), **closed** (the
  other way round) or **merged** (closed, while two or more of their practices sit together
  in one other PCN of the newer release).

These describe the published register, not observed practice: a practice "leaving" may be
one that closed, merged or changed code (see ``dcterms:isReplacedBy`` from ODS successions).

Each release's memberships are read with one bound query; the comparison is set arithmetic,
linear in the number of memberships.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rdflib import Literal

from pcr_graph.core.errors import UsageError
from pcr_graph.store.engines import Store, Table

REGISTER_NOTE = (
    "These describe the published register (NHS Digital ODS ePCN releases), not observed "
    "practice: a practice that left may have closed, merged or changed code."
)

_RELEASES = """
PREFIX pcr: <https://w3id.org/pcr-graph/def#>
SELECT DISTINCT ?release WHERE {
  ?membership a pcr:NetworkMembership ;
              pcr:release ?release .
  FILTER(STRSTARTS(?release, "ePCN "))
}
ORDER BY ?release
"""

_OPEN = """
PREFIX pcr: <https://w3id.org/pcr-graph/def#>
SELECT ?release ?practice ?pcn WHERE {
  ?membership pcr:release ?release ;
              a pcr:NetworkMembership ;
              pcr:practice ?practice ;
              pcr:network ?pcn .
  OPTIONAL { ?membership pcr:endDate ?ended }
  FILTER(!BOUND(?ended))
}
"""

_LABELS = """
PREFIX pcr: <https://w3id.org/pcr-graph/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?node ?code ?label WHERE {
  ?membership a pcr:NetworkMembership ;
              pcr:release ?release .
  { ?membership pcr:practice ?node } UNION { ?membership pcr:network ?node }
  OPTIONAL { ?node pcr:odsCode ?code }
  OPTIONAL { ?node skos:prefLabel ?label }
}
"""


@dataclass
class ReleaseDiff:
    """The changes between two releases; every item is (code, label, ...) text."""

    old: str
    new: str
    joined: list[tuple[str, str, str]] = field(default_factory=list)
    """(practice, practice name, PCN joined)."""
    left: list[tuple[str, str, str]] = field(default_factory=list)
    """(practice, practice name, PCN left)."""
    moved: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(practice, practice name, old PCN(s), new PCN(s))."""
    opened: list[tuple[str, str]] = field(default_factory=list)
    """(PCN, PCN name)."""
    closed: list[tuple[str, str]] = field(default_factory=list)
    """(PCN, PCN name)."""
    merged: list[tuple[str, str, str, int]] = field(default_factory=list)
    """(closed PCN, its name, the PCN its practices went to, how many went)."""

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
        sections: list[tuple[str, list[str]]] = [
            ("joined", [f"{c} {n} -> {p}" for c, n, p in self.joined]),
            ("left", [f"{c} {n} <- {p}" for c, n, p in self.left]),
            ("moved", [f"{c} {n}: {a} -> {b}" for c, n, a, b in self.moved]),
            ("opened", [f"{c} {n}" for c, n in self.opened]),
            ("closed", [f"{c} {n}" for c, n in self.closed]),
            ("merged", [f"{c} {n} -> {b} ({k} practices)" for c, n, b, k in self.merged]),
        ]
        for title, items in sections:
            if items:
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
        When fewer than two releases are loaded, or ``old``/``new`` is not one of them.
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
    before, after = _open(store, old), _open(store, new)
    code, label = _labels(store)

    def pcns(iris: set[str]) -> str:
        return ", ".join(sorted(code.get(i, i) for i in iris))

    diff = ReleaseDiff(old, new)
    for practice in sorted(set(after) - set(before), key=lambda p: code.get(p, p)):
        diff.joined.append(
            (code.get(practice, practice), label.get(practice, ""), pcns(after[practice]))
        )
    for practice in sorted(set(before) - set(after), key=lambda p: code.get(p, p)):
        diff.left.append(
            (code.get(practice, practice), label.get(practice, ""), pcns(before[practice]))
        )
    for practice in sorted(set(before) & set(after), key=lambda p: code.get(p, p)):
        if not before[practice] & after[practice]:
            diff.moved.append(
                (
                    code.get(practice, practice),
                    label.get(practice, ""),
                    pcns(before[practice]),
                    pcns(after[practice]),
                )
            )
    old_pcns = {p for pcs in before.values() for p in pcs}
    new_pcns = {p for pcs in after.values() for p in pcs}
    diff.opened = [(code.get(p, p), label.get(p, "")) for p in _by_code(new_pcns - old_pcns, code)]
    closed = _by_code(old_pcns - new_pcns, code)
    diff.closed = [(code.get(p, p), label.get(p, "")) for p in closed]
    members: dict[str, set[str]] = defaultdict(set)
    for practice, pcs in before.items():
        for pcn in pcs:
            members[pcn].add(practice)
    for pcn in closed:
        went = Counter(p for practice in members[pcn] for p in after.get(practice, ()))
        for target, count in sorted(went.items(), key=lambda t: (-t[1], code.get(t[0], t[0]))):
            if count >= 2:
                diff.merged.append(
                    (code.get(pcn, pcn), label.get(pcn, ""), code.get(target, target), count)
                )
    return diff


def _table(result: object) -> Table:
    if not isinstance(result, Table):
        raise TypeError("a SELECT query gave no table")
    return result


def _by_code(iris: set[str], code: dict[str, str]) -> list[str]:
    return sorted(iris, key=lambda i: code.get(i, i))


def _open(store: Store, release: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for row in _table(store.query(_OPEN, {"release": Literal(release)})).strings():
        out[row["practice"]].add(row["pcn"])
    return out


def _labels(store: Store) -> tuple[dict[str, str], dict[str, str]]:
    code: dict[str, str] = {}
    label: dict[str, str] = {}
    for row in _table(store.query(_LABELS)).strings():
        node = row["node"]
        if row.get("code"):
            code[node] = row["code"]
        elif node not in code:
            code[node] = node.rsplit("/", 1)[-1]
        if row.get("label"):
            label[node] = row["label"]
    return code, label
