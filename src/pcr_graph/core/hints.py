"""What a message suggests: the closest valid value, and the valid values when there are few."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

LIST_AT_MOST = 25
"""Messages list every valid value when there are at most this many."""


def closest(value: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``value`` (case-insensitively), or None if none is close.

    >>> closest("east midlands", ["London", "Midlands", "North West"])
    'Midlands'
    >>> closest("carehome", ["care-home", "hospice"])
    'care-home'
    >>> closest("zzz", ["London"]) is None
    True
    """
    folded: dict[str, str] = {}
    for candidate in candidates:
        folded.setdefault(candidate.casefold(), candidate)
    target = value.strip().casefold()
    if not target or not folded:
        return None
    starts = sorted(c for c in folded if c.startswith(target) or target.startswith(c))
    match = difflib.get_close_matches(target, list(folded), n=1, cutoff=0.6)
    if match:
        return folded[match[0]]
    if len(starts) == 1:
        return folded[starts[0]]
    return None


def did_you_mean(value: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'X'?"`` for the closest candidate, or nothing.

    >>> did_you_mean("Mutal aid", ["mutual-aid", "Mutual aid", "shared-pathway"])
    "; did you mean 'Mutual aid'?"
    """
    match = closest(value, candidates)
    return f"; did you mean {match!r}?" if match is not None else ""


def valid_values(candidates: Iterable[str], what: str) -> str:
    """``"one of a, b, c"`` when there are few, else a pointer to where they are listed.

    >>> valid_values(["b", "a"], "an area_id from areas.csv")
    'one of a, b'
    >>> valid_values([], "an area_id from areas.csv")
    'an area_id from areas.csv'
    """
    values = sorted(set(candidates))
    if not values:
        return what
    if len(values) <= LIST_AT_MOST:
        return "one of " + ", ".join(values)
    return f"{what} ({len(values)} exist)"
