"""The offer file (TOML): read, check every key, build an :class:`~xlpy.engine.Offer`.

The contract is ``docs/offer-file.md``'s: numbers are read from their written text
(``tomllib`` with ``parse_float=toml_float``: the exact ``Decimal``), never through binary floats; paths
are relative to the offer file's folder, a ``\\`` in them read as ``/`` where that is the
separator (an offer file written on Windows); every problem is reported at once,
each naming the file, the key and the bad value.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from decimal import Decimal
from pathlib import Path

from ..engine.compute import check_offer, compute, ratio_problems
from ..engine.ratio import bound_problem
from ..engine.errors import Counted, InputError, InputErrors, as_given
from ..engine.model import (
    FRACTIONAL_POLICIES,
    KINDS,
    Accounting,
    Consideration,
    Exchange,
    HolderTable,
    Offer,
    Period,
    RatioFormula,
    Tally,
    Valuation,
)
from ..engine.numbers import CONTEXT, engine_context
from ..engine.rules import period_problems
from . import calendars, sources, steady, typed
from .counts import absent_counts, read_count_file, tally_kind
from .holder_ids import case_twins_warning
from .xlsx_sheet import one_load
from .recorded import written_path
from .sniff import not_utf8, toml_data, toml_text
from .sources import workbook_given
from .prices import read_prices
from .safety import unreadable

__all__ = ["SCHEMA", "load", "compute_file", "parse", "workbook_given"]

SCHEMA = 1
#: Counts (units, shares) must be below this: Excel holds 15 significant digits exactly.
MAX_COUNT = 10**15
#: The keys of a count of units or shares: a problem shows an integer typed at one as the figures beside it are
#: (``got 500,000``); a month, days or places (a year or a date typed for one: ``20040220``) read as typed.
COUNT_KEYS = {"offer.outstanding", "offer.common_outstanding_before", "offer.max_units", "offer.odd_lot",
              "tally.tendered", "tally.guaranteed_delivery", "tally.failed_delivery", "period.shares_before",
              "exchange.units"}
#: The size each other number must stay below (docs/offer-file.md, "Sizes"): far above any real
#: offer, and small enough that every figure the engine derives from them is held exactly in its
#: 34 digits and can be rounded to the cent.
MAX_PRICE = 10**7        # dollars per common share
MAX_RATIO = 10**7        # common shares per unit
MAX_PER_UNIT = 10**9     # dollars per unit
MAX_TOTAL = 10**13       # dollars in total: a figure to the cent in Excel's 15 digits
_PRICE = (MAX_PRICE, "the bound for a price per share")
_RATIO = (MAX_RATIO, "the bound for common shares per unit")
_PER_UNIT = (MAX_PER_UNIT, "the bound for an amount per unit")
_TOTAL = (MAX_TOTAL, "the bound for an amount in total")
#: The bound of every number key (``exchange`` stands for each ``exchange[i]``; tax_rate has its own check).
BOUNDS = {
    "offer.face_per_unit": _PER_UNIT, "offer.original_ratio": _RATIO, "offer.original_conversion_price": _PRICE,
    "offer.consideration.ratio": _RATIO, "offer.consideration.cash_per_unit": _PER_UNIT,
    "offer.consideration.cash_total": _TOTAL, "offer.consideration.arrears_per_unit": _PER_UNIT,
    "offer.consideration.fractional_price": _PRICE,
    "offer.consideration.formula.value": _PER_UNIT, "offer.consideration.formula.cap": _RATIO,
    "offer.consideration.formula.floor": _RATIO,
    "valuation.price": _PRICE, "extinguishment.carrying_amount": _TOTAL,
    "accounting.par_value": _PRICE, "accounting.carrying_per_unit": _PER_UNIT, "accounting.carrying_amount": _TOTAL,
    "accounting.accrued_interest_per_unit": _PER_UNIT,
    "period.net_income": _TOTAL, "period.preferred_dividends": _TOTAL, "period.tax_rate": (None, ""),
    "exchange.ratio": _RATIO, "exchange.price": _PRICE, "exchange.cash_per_unit": _PER_UNIT,
}
#: The least share price taken (valuation, later exchanges, cash in lieu): no real price is smaller, and
#: a workbook computing with one far smaller loses its figures (1e-16 reads as a price of 0).
MIN_PRICE = Decimal("0.000001")
#: The keys of a price per share, each at least MIN_PRICE (the offer file and the workbook alike).
PRICE_KEYS = ("valuation.price", "exchange.price", "offer.consideration.fractional_price")
#: Decimals a formula's ratio may be rounded to: Excel holds 15 digits.
MAX_PLACES = 15
#: An offer id (the workbook's name when -o gives none): lower-case letters, digits and hyphens.
OFFER_ID = re.compile(r"^[a-z0-9-]+$")
ID_RULE = "must be lower-case letters, digits and hyphens"

#: Every key the file may hold, by table; anything else is reported (a typo must not pass silently).
KEYS = {
    "": {"schema", "offer", "tally", "valuation", "extinguishment", "period", "exchange", "accounting"},
    "offer": {"id", "issuer", "short_name", "security", "kind", "face_per_unit", "outstanding", "original_ratio",
              "original_conversion_price", "common_outstanding_before", "expiration", "max_units", "odd_lot",
              "substantive_conversion", "consideration", "fiscal_year_end_month"},
    "offer.consideration": {"ratio", "formula", "cash_per_unit", "cash_total", "arrears_per_unit", "fractional",
                            "fractional_price"},
    "offer.consideration.formula": {"value", "prices", "calendar", "averaging_days", "lag_days", "cap", "floor",
                                    "places"},
    "tally": {"tendered", "guaranteed_delivery", "failed_delivery", "file", "mapping", "final"},
    "valuation": {"date", "price"},
    "extinguishment": {"carrying_amount"},
    "accounting": {"par_value", "carrying_per_unit", "carrying_amount", "accrued_interest_per_unit"},
    "period": {"start", "end", "settlement", "net_income", "preferred_dividends", "shares_before", "tax_rate"},
    "exchange": {"date", "units", "ratio", "price", "cash_per_unit"},
}


class _Table(typed.Reader):
    """Typed reads from one TOML table (:class:`xlpy.files.typed.Reader`, TOML scheme), problems collected."""

    def __init__(self, data: dict, prefix: str, problems: list[InputError]):
        self.data = data if isinstance(data, dict) else {}
        self.prefix = prefix
        # A value that is no table (``tally = 5``) is its one problem: its keys, none there, are not each said to
        # be required after it (their problems go to a list of their own, not the file's).
        super().__init__(self._raw, self.key, typed.TOML, problems=problems if isinstance(data, dict) else [])
        if not isinstance(data, dict):
            problems.append(InputError(prefix, data, "must be a table"))

    def _raw(self, name: str) -> object:
        """The value at *name* as TOML gives it, an integer at a count's key (:data:`COUNT_KEYS`) marked
        :class:`~xlpy.engine.errors.Counted` for the problems that show it."""
        value = self.data.get(name, typed.MISSING)
        return Counted.of(value) if re.sub(r"\[\d+\]", "", self.key(name)) in COUNT_KEYS else value

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def has(self, name: str) -> bool:
        return name in self.data

    def whole(self, name: str, required: bool = True, positive: bool = False, default: int | None = None
              ) -> int | None:
        """A count: at least 0 (1 when *positive*), below :data:`MAX_COUNT`."""
        return super().whole(name, required, default=default, below=MAX_COUNT, positive=positive)

    def number(self, name: str, required: bool = True, positive: bool = False, nonneg: bool = False,
               default: Decimal | None = None) -> Decimal | None:
        """A number below its key's bound in :data:`BOUNDS`."""
        key = re.sub(r"\[\d+\]", "", self.key(name))
        below, bound = BOUNDS[key]
        number = super().number(name, required, positive, nonneg, default, below=below, bound=bound)
        if key in PRICE_KEYS and number is not None and 0 < number < MIN_PRICE:
            self.fail(name, self.data[name], f"must be at least {MIN_PRICE:f} (the least price per share taken)")
            return default
        return number

    def unknown(self, allowed: set[str]) -> None:
        for name in self.data:
            if name not in allowed:
                self.fail(name, self.data[name], "is not a known key" + unknown_key_help(name, self.prefix, allowed))


