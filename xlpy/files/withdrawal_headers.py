"""Columns a tally may carry beside its units that change what was tendered: withdrawn units, failed deliveries.

None of them is read: a holder's line gives its units still tendered, with a status
for a withdrawal or a failed delivery.  Beside gross units such a column means the
units read would count what was withdrawn, so :func:`xlpy.files.sources.read_tally`
refuses it at its first line still tendered.  This module says which headers are
such columns, as agents spell them: ``Shares Withdrawn``, ``Failed Notes``,
``Withdrawn (ADS)``, ``Shares W/D``, ``Withdrawn?``, and the words run together
(``WithdrawnQty``, ``qty_withdrawn``, ``SharesWD``).
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
#: The words a run-together header (``WithdrawnQty``, ``sharesfailed``) is split into.
_JOINABLE = _UNREAD_WORDS | _UNITS_WORDS | {"notes"}


def unread_header(key: str) -> bool:
    """Whether a header (as :func:`xlpy.files.sources._key` writes it: lower case, words spaced) is a column of
    withdrawn or failed units: one of :data:`UNREAD_UNITS`, or a word of them alone or with one of units
    (``Withdrawn?``, ``Failed Notes``, ``Shares W/D``, ``Withdrawn (ADS)``, ``WithdrawnQty``)."""
    words = set()
    for word in re.findall(r"[a-z]+", key.replace("w/d", "wd")):
        words.update(_split(word))
    notes = "notes" in words and words & {"withdrawn", "failed", "undelivered"}  # (Withdrawal Notes: remarks)
    return key in UNREAD_UNITS or bool(words & _UNREAD_WORDS) and not words & _NOT_UNITS_WORDS and (
        words <= _UNREAD_WORDS | {"delivery"} or bool(words & _UNITS_WORDS) or bool(notes))


def _split(word: str) -> tuple[str, ...]:
    """A word as two of :data:`_JOINABLE` run together, one of withdrawal and one of units (``withdrawnqty``,
    ``sharesfailed``, ``wdshares``), or as it is."""
    for k in range(2, len(word) - 1):
        head, tail = word[:k], word[k:]
        if head in _JOINABLE and tail in _JOINABLE and ((head in _UNREAD_WORDS) != (tail in _UNREAD_WORDS)):
            return head, tail
    return (word,)
