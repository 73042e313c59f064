"""The worksheet functions under the name a workbook records: ``xlpy.udfs``.

A standard workbook's ``xlwings.conf`` sheet names ``UDF Modules =
xlpy.udfs;xlpy.macros``, and the VBA module that "Import Functions" writes
calls ``xlpy.udfs``; workbooks built by any xlpy keep working because this
name stays.  The functions themselves live in :mod:`xlpy.excel.udfs`.
"""

# xlwings first, at this module's top level.  Left to the registry's decorators (imported there, two modules
# deeper in the import chain), xlwings' own import -- numpy's typing modules, which it pulls in -- was measured
# 30-50 ms slower on CPython 3.11, most of what loading the worksheet functions cost beyond xlwings
# (benchmarks/bench_udfs.py: 1.11x import xlwings before, 1.01-1.07x after).
import xlwings  # noqa: F401

from .excel.udfs import *  # noqa: F403  (the public worksheet functions, under the recorded name)
from .excel.udfs import __all__  # noqa: F401
