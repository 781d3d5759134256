"""Data-quality review: WHO Data Quality Review style checks on every series of the members.

The rules are data (``parameters/quality.yaml``, strict schema, read by :func:`load_rules`); the
checks follow the WHO Data Quality Review toolkit and DHIS2's WHO Data Quality app:

* **completeness** — does a member publish a headline figure for a year and indicator;
* **outliers** — a headline series' values more than 2 (moderate) or 3 (extreme) standard deviations
  from its mean, or, for a short series, a modified z-score above 3.5 (median and MAD);
* **consistency over time** — a year against the mean of the previous three, outside ±33 %;
* **consistency between related indicators** — convictions against prosecutions; parts against
  their totals by the one rule of :mod:`corett_lib.validation.partitions` (the rule behind the
  observations' ``inconsistent`` mark and the facts' ``parts_above_total`` note, so the review flags
  a total exactly when the figures pages mark its parts; a censored part counts 0, forms of
  exploitation are compared one by one);
* **external consistency** — UNODC against CORETT's own figures, the difference in %;
* **data-entry slips** — a value equal to its own year, or an order of magnitude away from its
  neighbours, flagged *suspicious* with the evidence (neighbours, parts).

:func:`review` computes all of them in one vectorised pass over the validated observation table (one
wide table of series × years, column operations, no loop over rows) and returns a
:class:`QualityReview`: ``flags`` keyed like the observations (``source, iso3, year, indicator,
dimension, category, sex, age, unit``) plus ``rule`` and ``check``, so the published-facts layer can
join them as fact flags; ``completeness`` and ``external`` tables; :func:`scorecard` and
:func:`questions` select and word them for a year. Censored counts (``<5``) are never used as values:
they are compared by their bounds, or not assessed.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from corett_lib.core import config, i18n, paths
from corett_lib.core.schema import OBSERVATION_KEY
from corett_lib.core.tables import finish
from corett_lib.dataset.registry import Registry, Selector
from corett_lib.validation import partitions
from corett_lib.validation.checks import GROUP

# --------------------------------------------------------------------------- rules (the schema)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scope(_Strict):
    """Sources and indicators the rules look at."""

    sources: tuple[str, ...] = Field(min_length=1)
    indicators: tuple[str, ...] = Field(min_length=1)


class CompletenessRule(_Strict):
    """Which indicators a member is expected to publish each year, from which source."""

    source: str
    indicators: tuple[str, ...] = Field(min_length=1)
    min_share: float = Field(ge=0, le=1)


class OutlierRule(_Strict):
    """Moderate and extreme outliers (SD), modified z-score for short series."""

    min_values: int = Field(ge=3)
    moderate_sd: float = Field(gt=0)
    extreme_sd: float = Field(gt=0)
    short_series_below: int = Field(ge=0)
    modified_z: float = Field(gt=0)

    @model_validator(mode="after")
    def _order(self) -> OutlierRule:
        if self.extreme_sd < self.moderate_sd:
            raise ValueError("extreme_sd must not be below moderate_sd")
        return self


class TimeRule(_Strict):
    """A year against the mean of the previous years."""

    previous_years: int = Field(ge=1, le=10)
    tolerance_pct: float = Field(gt=0, lt=100)
    min_reference: float = Field(ge=0)


class RelatedRule(_Strict):
    """Two related indicators of the same source, member and year."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    numerator: str
    denominator: str
    max_ratio: float = Field(gt=0)


class ExternalRule(_Strict):
    """The same figure from two sources."""

    reference: str
    compare: tuple[str, ...] = Field(min_length=1)
    indicators: tuple[str, ...] = Field(min_length=1)
    tolerance_pct: float = Field(ge=0)


class SlipRule(_Strict):
    """Values that look like data-entry slips."""

    year_equals_value: bool
    magnitude_factor: float = Field(gt=1)
    min_neighbour: float = Field(ge=0)
    copy_min_total: float = Field(ge=0)


class QualityRules(_Strict):
    """The rules of ``parameters/quality.yaml``."""

    scope: Scope
    completeness: CompletenessRule
    outliers: OutlierRule
    time_consistency: TimeRule
    related: tuple[RelatedRule, ...] = ()
    external: ExternalRule
    slips: SlipRule

    @model_validator(mode="after")
    def _unique_related(self) -> QualityRules:
        ids = [r.id for r in self.related]
        if len(set(ids)) != len(ids):
            raise ValueError(f"related: ids must be unique, got {ids}")
        return self


