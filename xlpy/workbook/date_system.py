"""A standard workbook set to the 1904 date system, named as the cause wherever a workbook is read.

Excel stores a date as a serial number, counted from 1899-12-30 in the 1900
date system (Windows Excel's, and the standard workbook's) and from 1904-01-01
in the 1904 system (old Mac workbooks), which the workbook part records as
``<workbookPr date1904="1"/>``.  The two read one serial 1,462 days (four
years and a day) apart, and the standard workbook cannot hold both readings:

* ticking "Use 1904 date system" on a built workbook keeps every serial, so
  Excel (and openpyxl, which xlpy reads inputs with) shows each date four
  years and a day late, while the formulas' own results keep the 1900 reading;
* a workbook converted to it (openpyxl's ``wb.epoch = CALENDAR_MAC_1904``,
  which rewrites each serial) shows its dates right, but the worksheet
  functions (xlwings hands them serials) and validate's recalculations read
  them as 1900-system serials, four years early.

Nothing in the file tells the two apart, so the workbook is not read for its
dates at all: ``validate`` gives one structure finding (:func:`finding`),
``refresh``, ``render`` and ``compute``, ``release`` or ``entries`` on a workbook refuse it
(:func:`refusal`), each in one line naming the setting and how to mend it, and so do the buttons in Excel, which
read the setting of the workbook as it is open there (:func:`live_uses_1904`).
"""

from __future__ import annotations

import re

from ..engine.errors import InputError

__all__ = ["FIELD", "REASON", "finding", "live_setting", "live_uses_1904", "refusal", "saved_standard_1904",
           "uses_1904", "uses_1904_text"]

#: Where a problem of the date system is said, after the workbook's name.
FIELD = "date system"

#: What is wrong, and how to mend it, in one line.
REASON = ('the workbook uses the 1904 date system (Excel: File > Options > Advanced, "Use 1904 date system"; on a '
          "Mac, Excel > Preferences > Calculation), and the standard workbook is of the 1900 system, which reads "
          "each date's serial number 1,462 days (four years and a day) earlier, as xlpy's worksheet functions and "
          "recalculations always read it: its dates cannot be read for sure; a built workbook switched to it shows "
          "every date four years and a day late (untick the setting, and they come back), and one converted to it "
          "shows them right, but the functions and recalculations read them four years early (rebuild it with "
          "xlpy build)")

#: ``date1904`` on the workbook part's ``workbookPr`` (any prefix, either quote), its value.
_DATE1904 = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?workbookPr\b[^>]*?\sdate1904\s*=\s*([\"'])(.*?)\1")
#: The values openpyxl reads as false (any other is the 1904 system to it, and so to validate and compute: the
#: package's readers, the refresh's, take the same, where ``" 0 "`` was 1904 to the one and not to the other).
_FALSE = ("false", "f", "0", "")


def uses_1904_text(workbook_xml: bytes | str) -> bool:
    """Whether the workbook part's XML *workbook_xml* sets the 1904 date system."""
    text = workbook_xml.decode("utf-8", "replace") if isinstance(workbook_xml, bytes) else workbook_xml
    found = _DATE1904.search(text)
    return found is not None and found.group(2) not in _FALSE


def uses_1904(wb) -> bool:
    """Whether the openpyxl workbook *wb* is of the 1904 date system (openpyxl reads its dates so)."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    return getattr(wb, "epoch", None) == CALENDAR_MAC_1904


def saved_standard_1904(path) -> bool:
    """Whether the file at *path* is a standard workbook (it has the layout's name) set to the 1904 date system.

    Another workbook is not xlpy's to judge: Excel and LibreOffice read its dates by its own setting.  Nor is a
    file that cannot be read here: what is wrong with it is said by what reads it next, in full.
    """
    from .layout import LAYOUT_NAME
    from .package import Package
    from .workbook_xml import defined_names

    try:
        pkg = Package(path)
        text = pkg.read(pkg.workbook_part())
        return uses_1904_text(text) and LAYOUT_NAME in defined_names(text)
    except Exception:  # noqa: BLE001  (not a package, no workbook part, its XML not well-formed, gone)
        return False


def live_uses_1904(book) -> bool | None:
    """Whether the workbook open in Excel as the xlwings book *book* is of the 1904 date system, as Excel holds it
    now (ticked since it was saved included); None where Excel does not say (:func:`live_setting`: ``Date1904``)."""
    return live_setting(book, "Date1904", "date_1904")


def live_setting(book, windows: str, mac: str) -> bool | None:
    """A workbook setting of the xlwings book *book* as Excel holds it now; None where Excel does not say.

    On Windows ``book.api`` is the COM Workbook, whose property *windows* (``Date1904``) is the setting; on a Mac
    it is an appscript reference to the workbook, whose property *mac* (``date_1904``) is read with ``get()``.
    xlwings Lite's and xlwings Server's books have neither (their ``api`` is a dict of the workbook's data, which
    does not hold the setting).
    """
    try:
        api = book.api
    except Exception:  # noqa: BLE001  (a book xlwings has no native object for)
        return None
    if api is None or isinstance(api, dict):
        return None
    for read in (lambda: getattr(api, windows), lambda: getattr(api, mac).get()):
        try:
            value = read()
        except Exception:  # noqa: BLE001  (the other platform's spelling: AttributeError; Excel busy: a COM error)
            continue
        if isinstance(value, int):  # (a bool: pywin32's VARIANT_BOOL, AppleScript's boolean)
            return bool(value)
    return None


def refusal(label: str, done: str | None, unchanged: bool = False) -> InputError:
    """The one-line refusal of the workbook named *label*, ending with what was not *done* (nothing more when None:
    a button's dialog says first that nothing was changed); *unchanged*: *done* says it was left as it was."""
    return InputError(f"{label}: {FIELD}", None, REASON if done is None else f"{REASON}; {done}", show_value=False,
                      unchanged=unchanged)


def finding(book: str):
    """``validate``'s one finding on the workbook named *book* (structure)."""
    from .findings import Finding

    return Finding(book, FIELD, REASON, "the 1900 date system", "the 1904 date system")
