"""What comes in from outside, read and checked: the offer file, the agent's tallies and count files,
price histories, column mappings, exchange calendars, and the limits on files from outside.

Everything here turns a file into engine records (:mod:`xlpy.engine.model`), every problem located
(``offer.outstanding``, ``tally.csv: row 12``) and reported together.  It depends on the engine only.
"""
