"""xlpy inside Excel: the worksheet functions, their registry and argument handling, the VBA module
"Import Functions" writes, and the xlwings Lite project.

Depends on the engine and :mod:`xlpy.files`; never on :mod:`xlpy.workbook`.  Workbooks record the
worksheet functions as ``xlpy.udfs`` (:mod:`xlpy.udfs` re-exports :mod:`xlpy.excel.udfs`).
"""
