"""The engine's per-holder allocation, vectorised with numpy for large holder tallies.

:func:`xlpy.engine.allocation.count_tally` and :func:`~xlpy.engine.allocation.deliver`
loop over holders in Python; on a tally of a million lines that is most of
``xlpy compute``.  :data:`ALLOCATOR` does the same steps on numpy arrays and
gives the engine the same :class:`~xlpy.engine.allocation.Count` and
:class:`~xlpy.engine.allocation.Delivery`, so the engine's aggregate step
(the charge, cash, EPS: all :class:`~decimal.Decimal`) is unchanged.

It is exact because every per-holder figure is an integer: units are whole,
and a ratio with ``s`` decimals is ``numerator / 10**s``, so a holder's shares
are ``divmod(units × numerator, 10**s)``, the proration is
``units × capacity // eligible``, and the rules (tendered, withdrawn, failed;
odd lots first; floor or half away from zero) are the engine's, line for line.
Before any step it checks that no product or sum can reach 2**63; when one
could, that step is left to the engine's own Python path.  The property
tests (``tests/test_vector.py``) compare the two on random tallies.

Holder lines are grouped by a 64-bit digest of each id (:func:`holder_digest`,
computed on the ids' UTF-8 bytes at numpy speed; Python's ``hash`` when it
cannot be): a line whose digest no other line has is its holder's only line;
the few lines whose digest may repeat are summed by the digest when it is
exact (ids of up to 8 bytes), else by the id itself, so a collision never
merges two holders.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from ..engine import allocation
from ..engine.allocation import Count, Delivery
from ..engine.model import Tally
from ..engine.numbers import ONE, ZERO

__all__ = ["ALLOCATOR", "Allocator", "LIMIT", "MIN_LINES", "count_tally", "deliver", "holder_digest", "lines_with"]

#: Every integer the vectorised path computes stays below this (int64).
LIMIT = 2**63
#: Tallies shorter than this are left to the engine: numpy's set-up costs more than it saves.
MIN_LINES = 1_000
#: Ids longer than this (in UTF-8 bytes) are digested by Python's ``hash`` instead.
DIGEST_BYTES = 32


def count_tally(tally: Tally, max_units: int | None = None, odd_lot: int | None = None,
                min_lines: int = MIN_LINES) -> Count:
    """:func:`xlpy.engine.allocation.count_tally`, on arrays; ``Count.holders`` is an int64 array.

    Aggregate counts, tallies shorter than *min_lines* and tallies whose sums
    could reach 2**63 go to the engine's function (``Count.holders`` a tuple).
    """
    table = tally.holders
    if table is None or len(table) < min_lines:
        return allocation.count_tally(tally, max_units, odd_lot)
    n = len(table)
    columns = _columns(table)
    if columns is None:  # a line of 2**63 units or more
        return allocation.count_tally(tally, max_units, odd_lot)
    units, status, method, digest = columns
    if _magnitude(units) * n >= LIMIT:  # a sum of units could reach 2**63
        return allocation.count_tally(tally, max_units, odd_lot)
    live = ~lines_with(status, "withdrawn")
    good = lines_with(status, "tendered")
    guaranteed = live & lines_with(method, "guaranteed")
    tendered = int(units[live].sum())
    failed = int(units[lines_with(status, "failed")].sum())
    per_holder = _per_holder(table.holder_id, good, units, digest=digest)
    holders = per_holder[per_holder != 0]
    eligible = tendered - failed
    odd_units = odd_tendered = 0
    factor = ONE
    if max_units is not None and eligible > max_units:
        threshold = odd_lot or 0
        odd_units = odd_tendered = int(holders[holders < threshold].sum())
        if odd_units > max_units:
            threshold, odd_units = 0, 0  # not even the odd lots fit: every holder is prorated alike
        capacity = max_units - odd_units
        rest = eligible - odd_units
        if rest > capacity:
            if _magnitude(holders) * capacity >= LIMIT:
                return allocation.count_tally(tally, max_units, odd_lot)
            holders = np.where(holders < threshold, holders, holders * capacity // rest)
        factor = allocation.proration_factor(rest, capacity)
    return Count(tendered, int(units[guaranteed].sum()), failed, eligible,
                 int(holders.sum()), factor, odd_units, holders, int(np.count_nonzero(holders)), odd_tendered)


def _columns(table):
    """``(units, status, method, digest)``: units as int64, each word column as ``(codes, words)``.

    A table read by :func:`xlpy.files.sources.read_tally` carries them (``_arrays``,
    with the ids' :func:`holder_digest`, False when they have none); any other
    is converted here (digest None: not taken yet).  None when a line's units do
    not fit in int64.
    """
    arrays = vars(table).get("_arrays")
    if arrays is not None and len(arrays["units"]) == len(table):
        return arrays["units"], arrays["status"], arrays["method"], arrays.get("holders")
    try:
        units = np.fromiter(table.units, dtype=np.int64, count=len(table))
    except OverflowError:
        return None
    status = np.asarray(table.status, dtype=object)
    method = np.asarray(table.method, dtype=object)
    return units, (status, None), (method, None), None


def lines_with(column, word: str) -> np.ndarray:
    """Lines whose word is *word* (bool): a column is ``(codes, words)``, or ``(words per line, None)``."""
    codes, words = column
    if words is None:
        return codes == word
    hits = [k for k, w in enumerate(words) if w == word]
    if len(hits) == 1:  # one comparison: np.isin costs many times more on a million int8 codes
        return codes == hits[0]
    return np.array([w == word for w in words], dtype=bool)[codes]


def _magnitude(values: np.ndarray) -> int:
    """The largest absolute value in *values*, as a Python int (0 when empty)."""
    if not len(values):
        return 0
    return max(abs(int(values.min())), abs(int(values.max())))


def _per_holder(ids, good: np.ndarray, units: np.ndarray, key=hash, digest=None) -> np.ndarray:
    """Units of the *good* lines summed per holder id, in no particular order.

    A line whose id's digest no other line has is its holder's only line; the
    few lines whose digest may repeat are summed by the digest when it is exact
    (one id, one digest), else by the id itself, so a collision never merges
    two holders.  *digest*: the ids' :func:`holder_digest` when already taken
    (False: they have none); *key*: a hash per id, used when the digest cannot
    be taken or *key* is not ``hash`` (the tests pass one that collides).
    """
    if digest is None and key is hash:
        digest = holder_digest(ids)
    if not digest:
        digest = np.fromiter(map(key, ids), dtype=np.int64, count=len(ids)).view(np.uint64), False
    digest, exact = digest
    digest = digest[good]
    units = units[good]
    shared = _shared_hashes(digest)
    if not shared.any():
        return units
    if exact:
        return np.concatenate((units[~shared], _sums_by(digest[shared], units[shared])))
    lines = np.flatnonzero(good)[shared].tolist()
    sums: dict[str, int] = {}
    get = sums.get
    for holder, u in zip(map(ids.__getitem__, lines), units[shared].tolist()):
        sums[holder] = get(holder, 0) + u
    return np.concatenate((units[~shared], np.fromiter(sums.values(), dtype=np.int64, count=len(sums))))


def _sums_by(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """*values* summed per distinct key (int64, exact: the caller has bounded the sums), in key order."""
    order = np.argsort(keys)
    keys = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return np.add.reduceat(values[order], starts)


def holder_digest(ids, joined: str | None = None) -> tuple[np.ndarray, bool] | None:
    """``(digest, exact)``: a 64-bit digest of each id (uint64); equal ids have equal digests.

    Taken from the ids' UTF-8 bytes, eight at a time, mixed by the splitmix64
    finaliser (a bijection).  *exact*: no id is longer than 8 bytes, so no two
    ids share a digest; otherwise unequal ids almost never do.  *joined*:
    ``"\\0".join(ids)``, when the caller already has it.  None when an id holds
    a NUL or is longer than :data:`DIGEST_BYTES`: hash those.
    """
    n = len(ids)
    if joined is None:
        try:
            joined = "\0".join(ids)
        except TypeError:  # not all text
            return None
    if not n:
        return None
    raw = joined.encode("utf-8", "surrogatepass")
    total = len(raw) + 1  # each id and the NUL after it
    buf = np.frombuffer(raw + bytes(9), dtype=np.uint8)  # the last id's NUL, and room to read a word past it
    nul = buf[:total] == 0
    if np.count_nonzero(nul) != n:  # an id holds a NUL
        return None
    width = total // n - 1
    if total % n == 0 and nul[width::width + 1].all():  # every id *width* bytes: read its words in place
        if width > DIGEST_BYTES:
            return None
        words = -(-width // 8) or 1
        columns = [np.ndarray((n,), "<u8", buf, 8 * j, (width + 1,)) for j in range(words)]
        tail = width - 8 * (words - 1)  # the bytes of the last word that are the id's
        if tail < 8:
            columns[-1] = columns[-1] & np.uint64((1 << 8 * tail) - 1)
    else:  # ids of several lengths: zero-padded to the longest
        lengths = np.diff(np.flatnonzero(nul), prepend=-1) - 1
        width = int(lengths.max())
        if width > DIGEST_BYTES:
            return None
        words = -(-width // 8) or 1
        padded = np.zeros((n, 8 * words), dtype=np.uint8)
        padded[np.arange(8 * words) < lengths[:, None]] = buf[:total][~nul]
        columns = list(padded.view("<u8").T)
    digest = _mix(columns[0].astype(np.uint64))
    for column in columns[1:]:
        digest = _mix(digest ^ column)
    return digest, words == 1


def _mix(h: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, in place on uint64: a bijection that spreads every input bit over all 64."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def _shared_hashes(digest: np.ndarray) -> np.ndarray:
    """Lines that may share their digest with another line (all that do, and almost none that do not).

    One sort of ``(digest's top bits, line)`` packed in a uint64 (numpy sorts
    a million in ~15 ms, where a hash table takes several times that): lines
    next to one another with the same top bits are the candidates.  The line
    takes the low ``b`` bits (2**b >= lines); the top ``64 - b`` of the digest
    (44 for a million lines) rarely repeat by chance.
    """
    n = len(digest)
    shared = np.zeros(n, dtype=bool)
    if n < 2:
        return shared
    b = np.uint64((n - 1).bit_length())
    packed = (digest >> b << b) | np.arange(n, dtype=np.uint64)
    packed.sort()
    top = packed >> b
    same = top[1:] == top[:-1]
    lines = (packed & ((np.uint64(1) << b) - np.uint64(1))).astype(np.intp)
    shared[lines[1:][same]] = True
    shared[lines[:-1][same]] = True
    return shared


def deliver(holders, ratio: Decimal, policy: str = "cash", fractional_price: Decimal = ZERO) -> Delivery:
    """:func:`xlpy.engine.allocation.deliver`, on an array of accepted units per holder."""
    if not isinstance(holders, np.ndarray) or policy not in ("cash", "down", "nearest"):
        return allocation.deliver(holders, ratio, policy, fractional_price)
    sign, _digits, exponent = ratio.as_tuple()
    scale = max(0, -exponent)
    denominator = 10**scale
    numerator = int(ratio.scaleb(scale))
    n = len(holders)
    biggest = _magnitude(holders)
    total = int(np.abs(holders).sum()) if biggest * n < LIMIT else biggest * n  # Σ|units|, or a bound on it
    # every product, sum and doubled remainder below stays under 2**63
    if sign or max(biggest * numerator, total * numerator + 2 * n * denominator, 2 * denominator) >= LIMIT:
        return allocation.deliver(holders.tolist(), ratio, policy, fractional_price)
    whole, frac = np.divmod(holders * numerator, denominator)
    if policy == "nearest":
        whole = whole + (2 * frac >= denominator)
        frac = np.zeros_like(frac)
    fractional = Decimal(int(frac.sum())).scaleb(-scale)
    cash = fractional * fractional_price if policy == "cash" else ZERO
    return Delivery(int(whole.sum()), fractional, cash)


class Allocator:
    """What :func:`xlpy.engine.compute` takes as ``allocator``: this module's two functions.

    Tallies shorter than *min_lines* are left to the engine's own functions.
    """

    def __init__(self, min_lines: int = MIN_LINES):
        self.min_lines = min_lines

    def count_tally(self, tally: Tally, max_units: int | None = None, odd_lot: int | None = None) -> Count:
        return count_tally(tally, max_units, odd_lot, self.min_lines)

    deliver = staticmethod(deliver)


#: Pass to :func:`xlpy.engine.compute` (``allocator=ALLOCATOR``).
ALLOCATOR = Allocator()
