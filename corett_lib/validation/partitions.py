"""The one rule of parts and totals: which figures are parts of which total, and when a part is above it.

Issue 13 asks for a rule, not row lists: a part above its total is flagged and never used for a share
or rate, and nobody declares it. This module owns that rule once; two callers apply it:

* the observations (:func:`corett_lib.validation.checks.inconsistent_parts`, and
  :func:`corett_lib.validation.checks.disaggregation_checks` for the warnings), where a partition is
  checked at every slice of the other columns (the sexes at each age, dimension and category);
* the published facts (:func:`corett_lib.facts.rules.inconsistent_facts`), where a partition is a
  breakdown of an indicator (``disagg`` ``sex``, ``age``, ``sex_age``, ``form``, ``citizenship``)
  compared with the ``total`` of the same indicator, country, year, source and members.

The relations (:data:`PARTITIONS`):

==============  ==========================================================  ======
partition       parts (at one value of the other columns)                   summed
==============  ==========================================================  ======
``sex``         Female, Male, Other, Unknown against the sex ``Total``      yes
``age``         0-17, 18+, Unknown against the age ``Total``                yes
``sex_age``     every sex-and-age cell against the ``Total``/``Total`` one  yes
``form``        each form of exploitation against the dimension's total     no
``citizenship`` every citizenship against the dimension's total             yes
==============  ==========================================================  ======

Summed parts are disjoint (their sum is at most the total); forms of exploitation may overlap (a
victim can suffer several), so each is compared with the total on its own. On the observations, any
other single figure is also compared with the grand total of its source, country, year and
indicator (:data:`GRAND`; repatriations excepted, :data:`NOT_PART_OF_TOTAL`); on the facts that
relation is implied by the partitions.

The comparison (:func:`above_total`): a part counts its floor (:func:`floor`: its lower bound, 0
when censored, so a censored ``<5`` or a range that includes one is never evidence of an excess),
a total its upper bound (``value_high``). When summed parts exceed their total, every part of that
group is flagged (which one is wrong cannot be told). A part equal to its total is consistent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

#: Categories of ``sex`` that are parts of the sex ``Total``.
SEX_PARTS: tuple[str, ...] = ("Female", "Male", "Other", "Unknown")
#: Categories of ``age`` that are parts of the age ``Total``.
AGE_PARTS: tuple[str, ...] = ("0 to 17 years", "18 years or over", "Unknown")
#: The dimension of forms of exploitation (parts that may overlap).
FORMS_DIMENSION = "by form of exploitation"
#: The dimension of citizenship (every category a part of the total).
CITIZENSHIP_DIMENSION = "by citizenship"
#: Repatriated victims are nationals returned from abroad, not part of the country's detected total.
NOT_PART_OF_TOTAL: tuple[str, ...] = ("by country of repatriation",)
#: The value of a column that means "every category" (a total).
TOTAL = "Total"
#: The columns of an observation that tell a part from its total.
CELL_COLUMNS: tuple[str, ...] = ("dimension", "category", "sex", "age")


@dataclass(frozen=True)
class Partition:
    """Figures that are parts of one total.

    Attributes
    ----------
    name
        The partition, and the breakdown (``disagg``) of the facts it is checked on.
    summed
        True when the parts are disjoint (their sum is at most the total); False when they may
        overlap (each part on its own is at most the total).
    slice_by
        On the observations, the columns (besides source, country, year, indicator and unit) that
        must be equal for parts and total: the partition is checked at each of their values.
    check
        The id of the observation check that reports it (a warning).
    label
        How the observation check's message names the parts.
    """

    name: str
    summed: bool
    slice_by: tuple[str, ...]
    check: str
    label: str

    def masks(self, obs: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        """Return the boolean masks of the parts and of the totals among the observations ``obs``.

        Examples
        --------
        >>> import pandas as pd
        >>> obs = pd.DataFrame({"dimension": "Total", "category": "Total", "age": "Total",
        ...     "sex": ["Total", "Female", "Male"]})
        >>> parts, totals = PARTITIONS[0].masks(obs)
        >>> parts.tolist(), totals.tolist()
        ([False, True, True], [True, False, False])
        """
        sex, age, dim, cat = obs["sex"], obs["age"], obs["dimension"], obs["category"]
        dim_total = (dim == TOTAL) & (cat == TOTAL)
        if self.name == "sex":
            return sex.isin(SEX_PARTS), sex == TOTAL
        if self.name == "age":
            return age.isin(AGE_PARTS), age == TOTAL
        if self.name == "sex_age":
            return sex.isin(SEX_PARTS) & age.isin(AGE_PARTS), (sex == TOTAL) & (age == TOTAL)
        if self.name == "form":
            return (dim == FORMS_DIMENSION) & (cat != TOTAL), dim_total
        if self.name == "citizenship":
            return (dim == CITIZENSHIP_DIMENSION) & (cat != TOTAL), dim_total
        if self.name == "grand":  # every figure but the grand total and repatriations
            grand = dim_total & (sex == TOTAL) & (age == TOTAL)
            return ~grand & ~dim.isin(NOT_PART_OF_TOTAL), grand
        raise ValueError(f"unknown partition {self.name!r}")


#: The partitions, in the order the observation check reports them.
PARTITIONS: tuple[Partition, ...] = (
    Partition("sex", True, ("dimension", "category", "age"), "sex_parts_within_total", "the sexes"),
    Partition(
        "age", True, ("dimension", "category", "sex"), "age_parts_within_total", "the age groups"
    ),
    Partition(
        "sex_age",
        True,
        ("dimension", "category"),
        "sex_age_parts_within_total",
        "the sex and age groups",
    ),
    Partition(
        "form",
        False,
        ("sex", "age"),
        "forms_within_total",
        "the total of the same sex and age",
    ),
    Partition("citizenship", True, ("sex", "age"), "citizenship_within_total", "the citizenships"),
)

#: Observations only: any other single figure against the grand total (reported last, and only for
#: figures no partition reported).
GRAND = Partition("grand", False, (), "part_within_grand_total", "the grand total")

#: Partitions by name (the facts' breakdowns).
BY_NAME: dict[str, Partition] = {p.name: p for p in PARTITIONS}


def floor(low: np.ndarray | pd.Series, censored: np.ndarray | pd.Series) -> np.ndarray:
    """Return the smallest value each part can stand for: its lower bound, 0 when censored or unknown.

    UNODC's ``<5`` is read with bounds 1..4, but the export shows ``<5`` where the other cells force
    a zero (e.g. BLZ 2017 victims 18+: Female 7 = Total 7, yet Male and Other are ``<5``), so a
    censored part (or a range that includes one) is never taken as evidence of an excess.

    Examples
    --------
    >>> floor(np.array([79.0, 1.0, np.nan]), np.array([False, True, False])).tolist()
    [79.0, 0.0, 0.0]
    """
    import pandas as pd

    v = np.asarray(low, dtype=float)
    cens = pd.Series(np.asarray(censored, dtype=object)).fillna(False).astype(bool).to_numpy()
    return np.where(cens | np.isnan(v), 0.0, v)


def group_codes(
    df: pd.DataFrame,
    columns: Sequence[str],
    cache: dict[str, tuple[np.ndarray, int]] | None = None,
) -> np.ndarray:
    """Return one int64 per row of ``df``, equal for rows equal on ``columns`` (NaN equals NaN).

    ``cache`` keeps each column's codes between calls on the same ``df`` (one per partition).
    """
    import pandas as pd

    out = np.zeros(len(df), dtype=np.int64)
    bound = 1  # every code of ``out`` is below it
    for c in columns:
        if cache is None or c not in cache:
            codes, uniques = pd.factorize(df[c], use_na_sentinel=False)
            found = (codes.astype(np.int64), len(uniques) + 1)
            if cache is not None:
                cache[c] = found
        codes64, size = cache[c] if cache is not None else found
        if bound * size >= 2**62:  # renumber before the product could overflow
            out, seen = pd.factorize(out)
            out, bound = out.astype(np.int64), len(seen) + 1
        out = out * size + codes64
        bound *= size
    return out


def above_total(
    group: np.ndarray,
    parts: np.ndarray,
    totals: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    *,
    summed: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Return which parts are above their total, and what they were compared with.

    Parameters
    ----------
    group
        One code per row: a part belongs to the total of its code (:func:`group_codes`).
    parts, totals
        Boolean masks of the rows that are parts, and totals.
    low
        The floor of every row (:func:`floor`).
    high
        The upper bound of every row (``value_high``); a total gives it (the largest when a group
        has several).
    summed
        Whether the parts of a group are added up (disjoint parts) or compared one by one.

    Returns
    -------
    tuple of numpy.ndarray
        Per row: True for a part above its total (False for every other row), and the floor that was
        compared (the group's sum when ``summed``, NaN for rows that are not parts).

    Examples
    --------
    Honduras 2019 in the UNODC export: Female 79 + Male 9 = 88 against a total of 84.

    >>> g = np.zeros(3, dtype=np.int64)
    >>> v = np.array([84.0, 79.0, 9.0])
    >>> bad, low = above_total(g, v != 84, v == 84, v, v, summed=True)
    >>> bad.tolist(), low.tolist()[1:]
    ([False, True, True], [88.0, 88.0])
    >>> above_total(g, v != 84, v == 84, v, v, summed=False)[0].tolist()
    [False, False, False]
    """
    import pandas as pd

    bad = np.zeros(len(group), dtype=bool)
    compared = np.full(len(group), np.nan)
    parts, totals = np.asarray(parts, bool), np.asarray(totals, bool)
    if not parts.any() or not totals.any():
        return bad, compared
    total_high = pd.Series(high[totals]).groupby(group[totals]).max()
    key = group[parts]
    if summed:
        part_low = pd.Series(low[parts]).groupby(key).transform("sum").to_numpy(float)
    else:
        part_low = low[parts].astype(float)
    limit = total_high.reindex(key).to_numpy(float)  # NaN where the group has no total
    bad[parts] = part_low > limit
    compared[parts] = part_low
    return bad, compared
