"""What text may hold once it is inside Duban: the one place control characters and
formula-like text are recognised.

Text enters through the monthly workbook (and the office's forms). ``clean`` is applied there,
once, so that what is stored can be written to Word, Excel, XML and both databases as it is.
Writers still pass their text through ``clean`` (it is idempotent), so a value stored before
this rule existed cannot break a document either.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls except TAB and LF, DEL, the C1 controls, and the two code points XML never allows.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Excel's escape for a character XML cannot hold: _x000B_ is a vertical tab, _x0000_ a NUL.
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")

# A leading sign a spreadsheet evaluates.
FORMULA_SIGNS = ("=", "+", "-", "@")
# After + or -: a parenthesis, a pipe (DDE), a sheet reference (!) or a cell reference such as
# A1 or $B$2, anywhere in the text. "-3" or "+5%" stay plain numbers with a sign.
_FORMULA_AFTER_SIGN = re.compile(r"[(|!]|(?<![A-Za-z])\$?[A-Za-z]{1,3}\$?\d+")


def _unescape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if _CONTROL.match(char) or char == "\r" else match.group(0)


def clean(text: str) -> str:
    """``text`` with line breaks as LF and no control characters but TAB and LF.

    Excel's escapes of control characters (``_x000D_``, ``_x000B_``, ``_x0000_``) are
    decoded first, so they go the same way as the characters themselves; other text that merely
    looks like an escape is kept."""
    if text.isprintable() and "_x" not in text:  # the common case: every character above is unprintable
        return text
    text = _EXCEL_ESCAPE.sub(_unescape, text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\x0c", "\n")
    return _CONTROL.sub("", text)


def formula_like(text: str) -> bool:
    """Would a spreadsheet evaluate ``text`` typed into a cell (or read from a CSV)?"""
    stripped = text.lstrip()
    if not stripped:
        return False
    if stripped[0] in "=@":
        return True
    if stripped[0] in "+-":
        return bool(_FORMULA_AFTER_SIGN.search(stripped[1:]))
    return False


def unit_name(name: str) -> str:
    """A unit's name as it is looked up: all whitespace (ASCII, full-width, no-break) dropped, so
    "区 发改委" in a workbook finds 区发改委. The one rule for the registry, the workbooks and
    the office's search."""
    return "".join(str(name).split())


def unknown_unit(name: str) -> str:
    """What every entry point says of a unit name that is neither a unit's name nor an alias."""
    return f"没有名为“{name}”的单位，请使用单位全称或已登记的简称"


def name_key(name: str) -> str:
    """The form in which two names count as the same: Unicode NFKC (full-width ａ is a, ① is 1)
    and case folding (ADMIN is admin), as Unicode's NFKC_Casefold. Names that differ only in
    such ways look alike to a reader, so they must not name two accounts."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
