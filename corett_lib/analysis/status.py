"""Targets and status: achievement ratio and a traffic-light status that respects direction.

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

from collections.abc import Mapping

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


def status_text(status: str, lang: str) -> str:
    """Return the words of a plan status in ``lang``: the one wording every page uses.

    The annual report's targets-vs-actuals table and the evaluation report both show a plan
    indicator's status through here, so an indicator without a target reads "No target" on both
    (never "Achieved").

    Examples
    --------
    >>> status_text("not applicable", "en"), status_text("not applicable", "es")
    ('No target', 'Sin meta')
    >>> status_text("on track", "es")
    'En camino'
    """
    if status not in STATUSES:
        raise ValueError(f"unknown plan status {status!r}; known: {', '.join(STATUSES)}")
    return i18n.t(f"status.{status.replace(' ', '_')}", lang)


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