def load_rules(path: str | os.PathLike[str] | None = None) -> QualityRules:
    """Return the validated quality rules (``parameters/quality.yaml`` by default).

    Parameters
    ----------
    path
        Another rules file.

    Returns
    -------
    QualityRules

    Raises
    ------
    corett_lib.core.config.ConfigError
        The file is missing, not YAML, or breaks the schema (an unknown key is an error); the message
        names the file and every key at fault.

    Examples
    --------
    >>> rules = load_rules()
    >>> rules.outliers.modified_z, rules.time_consistency.tolerance_pct
    (3.5, 33.0)
    """
    p = Path(path) if path else paths.parameters_dir() / "quality.yaml"
    data = config.read_yaml(p)
    try:
        return QualityRules.model_validate(data)
    except ValidationError as exc:
        msgs = [
            f"{'.'.join(str(x) for x in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        ]
        raise config.ConfigError(f"{p}: " + "; ".join(msgs)) from None


# --------------------------------------------------------------------------- the review

#: Severity of a flag, from the most to the least pressing.
SEVERITIES: tuple[str, ...] = ("suspicious", "extreme", "inconsistent", "moderate", "differs")

#: Quality dimensions of the scorecard, in order (completeness is a share, the others flag counts).
DIMENSIONS: tuple[str, ...] = (
    "completeness",
    "outliers",
    "over_time",
    "between_indicators",
    "external",
    "slips",
)

#: Columns of the flags table.
FLAG_COLUMNS: list[str] = [
    *OBSERVATION_KEY,
    "rule",
    "check",
    "quality_dimension",
    "severity",
    "value",
    "censored",
    "value_text",
    "evidence",
    "source_file",
    "source_row",
    "source_ref",
    "correction",
]
FLAG_KEY: list[str] = [*OBSERVATION_KEY, "rule", "check"]

_SERIES = [k for k in OBSERVATION_KEY if k != "year"]
_HEADLINE = {"dimension": "Total", "category": "Total", "sex": "Total", "age": "Total"}
_SEX_PARTS = partitions.SEX_PARTS
_AGE_PARTS = partitions.AGE_PARTS
_FORMS = partitions.FORMS_DIMENSION


@dataclass
class QualityReview:
    """The result of :func:`review`.

    Attributes
    ----------
    flags
        One row per flagged observation and rule (:data:`FLAG_COLUMNS`, key :data:`FLAG_KEY`): the
        observation's key, the rule and check, its quality dimension and severity, the figure as
        published, the evidence (JSON text) and the source row it came from.
    completeness
        ``iso3, year, indicator, source, reported, censored``: one row per member, year and expected
        indicator.
    external
        ``iso3, year, indicator, unit, reference, compare, reference_value, compare_value,
        difference_pct, flagged``: every comparison of two sources' figure.
    rules
        The rules applied.
    members
        The members reviewed.
    """

    flags: pd.DataFrame
    completeness: pd.DataFrame
    external: pd.DataFrame
    rules: QualityRules
    members: tuple[str, ...]


def _num(x: Any) -> float | int | None:
    """Return a JSON-safe number (None for NaN); whole numbers stay whole."""
    if x is None:
        return None
    f = float(x)
    if math.isnan(f) or math.isinf(f):
        return None
    return int(f) if f.is_integer() else round(f, 4)


def _empty_flags() -> pd.DataFrame:
    return pd.DataFrame(columns=[*FLAG_KEY, "quality_dimension", "severity", "evidence"])


def _emit(
    rows: pd.DataFrame,
    rule: str,
    dimension: str,
    severity: Any,
    evidence: list[dict[str, Any]],
    check: Any = "",
) -> pd.DataFrame:
    """Return the flag rows of one rule: observation key, rule, check, dimension, severity, evidence."""
    if rows.empty:
        return _empty_flags()
    out = rows[OBSERVATION_KEY].copy()
    out["rule"] = rule
    out["check"] = check
    out["quality_dimension"] = dimension
    out["severity"] = severity
    out["evidence"] = evidence
    return out


def _series_stats(h: pd.DataFrame) -> pd.DataFrame:
    """Per-row statistics of the row's series: count, mean, SD, median, MAD of the uncensored values."""
    g = h.groupby(_SERIES, sort=False, dropna=False)["v"]
    h = h.assign(
        n=g.transform("count"),
        mean=g.transform("mean"),
        sd=g.transform("std"),
        median=g.transform("median"),
    )
    h["absdev"] = (h["v"] - h["median"]).abs()
    g2 = h.groupby(_SERIES, sort=False, dropna=False)["absdev"]
    h["mad"] = g2.transform("median")
    h["mean_ad"] = g2.transform("mean")
    return h


def _outliers(h: pd.DataFrame, r: OutlierRule) -> pd.DataFrame:
    sd = h["sd"].where(h["sd"] > 0)
    z = (h["v"] - h["mean"]) / sd
    # Modified z-score (Iglewicz & Hoaglin): 0.6745 (x - median) / MAD; when more than half the values
    # are equal the MAD is 0, and the mean absolute deviation scaled by 1.253314 stands in for it.
    by_mad = h["mad"] > 0
    scale = (h["mad"] / 0.6745).where(by_mad, 1.253314 * h["mean_ad"])
    mz = (h["v"] - h["median"]) / scale.where(scale > 0)
    long_series = h["n"] >= max(r.min_values, r.short_series_below)
    short_series = (h["n"] >= r.min_values) & (h["n"] < r.short_series_below)
    by_sd = h[long_series & (z.abs() > r.moderate_sd)]
    zs = z[by_sd.index]
    by_mz = h[short_series & (mz.abs() > r.modified_z)]
    mzs = mz[by_mz.index]
    return pd.concat(
        [
            _emit(
                by_sd,
                "outlier_sd",
                "outliers",
                np.where(zs.abs() > r.extreme_sd, "extreme", "moderate"),
                [
                    {"n": _num(n), "mean": _num(m), "sd": _num(s), "z": _num(x)}
                    for n, m, s, x in zip(by_sd["n"], by_sd["mean"], by_sd["sd"], zs, strict=True)
                ],
            ),
            _emit(
                by_mz,
                "outlier_modified_z",
                "outliers",
                "extreme",
                [
                    {
                        "n": _num(n),
                        "median": _num(m),
                        "mad": _num(d),
                        "mean_ad": None if d > 0 else _num(a),
                        "modified_z": _num(x),
                    }
                    for n, m, d, a, x in zip(
                        by_mz["n"],
                        by_mz["median"],
                        by_mz["mad"],
                        by_mz["mean_ad"],
                        mzs,
                        strict=True,
                    )
                ],
            ),
        ],
        ignore_index=True,
    )


def _over_time(h: pd.DataFrame, r: TimeRule) -> pd.DataFrame:
    lookup = h.set_index([*_SERIES, "year"])["v"]
    prev = {}
    for k in range(1, r.previous_years + 1):
        idx = pd.MultiIndex.from_frame(h[_SERIES].assign(year=h["year"] - k))
        prev[k] = pd.Series(lookup.reindex(idx).to_numpy(), index=h.index)
    table = pd.DataFrame(prev)
    mean_prev = table.mean(axis=1).where(table.notna().all(axis=1))
    ratio = h["v"] / mean_prev
    tol = r.tolerance_pct / 100
    hit = (mean_prev >= r.min_reference) & ((ratio < 1 - tol) | (ratio > 1 + tol))
    rows = h[hit]
    return _emit(
        rows,
        "time_consistency",
        "over_time",
        "inconsistent",
        [
            {
                "previous": {
                    str(int(y) - k): _num(table.at[i, k]) for k in range(r.previous_years, 0, -1)
                },
                "mean_previous": _num(mean_prev[i]),
                "change_pct": _num((ratio[i] - 1) * 100),
            }
            for i, y in zip(rows.index, rows["year"], strict=True)
        ],
    )


def _neighbours(s: pd.DataFrame) -> pd.DataFrame:
    """Add each row's two neighbours in its series.

    The neighbours are the nearest reported year on each side or, at either end of the series, the
    two nearest on the one side (columns ``n1_*`` and ``n2_*``: year, bounds, text; NaN when the
    series has fewer than three figures).
    """
    s = s.sort_values([*_SERIES, "year"], kind="mergesort")
    g = s.groupby(_SERIES, sort=False, dropna=False)
    cols = ("year", "value_low", "value_high", "value_text")
    near = {
        (side, k): {c: g[c].shift(shift) for c in cols}
        for side, k, shift in (("p", 1, 1), ("p", 2, 2), ("n", 1, -1), ("n", 2, -2))
    }
    has_p, has_n = near[("p", 1)]["year"].notna(), near[("n", 1)]["year"].notna()
    both = (has_p & has_n).to_numpy()
    only_p = (has_p & ~has_n).to_numpy()
    for c in cols:
        s[f"n1_{c}"] = np.where(has_p.to_numpy(), near[("p", 1)][c], near[("n", 1)][c])
        s[f"n2_{c}"] = np.where(
            both, near[("n", 1)][c], np.where(only_p, near[("p", 2)][c], near[("n", 2)][c])
        )
    for c in ("year", "value_low", "value_high"):
        for k in (1, 2):
            s[f"n{k}_{c}"] = pd.to_numeric(s[f"n{k}_{c}"], errors="coerce")
    return s


def _parts_sums(obs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Return the bounds of each disaggregation's sum at the headline, and how many parts.

    Per source, member, year, indicator and unit: the lower and upper bound of the sum of the sex
    parts, the age parts and the forms of exploitation. Only the evidence of the slips (what the
    parts of a suspicious headline figure add up to); whether parts are above their total is
    :func:`_parts_above`, the one rule of :mod:`corett_lib.validation.partitions`.
    """
    is_total = (obs["dimension"] == "Total") & (obs["category"] == "Total")
    selections = {
        "sex": is_total & (obs["age"] == "Total") & obs["sex"].isin(_SEX_PARTS),
        "age": is_total & (obs["sex"] == "Total") & obs["age"].isin(_AGE_PARTS),
        "form": (obs["dimension"] == _FORMS)
        & (obs["category"] != "Total")
        & (obs["sex"] == "Total")
        & (obs["age"] == "Total"),
    }
    frames = []
    for name, sel in selections.items():
        part = (
            obs[sel]
            .groupby(keys, dropna=False)
            .agg(low=("value_low", "sum"), high=("value_high", "sum"), parts=("value_low", "size"))
        )
        part["disaggregation"] = name
        frames.append(part.reset_index())
    return pd.concat(frames, ignore_index=True)


def _parts_evidence(sums: pd.DataFrame, keys: list[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in sums.itertuples(index=False):
        key = tuple(getattr(row, k) for k in keys)
        low, high = _num(row.low), _num(row.high)
        out.setdefault(key, {})[row.disaggregation] = (
            {"sum": low} if low == high else {"sum_low": low, "sum_high": high}
        )
    return out


def _slips(
    s: pd.DataFrame, r: SlipRule, parts: dict[tuple[Any, ...], dict[str, Any]]
) -> pd.DataFrame:
    """Flag values that look like data-entry slips.

    Values equal to their year; values an order of magnitude above or below both neighbours in their
    series (any series, not only the headline ones); parts an order of magnitude above their grand
    total.
    """
    pkeys = ["source", "iso3", "year", "indicator", "unit"]

    def evidence(
        rows: pd.DataFrame, extra: list[dict[str, Any]] | None = None
    ) -> list[dict[str, Any]]:
        ev = []
        for j, row in enumerate(rows.itertuples(index=False)):
            e: dict[str, Any] = {"neighbours": {}}
            for k in (1, 2):
                y = getattr(row, f"n{k}_year")
                if not pd.isna(y):
                    e["neighbours"][str(int(y))] = str(getattr(row, f"n{k}_value_text"))
            if all(getattr(row, c) == v for c, v in _HEADLINE.items()):
                e["parts"] = parts.get(tuple(getattr(row, k) for k in pkeys), {})
            if extra:
                e.update(extra[j])
            ev.append(e)
        return ev

    out = []
    done = pd.Series(False, index=s.index)
    if r.year_equals_value:
        eq = s[s["v"].notna() & (s["v"] == s["year"])]
        done[eq.index] = True
        out.append(_emit(eq, "slip_year", "slips", "suspicious", evidence(eq)))
    two = s["n1_year"].notna() & s["n2_year"].notna()
    up_ref = s[["n1_value_high", "n2_value_high"]].max(axis=1).where(two)
    down_ref = s[["n1_value_low", "n2_value_low"]].min(axis=1).where(two)
    high = (s["v"] >= r.magnitude_factor * up_ref) & (up_ref >= r.min_neighbour)
    low = (s["v"] * r.magnitude_factor <= down_ref) & (down_ref >= r.min_neighbour)
    hit = s["v"].notna() & (high | low) & ~done
    done |= hit
    mag = s[hit]
    ref = up_ref[mag.index].where(high[mag.index], down_ref[mag.index])
    out.append(
        _emit(
            mag,
            "slip_magnitude",
            "slips",
            "suspicious",
            evidence(
                mag,
                [{"ratio": _num(v / d) if d else None} for v, d in zip(mag["v"], ref, strict=True)],
            ),
        )
    )
    # A part (any breakdown of the grand total but the country of repatriation, which is not part of
    # it) an order of magnitude above its grand total.
    totals = s[_headline_rows(s)][[*pkeys, "value_high", "value_text"]]
    is_part = ~_headline_rows(s) & (s["dimension"] != "by country of repatriation") & ~done
    m = s[is_part & s["v"].notna()].merge(totals, on=pkeys, suffixes=("", "_total"), how="inner")
    m = m[m["v"] >= r.magnitude_factor * m["value_high_total"]]
    out.append(
        _emit(
            m,
            "slip_part_magnitude",
            "slips",
            "suspicious",
            evidence(
                m,
                [
                    {"total": str(t), "ratio": _num(v / h) if h else None}
                    for t, v, h in zip(
                        m["value_text_total"], m["v"], m["value_high_total"], strict=True
                    )
                ],
            ),
        )
    )
    return (
        pd.concat([o for o in out if len(o)], ignore_index=True)
        if any(len(o) for o in out)
        else _empty_flags()
    )


def _copies(s: pd.DataFrame, r: SlipRule) -> pd.DataFrame:
    """Flag breakdowns copied from another indicator.

    A breakdown (two or more categories of a dimension other than Total) identical, category by
    category, to the same breakdown of another indicator of the same source, member and year.
    """
    g = ["source", "iso3", "year", "indicator", "dimension", "sex", "age"]
    p = s[s["dimension"] != "Total"].sort_values([*g, "category"], kind="mergesort")
    if p.empty:
        return _empty_flags()
    p = p.assign(_pair=p["category"].astype(str) + "=" + p["value_text"].astype(str))
    sig = (
        p.groupby(g, sort=False, dropna=False)
        .agg(_sig=("_pair", "|".join), _n=("_pair", "size"), _sum=("v", "sum"))
        .reset_index()
    )
    sig = sig[(sig["_n"] >= 2) & (sig["_sum"] >= r.copy_min_total)]
    same = ["source", "iso3", "year", "dimension", "sex", "age", "_sig"]
    twins = sig[sig.duplicated(same, keep=False)]
    if twins.empty:
        return _empty_flags()
    pairs = twins.merge(twins[[*same, "indicator"]], on=same, suffixes=("", "_other"))
    pairs = pairs[pairs["indicator"] != pairs["indicator_other"]]
    others = pairs.groupby(g, dropna=False)["indicator_other"].agg(
        lambda x: ";".join(sorted(set(x)))
    )
    rows = p.merge(others.reset_index(), on=g)
    n = rows.groupby(g, dropna=False)["category"].transform("size")
    return _emit(
        rows,
        "slip_copy",
        "slips",
        "suspicious",
        [
            {"same_as": o.split(";"), "categories": int(k)}
            for o, k in zip(rows["indicator_other"], n, strict=True)
        ],
    )


def _headline_rows(df: pd.DataFrame) -> pd.Series:
    """Rows that are a grand total (dimension, category, sex and age all Total)."""
    mask = pd.Series(True, index=df.index)
    for col, val in _HEADLINE.items():
        mask &= df[col] == val
    return mask


def _related(h: pd.DataFrame, rules: tuple[RelatedRule, ...]) -> pd.DataFrame:
    keys = ["source", "iso3", "year", "unit"]
    out = []
    for rel in rules:
        num = h[h["indicator"] == rel.numerator]
        den = h[h["indicator"] == rel.denominator][[*keys, "value_high", "value_text"]]
        m = num.merge(den, on=keys, suffixes=("", "_den"))
        hit = m[m["value_low"] > rel.max_ratio * m["value_high_den"]]
        out.append(
            _emit(
                hit,
                "related",
                "between_indicators",
                "inconsistent",
                [
                    {
                        "other": rel.denominator,
                        "other_value": str(t),
                        "max_ratio": _num(rel.max_ratio),
                    }
                    for t in hit["value_text_den"]
                ],
                check=rel.id,
            )
        )
    return pd.concat(out, ignore_index=True) if out else _empty_flags()


def _parts_above(obs: pd.DataFrame, indicators: tuple[str, ...]) -> pd.DataFrame:
    """Flag every total whose parts are above it, by the one rule of parts and totals.

    The rule is :mod:`corett_lib.validation.partitions`, the one the observations' ``inconsistent``
    column and the published facts apply: every partition (sex, age, sex by age, form of
    exploitation, citizenship) at every slice of the other columns, then any other single figure
    against the grand total (``grand``; only figures no partition reported, as the validation's
    warnings do). A part counts its floor (0 when censored: a ``<5`` is never evidence of an
    excess), a total its upper bound; summed parts are added up, the forms of exploitation (which may
    overlap) are compared one by one. The flag is on the total (check: the partition); the evidence
    names the parts, their floor (summed) or the largest one (one by one).

    Examples
    --------
    Costa Rica 2008, persons convicted: Forced labour 5 and Sexual exploitation 5 against a total of
    5 (forms may overlap: each equals the total, nothing is flagged); Honduras 2019 victims, Female
    79 + Male 9 = 88 against 84 (the total is flagged, check ``sex``).

    >>> base = dict(source="UNODC", year=2019, indicator="v", dimension="Total", category="Total",
    ...     sex="Total", age="Total", unit="Counts", censored=False)
    >>> rows = [("CRI", "Total", "Total", 5), ("CRI", "by form of exploitation", "Forced labour", 5),
    ...     ("CRI", "by form of exploitation", "Sexual exploitation", 5), ("HND", "Total", "Total", 84)]
    >>> obs = pd.DataFrame([base | dict(iso3=i, dimension=d, category=c, value_low=v, value_high=v,
    ...     value_text=str(v)) for i, d, c, v in rows]
    ...     + [base | dict(iso3="HND", sex=x, value_low=v, value_high=v, value_text=str(v))
    ...     for x, v in (("Female", 79), ("Male", 9))])
    >>> f = _parts_above(obs, ("v",))
    >>> f[["iso3", "sex", "check"]].values.tolist(), f["evidence"].iloc[0]["parts_sum_low"]
    ([['HND', 'Total', 'sex']], 88)
    """
    df = obs[(obs["unit"] == "Counts") & obs["indicator"].isin(indicators)].reset_index(drop=True)
    if df.empty:
        return _empty_flags()
    low = partitions.floor(df["value_low"], df["censored"])
    high = df["value_high"].to_numpy(float)
    cells = df[list(partitions.CELL_COLUMNS)].astype("category")
    codes: dict[str, Any] = {}
    text = {c: df[c].astype(object).to_numpy() for c in (*partitions.CELL_COLUMNS, "value_text")}
    reported = np.zeros(len(df), dtype=bool)  # parts and totals already named by a partition
    out = []
    for p in (*partitions.PARTITIONS, partitions.GRAND):
        parts, totals = (m.to_numpy(bool) for m in p.masks(cells))
        if p is partitions.GRAND:
            parts = parts & ~reported
        group = partitions.group_codes(df, [*GROUP, *p.slice_by], codes)
        bad, compared = partitions.above_total(group, parts, totals, low, high, summed=p.summed)
        if not bad.any():
            continue
        hit = np.isin(group, np.unique(group[bad]))
        shown = (parts & hit) if p.summed else bad  # summed: every part; else the ones above
        reported |= shown | (totals & hit)
        named = [c for c in partitions.CELL_COLUMNS if c not in (*p.slice_by, "dimension")]
        listed: dict[int, list[dict[str, Any]]] = {}
        floors: dict[int, float] = {}
        for i in np.flatnonzero(shown):
            cell = {c: str(text[c][i]) for c in named if text[c][i] != partitions.TOTAL}
            if "category" in cell:
                cell = {"dimension": str(text["dimension"][i]), **cell}
            listed.setdefault(int(group[i]), []).append(
                {**cell, "value": str(text["value_text"][i])}
            )
            if bad[i]:
                floors[int(group[i])] = max(floors.get(int(group[i]), 0.0), float(compared[i]))
        rows = df[totals & hit]
        key = "parts_sum_low" if p.summed else "part_low"
        out.append(
            _emit(
                rows,
                "parts_above_total",
                "between_indicators",
                "inconsistent",
                [
                    {key: _num(floors[int(g)]), "parts": listed[int(g)]}
                    for g in group[rows.index.to_numpy()]
                ],
                check=p.name,
            )
        )
    return pd.concat(out, ignore_index=True) if out else _empty_flags()


def _external(h: pd.DataFrame, r: ExternalRule) -> tuple[pd.DataFrame, pd.DataFrame]:
    keys = ["iso3", "year", "indicator", "unit"]
    base = h[h["indicator"].isin(r.indicators)]
    ref = base[base["source"] == r.reference]
    frames, flags = [], []
    for other in r.compare:
        cmp_ = base[base["source"] == other]
        m = ref.merge(cmp_, on=keys, suffixes=("_ref", "_cmp"))
        diff = (m["v_cmp"] - m["v_ref"]) / m["v_ref"].where(m["v_ref"] > 0) * 100
        table = m[keys].assign(
            reference=r.reference,
            compare=other,
            reference_value=m["value_text_ref"],
            compare_value=m["value_text_cmp"],
            difference_pct=diff.round(1),
            flagged=diff.abs() > r.tolerance_pct,
        )
        frames.append(table)
        hit = m[table["flagged"].to_numpy()]
        dpct = diff[table["flagged"].to_numpy()]
        for own, partner in (("ref", "cmp"), ("cmp", "ref")):
            rows = hit[[*keys, f"source_{own}", f"dimension_{own}", f"category_{own}"]].copy()
            rows.columns = [*keys, "source", "dimension", "category"]
            rows["sex"], rows["age"] = "Total", "Total"
            flags.append(
                _emit(
                    rows,
                    "external_difference",
                    "external",
                    "differs",
                    [
                        {
                            "other_source": str(src),
                            "other_value": str(val),
                            "difference_pct": _num(round(d, 1)),
                            "reference": r.reference,
                            "compare": other,
                        }
                        for src, val, d in zip(
                            hit[f"source_{partner}"],
                            hit[f"value_text_{partner}"],
                            dpct,
                            strict=True,
                        )
                    ],
                    check=hit[f"source_{partner}"].to_numpy(),
                )
            )
    ext = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return ext, (pd.concat(flags, ignore_index=True) if flags else _empty_flags())


def _completeness(h: pd.DataFrame, members: tuple[str, ...], r: CompletenessRule) -> pd.DataFrame:
    src = h[(h["source"] == r.source) & h["indicator"].isin(r.indicators)]
    if src.empty:
        years: list[int] = []
    else:
        years = list(range(int(src["year"].min()), int(src["year"].max()) + 1))
    grid = pd.MultiIndex.from_product(
        [members, years, list(r.indicators)], names=["iso3", "year", "indicator"]
    ).to_frame(index=False)
    got = src[["iso3", "year", "indicator", "censored"]].drop_duplicates(
        ["iso3", "year", "indicator"]
    )
    out = grid.merge(got, on=["iso3", "year", "indicator"], how="left")
    out["reported"] = out["censored"].notna()
    out["censored"] = out["censored"].fillna(False).astype(bool)
    out["source"] = r.source
    return finish(
        out[["iso3", "year", "indicator", "source", "reported", "censored"]],
        ["iso3", "year", "indicator"],
        name="quality completeness",
    )


def review(
    observations: pd.DataFrame,
    members: tuple[str, ...] | list[str] | None = None,
    rules: QualityRules | None = None,
) -> QualityReview:
    """Run every quality rule over the members' observations, in one vectorised pass.

    Parameters
    ----------
    observations
        The validated observation table (:attr:`corett_lib.dataset.model.Dataset.observations`),
        after the declared corrections.
    members
        ISO3 codes reviewed (default: the coalition's members).
    rules
        The rules (default: :func:`load_rules`).

    Returns
    -------
    QualityReview
        Flags keyed like the observations, the completeness grid and the external comparisons.
    """
    rules = rules or load_rules()
    members = tuple(members) if members is not None else config.members()
    sc = rules.scope
    obs = observations[
        observations["iso3"].isin(members) & observations["source"].isin(sc.sources)
    ].copy()
    obs["v"] = obs["value"].where(~obs["censored"].astype(bool))
    head_mask = _headline_rows(obs) & obs["indicator"].isin(sc.indicators)
    h = _series_stats(obs[head_mask])
    pkeys = ["source", "iso3", "year", "indicator", "unit"]
    sums = _parts_sums(obs, pkeys)
    parts_ev = _parts_evidence(sums, pkeys)
    s = _neighbours(obs)
    external, ext_flags = _external(h, rules.external)
    frames = [
        _outliers(h, rules.outliers),
        _over_time(h, rules.time_consistency),
        _related(h, rules.related),
        _parts_above(obs, sc.indicators),
        ext_flags,
        _slips(s, rules.slips, parts_ev),
        _copies(obs, rules.slips),
    ]
    found = [f for f in frames if len(f)]
    flags = pd.concat(found, ignore_index=True) if found else _empty_flags()
    flags["evidence"] = [
        json.dumps(e, ensure_ascii=False, sort_keys=True) for e in flags["evidence"]
    ]
    cols = [
        "value",
        "censored",
        "value_text",
        "source_file",
        "source_row",
        "source_ref",
        "correction",
    ]
    flags = flags.merge(obs[[*OBSERVATION_KEY, *cols]], on=OBSERVATION_KEY, how="left")
    flags = finish(flags[FLAG_COLUMNS], FLAG_KEY, name="quality flags")
    return QualityReview(
        flags=flags,
        completeness=_completeness(h, members, rules.completeness),
        external=finish(
            external, ["iso3", "year", "indicator", "unit", "compare"], name="quality external"
        )
        if len(external)
        else external,
        rules=rules,
        members=members,
    )


# --------------------------------------------------------------------------- selecting and wording


def flags_for(
    result: QualityReview, year: int | None = None, country: str | None = None
) -> pd.DataFrame:
    """Return the flags of one year and/or member (all members for ``None`` or the region code).

    Parameters
    ----------
    result
        A :func:`review`.
    year
        The year (None: every year).
    country
        A member's ISO3, or None / the regional code for every member.

    Returns
    -------
    pandas.DataFrame
        The selected rows of :attr:`QualityReview.flags`, most pressing severity first.
    """
    key = (
        None if year is None else int(year),
        country if country and country in result.members else None,
    )
    if not _SELECTED or _SELECTED[0] is not result or _SELECTED[1] is not result.flags:
        _SELECTED[:] = [result, result.flags, {}]  # one review at a time
    selected: dict[tuple[int | None, str | None], pd.DataFrame] = _SELECTED[2]
    if key not in selected:
        selected[key] = _select_flags(result, *key)
    return selected[key].copy()


#: :func:`flags_for`'s selections of the last review: the review, its flag table (both compared by
#: identity) and the rows per ``(year, member)``; a report's two languages select the same rows.
_SELECTED: list[Any] = []


def _select_flags(result: QualityReview, year: int | None, member: str | None) -> pd.DataFrame:
    f = result.flags
    if year is not None:
        f = f[f["year"] == year]
    if member is not None:
        f = f[f["iso3"] == member]
    severity = {s: i for i, s in enumerate(SEVERITIES)}
    rank = {m: i for i, m in enumerate(result.members)}
    f = f.assign(_member=f["iso3"].map(rank), _severity=f["severity"].map(severity))
    f = f.sort_values(["_member", "_severity", *FLAG_KEY], kind="mergesort")
    return f.drop(columns=["_member", "_severity"]).reset_index(drop=True)


def by_observation(result: QualityReview) -> pd.DataFrame:
    """Return one row per flagged observation, for the published-facts layer to join as fact flags.

    Returns
    -------
    pandas.DataFrame
        The observation key (:data:`~corett_lib.core.schema.OBSERVATION_KEY`), ``quality_rules``
        (the rules that flag it, ``;``-separated, e.g. ``slip_year;time_consistency``) and
        ``quality_severity`` (the most pressing of :data:`SEVERITIES`).
    """
    f = result.flags
    cols = [*OBSERVATION_KEY, "quality_rules", "quality_severity"]
    if f.empty:
        return pd.DataFrame(columns=cols)
    rank = f["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    g = f.assign(_rank=rank).groupby(OBSERVATION_KEY, sort=False, dropna=False)
    out = g.agg(
        quality_rules=("rule", lambda r: ";".join(sorted(set(r)))), _rank=("_rank", "min")
    ).reset_index()
    out["quality_severity"] = [SEVERITIES[int(i)] for i in out["_rank"]]
    return finish(out[cols], OBSERVATION_KEY, name="quality flags by observation")


def scorecard(result: QualityReview, year: int) -> pd.DataFrame:
    """Return the scorecard of ``year``: one row per member, one column per quality dimension.

    ``completeness`` is the share of the expected indicators the member published (a value or
    ``<5``), ``reported``/``expected`` its parts; every other dimension is the number of the
    member's figures of that year flagged by its rules (:data:`DIMENSIONS`).

    Parameters
    ----------
    result
        A :func:`review`.
    year
        The year.

    Returns
    -------
    pandas.DataFrame
        ``iso3, reported, expected, completeness, outliers, over_time, between_indicators, external,
        slips``, in the members' order.
    """
    comp = result.completeness[result.completeness["year"] == int(year)]
    expected = len(result.rules.completeness.indicators)
    reported = comp.groupby("iso3")["reported"].sum()
    f = result.flags[result.flags["year"] == int(year)]
    counts = (
        f.drop_duplicates([*OBSERVATION_KEY, "quality_dimension"])
        .groupby(["iso3", "quality_dimension"])
        .size()
        .unstack(fill_value=0)
    )
    rows = []
    for iso3 in result.members:
        n = int(reported.get(iso3, 0))
        row: dict[str, Any] = {
            "iso3": iso3,
            "reported": n,
            "expected": expected,
            "completeness": n / expected if expected else math.nan,
        }
        for dim in DIMENSIONS[1:]:
            row[dim] = int(counts.at[iso3, dim]) if iso3 in counts.index and dim in counts else 0
        rows.append(row)
    return pd.DataFrame(rows)


def missing(result: QualityReview, year: int, country: str) -> list[str]:
    """Return the expected indicators ``country`` published no figure for in ``year``."""
    c = result.completeness
    sel = c[(c["year"] == int(year)) & (c["iso3"] == country) & ~c["reported"]]
    gaps = set(sel["indicator"])
    return [i for i in result.rules.completeness.indicators if i in gaps]  # in the rules' order


#: Columns of :func:`fact_flags`.
FACT_FLAG_COLUMNS: list[str] = [
    "iso3",
    "year",
    "indicator_id",
    "disaggregation",
    "category",
    "source",
    "quality_rules",
    "quality_severity",
]

#: Disaggregations of the registry a quality flag maps onto: the observation column whose value is
#: the fact's category, and the fixed filters of the breakdown.
_FACT_BREAKDOWNS: dict[str, tuple[str, dict[str, str]]] = {
    "sex": ("sex", {}),
    "age": ("age", {}),
    "form": ("category", {"dimension": _FORMS}),
}


def _facts_of_observations(obs: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """Return ``obs`` (rows keyed like the observations) mapped onto every fact computed from them.

    Adds ``indicator_id``, ``disaggregation``, ``category`` (the fact's), ``category_obs`` and
    ``obs_year`` (the observation's; ``year`` becomes the fact's, which differs for changes and
    trends).
    """
    obs = obs.assign(obs_year=obs["year"], category_obs=obs["category"])
    frames = []
    for ind in registry.indicators:
        if ind.kind not in ("count", "ratio"):
            continue
        num = ind.numerator if isinstance(ind.numerator, tuple) else (ind.numerator,)
        sels: list[Selector | None] = [*num, ind.denominator]
        for sel in sels:
            if sel is None or sel.indicator is None:
                continue
            fixed = {
                "indicator": sel.indicator,
                "dimension": sel.dimension,
                "category": sel.category,
                "sex": sel.sex,
                "age": sel.age,
            }
            for dis in ind.disaggregations:
                varied: str | None
                extra: dict[str, str]
                if dis == "total":
                    varied, extra = None, {}
                elif dis in _FACT_BREAKDOWNS and fixed[_FACT_BREAKDOWNS[dis][0]] == "Total":
                    varied, extra = _FACT_BREAKDOWNS[dis]
                else:
                    continue
                want = {**fixed, **extra}
                mask = pd.Series(True, index=obs.index)
                for col, val in want.items():
                    if col != varied:
                        mask &= obs[col] == val
                if varied:
                    mask &= obs[varied] != "Total"
                hit = obs[mask]
                frames.append(
                    hit.assign(
                        indicator_id=ind.id,
                        disaggregation=dis,
                        category=hit[varied] if varied else "Total",
                    )
                )
    base = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=obs.columns)
    derived = []
    for ind in registry.indicators:
        if ind.kind not in ("change", "cagr") or not ind.of:
            continue
        lag = 1 if ind.kind == "change" else (ind.window or registry.defaults.trend_window)
        of = base[base["indicator_id"] == ind.of]
        of = of[of["disaggregation"].isin(ind.disaggregations)]
        for shift in (0, lag):  # the year itself, and the year it is compared with
            derived.append(of.assign(indicator_id=ind.id, year=of["year"] + shift))
    return pd.concat([base, *derived], ignore_index=True)


def fact_flags(result: QualityReview, registry: Registry) -> pd.DataFrame:
    """Return the quality flags of the published facts: every fact computed from a flagged figure.

    A count's fact carries the flags of its observation; a ratio's (rates, shares, convictions per
    prosecution) the flags of its numerator and denominator; a change's those of the two years it
    compares, and a trend's (CAGR) those of its first and last year. The facts layer joins this
    table on its key and the source, so a rate or a growth rate computed from a flagged figure says
    so. Breakdowns by sex and age, by form of exploitation and totals are mapped; by sex and age
    together and by citizenship (derived categories) are not.

    Parameters
    ----------
    result
        A :func:`review`.
    registry
        The indicator registry (:func:`corett_lib.dataset.registry.load_registry`).

    Returns
    -------
    pandas.DataFrame
        :data:`FACT_FLAG_COLUMNS`, one row per fact key and source.
    """
    allf = _facts_of_observations(by_observation(result), registry)
    if allf.empty:
        return pd.DataFrame(columns=FACT_FLAG_COLUMNS)
    key = FACT_FLAG_COLUMNS[:6]
    rank = allf["quality_severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    out = (
        allf.assign(_rank=rank)
        .groupby(key, dropna=False)
        .agg(
            quality_rules=(
                "quality_rules",
                lambda r: ";".join(sorted({x for v in r for x in v.split(";")})),
            ),
            _rank=("_rank", "min"),
        )
        .reset_index()
    )
    out["quality_severity"] = [SEVERITIES[int(i)] for i in out["_rank"]]
    return finish(out[FACT_FLAG_COLUMNS], key, name="quality fact flags")


#: Columns of :func:`fact_flag_rows`.
FACT_FLAG_ROW_COLUMNS: list[str] = [
    *FACT_FLAG_COLUMNS[:6],
    "indicator",
    "dimension",
    "category_obs",
    "sex",
    "age",
    "obs_year",
    "rule",
    "check",
    "severity",
    "value_text",
    "censored",
    "evidence",
    "correction",
]


def fact_flag_rows(result: QualityReview, registry: Registry) -> pd.DataFrame:
    """Return the flags behind every flagged fact, one row per fact, source and flag, with evidence.

    The long form of :func:`fact_flags`: the same facts, each with the flagged observations it is
    computed from (``indicator``, ``dimension``, ``category_obs``, ``sex``, ``age``, ``obs_year``), the
    rule, check, severity, the figure as published and the evidence, so a page can say which figure a
    rate or a growth rate comes from and why it is flagged.

    Returns
    -------
    pandas.DataFrame
        :data:`FACT_FLAG_ROW_COLUMNS`.
    """
    f = result.flags
    if f.empty:
        return pd.DataFrame(columns=FACT_FLAG_ROW_COLUMNS)
    rows = _facts_of_observations(f, registry)
    rank = rows["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    rows = rows.assign(_rank=rank).sort_values(
        [*FACT_FLAG_COLUMNS[:6], "obs_year", "_rank", "rule", "check"], kind="mergesort"
    )
    return rows[FACT_FLAG_ROW_COLUMNS].reset_index(drop=True)


def _count_text(text: Any, k: int, lang: str) -> str:
    """Return a published count as a reader sees it under disclosure control (``<k`` for 1 to k-1)."""
    raw = str(text).strip().replace(",", "")
    if raw.startswith("<"):
        return str(text)
    try:
        v = float(raw)
    except ValueError:
        return str(text)
    if 0 < v < k:
        return f"<{k}"
    return i18n.number(v, lang)


def _overridden(row: Any) -> bool:
    """Tell whether a declared correction replaced the published figure (``value`` is not the text)."""
    if row["censored"] or not str(row["correction"] or ""):
        return False
    try:
        published = float(str(row["value_text"]).replace(",", ""))
    except ValueError:
        return True
    return published != float(row["value"])


def _breakdown_labels(cell: Any, lang: str) -> list[str]:
    """Return the labels of a figure's breakdown (its category, sex and age other than Total).

    ``cell`` (a flag's row, or a part in a flag's evidence) has ``dimension``, ``category``, ``sex``
    and ``age``; a missing one counts as Total.
    """
    out = []
    category = cell.get("category", "Total")
    if category != "Total":
        dim = cell.get("dimension", "Total")
        kind = "category" if dim == _FORMS else "citizenship"
        if dim == "by country of repatriation":
            kind = "repatriation"
        out.append(i18n.label(kind, category, lang))
    for col in ("sex", "age"):
        if cell.get(col, "Total") != "Total":
            out.append(i18n.label(col, cell[col], lang))
    return out


def figure_label(row: Any, lang: str) -> str:
    """Return the figure a flag is on, in words: the indicator and its breakdown."""
    parts = [i18n.label("indicator", row["indicator"], lang)]
    parts += _breakdown_labels(row, lang)
    if len(parts) == 1:
        parts.append(i18n.t("quality.headline", lang))
    return ", ".join(parts)


#: Rules whose evidence quantifies the flagged figure itself (a mean and a change, a z-score, a
#: ratio, another source's figure and the difference, the figures it copies): the figure follows
#: from the words. Only ``parts_above_total`` speaks of other figures (its parts) alone.
VALUE_EVIDENCE: frozenset[str] = frozenset(
    {
        "outlier_sd",
        "outlier_modified_z",
        "time_consistency",
        "related",
        "external_difference",
        "slip_year",
        "slip_magnitude",
        "slip_part_magnitude",
        "slip_copy",
    }
)


def evidence_text(row: Any, lang: str, k: int = 5, *, hidden: bool = False) -> str:
    """Return a flag's evidence in words (``row``: a row of :attr:`QualityReview.flags`).

    Counts of persons in the evidence go through the disclosure threshold ``k`` (1 to k-1 shown as
    ``<k``); statistics (means, SDs, percentages) are shown as computed. When the flagged figure is
    ``hidden`` (suppressed where it is published), evidence that quantifies it
    (:data:`VALUE_EVIDENCE`) is withheld: the figure would follow from it.
    """
    rule = row["rule"]
    if hidden and rule in VALUE_EVIDENCE:
        return i18n.t("quality.evidence.withheld", lang)
    ev = json.loads(row["evidence"]) if isinstance(row["evidence"], str) else dict(row["evidence"])

    def num(x: Any, d: int = 1) -> str:
        return i18n.number(x, lang, decimals=d)

    def neighbours() -> str:
        items = ev.get("neighbours", {})
        if not items:
            return i18n.t("quality.evidence.no_neighbours", lang)
        return "; ".join(f"{y}: {_count_text(v, k, lang)}" for y, v in sorted(items.items()))

    def parts() -> str:
        out = []
        for name, p in sorted(ev.get("parts", {}).items()):
            s = (
                _count_text(p["sum"], k, lang)
                if "sum" in p
                else f"{_count_text(p['sum_low'], k, lang)}–{_count_text(p['sum_high'], k, lang)}"
            )
            out.append(i18n.t(f"quality.evidence.parts_{name}", lang, sum=s))
        return "; ".join(out) if out else i18n.t("quality.evidence.no_parts", lang)

    if rule == "outlier_sd":
        return i18n.t(
            "quality.evidence.outlier_sd",
            lang,
            z=num(abs(ev["z"]), 2),
            mean=num(ev["mean"]),
            sd=num(ev["sd"]),
            n=ev["n"],
        )
    if rule == "outlier_modified_z":
        by_mean = ev.get("mean_ad") is not None
        return i18n.t(
            "quality.evidence.outlier_modified_z" + ("_mean_ad" if by_mean else ""),
            lang,
            mz=num(abs(ev["modified_z"]), 2),
            median=num(ev["median"]),
            mad=num(ev["mean_ad"] if by_mean else ev["mad"]),
            n=ev["n"],
        )
    if rule == "time_consistency":
        prev = "; ".join(f"{y}: {_count_text(v, k, lang)}" for y, v in ev["previous"].items())
        return i18n.t(
            "quality.evidence.time_consistency",
            lang,
            change=("+" if ev["change_pct"] > 0 else "") + num(ev["change_pct"], 0) + " %",
            mean=num(ev["mean_previous"]),
            previous=prev,
        )
    if rule == "related":
        return i18n.t(
            "quality.evidence.related",
            lang,
            other=i18n.label("indicator", ev["other"], lang),
            other_value=_count_text(ev["other_value"], k, lang),
        )
    if rule == "parts_above_total":
        listed = "; ".join(
            f"{', '.join(_breakdown_labels(p, lang))} = {_count_text(p['value'], k, lang)}"
            for p in ev.get("parts", [])
        )
        low = ev.get("parts_sum_low", ev.get("part_low"))
        return i18n.t(
            f"quality.evidence.parts_above_total_{row['check']}",
            lang,
            sum=_count_text(low, k, lang),
            parts=listed,
        )
    if rule == "external_difference":
        return i18n.t(
            "quality.evidence.external_difference",
            lang,
            source=ev["other_source"],
            value=_count_text(ev["other_value"], k, lang),
            compare=ev.get("compare", ""),
            reference=ev.get("reference", ""),
            difference=("+" if (ev["difference_pct"] or 0) > 0 else "") + num(ev["difference_pct"]),
        )
    if rule == "slip_year":
        text = i18n.t("quality.evidence.slip_year", lang, neighbours=neighbours())
        if "parts" in ev:
            text += "; " + i18n.t("quality.evidence.parts", lang, parts=parts())
        return text
    if rule == "slip_magnitude":
        ratio = ev.get("ratio")
        text = i18n.t(
            "quality.evidence.slip_magnitude",
            lang,
            ratio=num(ratio, 1 if ratio is None or ratio >= 1 else 2),
            neighbours=neighbours(),
        )
        if "parts" in ev:
            text += "; " + i18n.t("quality.evidence.parts", lang, parts=parts())
        return text
    if rule == "slip_part_magnitude":
        return i18n.t(
            "quality.evidence.slip_part_magnitude",
            lang,
            ratio=num(ev.get("ratio"), 1),
            total=_count_text(ev["total"], k, lang),
            neighbours=neighbours(),
        )
    if rule == "slip_copy":
        return i18n.t(
            "quality.evidence.slip_copy",
            lang,
            other=", ".join(i18n.label("indicator", o, lang) for o in ev["same_as"]),
            n=ev["categories"],
        )
    raise ValueError(f"unknown quality rule {rule!r}")


def questions(
    result: QualityReview,
    year: int,
    country: str,
    lang: str,
    k: int = 5,
    *,
    hidden: Collection[tuple[Any, ...]] = (),
) -> list[str]:
    """Return the questions to send back to ``country`` about its figures of ``year``.

    One question per flagged figure (most pressing first, a figure flagged by several rules asked
    once with every reason) and one about the expected indicators it published no figure for.

    Parameters
    ----------
    result
        A :func:`review`.
    year
        The year.
    country
        A member's ISO3.
    lang
        ``en`` or ``es``.
    k
        Disclosure threshold for the counts quoted.
    hidden
        Observation keys (:data:`~corett_lib.core.schema.OBSERVATION_KEY`) of the figures the
        pages suppress (the country-year decision): quoted as suppressed, their evidence withheld.
    """
    f = flags_for(result, year, country)
    out: list[str] = []
    hide = set(hidden)
    for key, grp in f.groupby(OBSERVATION_KEY, sort=False, dropna=False):
        first = grp.iloc[0]
        secret = tuple(key) in hide
        reasons = "; ".join(
            i18n.t("quality.rule." + str(r["rule"]), lang)
            + ": "
            + evidence_text(r, lang, k, hidden=secret or bool(r["censored"]))
            for _, r in grp.iterrows()
        )
        if secret:
            value = i18n.t("label.suppressed", lang)
        else:
            value = "<5" if first["censored"] else _count_text(first["value"], k, lang)
        out.append(
            i18n.t(
                f"quality.question.{first['severity']}",
                lang,
                figure=figure_label(first, lang),
                source=first["source"],
                value=value,
                year=int(first["year"]),
                reasons=reasons,
            )
            + (
                " "
                + i18n.t(
                    "quality.question.corrected",
                    lang,
                    published=_count_text(first["value_text"], k, lang),
                    ids=first["correction"],
                )
                if _overridden(first) and not secret
                else ""
            )
        )
    gaps = missing(result, year, country)
    if gaps:
        out.append(
            i18n.t(
                "quality.question.missing",
                lang,
                indicators=", ".join(i18n.label("indicator", g, lang) for g in gaps),
                year=int(year),
            )
        )
    return out


def describe(flags: pd.DataFrame, lang: str, k: int = 1) -> pd.DataFrame:
    """Return flags as an analyst reads them: the figure, rule, severity and evidence in words.

    Parameters
    ----------
    flags
        Rows of :attr:`QualityReview.flags` (e.g. from :func:`flags_for`).
    lang
        ``en`` or ``es``.
    k
        Counts from 1 to k-1 in the evidence are shown as ``<k`` (1: shown as published, for analysts).

    Returns
    -------
    pandas.DataFrame
        The observation key, ``figure``, ``value`` (the figure used, after any declared correction),
        ``value_text`` (as the source published it), ``rule, severity, evidence``, the evidence as
        data (``evidence_data``), ``source_file, source_row, correction``.
    """
    if flags.empty:
        return pd.DataFrame(
            columns=[
                *OBSERVATION_KEY,
                "figure",
                "value",
                "value_text",
                "rule",
                "severity",
                "evidence",
                "evidence_data",
                "source_file",
                "source_row",
                "correction",
            ]
        )
    return pd.DataFrame(
        {
            **{c: flags[c].to_list() for c in OBSERVATION_KEY},
            "figure": [figure_label(r, lang) for _, r in flags.iterrows()],
            "value": [
                str(t) if c else i18n.number(v, lang)
                for v, c, t in zip(
                    flags["value"], flags["censored"], flags["value_text"], strict=True
                )
            ],
            "value_text": flags["value_text"].to_list(),
            "rule": [i18n.t("quality.rule." + str(r), lang) for r in flags["rule"]],
            "severity": [i18n.t("quality.severity." + str(x), lang) for x in flags["severity"]],
            "evidence": [evidence_text(r, lang, k) for _, r in flags.iterrows()],
            "evidence_data": flags["evidence"].to_list(),
            "source_file": flags["source_file"].to_list(),
            "source_row": flags["source_row"].to_list(),
            "correction": flags["correction"].fillna("").astype(str).to_list(),
        }
    )
