"""History: one row for the build and one per refresh, and a chart of participation."""

from __future__ import annotations

import re

from .model import Block, Column, Item, Shape, Sheet, Table, place

#: History columns a build or refresh writes, in order (the change column, a formula over them, sits between the
#: charge and the tally's SHA-256, which prints with the price file on the second page).
HISTORY_COLUMNS = ("when", "tally", "lines", "tendered", "guaranteed", "failed", "accepted", "participation",
                   "common", "charge", "sha256", "prices", "price_sha256", "user", "version")
#: The columns that say where a row's figures came from and who made it, not what they are: a refresh that
#: moves none of the others adds no row whatever these hold (a price file whose new days fall past the
#: averaging window, another person, another xlpy).
PROVENANCE = ("prices", "price_sha256", "user", "version")


def field(row: tuple, key: str):
    """What History record *row* (as :data:`HISTORY_COLUMNS` orders one) holds in column *key*, or None past its
    end (a row of a person's, shorter)."""
    i = HISTORY_COLUMNS.index(key)
    return row[i] if i < len(row) else None


#: Rows left above the History table for its chart.
HISTORY_CHART_ROWS = 17


def sheet(shape: Shape) -> Sheet:
    """One row for the build and one per refresh that changed something: how the count moved."""
    blocks, next_row = place([Block("How the count moved", (
        Item(None, "Rows", record=True, note="the build, then each refresh"),
    ))])
    next_row += HISTORY_CHART_ROWS  # the chart of participation sits between the note and the table
    table = Table("tblHistory", (
        Column("when", "When (UTC)", "HistWhen", fmt="text", width=20),
        Column("tally", "Tally file", None, fmt="text", width=36),
        Column("lines", "Lines", None, fmt="count", width=9),
        Column("tendered", "Units tendered", "HistTendered", fmt="count", width=14),
        Column("guaranteed", "by guaranteed delivery", None, fmt="count", width=14),
        Column("failed", "Failed deliveries", None, fmt="count", width=12),
        Column("accepted", "Units accepted", None, fmt="count", width=14),
        Column("participation", "Participation", "HistParticipation", fmt="pct", width=13),
        Column("common", "Common issued", None, fmt="count", width=14),
        Column("charge", "Charge", None, fmt="charge", width=18),
        Column("change", "Change in units tendered", "HistChange", "={tendered}-{prev:tendered}", first="=0",
               fmt="count", width=14),
        Column("sha256", "Tally SHA-256", None, fmt="text", width=34),
        Column("prices", "Price file", None, fmt="text", width=30),
        Column("price_sha256", "Price SHA-256", None, fmt="text", width=34),
        Column("user", "Run by", None, fmt="text", width=14),
        Column("version", "xlpy", None, fmt="text", width=9),
    ), shape.history_rows, next_row + 1)
    # no frozen pane: the chart above the table would fill a laptop's window (print repeats the table's header)
    return Sheet("History", "History", blocks, (table,), landscape=True,
                 widths={"B": 20, "C": 36, "D": 9, "E": 14, "F": 14, "G": 12, "H": 14, "I": 13, "J": 14, "K": 18,
                         "L": 14, "M": 34, "N": 30, "O": 34, "P": 14, "Q": 9})


def history_row(when: str, tally: str, sha256: str, lines: int, results, prices: str = "", price_sha256: str = "",
                user: str = "", version: str = "") -> tuple:
    """A History row: when, the tally read, how the count and the charge stood, the price file the ratio was set
    from (its SHA-256; the Cover's words for a fixed ratio), the operating-system user who ran the build or refresh
    and the xlpy that did.

    A record, not a figure to tie out: the charge is kept to the cent and the
    participation to eight decimals, so every backend stores the same number.
    """
    from ...engine.numbers import excel_round

    return (when, tally, lines, results.units_tendered, results.units_guaranteed_delivery,
            results.units_failed_delivery, results.units_accepted, excel_round(results.participation, 8),
            results.common_issued, excel_round(results.charge, 2),
            *(v or None for v in (sha256, prices, price_sha256, user, version)))  # (a blank cell, on every backend)


