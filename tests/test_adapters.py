"""The two modules that reach into third-party internals, each function against the library itself.

An upgrade of openpyxl or ``formulas`` that renames what these rely on fails
here, naming the adapter function, before it fails anywhere else
(``pyproject.toml`` bounds both libraries; see the adapters' docstrings).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from openpyxl import Workbook, load_workbook

from xlpy.workbook import formulas_access as fa
from xlpy.workbook import openpyxl_access as oa


def test_openpyxl_access_reads_cells_as_openpyxl_loads_them(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["A1"] = dt.date(2004, 2, 23)
    ws["A1"].number_format = "yyyy-mm-dd"
    ws["B1"] = 5
    wb.save(tmp_path / "t.xlsx")
    back = load_workbook(tmp_path / "t.xlsx")
    sheet = back.active
    styles = oa.cell_styles(back)
    dated = oa.style_array(sheet["A1"])
    assert styles and any(styles[i] == dated for i in oa.date_format_ids(back)), "date_format_ids"
    assert not any(styles[i] == oa.style_array(sheet["B1"]) for i in oa.date_format_ids(back)), "date_format_ids"
    oa.cell_map(sheet)[(3, 1)] = oa.loaded_cell(sheet, 3, 1, 42, "n", dated)
    assert (sheet.cell(3, 1).value, sheet.cell(3, 1).number_format) == (42, "yyyy-mm-dd"), "loaded_cell"
    oa.set_style_array(sheet["B1"], dated)
    assert sheet["B1"].number_format == "yyyy-mm-dd", "set_style_array"
    assert sheet["A1"].number_format == "yyyy-mm-dd"  # a copy was given, the source keeps its own


def test_formulas_access_values_ranges_and_names():
    assert fa.plain_value(fa.range_of("S!A1:B1", np.asarray([[1, fa.empty()]], object))) == [[1, None]]
    assert fa.plain_value(fa.range_of("S!A1:A1", np.asarray([[7.5]], object))) == 7.5
    assert float(np.asarray(fa.replace_empty(np.asarray([[fa.empty()]], object))).ravel()[0]) == 0
    na = fa.error_values()["#N/A"]
    assert fa.is_error(np.asarray(fa.error_range(na).value).ravel()[0])
    name = fa.compile_name("Two", "=1+1", {})
    assert float(np.asarray(name.func()).ravel()[0]) == 2
