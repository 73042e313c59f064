"""Columns a tally may carry beside its units that change what was tendered: withdrawn units, failed deliveries.

None of them is read: a holder's line gives its units still tendered, with a status
for a withdrawal or a failed delivery.  Beside gross units such a column means the
units read would count what was withdrawn, so :func:`xlpy.files.sources.read_tally`
refuses it at its first line still tendered.  This module says which headers are
such columns, as agents spell them: ``Shares Withdrawn``, ``Failed Notes``,
``Withdrawn (ADS)``, ``Shares W/D``, ``Withdrawn?``, ``Withdrawn Y/N``, and the
words run together (``WithdrawnQty``, ``SharesNotDelivered``, ``TotalWithdrawn``).
"""

from __future__ import annotations

import re

__all__ = ["UNREAD_UNITS", "unread_header"]

#: Headers (as :func:`xlpy.files.sources._key` writes them) of withdrawn or failed units.
UNREAD_UNITS = ("withdrawn", "withdrawals", "units withdrawn", "shares withdrawn", "notes withdrawn",
                "total withdrawn", "withdrawn units", "withdrawn shares", "withdrawn notes", "qty withdrawn",
                "quantity withdrawn", "failed", "failed delivery", "units failed", "shares failed", "notes failed",
                "not delivered", "undelivered", "units not delivered", "shares not delivered", "notes not delivered")
#: Words that, with one of units (:data:`_UNITS_WORDS`), make a header a column of withdrawn or failed units too
#: (``Failed Notes``, ``Withdrawn (Notes)``, ``Principal Withdrawn``).
_UNREAD_WORDS = frozenset(("withdrawn", "withdrawal", "withdrawals", "failed", "undelivered", "rejected", "defective",
                           "wd"))
_UNITS_WORDS = frozenset(("shares", "shs", "shrs", "units", "qty", "quantity", "amount", "amt", "principal", "bonds",
                          "ads"))
#: Words that make such a header something else: a fee, remarks (``Withdrawal Notes``), a reason.
_NOT_UNITS_WORDS = frozenset(("fee", "fees", "charge", "charges", "remarks", "remark", "comment", "comments", "reason",
                              "memo"))
#: Words that, beside one of withdrawal alone, say the column marks withdrawn lines (``Withdrawn Y/N``): a line
#: marked so would be counted as tendered.
_FLAG_WORDS = frozenset(("y", "n", "yn", "flag", "indicator", "ind", "marker", "is"))
#: Words that, beside one of withdrawal alone, say the column holds the units withdrawn (``TTL Withdrawn``,
#: ``Count of Withdrawals``, ``Partial Withdrawal``).
_TOTAL_WORDS = frozenset(("total", "ttl", "tot", "count", "number", "of", "partial"))
#: The words a run-together header (``WithdrawnQty``, ``SharesNotDelivered``, ``TotalWithdrawn``) is split into.
_JOINABLE = (_UNREAD_WORDS | _UNITS_WORDS | _NOT_UNITS_WORDS | _FLAG_WORDS | _TOTAL_WORDS |
             {w for header in UNREAD_UNITS for w in header.split()})


def unread_header(key: str) -> bool:
    """Whether a header (as :func:`xlpy.files.sources._key` writes it: lower case, words spaced) is a column of
    withdrawn or failed units: one of :data:`UNREAD_UNITS`, or a word of them alone or with one of units
    (``Withdrawn?``, ``Failed Notes``, ``Shares W/D``, ``Withdrawn (ADS)``, ``WithdrawnQty``)."""
    split = [w for word in re.findall(r"[a-z]+", key.replace("w/d", "wd")) for w in _split(word)]
    words = set(split)
    notes = "notes" in words and words & {"withdrawn", "failed", "undelivered"}  # (Withdrawal Notes: remarks)
    return key in UNREAD_UNITS or " ".join(split) in UNREAD_UNITS or bool(words & _UNREAD_WORDS) and not (
        words & _NOT_UNITS_WORDS) and (words <= _UNREAD_WORDS | _FLAG_WORDS | _TOTAL_WORDS | {"delivery"} or
                                       bool(words & _UNITS_WORDS) or bool(notes))


def _split(word: str) -> list[str]:
    """A word as words of :data:`_JOINABLE` run together (``withdrawnqty``, ``sharesnotdelivered``,
    ``totalwithdrawn``), the fewest that make it up, or as it is."""
    best: list[list[str] | None] = [[]] + [None] * len(word)  # best[k]: word[:k] split
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 12), end):
            if best[start] is not None and word[start:end] in _JOINABLE and (
                    best[end] is None or len(best[start]) + 1 < len(best[end])):
                best[end] = best[start] + [word[start:end]]
    return best[-1] if best[-1] is not None and len(best[-1]) > 1 else [word]