def counts_source(records: list[tuple], results, recorded: str) -> str:
    """What a refresh's History row records as its tally when no file gave it (*recorded*, the Cover's record: the
    offer file's words, :data:`~xlpy.files.recorded.NO_TALLY_FILE`): those words while the counts (*results*'
    tendered, guaranteed and failed) are those of History's last row of them, whose counts the offer file gave; once
    they moved, counts typed into the workbook (:data:`~xlpy.files.recorded.TYPED_COUNTS`), as they stay while they
    do not move again.  Any other record (a file's) as it is."""
    from ...files.recorded import NO_TALLY_FILE, TYPED_COUNTS

    last = latest(records)
    if recorded.strip() != NO_TALLY_FILE or last is None:
        return recorded
    held = str(field(last, "tally") or "").strip()
    now = (results.units_tendered, results.units_guaranteed_delivery, results.units_failed_delivery)
    if any(_plain(field(last, k)) != _plain(v) for k, v in zip(("tendered", "guaranteed", "failed"), now)):
        return TYPED_COUNTS
    return held if held == TYPED_COUNTS else recorded


def history_repeats(last: tuple, row: tuple) -> bool:
    """Whether History *row* records nothing *last* (the table's last record, as the workbook holds it) does not:
    the same tally file, SHA-256, lines, count and charge, whenever, by whomever.  A refresh that changed only days
    of the price history past the averaging window adds no such row: it would read as a duplicate (its price file
    is in no row: the row before it names the file whose window gave the same figures)."""
    compared = [i for i, key in enumerate(HISTORY_COLUMNS) if i and key not in PROVENANCE and i < len(row)]
    return len(last) > max(compared) and all(_plain(last[i]) == _plain(row[i]) for i in compared)


def _plain(v):
    """A History cell as compared: blank (None or empty text) as None, a number as a Decimal, other text as it is."""
    from decimal import Decimal, InvalidOperation

    if v is None or isinstance(v, str):  # (a blank cell reads back as None, an empty text as "")
        return v or None
    try:
        return Decimal(str(v))  # a number read back from the sheet, or the engine's
    except (InvalidOperation, ValueError):
        return v


#: The figures of a History row (after when, the tally file and its lines), as a report names them.
FIGURES = (("tendered", "units tendered"), ("guaranteed", "by guaranteed delivery"), ("failed", "failed deliveries"),
           ("accepted", "units accepted"), ("participation", "participation"), ("common", "common issued"),
           ("charge", "the charge"))


def history_moved(last: tuple, results) -> list[str]:
    """The figures *results* give otherwise than History's last record *last* (as the workbook holds it), each as
    "the charge 9,597,836.40 → 9,603,875.38"; [] when they are the same (participation to 8 decimals, the charge
    to the cent, as a row keeps them)."""
    now = history_row("", "", "", 0, results)
    held = tuple(last) + (None,) * (len(now) - len(last))
    moved = []
    for key, words in FIGURES:
        i = HISTORY_COLUMNS.index(key)
        if _plain(held[i]) != _plain(now[i]):
            moved.append(f"{words} {_plain_figure(key, held[i])} → {_plain_figure(key, now[i])}")
    return moved


def history_moved_note(records: list[tuple], results, done: str, built_at: object = None) -> str | None:
    """The report line when the figures *results* give moved since History's last record (of *records*), or None
    (no record, or the same figures): named one by one, why they may have, and *done* (what comes of it).  A last
    row timed before the Cover's *built_at* was carried by a rebuild (``xlpy build --history-from``), which computes
    from its offer file's count and records no row of its own: that is said first, where it blamed a typed input."""
    last = latest(records)
    moved = history_moved(last, results) if last is not None else []
    if not moved:
        return None
    stamps = [str(v) for v in (last[0], built_at) if re.fullmatch(STAMP, str(v or ""))]
    why = ("the workbook was rebuilt since that row (a build that carries History computes from its offer file's "
           "count and records no row of its own), an input was typed since, or the row was edited"
           if len(stamps) == 2 and stamps[0] < stamps[1] else
           "an input typed since the last refresh moved them, or the row was edited")
    return (f"History: its last row ({last[0]}) holds other figures than the workbook computes now "
            f"({'; '.join(moved)}): {why}; {done}")


#: The time a build or refresh writes in History's first column (UTC).
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"


def latest(records: list[tuple]) -> tuple | None:
    """History's last row of *records* (None: no record): the last by position that a build or refresh wrote (its
    first cell a time, :data:`STAMP`), as the Cover's latest count reads the table's last (``=INDEX(HistWhen,
    ROWS(HistWhen))``), whatever the times the rows hold; a row of a person's after it (a note) is passed over, and
    with no row stamped it is the last.  Not the newest by time: a row written by a clock set ahead would be that
    for good, every later refresh compared with it, while the Cover showed another."""
    import re

    stamped = [r for r in records if re.fullmatch(STAMP, str(r[0] or ""))]
    return stamped[-1] if stamped else records[-1] if records else None


