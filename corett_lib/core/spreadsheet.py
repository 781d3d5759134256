"""Formula neutralisation: the one function every CSV and Excel file the workbench writes uses.

A spreadsheet runs a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab, carriage
return or line feed before one, or their full-width forms) as a formula (OWASP "CSV injection").
:func:`neutralize` puts an apostrophe before such text, which spreadsheets show as the text itself.
Data files the workbench reads back (``monitoring/collected.csv``) keep the text as typed; every
export meant for a spreadsheet (downloads, ``corett indicators --format csv``, monitoring exports,
the member's template) goes through here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection), and the
#: full-width forms some spreadsheets also accept.
FORMULA_PREFIXES: tuple[str, ...] = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
)


#: Validation's test (``text_not_formula``): what :func:`looks_like_formula` finds, except a plain
#: signed number (``-3``), which a spreadsheet reads as that number (its sign is the business of the
#: value checks). Exports neutralise both (:func:`neutralize`).
FORMULA_REGEX = r"^ *(?:[=@\t\r\n\uff1d\uff20]|[+\-\uff0b\uff0d](?! *[\d.,]+ *$))"


def looks_like_formula(text: str) -> bool:
    """Return True when a spreadsheet would read ``text`` as a formula (leading spaces ignored).

    Examples
    --------
    >>> looks_like_formula("  =1+1"), looks_like_formula("-2+3+cmd|' /C calc'!A0"), looks_like_formula("a=b")
    (True, True, False)
    """
    return text.lstrip(" ").startswith(FORMULA_PREFIXES)


def neutralize(value: Any) -> Any:
    r"""Return ``value`` made inert for a spreadsheet.

    Text that :func:`looks_like_formula` gets a leading apostrophe; anything else (numbers
    included) is returned unchanged.

    Examples
    --------
    >>> neutralize("=HYPERLINK(\"http://x\")"), neutralize("-3"), neutralize("Guatemala"), neutralize(-3)
    ('\'=HYPERLINK("http://x")', "'-3", 'Guatemala', -3)
    """
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def neutralize_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with every cell (column names too) passed through :func:`neutralize`."""
    out = df.map(neutralize)
    out.columns = [neutralize(c) for c in df.columns]
    return out


__all__ = [
    "FORMULA_PREFIXES",
    "FORMULA_REGEX",
    "looks_like_formula",
    "neutralize",
    "neutralize_frame",
]
