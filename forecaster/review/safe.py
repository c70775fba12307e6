"""Text from billing data must stay text: no formulas in spreadsheets, no markup in HTML,
no maths in matplotlib.

Anyone who can name a tag, an account or a resource writes into the bill, so every text
cell of the pack is treated as hostile:

- spreadsheets (XLSX and CSV): a cell starting with ``=``, ``+``, ``-``, ``@``, a tab, a
  carriage return or a line feed (or their full-width forms) is read as a formula by
  Excel, LibreOffice or Google Sheets (CSV injection, OWASP). Such text gets a leading
  apostrophe ``'``, which spreadsheets show and never evaluate. In XLSX the text is also
  written as a string cell, never a formula. Numbers are never prefixed: they are numbers.
- HTML: every string is escaped with ``html.escape`` (``<script>`` shows as text), in
  tables and in chart labels, trace names and hover texts alike.
- matplotlib (PDF charts): ``$`` would start mathtext, so it is escaped.
"""

from __future__ import annotations

import html

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
NEUTRALISER = "'"


def is_dangerous(text: str) -> bool:
    """True when a spreadsheet could take ``text`` for a formula."""
    return text.startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would run it as a formula."""
    return NEUTRALISER + text if is_dangerous(text) else text


def html_text(text: object) -> str:
    """Any value as HTML text: ``&``, ``<``, ``>`` and both quotes escaped."""
    return html.escape("" if text is None else str(text), quote=True)


def mpl_text(text: object) -> str:
    """Any value as matplotlib text that is shown literally (no mathtext)."""
    return ("" if text is None else str(text)).replace("$", r"\$")
