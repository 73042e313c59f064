"""Exchanges whose calendars list closed days by date in forms of their own (review 133).

exchange-calendars gives a calendar's ``adhoc_holidays`` (days closed by no holiday rule: a storm, a day of
mourning, or a holiday listed by its dates, as Hong Kong's Lunar New Year) as a list of Timestamps for most
calendars, but as numpy datetimes (XHKG), a ``DatetimeIndex`` (XBOM, XSES, XSHG) or date strings (XMOS, XLJU) for
others.  Reading a price file against any of those six stopped ``compute``, ``build`` and ``refresh`` with "an error
xlpy did not expect" (exit 70), even for a file of the exchange's sessions alone.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from repo_paths import DATA, FORMULA

from xlpy.cli import main
from xlpy.files import calendars

SIX = ("XHKG", "XBOM", "XSES", "XSHG", "XMOS", "XLJU")


def _offer(folder, code: str, expiration: dt.date, days: list[dt.date]):
    """An offer of a ratio by formula over exchange *code*'s *days* (a price each), expiring on *expiration*."""
    shutil.copy(DATA / "hecla-2004-tally.csv", folder / "tally.csv")
    (folder / "prices.csv").write_text("date,price,volume\n" + "".join(
        f"{d.isoformat()},{8 + (i % 7) / 10:.2f},{1_000_000 + i * 1000}\n" for i, d in enumerate(days)),
        encoding="utf-8")
    text = FORMULA.read_text(encoding="utf-8")
    text = text.replace("data/hecla-2004-prices-illustrative.csv", "prices.csv").replace(
        "data/hecla-2004-tally.csv", "tally.csv").replace('calendar = "XNYS"', f'calendar = "{code}"')
    text = re.sub(r"(?m)^expiration = 2004-02-20", f"expiration = {expiration.isoformat()}", text)
    text = re.sub(r"(?m)^date = 2004-02-20", f"date = {expiration.isoformat()}", text)
    (folder / "offer.toml").write_text(text, encoding="utf-8")
    return folder / "offer.toml"


@pytest.mark.parametrize("code", SIX)
def test_an_offer_on_an_exchange_listing_its_closings_by_date_computes(tmp_path, code, capsys):
    sessions = calendars.sessions(code, dt.date(2015, 3, 2), dt.date(2015, 4, 30))
    offer = _offer(tmp_path, code, sessions[-5], sessions)
    assert main(["compute", str(offer)]) == 0, capsys.readouterr().err
    assert "Offer ratio" in capsys.readouterr().out


@pytest.mark.parametrize("code", SIX + ("XNYS",))
def test_a_price_on_a_day_closed_by_date_is_named_so(code):
    """Each such calendar's listed closings are read as dates, whatever form the library gives them in: a weekday
    among them is named as closed, a weekend day as the weekend."""
    cal = calendars.calendar(code)
    first, last = cal.first_session.date(), cal.last_session.date()
    listed = sorted({d.date() for d in map(_as_timestamp, cal.adhoc_holidays) if first <= d.date() <= last})
    weekdays = [d for d in listed if cal.weekmask[d.weekday()] == "1"]  # (a day the exchange trades on, as a rule)
    found = calendars.closed_days(code, weekdays)
    assert set(found) == set(weekdays)  # (each closed)
    assert "a closure the calendar lists by date" in found.values()  # (named so where no holiday rule names it)
    assert "a holiday" not in found.values()


def _as_timestamp(t):
    import pandas as pd

    return pd.Timestamp(t)


def test_a_storm_closing_is_named_and_a_weekend_day_listed_by_date_stays_the_weekend():
    assert calendars.closed_days("XNYS", [dt.date(2012, 10, 29), dt.date(2012, 10, 27)]) == {
        dt.date(2012, 10, 27): "a Saturday", dt.date(2012, 10, 29): "a closure the calendar lists by date"}
    # Hong Kong lists 2004's Lunar New Year (Thursday 22 January to Saturday 24) by its dates
    assert calendars.closed_days("XHKG", [dt.date(2004, 1, 21), dt.date(2004, 1, 22), dt.date(2004, 1, 24)]) == {
        dt.date(2004, 1, 22): "a closure the calendar lists by date", dt.date(2004, 1, 24): "a Saturday"}
    # a day listed by date that a holiday rule names too keeps the rule's name (review 137)
    assert calendars.closed_days("XHKG", [dt.date(1994, 6, 13)]) == {dt.date(1994, 6, 13): "Queen's Birthday"}


def test_a_price_file_with_a_day_hong_kong_was_closed_is_refused_naming_it(tmp_path, capsys):
    sessions = calendars.sessions("XHKG", dt.date(2004, 1, 2), dt.date(2004, 2, 27))
    offer = _offer(tmp_path, "XHKG", sessions[-5], sorted(sessions + [dt.date(2004, 1, 22)]))
    assert main(["compute", str(offer)]) == 2
    err = capsys.readouterr().err
    assert "2004-01-22" in err and "a closure the calendar lists by date" in err, err


def test_a_workbook_over_hong_kong_s_sessions_builds_and_validates(tmp_path, capsys):
    """The workbook's WORKDAY skips the Lunar New Year the Holidays table lists, as the engine does (the window
    of five days ending two sessions before the expiration runs across it)."""
    sessions = calendars.sessions("XHKG", dt.date(2004, 1, 2), dt.date(2004, 2, 27))
    expiration = sessions[sessions.index(dt.date(2004, 1, 21)) + 4]  # (22-23 January closed: in the window)
    offer = _offer(tmp_path, "XHKG", expiration, sessions)
    book = tmp_path / "hk.xlsm"
    assert main(["build", str(offer), "-o", str(book), "--no-libreoffice", "-q"]) == 0, capsys.readouterr().err
    assert main(["validate", str(book), "--no-libreoffice"]) == 0
    assert "hk.xlsm: valid" in capsys.readouterr().out