def went_back(last: tuple, row: tuple, added: bool, by: str = "refresh", then: str = "") -> str | None:
    """The warning of a refresh whose time (History *row*'s) is before that of History's last row *last*, or None
    (either not a time a refresh writes: a row of a person's, a note); *added*: whether *row* goes in.  *by*, *then*:
    another command timed so (a build carrying History: ``build``) and what comes of it for History."""
    import os
    import re

    was, now = str(last[0] or ""), str(row[0] or "")
    if not (re.fullmatch(STAMP, was) and re.fullmatch(STAMP, now)) or now >= was:
        return None
    epoch = " (or SOURCE_DATE_EPOCH, which is set)" if os.environ.get("SOURCE_DATE_EPOCH", "").strip() else ""
    then = then or ("its row goes at the end of the table all the same, the last, which the Cover shows as the latest "
                    "count" if added else "no row is added: the figures are as that row has them")
    return (f"warning: History: this {by}'s time, {now} UTC, is before that of its last row, {was} UTC: this "
            f"computer's clock{epoch}, or that of the computer that wrote the row, may be wrong (check its date, "
            f"time and time zone); {then}")


def _plain_figure(key: str, v) -> str:
    """A figure as the History sheet shows it: 86,547; 9,597,836.40; 58.95%; blank."""
    from decimal import Decimal, InvalidOperation

    if v is None or v == "":
        return "blank"
    try:
        d = Decimal(str(v))
    except (InvalidOperation, ValueError):
        return repr(v)
    if key == "participation":  # (to the 8 decimals a row keeps: 58.953003%, not 58.95% beside 58.95%)
        return f"{(d * 100).quantize(Decimal('1e-6')).normalize():f}%"
    return f"{d:,.2f}" if key == "charge" else f"{d:,}"


def history_added(rows: list[tuple], row: tuple) -> tuple[list[tuple], list[str]]:
    """*rows* with *row* after them, and the warnings when its count fell to half or less (:func:`count_fell`) and
    when its time is before the last row's (:func:`went_back`); or *rows* alone, and the refresh's report line
    saying so, when *row* records nothing History's last row (:func:`latest`) does not (:func:`history_repeats`)."""
    last = latest(rows)
    if last is None:
        return rows + [row], []
    if history_repeats(last, row):
        return rows, [w for w in (went_back(last, row, False), "History: no row added: the tally, the count and "
                                  "the charge are as its last row has them") if w]
    return rows + [row], [w for w in (went_back(last, row, True), count_fell(last, row)) if w]


def count_fell(last: tuple, row: tuple) -> str | None:
    """The warning of a refresh whose units tendered (History *row*) are half or less of those of History's last
    record *last*, or None.  Holders may withdraw their tenders until the offer expires, but rarely half of them
    at once: a fall like that is more often a file that is not the agent's whole count (a day's additions, or a
    test file) given in its place, which nothing else would say."""
    from decimal import Decimal, InvalidOperation

    from ...files.recorded import NO_TALLY_FILE, TYPED_COUNTS

    try:
        was, now = Decimal(str(field(last, "tendered"))), Decimal(str(field(row, "tendered")))
    except (InvalidOperation, TypeError, ValueError):  # (a row of a person's, or a cell edited)
        return None
    if not was.is_finite() or was <= 0 or now * 2 > was:
        return None

    def said(r) -> str:  # (a row's tally file and its lines, as History has them; the build's counts as they are)
        if (text := str(field(r, "tally") or "").strip()) in (NO_TALLY_FILE, TYPED_COUNTS):
            return f"the {text}"
        n = field(r, "lines")
        n = n if isinstance(n, (int, float)) and not isinstance(n, bool) else None
        lines = "" if n is None else f"{int(n):,} line{'' if n == 1 else 's'}"
        return " of ".join(filter(None, (lines, str(field(r, "tally") or "")))) or "its tally"

    return (f"warning: units tendered fell from {_plain_figure('tendered', was)} (History's last row, {last[0]}: "
            f"{said(last)}) to {_plain_figure('tendered', now)} ({said(row)}): holders may withdraw, but seldom "
            "half at once; if this is not the agent's whole count, refresh again with the file that is")
