"""What a reader does not see, or sees otherwise, that validate names (reviews 143, 145, 146): a conditional
format's font in its background's colour, a figure under merged cells, columns shrunk to nothing within a span or
to a width of 0, a figure in a page header or footer, zeros shown blank.  The workbooks are the standard ones with
one thing changed, as :mod:`test_shown` makes them."""

from __future__ import annotations

import zipfile

from test_shown import _edited, _findings

from xlpy.workbook.validate import validate


def test_a_conditional_format_whose_font_is_its_background_is_named(standard_books, tmp_path):
    """Review 143, MEDIUM: a conditional format turning the charge's font white (its rule always true) validated
    clean on both legs while the page showed no charge.  White on a dark fill of its own is legible."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill

    def edit(wb):
        res = wb["Results"]
        res.conditional_formatting.add("C28", FormulaRule(formula=["TRUE"], font=Font(color="FFFFFFFF")))
        res.conditional_formatting.add("C30", FormulaRule(formula=["TRUE"], font=Font(color="FFFFFFFF"),
                                                          fill=PatternFill(bgColor="FF1F3864", fill_type="solid")))
        # (review 146: black on yellow given as openpyxl writes it, fgColor alone; and a grey too near white)
        res.conditional_formatting.add("C29", FormulaRule(formula=["TRUE"], font=Font(color="FF000000"),
                                                          fill=PatternFill(fgColor="FFFFFF00", fill_type="solid")))
        res.conditional_formatting.add("C27", FormulaRule(formula=["TRUE"], font=Font(color="FFF4F4F4")))

    assert _findings(_edited(standard_books["seed"], tmp_path / "cf.xlsm", edit)) == [
        "Results!C28: conditional format's font colour is its background's when its rule applies (a reader takes the "
        "cell for empty): expected a colour that stands out from the background, found font colour #FFFFFF on "
        "#FFFFFF",
        "Results!C27: conditional format's font colour is its background's when its rule applies (a reader takes the "
        "cell for empty): expected a colour that stands out from the background, found font colour #F4F4F4 on "
        "#FFFFFF"]


def test_a_figure_under_merged_cells_is_said_as_such(standard_books, tmp_path):
    """Review 143, MEDIUM: the charge's cell merged under the one above it (C27:C28) was named as a value typed
    over its formula, "found a blank cell", which no one typed: the merge hides it.  Review 161: the figures
    following from it said so too."""
    def edit(wb):
        wb["Results"].merge_cells("C27:C28")

    book = _edited(standard_books["seed"], tmp_path / "merged.xlsm", edit)
    found = [f for f in validate(book, legs=()).findings if f.where == "Results!C28"]
    assert [(f.what, f.found) for f in found] == [(
        "is covered by merged cells (C27:C28), not their first cell: a reader sees no figure there, and an application "
        "keeps only the first cell's; unmerge them (Home > Merge & Center) and put the layout's formula back, or "
        "rebuild the workbook", "a cell under the merged cells C27:C28")]
    from xlpy.workbook.saved_values import TYPED_OVER

    assert found[0].kind == TYPED_OVER  # (review 146: the figures following from it say so, as from a value typed)
    # review 161: ... from the merged cells, not from "the value typed over the formula" no one typed
    follows = [f.what for f in validate(book, legs=("formulas",)).findings if f.where == "Cover!C7"]
    assert follows == ["Cover: Charge differs from the engine; it follows from the merged cells over the formula of "
                       "Results!C28 (named in a finding of its own): unmerge them and put the formula back, then "
                       "validate again"], follows
    # review 163: two formulas under merged cells, alike
    book = _edited(standard_books["seed"], tmp_path / "merged2.xlsm",
                   lambda wb: [wb["Results"].merge_cells(r) for r in ("B9:C9", "B14:C14")])
    follows = [f.what for f in validate(book, legs=("formulas",)).findings if f.where == "Cover!C7"]
    assert follows == ["Cover: Charge differs from the engine; it follows from the merged cells over the formulas of "
                       "Results!C9 and Results!C14 (named in findings of their own): unmerge them and put the "
                       "formulas back, then validate again"], follows
    # review 165: one merged over, one typed over: said as either
    def edit(wb):
        wb["Results"].merge_cells("B9:C9")
        wb["Results"]["C14"] = 5

    book = _edited(standard_books["seed"], tmp_path / "mixed.xlsm", edit)
    follows = [f.what for f in validate(book, legs=("formulas",)).findings if f.where == "Cover!C7"]
    assert follows == ["Cover: Charge differs from the engine; it follows from the values typed over, or the merged "
                       "cells over, 2 formulas (Results!C9 and Results!C14; the workbook computes from those values, "
                       "the engine from the inputs): put the formulas back, then validate again"], follows


def test_the_note_counting_the_rest_names_merged_cells_as_the_cause():
    """Review 165: past the first 10 figures, the note counting the rest said "following from the values typed over
    formulas" when merged cells alone were over them."""
    from xlpy.workbook.saved_values import Overridden, typed_over_rest

    def cells(merged: list[str], typed: list[str] = (), changed: list[str] = ()) -> Overridden:
        out = Overridden([*merged, *typed, *changed])
        out.merged, out.changed = frozenset(merged), frozenset(changed)
        return out

    rest = "3 more figure(s) differ from the engine, following from {} (the first 10 are shown)"
    assert typed_over_rest(13, "figure(s)", cells(["Results!C9"])) == rest.format("the merged cells over formulas")
    assert typed_over_rest(13, "figure(s)", cells(["Results!C9"], ["Results!C14"])) == rest.format(
        "the values typed over, or the merged cells over, formulas")
    assert typed_over_rest(13, "figure(s)", cells([], ["Results!C14"])) == rest.format("the values typed over formulas")
    assert typed_over_rest(13, "figure(s)", cells(["Results!C9"], [], ["Results!C14"])) == rest.format(
        "the merged cells over formulas, or the formulas changed")
    assert typed_over_rest(13, "figure(s)", Overridden()) == rest.format("the values typed over formulas")
    # review 169: the figures' own words name the merged cells among a formula changed, as the note does
    from xlpy.workbook.saved_values import typed_over_why

    assert typed_over_why(cells(["Results!C9"], [], ["Results!C14"])) == (
        "it follows from the merged cells over formulas, or formulas changed, in 2 cells (Results!C9 and Results!C14; "
        "the workbook computes from what they hold, the engine by the layout): unmerge the cells and put the layout's "
        "formulas back, then validate again")
    assert typed_over_why(cells(["Results!C9"], ["Results!C16"], ["Results!C14"])).startswith(
        "it follows from the values typed over, merged cells over formulas, or formulas changed, in 3 cells")
    assert typed_over_why(cells([], ["Results!C16"], ["Results!C14"])).startswith(
        "it follows from the values typed over, or formulas changed, in 2 cells")