def _header(table: str) -> str:
    """How the file heads *table*: ``[offer.consideration]``, ``[[exchange]]`` (for ``exchange[2]``)."""
    return f"[[{table.split('[')[0]}]]" if table.startswith("exchange") else f"[{table}]"


def unknown_key_help(name: str, table: str, allowed: set[str]) -> str:
    """What follows ``is not a known key`` for the key *name* of *table* ("": the top of the file): where it belongs
    when it is a key of other tables (``max_units`` under ``[tally]``: a key belongs to the table whose header is
    above it; a table's header short of its table's, ``[consideration]``), else the key of *table* it is close to
    (``orignal_ratio``: did you mean ``original_ratio``?), else "".

    >>> unknown_key_help("max_units", "tally", KEYS["tally"])
    ' of [tally]: it belongs in [offer] (a key belongs to the table whose header is above it: move it under [offer])'
    >>> unknown_key_help("consideration", "", KEYS[""])
    ' at the top of the file (did you mean [offer.consideration]?)'
    >>> unknown_key_help("orignal_ratio", "offer", KEYS["offer"]), unknown_key_help("foo", "tally", KEYS["tally"])
    (' (did you mean original_ratio?)', '')
    >>> unknown_key_help("Offer", "", KEYS[""])
    ' (did you mean [offer]? keys and tables are written in lower case)'
    """
    homes = [t for t, keys in KEYS.items() if t and name in keys and t != re.sub(r"\[\d+\]$", "", table)]
    here = f" of {_header(table)}" if table else " at the top of the file"
    if homes and all(f"{t}.{name}" in KEYS for t in homes):  # a table of a table: [consideration] for its header
        return f"{here} (did you mean " + " or ".join(f"[{t}.{name}]" for t in homes) + "?)"
    if homes:
        place = " or ".join(map(_header, homes))
        return (f"{here}: it belongs in {place} (a key belongs to the table whose header is above it: move it under "
                f"{place})")
    lower = {key.lower(): key for key in allowed}  # (a key or table in capitals: [Offer], Tendered)
    close = [lower[name.lower()]] if name.lower() in lower else difflib.get_close_matches(name, sorted(allowed), n=1,
                                                                                          cutoff=0.75)
    if not close:
        return ""
    full = f"{table}.{close[0]}" if table else close[0]
    case = " keys and tables are written in lower case" if close[0] == name.lower() else ""
    return f" (did you mean {_header(full) if full in KEYS else close[0]}?{case})"


