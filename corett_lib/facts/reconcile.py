"""The reconciliation table: every figure where sources differ, shown instead of hidden.

The engine shows one figure per indicator, country, year and breakdown, chosen by the indicator's
source precedence (:mod:`corett_lib.facts.engine`). Every other source's figure for the same key
is compared with the chosen one here; when they differ, a row says by how much. Regional figures take
part too: a published regional total (CORETT's Chart 3) is compared with the sum over members.

Censored figures are compared by their bounds: UNODC's ``<5`` (1 to 4) and another source's 3 do not
differ; ``<5`` and 9 do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from corett_lib.core.tables import finish
from corett_lib.facts.engine import Evaluation

#: Key of the reconciliation table.
KEY: list[str] = ["indicator_id", "iso3", "year", "disaggregation", "category", "other_source"]

#: Columns of the reconciliation table, in order.
COLUMNS: list[str] = [
    *KEY,
    "label",
    "source",
    "value",
    "value_low",
    "value_high",
    "other_value",
    "other_low",
    "other_high",
    "difference",
    "relative_difference",
]


def reconciliation(
    evaluation: Evaluation,
    *,
    kinds: Sequence[str] = ("count",),
    indicators: Iterable[str] | None = None,
    countries: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Return every indicator key where another source's figure differs from the chosen one.

    Parameters
    ----------
    evaluation
        From :func:`corett_lib.facts.engine.evaluate`.
    kinds
        Indicator kinds compared (default counts: ratios and changes follow from them).
    indicators, countries, years
        Optional filters.
    lang
        Language of the ``label`` column.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`: the chosen ``source`` and its value (with bounds), the ``other_source`` and
        its value, ``difference`` = other - chosen and ``relative_difference`` (percent of the chosen
        value); both empty when a figure is censored. Sorted by :data:`KEY`.

    Examples
    --------
    >>> import pandas as pd
    >>> from corett_lib.facts.engine import evaluate
    >>> def obs(source, value):
    ...     return {"source": source, "iso3": "MEX", "year": 2017,
    ...             "indicator": "Detected trafficking victims", "dimension": "Total",
    ...             "category": "Total", "sex": "Total", "age": "Total", "unit": "Counts",
    ...             "value": value, "censored": False, "value_low": value, "value_high": value}
    >>> ev = evaluate(pd.DataFrame([obs("UNODC", 970.0), obs("CORETT", 1080.0)]),
    ...               pd.DataFrame(columns=["iso3", "year", "population"]), members=["MEX"])
    >>> r = reconciliation(ev, countries=["MEX"])
    >>> r[["source", "value", "other_source", "other_value", "difference"]].values.tolist()
    [['UNODC', 970.0, 'CORETT', 1080.0, 110.0]]
    """
    reg = evaluation.registry
    ids = list(indicators) if indicators else [i.id for i in reg.indicators if i.kind in kinds]
    key = ["ind", "iso3", "year", "disagg", "category"]
    chosen = evaluation.resolved.loc[
        evaluation.resolved["ind"].isin(ids),
        [*key, "source_id", "source", "value", "value_low", "value_high"],
    ]
    others = evaluation.by_source.loc[
        evaluation.by_source["ind"].isin(ids),
        [*key, "source", "value", "value_low", "value_high"],
    ].rename(
        columns={
            "source": "other_source",
            "value": "other_value",
            "value_low": "other_low",
            "value_high": "other_high",
        }
    )
    m = chosen.merge(others, on=key, how="inner")
    m = m[m["other_source"].ne(m["source_id"])]
    if countries is not None:
        m = m[m["iso3"].isin(list(countries))]
    if years is not None:
        m = m[m["year"].isin([int(y) for y in years])]
    lo, hi = m["value_low"].to_numpy(float), m["value_high"].to_numpy(float)
    olo, ohi = m["other_low"].to_numpy(float), m["other_high"].to_numpy(float)
    differ = (ohi < lo) | (hi < olo)
    m = m[differ]
    diff = m["other_value"].to_numpy(float) - m["value"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(
            m["value"].to_numpy(float) > 0, diff / m["value"].to_numpy(float) * 100, np.nan
        )
    out = pd.DataFrame(
        {
            "indicator_id": m["ind"].to_numpy(object),
            "iso3": m["iso3"].to_numpy(object),
            "year": m["year"].astype("int64").to_numpy(),
            "disaggregation": m["disagg"].to_numpy(object),
            "category": m["category"].astype(str).to_numpy(object),
            "other_source": m["other_source"].to_numpy(object),
            "label": m["ind"].map({i.id: i.name(lang) for i in reg.indicators}).to_numpy(object),
            "source": m["source"].to_numpy(object),
            "value": m["value"].to_numpy(float),
            "value_low": lo[differ],
            "value_high": hi[differ],
            "other_value": m["other_value"].to_numpy(float),
            "other_low": olo[differ],
            "other_high": ohi[differ],
            "difference": diff,
            "relative_difference": rel,
        }
    )
    return finish(out[COLUMNS], KEY, name="reconciliation")
