"""xlpy: exact, auditable exchange-offer and induced-conversion accounting in Excel.

The engine (:mod:`xlpy.engine`) is pure Python on :class:`decimal.Decimal`;
worksheet functions (:mod:`xlpy.udfs`), refresh macros (:mod:`xlpy.macros`),
the command line (:mod:`xlpy.cli`) and the standard workbook are thin layers
over it.
"""

__version__ = "0.1.0"
