"""The worksheet functions under the name a workbook records: ``xlpy.udfs``.

A standard workbook's ``xlwings.conf`` sheet names ``UDF Modules =
xlpy.udfs;xlpy.macros``, and the VBA module that "Import Functions" writes
calls ``xlpy.udfs``; workbooks built by any xlpy keep working because this
name stays.  The functions themselves live in :mod:`xlpy.excel.udfs`.
"""

from .excel.udfs import *  # noqa: F403  (the public worksheet functions, under the recorded name)
from .excel.udfs import __all__  # noqa: F401
