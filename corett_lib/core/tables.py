"""The finishing function every table goes through before it leaves the library.

:func:`finish` sets the key, rejects duplicate keys and sorts deterministically, so the same inputs
always give the same table in the same order (and so the same report content).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


class DuplicateKeyError(ValueError):
    """Raised by :func:`finish` when two rows share a key."""


def finish(df: pd.DataFrame, keys: Sequence[str], *, name: str = "table") -> pd.DataFrame:
    """Return ``df`` checked for unique ``keys``, sorted by them, with a fresh RangeIndex.

    Parameters
    ----------
    df
        The table.
    keys
        Columns that identify a row. All must exist.
    name
        Used in error messages.

    Raises
    ------
    KeyError
        When a key column is missing.
    DuplicateKeyError
        When two rows share a key; the message shows up to five duplicated keys.

    Examples
    --------
    >>> import pandas as pd
    >>> finish(pd.DataFrame({"k": [2, 1], "v": ["b", "a"]}), ["k"])["v"].tolist()
    ['a', 'b']
    """
    keys = list(keys)
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise KeyError(f"{name}: key column(s) missing: {missing}")
    dup = df.duplicated(keys, keep=False)
    if dup.any():
        sample = df.loc[dup, keys].drop_duplicates().head(5).to_dict("records")
        raise DuplicateKeyError(f"{name}: {int(dup.sum())} rows share a key {keys}; e.g. {sample}")
    return df.sort_values(keys, kind="mergesort", na_position="last").reset_index(drop=True)