@engine_context()
def load(path: str | os.PathLike, read_sources: bool = True) -> Offer:
    """Read and check an offer file (without *read_sources*, its own inputs only: :func:`parse` with no base).

    Raises
    ------
    InputErrors
        Every problem in the file (and in the tally and price files it names),
        each line naming the file and the key.
    """
    path = Path(path)
    if path.is_dir():  # (on Windows, opening one is refused as a permission)
        raise InputErrors([InputError(str(path), None, "is a folder, not an offer file", show_value=False)])
    piped = steady.not_a_file(path, "an offer file")
    if piped is not None:
        raise InputErrors([piped])
    steady.reading(path)
    zipped = workbook_given(path, "an offer file", "; xlpy validate, refresh and render take workbooks")
    if zipped is not None:
        raise InputErrors([zipped])
    try:
        text = toml_text(path)
    except FileNotFoundError:
        raise InputErrors([InputError(str(path), None, steady.not_found(path, "offer file"),
                                      show_value=False)]) from None
    except UnicodeError as exc:
        decoding = isinstance(exc, UnicodeDecodeError)
        if decoding and b"\x00" in exc.object:
            raise InputErrors([_nul(path, exc.object)]) from None
        raise InputErrors([not_utf8(str(path), exc)]) from None
    except IsADirectoryError as exc:
        raise InputErrors([InputError(str(path), None, f"cannot be read: {exc}", show_value=False)]) from None
    except OSError as exc:  # (open in another program, or no permission)
        raise InputErrors([unreadable(str(path), exc)]) from None
    if "\x00" in text:
        raise InputErrors([_nul(path, text)])
    try:
        data = toml_data(text, path.name, parse_float=typed.toml_float)
    except InputErrors:
        named = _tally_given(path, text)
        if named is None:
            raise
        raise InputErrors([named]) from None
    if not data:  # (not even schema = 1)
        raise InputErrors([_no_keys(path, text)])
    try:
        return parse(data, base=path.parent if read_sources else None, source=path.name)
    except InputErrors as exc:
        raise InputErrors([_locate(p, path.name) for p in exc.problems]) from None