def _results_columns(src, dst, old: str, new: str):
    """A copy of *src* whose Results sheet (``sheet5.xml``) holds the ``<col>`` elements *new* in place of *old*,
    as a spreadsheet application may write them (openpyxl writes no column of width 0, nor spans)."""
    import shutil

    shutil.copy(src, dst)
    with zipfile.ZipFile(dst) as zf:
        items = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet5.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode())
            out.writestr(info, data)
    return dst


def test_a_column_of_figures_shrunk_within_a_span_of_columns_is_named(standard_books, tmp_path):
    """Review 145: a width set on a span of columns (``<col min="3" max="4">``, as LibreOffice writes columns alike)
    was judged for its first column alone: D, shrunk with C, went unnamed."""
    book = _results_columns(standard_books["seed"], tmp_path / "span.xlsm", '<col width="22" customWidth="1" min="3" '
                            'max="3"/><col width="16" customWidth="1" min="4" max="4"/>',
                            '<col width="0.5" customWidth="1" min="3" max="4"/>')
    assert [f.split(":")[0] + ":" + f.split(":")[1] for f in _findings(book)] == ["Results!C:C", "Results!D:D"]


def test_a_column_of_width_0_not_marked_hidden_is_named_hidden(standard_books, tmp_path):
    """Review 146: a column of width 0 not marked hidden (Excel shows none of it) was passed over, openpyxl reading
    a width of 0 as no custom width."""
    book = _results_columns(standard_books["seed"], tmp_path / "w0.xlsm", '<col width="22" customWidth="1" min="3" '
                            'max="3"/>', '<col width="0" min="3" max="3"/>')
    assert _findings(book) == [
        "Results!C:C: column of figures or their labels is hidden: a reader does not see it; unhide column C (select "
        "columns B:D, then Home > Format > Hide & Unhide > Unhide Columns): expected shown, found width 0"]


def test_a_figure_in_a_page_header_or_footer_is_named(standard_books, tmp_path):
    """Review 143, LOW: ``Induced charge $9,000,000.00`` in Results' printed header validated clean.  The layout's
    footer (the file, the company, ``Page &P of &N``) and a font size code (``&12``) are no figure."""
    def edit(wb):
        res = wb["Results"]
        res.oddHeader.center.text = '&"Arial,Bold"&12Induced charge $9,000,000.00'
        res.firstFooter.left.text = "Participation 58.95 %"
        wb["Cover"].oddHeader.right.text = "&12Draft 3 of the 2004 offer, &D"
        wb["Check"].oddHeader.right.text = "Amounts in $000s; 100% owned; printed at 75% scale"  # (review 147)

    found = [f for f in _findings(_edited(standard_books["seed"], tmp_path / "page.xlsm", edit)) if "page" in f]
    assert [f.split(": a figure")[0] + " | " + f.rsplit("found ", 1)[1] for f in found] == [
        "Results (page header, center) | $9,000,000.00", "Results (first page's footer, left) | 58.95 %"], found


def test_a_sheet_showing_its_zeros_blank_is_named(standard_books, tmp_path):
    """Review 143, LOW: Results set to show zero figures as blank cells (a sheet's option) validated clean: a charge
    of 0 would read as one not there."""
    def edit(wb):
        wb["Results"].sheet_view.showZeros = False
        wb["xlwings.conf"].sheet_view.showZeros = False  # (review 147: the settings sheet, hidden, has no figures)

    assert _findings(_edited(standard_books["seed"], tmp_path / "zeros.xlsm", edit)) == [
        "Results: sheet shows its zero figures as blank cells: a reader takes a charge or count of 0 for one not "
        "there; show them (Excel: File > Options > Advanced > Show a zero in cells that have zero value; LibreOffice: "
        "View > Zero Values): expected zeros shown, found zeros blank"]
