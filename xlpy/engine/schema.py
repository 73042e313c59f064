"""The results schema: every field of the engine's results, defined once.

Each :class:`ResultField` names a key of the results object that
``xlpy compute --json`` prints, the attribute of the record that holds it, the
key in words, its kind and its unit.  Everything else derives from these
tuples: :meth:`xlpy.engine.compute.Results.to_dict` writes them in this order,
the worksheet function ``OFFER_RESULTS`` spills the fields marked ``row``, the
workbook validator reads the value behind a key with :func:`value_of`, and the
tests check ``docs/offer-file.md`` (the contract readers rely on) against them.
Adding a result means adding one line here, then its row in that document.

Kinds: ``count`` (a whole number of units or shares), ``quantity`` (an exact
decimal), ``text``, ``date`` (ISO), ``texts`` (a list of strings),
``record`` (an object) and ``records`` (a list of objects), the last two with
fields of their own.  A field that is not present ``always`` is left out of
the object when its value is None: ``formula`` (the ratio is set by formula),
``period`` (a [period] table), ``extinguishment`` (the induced-conversion test
failed) or ``holders`` (a holder tally).
"""

from __future__ import annotations

from dataclasses import dataclass

from .numbers import plain

__all__ = [
    "SCHEMA_VERSION",
    "FIELD_KINDS",
    "PRESENCE",
    "ResultField",
    "EXCHANGE_FIELDS",
    "EPS_FIELDS",
    "RESULT_FIELDS",
    "WORKSHEET_ROWS",
    "encode",
    "field_for",
    "value_of",
]

#: The schema number the results object carries (the offer file's, too).
SCHEMA_VERSION = 1
FIELD_KINDS = ("count", "quantity", "text", "date", "texts", "record", "records")
PRESENCE = ("always", "formula", "period", "extinguishment", "holders")


@dataclass(frozen=True)
class ResultField:
    """One key of the results object.

    Attributes:
        key: the JSON key (the contract: never renamed).
        attr: the attribute of the engine's record that holds the value.
        kind: one of :data:`FIELD_KINDS`.
        unit: ``units``, ``shares``, ``holders``, ``shares per unit``, ``dollars``,
            ``dollars per share``, ``dollars per unit``, ``fraction``; empty for
            texts, dates and lists.
        when: one of :data:`PRESENCE`.
        row: the field's row in ``OFFER_RESULTS`` (from 1), or 0 when it does not show it.
        fields: the fields of each object, for ``record`` and ``records``.
    """

    key: str
    attr: str
    kind: str
    unit: str = ""
    when: str = "always"
    row: int = 0
    fields: tuple[ResultField, ...] = ()

    def __post_init__(self):
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"results field {self.key}: kind must be one of {', '.join(FIELD_KINDS)}, "
                             f"got {self.kind!r}")
        if self.when not in PRESENCE:
            raise ValueError(f"results field {self.key}: when must be one of {', '.join(PRESENCE)}, "
                             f"got {self.when!r}")
        if bool(self.fields) != (self.kind in ("record", "records")):
            raise ValueError(f"results field {self.key}: only a record or records has fields, got {self.kind!r}")

    @property
    def label(self) -> str:
        """The key in words, as ``OFFER_RESULTS`` shows it: ``induced charge``."""
        return self.key.replace("_", " ")


def _f(key: str, kind: str, unit: str = "", *, attr: str = "", when: str = "always", row: int = 0,
       fields: tuple[ResultField, ...] = ()) -> ResultField:
    return ResultField(key, attr or key, kind, unit, when, row, fields)


_RATIO, _PRICE, _MONEY = "shares per unit", "dollars per share", "dollars"

#: Each entry of ``exchanges``: the offer itself, then each later exchange
#: (:class:`xlpy.engine.compute.ExchangeResult`).
EXCHANGE_FIELDS = (
    _f("label", "text"),
    _f("date", "date"),
    _f("units", "count", "units"),
    _f("ratio", "quantity", _RATIO),
    _f("price", "quantity", _PRICE),
    _f("cash_per_unit", "quantity", "dollars per unit"),
    _f("common_issued", "count", "shares"),
    _f("fractional_cash", "quantity", _MONEY),
    _f("incremental_shares", "quantity", "shares"),
    _f("induced_charge", "quantity", _MONEY, attr="charge"),
)

#: The ``eps`` object (:class:`xlpy.engine.compute.EPSResult`).
EPS_FIELDS = (
    _f("income_available_before", "quantity", _MONEY),
    _f("charges_in_period", "quantity", _MONEY),
    _f("income_available_after", "quantity", _MONEY),
    _f("weighted_shares_before", "quantity", "shares"),
    _f("weighted_shares_after", "quantity", "shares"),
    _f("basic_eps_before", "quantity", _PRICE),
    _f("basic_eps_after", "quantity", _PRICE),
    _f("eps_effect", "quantity", _PRICE),
)