#: What an offer file holds, said of one that holds nothing.
_WHAT_IT_HOLDS = ("an offer file gives the offer's terms in TOML, from schema = 1 on, as the example offer file does "
                  "(hecla-2004.toml, installed with xlpy as xlpy/examples; xlpy docs offer-file lists every key; "
                  "xlpy build with no offer file builds the example)")


def _no_keys(path: Path, text: str) -> InputError:
    """The problem of an offer file that holds no key (its TOML read, the data empty): empty, blank, or comments."""
    said = "holds only comments" if text.strip() else "is empty"
    return InputError(str(path), None, f"{said}: {_WHAT_IT_HOLDS}", show_value=False)


def _tally_given(path: Path, text: str) -> InputError | None:
    """The problem of a CSV file (a tally, most likely) given where the offer file goes, as a workbook given there is
    named (:func:`workbook_given`): its first line holds separators (``,`` ``;`` or a tab) and no ``=`` or ``[``, as
    no TOML file's first line (not a comment) does; None for any other text."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.startswith("#") or "=" in first or "[" in first or not re.search("[,;\t]", first):
        return None
    if first.startswith(("{", "---")) or re.match(r"[\"']?\w+[\"']?\s*:", first):  # (JSON, YAML: not a tally)
        return None
    return InputError(str(path), first, "is a CSV file (a tally?), not an offer file (TOML): an offer file names its "
                      f"tally in [tally], file = \"{path.name}\"")


def _nul(path: Path, held: str | bytes) -> InputError:
    """The problem of an offer file holding NUL characters (*held*: its text or bytes): UTF-16 without its
    byte-order mark, or UTF-32 (whose mark starts as UTF-16's does), where a zero byte sits beside every ASCII
    character; or a few in a damaged file."""
    zero = "\x00" if isinstance(held, str) else b"\x00"
    if held.count(zero) * 4 >= len(held):
        why = "it is UTF-16 saved without a byte-order mark, or UTF-32"
    else:
        why = f"the first at offset {held.index(zero)}; a text editor shows them as blanks or boxes"
    return InputError(str(path), None, f"holds NUL characters ({why}); save it as UTF-8 text", show_value=False)


def _locate(problem: InputError, name: str) -> InputError:
    """*problem* with the offer file's *name* before its field, unless it names that file (or another) already: a
    file named ``offer`` or ``tally`` is still put before ``offer.outstanding``."""
    if problem.field == name or problem.field.startswith(name + ": ") or ": " in problem.field.split(".")[0]:
        return problem
    return problem.located(name)


def _as_written(problem: InputError, *written: str) -> InputError:
    """*problem* of the file the offer file names as *written*'s first, which the readers name by its name
    (``t.csv: row 2``), named as the offer file writes it (``data/t.csv: row 2``), as a refresh's ``--tally`` names
    it; the others of *written* (a mapping's tally), where its reason names them, too.  A file not found keeps the
    path where it was looked for."""
    named = {Path(written_path(w)).name: w for w in written if w}
    named = {name: w for name, w in named.items() if w != name}
    return as_given(problem, named) if named else problem


def parse(data: dict, base: Path | None = Path("."), source: str = "") -> Offer:
    """Build an :class:`Offer` from parsed TOML *data*; file paths resolve against *base* (None: the tally, mapping
    and price files are not read, the offer's own inputs only, its tally a count of nothing)."""
    problems: list[InputError] = []
    top = _Table(data, "", problems)
    schema = data.get("schema")
    if type(schema) is not int or schema != SCHEMA:  # true and 1.0 equal 1 in Python, not in the contract
        top.fail("schema", schema, f"must be {SCHEMA} (the only schema this xlpy reads)")
        raise InputErrors(problems)  # on its own: another schema's keys are not this one's to name
    top.unknown(KEYS[""])
    fields = _offer_table(_required_table(data, top, "offer"), base)
    t = _required_table(data, top, "tally")
    tally = _tally(t, base, problems)
    v = _required_table(data, top, "valuation")
    valuation = (v.date("date"), v.number("price", positive=True))
    carrying = None
    if "extinguishment" in data:
        e = _Table(data["extinguishment"], "extinguishment", problems)
        e.unknown(KEYS["extinguishment"])
        carrying = e.number("carrying_amount", nonneg=True)
    accounting = _accounting(data, fields["kind"], problems)
    period = _period(data["period"], fields["common_outstanding_before"], problems) if "period" in data else None
    numbered = _exchanges(data.get("exchange", []), top)
    exchanges = tuple(ex for _, ex in numbered)
    if problems:
        # The ratios need no tally: report them now too, so the file is not fixed twice (only when the
        # fields they compare were read, or a misread one would be blamed).
        if None not in (fields["original_ratio"], fields["consideration"]) and (
                "extinguishment" not in data or carrying is not None):
            found = ratio_problems(fields["original_ratio"], fields["consideration"], exchanges, carrying,
                                   fields["original_conversion_price"])
            problems += [_as_numbered(p, numbered) for p in found]
        raise InputErrors(sources.cap_problems(problems))  # (with a tally's 50 and its line: 50 in all, and one line)
    offer = Offer(
        **fields, tally=tally, valuation=Valuation(*valuation), carrying_amount=carrying, period=period,
        exchanges=exchanges, source=source, accounting=accounting,
    )
    relation_problems = check_offer(offer)
    if relation_problems:
        counted = t.text("file") if t.has("file") and tally.holders is None and base is not None else None
        raise InputErrors([_in_count_file(p, counted) if counted else p for p in relation_problems])
    return offer


def _in_count_file(problem: InputError, name: str) -> InputError:
    """A count's *problem* as the count file *name* (``tally.file``) gives the count (``tally.file: c.csv:
    tendered``), not as the key ``tally.tendered``, which the offer file does not have."""
    if problem.field not in ("tally.tendered", "tally.guaranteed_delivery", "tally.failed_delivery"):
        return problem
    return InputError(f"tally.file: {name}: {problem.field[6:].replace('_', ' ')}",
                      problem.value, problem.reason, show_value=problem.show_value)


def _required_table(data: dict, top: _Table, name: str) -> _Table:
    """The table *name* (a missing one is a problem, read as empty), its unknown keys reported."""
    table = _Table(data.get(name, {}), name, top.problems)
    if name not in data:
        top.fail(name, None, "table is required")
    table.unknown(KEYS[name])
    return table


def _offer_table(o: _Table, base: Path | None) -> dict:
    """``[offer]``: the :class:`Offer` fields it gives, by name."""
    offer_id = o.text("id")
    if offer_id and not OFFER_ID.match(offer_id):
        o.fail("id", offer_id, ID_RULE)
    issuer = o.text("issuer")
    kind = o.choice("kind", KINDS)
    fields = dict(
        id=offer_id, issuer=issuer, kind=kind,
        security=o.text("security", required=False, default="convertible securities" if kind == "note" else
                        "convertible preferred stock"),
        face_per_unit=o.number("face_per_unit", required=False, positive=True),
        outstanding=o.whole("outstanding", positive=True),
    )
    fields["original_ratio"], fields["original_conversion_price"] = _original_ratio(o, fields["face_per_unit"])
    fields.update(
        common_outstanding_before=o.whole("common_outstanding_before", positive=True),
        expiration=o.date("expiration"), max_units=o.whole("max_units", required=False, positive=True),
        odd_lot=o.whole("odd_lot", required=False, positive=True),
    )
    if fields["odd_lot"] is not None and not o.has("max_units"):  # (a max_units given but wrong is named itself)
        o.fail("odd_lot", Counted(fields["odd_lot"]), "applies only to a capped offer (set max_units)")
    fields["substantive_conversion"] = o.flag("substantive_conversion", True)
    fields["consideration"] = _consideration(o.data.get("consideration"), base, o.problems)
    fields["short_name"] = o.text("short_name", required=False)
    month = o.whole("fiscal_year_end_month", required=False, positive=True, default=12)
    if month is not None and month > 12:
        o.fail("fiscal_year_end_month", month, "must be a month, 1 to 12 (12: the calendar year)")
    fields["fiscal_year_end_month"] = month
    return fields


def _original_ratio(o: _Table, face: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    """``(original_ratio, original_conversion_price)``: the ratio given, or face ÷ the conversion price."""
    if o.has("original_ratio") and o.has("original_conversion_price"):
        o.fail("original_conversion_price", o.data["original_conversion_price"],
               "give original_ratio or original_conversion_price, not both")
    elif o.has("original_ratio"):
        return o.number("original_ratio", positive=True), None
    elif o.has("original_conversion_price"):
        conversion_price = o.number("original_conversion_price", positive=True)
        if face is None:
            o.fail("face_per_unit", None, "is required with original_conversion_price")
        elif conversion_price is not None:
            return CONTEXT.divide(face, conversion_price), conversion_price
        return None, conversion_price
    else:
        o.fail("original_ratio", None, "is required (or original_conversion_price with face_per_unit)")
    return None, None


def tax_rate_rule(rate: Decimal) -> str:
    """The rule a tax rate of 1 or more breaks: a fraction (the offer file's and the workbook's alike), 21 typed for
    21% being 2,100%.  A rate above 1 and below 100 is most likely a percentage, so the example is the user's own
    figure (1 itself may be 100% or 1%: the fixed example stands):

    >>> tax_rate_rule(Decimal("25.0")), tax_rate_rule(Decimal("12.5"))
    ('must be a fraction below 1 (0.25 for 25%)', 'must be a fraction below 1 (0.125 for 12.5%)')
    >>> tax_rate_rule(Decimal(2100)), tax_rate_rule(Decimal(1))
    ('must be a fraction below 1 (0.21 for 21%)', 'must be a fraction below 1 (0.21 for 21%)')
    """
    if 1 < rate < 100:
        return f"must be a fraction below 1 ({(rate / 100).normalize():f} for {rate.normalize():f}%)"
    return "must be a fraction below 1 (0.21 for 21%)"


def _period(raw, common_before: int | None, problems: list[InputError]) -> Period | None:
    """``[period]``, for EPS; shares_before defaults to the common outstanding before the offer."""
    p = _Table(raw, "period", problems)
    p.unknown(KEYS["period"])
    start, end, settlement = p.date("start"), p.date("end"), p.date("settlement")
    net_income = p.number("net_income")
    dividends = p.number("preferred_dividends", required=False, nonneg=True, default=Decimal(0))
    shares_before = p.whole("shares_before", required=False, positive=True, default=common_before)
    tax_rate = p.number("tax_rate", required=False, nonneg=True, default=Decimal(0))
    if tax_rate is not None and tax_rate >= 1:
        p.fail("tax_rate", p.data["tax_rate"], tax_rate_rule(tax_rate))
    problems.extend(period_problems(start, end))
    if None in (start, end, settlement, net_income, shares_before):
        return None
    return Period(start, end, settlement, net_income, dividends, shares_before, tax_rate)


def _as_numbered(problem: InputError, numbered: list[tuple[int, Exchange]]) -> InputError:
    """*problem* naming ``exchange[k]`` of the exchanges read whole, renamed by that exchange's place in the file
    (one that could not be read is left out of those the engine numbers)."""
    m = re.match(r"exchange\[(\d+)\]", problem.field)
    if not m:
        return problem
    field = f"exchange[{numbered[int(m.group(1)) - 1][0]}]" + problem.field[m.end():]
    return InputError(field, problem.value, problem.reason, show_value=problem.show_value)


def _exchanges(raw, top: _Table) -> list[tuple[int, Exchange]]:
    """``[[exchange]]``: the later exchanges read whole, each with its place in the file (``exchange[2]``)."""
    if not isinstance(raw, list):
        top.fail("exchange", raw, "must be an array of tables ([[exchange]])")
        return []
    exchanges = []
    for i, table in enumerate(raw, 1):
        x = _Table(table, f"exchange[{i}]", top.problems)
        x.unknown(KEYS["exchange"])
        ex = (x.date("date"), x.whole("units", positive=True), x.number("ratio", positive=True),
              x.number("price", positive=True), x.number("cash_per_unit", required=False, nonneg=True,
                                                          default=Decimal(0)))
        if None not in ex:
            exchanges.append((i, Exchange(*ex)))
    return exchanges


def _accounting(data: dict, kind: str, problems: list[InputError]) -> Accounting:
    """``[accounting]``: par value and carrying amount, for the journal entry (all optional)."""
    a = _Table(data.get("accounting", {}), "accounting", problems)
    a.unknown(KEYS["accounting"])
    par = a.number("par_value", required=False, nonneg=True)
    per_unit = a.number("carrying_per_unit", required=False, nonneg=True)
    total = a.number("carrying_amount", required=False, nonneg=True)
    interest = a.number("accrued_interest_per_unit", required=False, nonneg=True, default=Decimal(0))
    if per_unit is not None and total is not None:
        a.fail("carrying_amount", a.data["carrying_amount"], "give carrying_per_unit or carrying_amount, not both")
        total = None
    if a.has("accrued_interest_per_unit") and kind == "preferred":
        a.fail("accrued_interest_per_unit", a.data["accrued_interest_per_unit"],
               "is for convertible notes only (offer.kind is preferred)")
    return Accounting(par, per_unit, total, interest)


def _consideration(raw, base: Path | None, problems: list[InputError]) -> Consideration | None:
    c = _Table(raw if raw is not None else {}, "offer.consideration", problems)
    if raw is None:
        problems.append(InputError("offer.consideration", None, "table is required"))
        return None
    c.unknown(KEYS["offer.consideration"])
    has_ratio, has_formula = c.has("ratio"), c.has("formula")
    ratio = formula = None
    if has_ratio and has_formula:
        c.fail("formula", "table", "give ratio or a formula table, not both")
    elif has_ratio:
        ratio = c.number("ratio", positive=True)
    elif has_formula:
        formula = _formula(c.data["formula"], base, problems)
    else:
        c.fail("ratio", None, "is required (or an [offer.consideration.formula] table)")
    if c.has("cash_per_unit") and c.has("cash_total"):
        c.fail("cash_total", c.data["cash_total"], "give cash_per_unit or cash_total, not both")
    cash_per_unit = c.number("cash_per_unit", required=False, nonneg=True, default=Decimal(0))
    cash_total = c.number("cash_total", required=False, nonneg=True)
    arrears = c.number("arrears_per_unit", required=False, nonneg=True, default=Decimal(0))
    fractional = c.choice("fractional", FRACTIONAL_POLICIES, required=False, default="cash")
    fractional_price = c.number("fractional_price", required=False, positive=True)
    if (ratio is None) == (formula is None) or None in (cash_per_unit, arrears, fractional):
        return None  # the problem is recorded: no consideration to describe
    if cash_total is not None and cash_per_unit:
        return None
    return Consideration(ratio, formula, cash_per_unit, cash_total, arrears, fractional, fractional_price)


def _formula(raw, base: Path | None, problems: list[InputError]) -> RatioFormula | None:
    f = _Table(raw, "offer.consideration.formula", problems)
    f.unknown(KEYS["offer.consideration.formula"])
    value = f.number("value", positive=True)
    days = f.whole("averaging_days", required=False, positive=True, default=5)
    lag = f.whole("lag_days", required=False, default=2)
    cap = f.number("cap", required=False, positive=True)
    floor = f.number("floor", required=False, nonneg=True)
    if cap is not None and floor is not None and floor > cap:
        f.fail("floor", f.data["floor"], f"must not exceed cap ({cap})")
    places = f.whole("places", required=False, default=2)
    if places is not None and places > MAX_PLACES:
        f.fail("places", places, f"must be at most {MAX_PLACES} (Excel holds 15 digits exactly)")
        places = None
    for key, bound in (("cap", cap), ("floor", floor)):  # both at once, before the engine sees the first
        why = bound_problem(bound, places) if places is not None and places >= 0 else None
        if why:
            f.fail(key, f.data[key], why)
    calendar = f.text("calendar", required=False, default=calendars.DEFAULT_CALENDAR)
    prices_name = f.text("prices")
    prices = ()
    if prices_name and base is not None:  # (None: the file's own inputs only, its price file not read)
        try:
            prices = read_prices(base / written_path(prices_name), calendar or None)  # no closed day
        except InputErrors as exc:
            problems.extend(_as_written(p, prices_name).located(
                "offer.consideration.formula.prices") for p in exc.problems)  # (a Busy kept)
    if value is None or days is None or lag is None or places is None:
        return None
    return RatioFormula(value, prices, calendar, days, lag, cap, floor, places, source=prices_name)


def _tally(t: _Table, base: Path | None, problems: list[InputError]) -> Tally | None:
    final = t.flag("final", False)
    if t.has("file"):
        aggregate = [k for k in ("tendered", "guaranteed_delivery", "failed_delivery") if t.has(k)]
        if aggregate:
            t.fail(aggregate[0], t.get(aggregate[0]), "give aggregate counts or a holder file, not both")
        name = t.text("file")
        mapping, refused = None, False
        mapping_name = t.text("mapping") if t.has("mapping") else None
        if mapping_name and base is not None:
            path = base / written_path(mapping_name)
            try:
                zipped = workbook_given(path, "a mapping file", "; an XLSX tally goes in tally.file")
                if zipped is not None:  # named by its name, as the mapping reader names its problems
                    raise InputErrors([InputError(path.name, None, zipped.reason, show_value=False)])
                mapping = sources.read_mapping(path)
            except InputErrors as exc:  # named after the key that names the file, as the tally's are
                problems.extend(_as_written(p, mapping_name).located("tally.mapping") for p in exc.problems)
                refused = True
        if not name:
            return None
        if base is None:  # the file's own inputs only: its tally file is not read, and counts nothing here
            return Tally(0, 0, 0, final=final)
        if refused and (base / written_path(name)).is_file():
            return None  # not read without its mapping, whose columns it would be named short of (a missing one: said)
        path = base / written_path(name)
        try:
            with one_load():  # (an XLSX's header and its lines read from one load of it)
                if tally_kind(path, mapping) == "counts":  # the agent's count file, read as a refresh reads one
                    tendered, guaranteed, failed, absent = read_count_file(path, mapping)  # (a count it lacks: 0)
                    return Tally(tendered, guaranteed, failed, final=final, source=path.name, absent=absent)
                table: HolderTable = sources.read_tally(path, mapping, source=name)
        except InputErrors as exc:  # (the mapping's own key a tally lacks: named after tally.mapping, as its others)
            of_mapping = f"{Path(mapping_name).name}: " if mapping_name else None
            for p in exc.problems:  # (one still being written: still Busy)
                if of_mapping and str(p.field).startswith(of_mapping):
                    problems.append(_as_written(p, mapping_name, name).located("tally.mapping"))
                else:
                    problems.append(_as_written(p, name, mapping_name).located("tally.file"))
            return None
        return Tally(holders=table, final=final)
    if t.has("mapping"):  # a mapping reads a holder file's columns: with aggregate counts it would do nothing
        t.fail("mapping", t.data["mapping"], "goes with a holder file (tally.file); aggregate counts have no "
                                             "columns to map")
    tendered = t.whole("tendered")
    guaranteed = t.whole("guaranteed_delivery", required=False, default=0)
    failed = t.whole("failed_delivery", required=False, default=0)
    if None in (tendered, guaranteed, failed):
        return None
    return Tally(tendered, guaranteed, failed, final=final)


@engine_context()
def compute_file(path: str | os.PathLike):
    """Load an offer file and compute it with the exchange calendars; returns ``(offer, results)``."""
    from .vector import ALLOCATOR  # numpy, for large holder tallies

    offer = load(path)
    try:
        results = compute(offer, calendars.sessions, ALLOCATOR)
    except InputErrors as exc:
        raise InputErrors([_locate(p, Path(path).name) for p in exc.problems]) from None
    except InputError as exc:
        raise InputErrors([_locate(exc, Path(path).name)]) from None
    # a count the agent's count file has no column for, taken as 0, said as a refresh from it says it: 3,500 by
    # guaranteed delivery left out of an export must not become none unsaid (compute, release, entries, build)
    # (a final count's failed deliveries too: none left open, a missing figure is no longer "none yet")
    final = offer.tally.final

    said = tuple(absent_counts(offer.tally.source, offer.tally.absent, lambda name: final if name == "FinalCount"
                               else None))
    # holder ids that differ only in letter case: two holders here, one to a workbook, which refuses them
    twins = case_twins_warning(offer.tally.holders) if offer.tally.holders is not None else None
    said += (twins,) if twins else ()
    return offer, (dataclasses.replace(results, warnings=results.warnings + said) if said else results)
