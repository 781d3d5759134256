"""Progress status, the one home of every status the workbench gives (two methods, one vocabulary file).

1. **Targets vs actuals** (:func:`assess`, :func:`plan_progress`): a plan indicator's actual against its
   target, a traffic-light status that respects direction (rules below).
2. **Progress of a series** (:func:`progress_status`, :func:`series_progress`): the compound annual
   growth rate from a base year, against the growth needed to reach a target or fixed thresholds, as
   national SDG platforms do (Open SDG, after Statistics Canada).

:func:`status_text` gives the words of either method's statuses in English or Spanish; every page
shows a status through it.

Targets and status: achievement ratio and a traffic-light status that respects direction.

Rules (thresholds in ``registry.yaml``, ``status.band``, 0.15 by default — the ±15 % "on track" band
common in results-based monitoring and evaluation tools):

============================  ==========================================================
condition                     status
============================  ==========================================================
no target                     ``not applicable``
no actual                     ``no data``
direction ``ambiguous``       ``context`` (never a red light: a change is not good or bad)
``increase``                  ``achieved`` actual >= target; ``on track`` actual >= target × (1 − band);
                              else ``behind``
``decrease``                  ``achieved`` actual <= target; ``on track`` actual <= target × (1 + band);
                              else ``behind``
============================  ==========================================================

The achievement ratio is actual / target for ``increase`` (and ``ambiguous``, for information) and
target / actual for ``decrease`` (1 or more means achieved); it is empty when the divisor is 0.

:func:`plan_progress` applies the rules to the plans' indicators (``Dataset.plan_items``) and any
table of actuals (monitoring data, issue 6), so it works as soon as actuals exist.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from corett_lib.core import i18n
from corett_lib.core.tables import finish
from corett_lib.dataset.registry import load_registry

STATUSES: tuple[str, ...] = (
    "achieved",
    "on track",
    "behind",
    "no data",
    "not applicable",
    "context",
)

#: Status labels in Spanish.
STATUS_ES: dict[str, str] = {
    "achieved": "logrado",
    "on track": "en camino",
    "behind": "rezagado",
    "no data": "sin datos",
    "not applicable": "sin meta",
    "context": "contexto",
}

#: Statuses that count as reaching a target.
GOOD_STATUSES: tuple[str, ...] = ("achieved", "on track")


def status_text(status: str, lang: str, method: str = "plan") -> str:
    """Return the words of a status in ``lang``: the one wording every page uses.

    ``method`` is ``"plan"`` (targets vs actuals, :data:`STATUSES`) or ``"progress"`` (the progress of
    a series, :data:`PROGRESS_STATUSES`); both vocabularies have a ``context``, worded differently.

    The annual report's targets-vs-actuals table and the evaluation report both show a plan
    indicator's status through here, so an indicator without a target reads "No target" on both
    (never "Achieved").

    Examples
    --------
    >>> status_text("not applicable", "en"), status_text("not applicable", "es")
    ('No target', 'Sin meta')
    >>> status_text("on track", "es")
    'En camino'
    >>> status_text("acceleration_needed", "en", method="progress")
    'Progress made but acceleration needed'
    >>> status_text("context", "en"), status_text("context", "en", method="progress")
    ('Context', 'Context (direction ambiguous)')
    """
    if method == "plan" and status in STATUSES:
        return i18n.t(f"status.{status.replace(' ', '_')}", lang)
    if method == "progress" and status in PROGRESS_STATUSES:
        return i18n.t(f"sdg.progress.{status}", lang)
    known = ", ".join(STATUSES if method == "plan" else PROGRESS_STATUSES)
    raise ValueError(f"unknown {method} status {status!r}; known: {known}")


DEFAULT_BAND = 0.15


def _band(band: float | None) -> float:
    if band is not None:
        if not 0 < band < 1:
            raise ValueError(f"band must be between 0 and 1, got {band}")
        return band

    return load_registry().status.band


def assess(
    actual: pd.Series | np.ndarray,
    target: pd.Series | np.ndarray,
    direction: pd.Series | np.ndarray | str,
    *,
    band: float | None = None,
) -> pd.DataFrame:
    """Return the achievement ratio and status of each (actual, target, direction).

    Parameters
    ----------
    actual, target
        Numbers (NaN when missing), aligned.
    direction
        ``increase``, ``decrease`` or ``ambiguous`` per row, or one for all.
    band
        The "on track" band (default: the registry's ``status.band``).

    Returns
    -------
    pandas.DataFrame
        ``achievement_ratio`` and ``status`` (one of :data:`STATUSES`), one row per input row.

    Raises
    ------
    ValueError
        An unknown direction or a band outside (0, 1).

    Examples
    --------
    >>> assess([90, 80, 50, None], [100, 100, 100, 100], "increase", band=0.15)["status"].tolist()
    ['on track', 'behind', 'behind', 'no data']
    >>> assess([110, 120], [100, 100], "decrease", band=0.15)["status"].tolist()
    ['on track', 'behind']
    >>> assess([5], [100], "ambiguous", band=0.15)["status"].tolist()
    ['context']
    """
    b = _band(band)
    a = pd.to_numeric(pd.Series(np.asarray(actual, dtype=object)), errors="coerce").to_numpy(float)
    t = pd.to_numeric(pd.Series(np.asarray(target, dtype=object)), errors="coerce").to_numpy(float)
    if isinstance(direction, str):
        d = np.full(len(a), direction, dtype=object)
    else:
        d = np.asarray(direction, dtype=object)
    bad = sorted({str(x) for x in d} - {"increase", "decrease", "ambiguous"})
    if bad:
        raise ValueError(f"unknown direction(s) {bad}; use increase, decrease or ambiguous")
    dec = d == "decrease"
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(dec, t / a, a / t)
    ratio = np.where(np.isfinite(ratio), ratio, np.nan)
    eps = 1e-9 * np.abs(t)  # thresholds are inclusive; 100 x 1.15 is not exactly 115 in floats
    status = np.select(
        [
            np.isnan(t),
            np.isnan(a),
            d == "ambiguous",
            dec & (a <= t + eps),
            dec & (a <= t * (1 + b) + eps),
            dec,
            a >= t - eps,
            a >= t * (1 - b) - eps,
        ],
        [
            "not applicable",
            "no data",
            "context",
            "achieved",
            "on track",
            "behind",
            "achieved",
            "on track",
        ],
        default="behind",
    )
    return pd.DataFrame({"achievement_ratio": ratio, "status": status.astype(object)})


def with_status(
    table: pd.DataFrame,
    targets: Mapping[str, float] | pd.DataFrame | None = None,
    *,
    band: float | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Add ``target``, ``achievement_ratio`` and ``status`` to an indicator table.

    Parameters
    ----------
    table
        From :func:`corett_lib.facts.view.indicator_table` (uses ``indicator_id``, ``iso3``,
        ``year``, ``value``, ``direction``).
    targets
        ``{indicator_id: target}`` for every country and year, or a frame with ``indicator_id``,
        ``target`` and optionally ``iso3`` and/or ``year``. Default: the ``target`` the registry
        declares per indicator (none does yet: the plans' targets are in ``plan_items``).
    band
        The "on track" band (default: the registry's).
    lang
        ``es`` adds ``status_label`` in Spanish; ``en`` in English.
    """
    if targets is None:
        targets = {i.id: i.target for i in load_registry().indicators if i.target is not None}
    if isinstance(targets, Mapping):
        tg = pd.DataFrame({"indicator_id": list(targets), "target": list(targets.values())})
    else:
        tg = targets
    on = [c for c in ("indicator_id", "iso3", "year") if c in tg.columns]
    out = table.merge(tg[[*on, "target"]], on=on, how="left")
    st = assess(out["value"], out["target"], out["direction"], band=band)
    out["achievement_ratio"] = st["achievement_ratio"].to_numpy()
    out["status"] = st["status"].to_numpy()
    out["status_label"] = out["status"].map(STATUS_ES) if lang == "es" else out["status"]
    return out


def plan_progress(
    plan_items: pd.DataFrame,
    actuals: pd.DataFrame,
    *,
    band: float | None = None,
    default_direction: str = "increase",
) -> pd.DataFrame:
    """Compare the plans' indicator targets with actuals.

    Parameters
    ----------
    plan_items
        ``Dataset.plan_items``: ``id``, ``target_value``, ``direction`` (optional) and any other
        columns (``plan``, ``level``, ``text_en``, ``unit``... are carried through). Only items with
        a ``target_value`` column entry or an actual are assessed; others are ``not applicable``.
    actuals
        Monitoring data: ``plan_id`` (or ``id``), ``value``; optionally ``iso3``, ``year``,
        ``source``. Several rows per item (countries, years) give several rows out.
    band
        The "on track" band (default: the registry's).
    default_direction
        Used where an item has no direction (plan targets are levels to reach: ``increase``).

    Returns
    -------
    pandas.DataFrame
        One row per item and actual (items without actuals: one row, ``no data`` or
        ``not applicable``): ``id, iso3, year, target, actual, achievement_ratio, status`` plus the
        item's other columns, sorted by ``id, iso3, year``.

    Examples
    --------
    >>> items = pd.DataFrame({"id": ["P1", "P2", "P3"], "target_value": [10, 4, None],
    ...                       "direction": ["increase", "decrease", None]})
    >>> acts = pd.DataFrame({"plan_id": ["P1", "P2"], "year": [2021, 2021], "value": [9, 6]})
    >>> plan_progress(items, acts, band=0.15)[["id", "status"]].values.tolist()
    [['P1', 'on track'], ['P2', 'behind'], ['P3', 'not applicable']]
    """
    items = plan_items.copy()
    if "direction" not in items:
        items["direction"] = default_direction
    items["direction"] = (
        items["direction"].astype(object).where(items["direction"].notna(), default_direction)
    )
    items["target"] = pd.to_numeric(items.get("target_value"), errors="coerce")
    acts = actuals.rename(columns={"plan_id": "id"}) if "plan_id" in actuals else actuals
    keep = [c for c in ("id", "iso3", "year", "value", "source") if c in acts.columns]
    acts = acts[keep].rename(columns={"value": "actual", "source": "actual_source"})
    out = items.merge(acts, on="id", how="left")
    for c in ("iso3", "year"):
        if c not in out:
            out[c] = pd.NA
    out["year"] = out["year"].astype("Int64")
    st = assess(out["actual"], out["target"], out["direction"], band=band)
    out["achievement_ratio"] = st["achievement_ratio"].to_numpy()
    out["status"] = st["status"].to_numpy()
    first = ["id", "iso3", "year", "target", "actual", "achievement_ratio", "status"]
    out = out[[*first, *[c for c in out.columns if c not in first]]]
    return finish(out, ["id", "iso3", "year"], name="plan_progress")


#: Base year of progress assessment: the 2030 Agenda's adoption (Open SDG's default).
PROGRESS_BASE_YEAR = 2015
#: With a target: ratio of observed to required CAGR for "on track" and "acceleration needed".
TARGET_RATIO_THRESHOLDS: tuple[float, float] = (0.95, 0.60)
#: Without a target: observed CAGR (in the desired direction) for "on track" and "acceleration needed".
TREND_CAGR_THRESHOLDS: tuple[float, float] = (0.015, 0.005)

#: Progress statuses, best first; ``context`` for ambiguous direction, ``insufficient_data`` when the
#: series has fewer than two usable years.
PROGRESS_STATUSES: tuple[str, ...] = (
    "target_achieved",
    "on_track",
    "acceleration_needed",
    "limited_progress",
    "deterioration",
    "context",
    "insufficient_data",
)


# --------------------------------------------------------------------------- progress status


def cagr(first: float, last: float, years: float) -> float:
    """Return the compound annual growth rate from ``first`` to ``last`` over ``years`` (a fraction).

    NaN when either value is missing or not positive, or ``years`` is not positive.

    Examples
    --------
    >>> round(cagr(100, 121, 2), 4)
    0.1
    >>> math.isnan(cagr(0, 5, 3))
    True
    """
    try:
        f, v, n = float(first), float(last), float(years)
    except (TypeError, ValueError):
        return math.nan
    if not (f > 0 and v > 0 and n > 0) or math.isnan(f) or math.isnan(v):
        return math.nan
    return (v / f) ** (1.0 / n) - 1.0


def progress_status(
    first: float,
    last: float,
    years: float,
    direction: str,
    *,
    target: float | None = None,
    years_to_target: float | None = None,
) -> tuple[float, float, str]:
    """Return ``(cagr, ratio, status)`` of a series in the style of national SDG platforms.

    Parameters
    ----------
    first, last
        The value in the base year and in the latest year.
    years
        Years between them.
    direction
        ``increase``, ``decrease`` or ``ambiguous``.
    target
        A numeric target, if the indicator has one.
    years_to_target
        Years from the base year to the target year (needed with ``target``).

    Returns
    -------
    cagr, ratio, status
        The observed CAGR (fraction), the ratio of observed to required CAGR (NaN without a target)
        and one of :data:`PROGRESS_STATUSES`:

        * ambiguous direction: ``context`` (growth shown, not judged);
        * with a target: ``target_achieved`` when the latest value meets it; else ratio
          >= 0.95 ``on_track``, >= 0.60 ``acceleration_needed``, >= 0 ``limited_progress``, below 0
          ``deterioration``;
        * without a target, the CAGR signed by the desired direction: >= 1.5 % ``on_track``,
          >= 0.5 % ``acceleration_needed``, >= 0 ``limited_progress``, below 0 ``deterioration``;
        * ``insufficient_data`` when the CAGR cannot be computed (a missing, zero or single value).

    Raises
    ------
    ValueError
        An unknown direction.

    Examples
    --------
    >>> progress_status(100, 110, 4, "increase")[2]
    'on_track'
    >>> progress_status(100, 90, 4, "increase")[2]
    'deterioration'
    >>> progress_status(100, 90, 4, "decrease")[2]
    'on_track'
    >>> progress_status(100, 150, 4, "ambiguous")[2]
    'context'
    >>> c, r, s = progress_status(100, 110, 5, "increase", target=200, years_to_target=10)
    >>> round(r, 2), s
    (0.27, 'limited_progress')
    """
    if direction not in ("increase", "decrease", "ambiguous"):
        raise ValueError(f"unknown direction {direction!r}; use increase, decrease or ambiguous")
    g = cagr(first, last, years)
    if math.isnan(g):
        return g, math.nan, "insufficient_data"
    if direction == "ambiguous":
        return g, math.nan, "context"
    d = 1.0 if direction == "increase" else -1.0
    if target is not None and not is_missing(target):
        t = float(target)
        if (d > 0 and float(last) >= t) or (d < 0 and float(last) <= t):
            return g, math.nan, "target_achieved"
        required = cagr(first, t, years_to_target or math.nan)
        if math.isnan(required) or required == 0:
            return g, math.nan, "insufficient_data"
        ratio = g / required
        hi, lo = TARGET_RATIO_THRESHOLDS
    else:
        ratio = math.nan
        hi, lo = TREND_CAGR_THRESHOLDS
    score = ratio if not math.isnan(ratio) else d * g
    eps = 1e-12
    if score >= hi - eps:
        return g, ratio, "on_track"
    if score >= lo - eps:
        return g, ratio, "acceleration_needed"
    if score >= -eps:
        return g, ratio, "limited_progress"
    return g, ratio, "deterioration"


def is_missing(v: Any) -> bool:
    """Return True when ``v`` is not a number (None, NaN or text).

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing("x"), is_missing(3)
    (True, True, True, False)
    """
    try:
        return math.isnan(float(v))
    except (TypeError, ValueError):
        return True


def series_progress(
    series: pd.DataFrame,
    direction: str,
    *,
    until: int,
    base_year: int = PROGRESS_BASE_YEAR,
    target: float | None = None,
    target_year: int | None = None,
) -> dict[str, Any]:
    """Assess one series (``year, value``) up to ``until``.

    The base year is the first year from ``base_year`` with a positive value; the latest is the last
    year up to ``until`` with a value. Returns ``base_year, base_value, latest_year, latest_value,
    cagr, ratio, status`` (see :func:`progress_status`).

    Examples
    --------
    >>> s = pd.DataFrame({"year": [2014, 2015, 2017, 2019], "value": [5, 10, None, 12.1]})
    >>> r = series_progress(s, "increase", until=2019)
    >>> r["base_year"], r["latest_year"], round(r["cagr"], 4), r["status"]
    (2015, 2019, 0.0488, 'on_track')
    """
    s = series.loc[:, ["year", "value"]].copy()
    s["value"] = pd.to_numeric(s["value"], errors="coerce")
    s = s[(s["year"] <= until) & s["value"].notna()].sort_values("year")
    base = s[(s["year"] >= base_year) & (s["value"] > 0)]
    out: dict[str, Any] = {
        "base_year": None,
        "base_value": math.nan,
        "latest_year": None,
        "latest_value": math.nan,
        "cagr": math.nan,
        "ratio": math.nan,
        "status": "insufficient_data",
    }
    if base.empty:
        return out
    b = base.iloc[0]
    latest = s.iloc[-1]
    out.update(
        base_year=int(b["year"]),
        base_value=float(b["value"]),
        latest_year=int(latest["year"]),
        latest_value=float(latest["value"]),
    )
    years = int(latest["year"]) - int(b["year"])
    if years <= 0:
        return out
    to_target = (target_year - int(b["year"])) if target_year else None
    g, ratio, status = progress_status(
        b["value"], latest["value"], years, direction, target=target, years_to_target=to_target
    )
    out.update(cagr=g, ratio=ratio, status=status)
    return out
