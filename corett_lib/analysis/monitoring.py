"""Plan progress from the monitoring data: actuals per plan indicator, cumulative over the plan period."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from corett_lib.dataset.monitoring import YEAR_RANGE


def plan_actuals(
    monitoring: pd.DataFrame,
    country: str,
    year: int,
    *,
    members: Sequence[str],
    cumulative: bool = True,
) -> pd.DataFrame:
    """Return indicator actuals shaped for :func:`corett_lib.analysis.status.plan_progress`.

    Parameters
    ----------
    monitoring
        The table from :func:`load_monitoring`.
    country
        A member, or ``CORETT`` (the sum over ``members``).
    year
        The year; with ``cumulative`` the sum from 2019 to ``year`` (plan targets are levels to
        reach over the plan), else that year only.
    members
        The coalition's members.

    Returns
    -------
    pandas.DataFrame
        ``plan_id, iso3, year, value, source, illustrative``: one row per indicator with figures;
        ``source`` joins the sources read and ``illustrative`` is True when any figure is.

    Examples
    --------
    >>> from corett_lib.dataset.monitoring import load_monitoring
    >>> m, _ = load_monitoring()
    >>> a = plan_actuals(m, "GTM", 2020, members=["GTM"])
    >>> bool(a["illustrative"].all()), sorted(set(a["year"]))
    (True, [2020])
    """
    import pandas as pd

    scope = list(members) if country == "CORETT" else [country]
    first = YEAR_RANGE[0] if cumulative else int(year)
    rows = monitoring[
        monitoring["iso3"].isin(scope)
        & monitoring["year"].between(first, int(year))
        & monitoring["value"].notna()
    ]
    out = (
        rows.groupby("plan_item_id", sort=True)
        .agg(
            value=("value", "sum"),
            source=("source", lambda s: "; ".join(sorted(set(s)))),
            illustrative=("illustrative", lambda s: bool((s != "").any())),
        )
        .reset_index()
        .rename(columns={"plan_item_id": "plan_id"})
    )
    out.insert(1, "iso3", country)
    out.insert(2, "year", int(year))
    return pd.DataFrame(out, columns=["plan_id", "iso3", "year", "value", "source", "illustrative"])