#: The results object (:class:`xlpy.engine.compute.Results`), in the order ``xlpy compute --json`` prints it
#: (the order of schema 1 as first released: readers look keys up by name, but a diff of two runs stays quiet).
RESULT_FIELDS = (
    _f("offer_id", "text"),
    _f("treatment", "text"),
    _f("charge_kind", "text"),
    _f("offer_ratio", "quantity", _RATIO, row=5),
    _f("original_ratio", "quantity", _RATIO, row=6),
    _f("average_price", "quantity", _PRICE, when="formula"),
    _f("averaging_start", "date", when="formula"),
    _f("averaging_end", "date", when="formula"),
    _f("ratio_quotient", "quantity", _RATIO, when="formula"),
    _f("units_outstanding", "count", "units", row=1),
    _f("units_tendered", "count", "units", row=2),
    _f("units_guaranteed_delivery", "count", "units", row=3),
    _f("units_failed_delivery", "count", "units"),
    _f("units_eligible", "count", "units"),
    _f("units_accepted", "count", "units", row=4),
    _f("proration_factor", "quantity", "fraction"),
    _f("odd_lot_units_tendered", "count", "units", when="holders"),
    _f("odd_lot_units_accepted", "count", "units", when="holders"),
    _f("common_issued", "count", "shares", row=7),
    _f("fractional_shares", "quantity", "shares"),
    _f("fractional_cash", "quantity", _MONEY, row=9),
    _f("fractional_price", "quantity", _PRICE),
    _f("incremental_shares", "quantity", "shares", row=8),
    _f("cash_sweetener", "quantity", _MONEY),
    _f("arrears_paid", "quantity", _MONEY),
    _f("cash_paid", "quantity", _MONEY, row=10),
    _f("valuation_price", "quantity", _PRICE, row=11),
    _f("fair_value_offer", "quantity", _MONEY, row=12),
    _f("fair_value_original", "quantity", _MONEY, row=13),
    _f("carrying_amount", "quantity", _MONEY, when="extinguishment"),
    _f("accrued_interest_given_up", "quantity", _MONEY, when="extinguishment"),
    _f("induced_charge", "quantity", _MONEY, attr="charge", row=14),
    _f("total_induced_charge", "quantity", _MONEY, attr="total_charge"),
    _f("units_remaining", "count", "units", row=15),
    _f("participation", "quantity", "fraction", row=16),
    _f("common_outstanding_before", "count", "shares", row=17),
    _f("common_outstanding_after", "count", "shares", row=18),
    _f("exchanges", "records", fields=EXCHANGE_FIELDS),
    _f("holders_accepted", "count", "holders", when="holders"),
    _f("eps", "record", when="period", fields=EPS_FIELDS),
    _f("warnings", "texts"),
)

#: The rows ``OFFER_RESULTS`` spills, in order (then the charge kind and any warning).
WORKSHEET_ROWS = tuple(sorted((f for f in RESULT_FIELDS if f.row), key=lambda f: f.row))

_BY_KEY = {f.key: f for f in RESULT_FIELDS}
_EPS_BY_KEY = {f.key: f for f in EPS_FIELDS}


def encode(record, fields: tuple[ResultField, ...] = RESULT_FIELDS) -> dict:
    """*record*'s fields as the JSON object: exact decimal strings, ISO dates, texts."""
    out: dict = {}
    for f in fields:
        value = getattr(record, f.attr)
        if value is None and f.when != "always":
            continue
        out[f.key] = _encode_value(f, value)
    return out


def _encode_value(f: ResultField, value):
    if f.kind in ("count", "quantity"):
        return plain(value)
    if f.kind == "date":
        return value.isoformat()
    if f.kind == "text":
        return str(value)
    if f.kind == "texts":
        return [str(v) for v in value]
    if f.kind == "record":
        return encode(value, f.fields)
    return [encode(v, f.fields) for v in value]


def field_for(key: str) -> ResultField:
    """The field behind a results key: a top-level key, or ``eps.NAME`` for one of the EPS object's.

    Raises KeyError for a key the results do not have.
    """
    if key.startswith("eps."):
        return _EPS_BY_KEY[key[4:]]
    return _BY_KEY[key]


def value_of(results, key: str):
    """The engine's value behind *key* (see :func:`field_for`); None where the results leave it out."""
    f = field_for(key)
    if key.startswith("eps."):
        return None if results.eps is None else getattr(results.eps, f.attr)
    return getattr(results, f.attr)
