"""CSV cells that a spreadsheet shows as text and never runs as a formula (CSV injection).

A cell is neutralised by a leading apostrophe when it starts like a formula
(``=``, ``+``, ``-``, ``@``, tab, carriage return), and so is every part of it
that would start a cell if a spreadsheet split it on another separator: the
cell ``x;=1+1;`` written in a comma-separated file opens in an Italian Excel,
which splits on semicolons, as ``x`` | ``=1+1``; it is written ``x;'=1+1;``.
Leading spaces and quotes do not hide a formula either.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = ",;\t|\r\n"

_DANGEROUS = re.compile(r"(^|[" + re.escape(SEPARATORS) + r"])([ \"']*)(?=[=+\-@\t\r])")


def safe_cell(value) -> str:
    """The text of `value` for a CSV cell, with every formula start turned into plain text."""
    text = "" if value is None else str(value)
    return _DANGEROUS.sub(lambda m: f"{m.group(1)}{m.group(2)}'", text)
