"""The standard offer-results workbook: its layout (:mod:`.layout`, one module per sheet), the
builder, the package editor and the book backends, the refresh, the validator and its two
recalculation legs (the ``formulas`` library and LibreOffice).

Depends on the engine, :mod:`xlpy.files` and :mod:`xlpy.excel` (the VBA module a workbook carries).
"""
