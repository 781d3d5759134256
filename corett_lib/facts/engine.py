"""The indicator engine: declared indicators computed from the tidy observations, vectorised.

:func:`evaluate` computes every declared indicator, for every source, member, year and disaggregation
(one pass, no per-row Python), then resolves one figure per key:

* a member's figure comes from the first source of the indicator's precedence that has it;
* the regional figure (``CORETT``) follows the indicator's regional rule: a regional figure
  ``published`` as such (by a source in precedence order) or the ``sum`` over members of ONE source
  (sources are never mixed in a sum), with coverage (members reporting / members, and which). A
  missing member is never a zero;
* a sum that includes a censored count is a range (``value`` empty, ``value_low``/``value_high`` bound
  it); no ratio is computed from a censored numerator or denominator;
* changes and compound growth follow the resolved figures of the indicator they track.

:mod:`corett_lib.facts.table` turns the evaluation into the published facts, and
:func:`corett_lib.facts.view.indicator_table` shows them; the figures of the other sources stay in
:attr:`Evaluation.by_source` (side by side in :attr:`corett_lib.facts.table.Facts.sources`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from corett_lib.core.config import members as configured
from corett_lib.core.problems import DataError, Problem
from corett_lib.core.schema import OBSERVATION_KEY, REGION_CODE
from corett_lib.dataset.registry import Registry, load_registry, normalise_label

#: The pseudo-source of a regional figure summed over members.
SUM_SOURCE = "sum of members"

#: The source of the population denominators.
POPULATION_SOURCE = "World Bank WDI"

#: Flags, in the order they are written to the ``flags`` column, and what each means.
FLAGS: dict[str, str] = {
    "no_data": "no source has this figure; never read as zero",
    "censored": "the published count is censored (UNODC '<5'); see value_low/value_high",
    "range": "a sum that includes a censored count; the true value is in [value_low, value_high]",
    "censored_numerator": "no ratio: the numerator is censored",
    "censored_denominator": "no ratio: the denominator is censored",
    "zero_denominator": "no ratio: the denominator is zero",
    "no_population": "no rate: no population figure for the member and year (withheld, reason shown)",
    "censored_input": "no change: a compared figure is censored or missing",
    "published_regional": "a regional figure published as such by the source",
    "partial_coverage": "a regional sum over fewer members than the coalition has",
    "coverage_unknown": "a published regional figure; the source does not say which members it covers",
    "source_changed": "a change between figures of different sources",
    "coverage_changed": "a change between regional sums over different members",
    "corrected": "a figure behind this one was changed by a declared correction (corrections.yaml)",
    "suspicious": "a figure behind this one is declared doubtful (corrections.yaml, action flag)",
}

#: Short Spanish labels of the flags (for tables shown to people).
FLAGS_ES: dict[str, str] = {
    "no_data": "sin datos",
    "censored": "censurado (<5)",
    "range": "rango (suma con valores <5)",
    "censored_numerator": "numerador censurado",
    "censored_denominator": "denominador censurado",
    "zero_denominator": "denominador cero",
    "no_population": "sin cifra de población",
    "censored_input": "valor comparado censurado o ausente",
    "published_regional": "cifra regional publicada",
    "partial_coverage": "cobertura parcial",
    "coverage_unknown": "cobertura no indicada",
    "source_changed": "cambio de fuente",
    "coverage_changed": "cambio de cobertura",
    "corrected": "corregido",
    "suspicious": "dudoso",
}

_BASE = ["ind", "source", "iso3", "year", "disagg", "category"]
_NUMS = [
    "num_low",
    "num_high",
    "num_cens",
    "num_n",
    "den_low",
    "den_high",
    "den_cens",
    "num_corr",
    "num_susp",
    "num_wh",
    "num_inc",
    "den_corr",
    "den_susp",
    "den_wh",
    "den_inc",
]
#: Observation marks carried up to every figure built from them: a declared override (``corr``), a
#: declared doubt (``susp``), a figure a scoped error withholds (``wh``, the validated load's
#: ``withheld`` column) and a part above its total (``inc``, its ``inconsistent`` column).
_MARKS = ("corr", "susp", "wh", "inc")


@dataclass
class Evaluation:
    """Every figure the engine computed.

    Attributes
    ----------
    registry
        The registry used.
    members
        The coalition members the regional figures are built from.
    by_source
        One row per indicator (count and ratio kinds), source, country (members and ``CORETT``), year,
        disaggregation and category: every source's figure, plus the regional sums of each source
        (source ``"sum of members (UNODC)"``, with ``coverage_n`` and ``coverage_members``).
        Internal column names (``ind``, ``disagg``).
    resolved
        One row per indicator key after precedence, including changes and growth rates
        (``source`` as shown; ``source_id`` the source as in :attr:`by_source`).
    """

    registry: Registry
    members: tuple[str, ...]
    by_source: pd.DataFrame
    resolved: pd.DataFrame


# --------------------------------------------------------------------------------------------------
# Selecting observations


def citizenship_class(iso3: pd.Series, category: pd.Series, registry: Registry) -> np.ndarray:
    r"""Classify ``by citizenship`` categories as ``Domestic``, ``Foreign`` or ``Unknown``.

    Parameters
    ----------
    iso3
        The reporting country of each row.
    category
        The source's citizenship label of each row.
    registry
        Holds the labels (``citizenship`` section of ``registry.yaml``).

    Returns
    -------
    numpy.ndarray
        One class per row (object array).

    Examples
    --------
    >>> import pandas as pd
    >>> reg = load_registry()
    >>> citizenship_class(
    ...     pd.Series(["GTM", "GTM", "PAN", "DOM"]),
    ...     pd.Series(["GUATEMALTECA", "MEXICANA", "DOMINICANA", "Rep\ufffdblica Dominicana"]),
    ...     reg,
    ... ).tolist()
    ['Domestic', 'Foreign', 'Foreign', 'Domestic']
    """
    cz = registry.citizenship
    anyone = {normalise_label(x) for x in cz.domestic_any}
    unknown = {normalise_label(x) for x in cz.unknown} | {""}
    own = {k: {normalise_label(x) for x in v} for k, v in cz.domestic.items()}
    iso = iso3.astype(object).fillna("").astype(str).to_numpy(object)
    joined = iso + "\x1f" + category.astype(object).fillna("").astype(str).to_numpy(object)
    idx, uniques = pd.factorize(joined)
    out_u = []
    for text in uniques:  # one pass over the distinct (country, label) pairs, not the rows
        country, _, label = text.partition("\x1f")
        key = normalise_label(label)
        if key in unknown:
            out_u.append("Unknown")
        elif key in anyone or key in own.get(country, set()):
            out_u.append("Domestic")
        else:
            out_u.append("Foreign")
    return np.asarray(out_u, dtype=object)[idx]


def _eq(arr: np.ndarray, value: str) -> np.ndarray:
    return arr == value


def _isin(arr: np.ndarray, values: Sequence[str]) -> np.ndarray:
    return pd.Series(arr).isin(list(values)).to_numpy()


def _selected(obs: pd.DataFrame, reg: Registry) -> pd.DataFrame:
    """Return, per indicator, role, alternative and disaggregation, the summed observations."""
    col = {c: obs[c].to_numpy(dtype=object) for c in ("indicator", "dimension", "category", "sex")}
    col["age"] = obs["age"].to_numpy(dtype=object)
    sex_age = (obs["sex"].astype(str) + ", " + obs["age"].astype(str)).to_numpy(dtype=object)
    cit = None
    idx_parts: list[np.ndarray] = []
    cat_parts: list[np.ndarray] = []
    labels: list[tuple[str, str, int, str, int]] = []  # ind, role, alt, disagg, n
    ind_cache: dict[str, np.ndarray] = {}
    for ind in reg.indicators:
        if ind.kind not in ("count", "ratio"):
            continue
        roles = [("num", i, s) for i, s in enumerate(ind.numerators)]
        if ind.denominator is not None and not ind.denominator.is_population:
            roles.append(("den", 0, ind.denominator))
        for role, alt, sel in roles:
            name = str(sel.indicator)
            if name not in ind_cache:
                ind_cache[name] = _eq(col["indicator"], name)
            base = ind_cache[name]
            for d in ind.disaggregations:
                spec = reg.disaggregations[d]
                if spec.dimension:
                    m = (
                        base
                        & _eq(col["dimension"], spec.dimension)
                        & _eq(col["sex"], sel.sex)
                        & _eq(col["age"], sel.age)
                    )
                    if spec.derive == "citizenship":
                        if cit is None:
                            cit = citizenship_class(obs["iso3"], obs["category"], reg)
                        cat = cit
                    else:
                        m &= pd.notna(col["category"])
                        cat = col["category"]
                else:
                    m = base & _eq(col["dimension"], sel.dimension)
                    m &= _eq(col["category"], sel.category)
                    m &= _isin(col["sex"], spec.sex) if spec.sex else _eq(col["sex"], sel.sex)
                    m &= _isin(col["age"], spec.age) if spec.age else _eq(col["age"], sel.age)
                    if spec.sex and spec.age:
                        cat = sex_age
                    elif spec.sex:
                        cat = col["sex"]
                    elif spec.age:
                        cat = col["age"]
                    else:
                        cat = None
                idx = np.flatnonzero(m)
                if not len(idx):
                    continue
                idx_parts.append(idx)
                cat_parts.append(
                    cat[idx] if cat is not None else np.full(len(idx), "Total", object)
                )
                labels.append((ind.id, role, alt, d, len(idx)))
    if not idx_parts:
        cols = ["ind", "role", "alt", "source", "iso3", "year", "disagg", "category"]
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        return empty.assign(
            year=pd.Series(dtype="int64"),
            low=pd.Series(dtype=float),
            high=pd.Series(dtype=float),
            cens=pd.Series(dtype=bool),
            n=pd.Series(dtype="int64"),
            **{m: pd.Series(dtype=bool) for m in _MARKS},
        )
    idx = np.concatenate(idx_parts)
    counts = [n for *_, n in labels]
    rows = pd.DataFrame(
        {
            "ind": np.repeat([x[0] for x in labels], counts),
            "role": np.repeat([x[1] for x in labels], counts),
            "alt": np.repeat([x[2] for x in labels], counts),
            "disagg": np.repeat([x[3] for x in labels], counts),
            "category": np.concatenate(cat_parts),
            "source": obs["source"].to_numpy(object)[idx],
            "iso3": obs["iso3"].to_numpy(object)[idx],
            "year": obs["year"].to_numpy()[idx],
            "low": obs["_low"].to_numpy()[idx],
            "high": obs["_high"].to_numpy()[idx],
            "cens": obs["_cens"].to_numpy()[idx],
            **{m: obs[f"_{m}"].to_numpy()[idx] for m in _MARKS},
            "n": 1,
        }
    )
    keys = ["ind", "role", "alt", "source", "iso3", "year", "disagg", "category"]
    agg = rows.groupby(keys, sort=False, observed=True).agg(
        low=("low", "sum"),
        high=("high", "sum"),
        cens=("cens", "any"),
        n=("n", "sum"),
        **{m: (m, "any") for m in _MARKS},
    )
    agg = agg.reset_index().sort_values("alt", kind="stable")
    # Alternatives: each source takes the first alternative it has data for.
    return agg.drop_duplicates(["ind", "role", "source", "iso3", "year", "disagg", "category"])


def _marks(tags: pd.Series, actions: Mapping[str, str] | None) -> tuple[np.ndarray, np.ndarray]:
    """Return (overridden, doubtful) per observation from its ``correction`` tags (comma-joined ids).

    ``actions`` maps a correction id to its action (``override``, ``flag``); an id it does not
    know counts as a declared doubt.
    """
    text = tags.fillna("").astype(str).to_numpy(object)
    idx, uniques = pd.factorize(text)
    corr, susp = [], []
    for tag in uniques:  # a handful of distinct tags, not the rows
        ids = [i for i in str(tag).split(",") if i]
        acts = [(actions or {}).get(i, "flag") for i in ids]
        corr.append("override" in acts)
        susp.append("flag" in acts)
    if not len(uniques):
        return np.zeros(len(text), bool), np.zeros(len(text), bool)
    return np.asarray(corr, bool)[idx], np.asarray(susp, bool)[idx]


def _prepare_observations(
    obs: pd.DataFrame, countries: Iterable[str], actions: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Return the counts of the given countries, with numeric bounds; duplicate keys are an error."""
    keep = obs["iso3"].isin(list(countries))
    if "unit" in obs.columns:
        keep &= obs["unit"].fillna("Counts").eq("Counts")
    o = obs.loc[keep].copy()
    key = [k for k in OBSERVATION_KEY if k in o.columns]
    dup = o.duplicated(key, keep=False)
    if dup.any():
        sample = o.loc[dup, key].drop_duplicates().head(5).to_dict("records")
        raise DataError(
            [
                Problem(
                    severity="error",
                    check="indicator_input_unique",
                    file=str(o.loc[dup, "source_file"].iloc[0]) if "source_file" in o else "",
                    message=f"{int(dup.sum())} observations share a key; e.g. {sample}",
                    rows=tuple(
                        int(r) for r in o.loc[dup].get("source_row", pd.Series(dtype=int)).dropna()
                    )[:20],
                    why="the engine sums observations per breakdown: a repeated key would be "
                    "counted twice (apply the source's duplicate rule first)",
                    table="observations",
                )
            ]
        )
    value = pd.to_numeric(o["value"], errors="coerce")
    cens = (
        o["censored"].fillna(False).astype(bool)
        if "censored" in o.columns
        else pd.Series(False, index=o.index)
    )
    low = pd.to_numeric(o.get("value_low", value), errors="coerce").fillna(value)
    high = pd.to_numeric(o.get("value_high", value), errors="coerce").fillna(value)
    o["_low"], o["_high"], o["_cens"] = low.to_numpy(float), high.to_numpy(float), cens.to_numpy()
    tags = o["correction"] if "correction" in o.columns else pd.Series("", index=o.index)
    o["_corr"], o["_susp"] = _marks(tags, actions)
    for mark, column in (("_wh", "withheld"), ("_inc", "inconsistent")):
        flag = o[column] if column in o.columns else pd.Series(False, index=o.index)
        o[mark] = flag.astype("boolean").fillna(False).astype(bool).to_numpy()
    o["year"] = o["year"].astype("int64")
    return o.loc[low.notna() & high.notna()]


# --------------------------------------------------------------------------------------------------
# Values, flags


def _values(df: pd.DataFrame, reg: Registry) -> pd.DataFrame:
    """Compute value, bounds and flags from numerator/denominator bounds (vectorised)."""
    kind = df["ind"].map({i.id: i.kind for i in reg.indicators}).to_numpy()
    scale = df["ind"].map({i.id: float(i.scale) for i in reg.indicators}).to_numpy(float)
    ratio = kind == "ratio"
    nlo, nhi = df["num_low"].to_numpy(float), df["num_high"].to_numpy(float)
    ncen = df["num_cens"].to_numpy(bool)
    dlo = df["den_low"].to_numpy(float)
    dcen = df["den_cens"].fillna(False).to_numpy(bool)
    ok = ratio & ~ncen & ~dcen & (dlo > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rv = np.where(ok, nlo / dlo * scale, np.nan)
    cv = np.where(ncen, np.nan, nlo)
    out = df.copy()
    out["value"] = np.where(ratio, rv, cv)
    out["value_low"] = np.where(ratio, rv, nlo)
    out["value_high"] = np.where(ratio, rv, nhi)
    out["censored"] = np.where(ratio, ncen | dcen, ncen)
    out["numerator"] = np.where(ncen, np.nan, nlo)
    out["denominator"] = np.where(ratio & ~dcen, dlo, np.nan)
    n = df["num_n"].to_numpy(float)
    out["f_censored"] = ~ratio & ncen & (n <= 1)
    out["f_range"] = ~ratio & ncen & (n > 1)
    out["f_censored_numerator"] = ratio & ncen
    out["f_censored_denominator"] = ratio & dcen
    out["f_zero_denominator"] = ratio & ~dcen & (dlo == 0)
    nopop = df["den_nopop"] if "den_nopop" in df else pd.Series(False, index=df.index)
    out["f_no_population"] = ratio & nopop.astype("boolean").fillna(False).to_numpy(bool)
    marks = {}
    for m in _MARKS:
        num = df[f"num_{m}"].fillna(False).to_numpy(bool)
        den = df[f"den_{m}"].fillna(False).to_numpy(bool)
        marks[m] = num | (ratio & den)
    out["f_corrected"], out["f_suspicious"] = marks["corr"], marks["susp"]
    out["f_inconsistent"] = marks["inc"]
    # No figure from a withheld observation; no share or rate from a part above its total.
    withheld = marks["wh"] | (ratio & marks["inc"]) | out["f_no_population"].to_numpy(bool)
    out["f_withheld"] = withheld
    for c in ("value", "value_low", "value_high"):
        out[c] = np.where(withheld, np.nan, out[c].to_numpy(float))
    return out


def _population(pop: pd.DataFrame, members: Sequence[str]) -> pd.DataFrame:
    p = pop.loc[:, ["iso3", "year", "population"]].copy()
    p["year"] = p["year"].astype("int64")
    p["population"] = pd.to_numeric(p["population"], errors="coerce")
    p = p.dropna(subset=["population"])
    mem = p[p["iso3"].isin(list(members))]
    region = mem.groupby("year").agg(population=("population", "sum"), n=("iso3", "nunique"))
    region = region[region["n"] == len(members)].reset_index()  # only when every member has it
    region["iso3"] = REGION_CODE
    return pd.concat([p, region[["iso3", "year", "population"]]], ignore_index=True)


def _by_source(sel: pd.DataFrame, pop: pd.DataFrame, reg: Registry) -> pd.DataFrame:
    """One row per indicator, source, country, year, disaggregation, category (counts, ratios)."""
    ren = {"low": "num_low", "high": "num_high", "cens": "num_cens", "n": "num_n"}
    ren |= {m: f"num_{m}" for m in _MARKS}
    num = sel[sel["role"] == "num"].drop(columns=["role", "alt"]).rename(columns=ren)
    den = sel[sel["role"] == "den"].drop(columns=["role", "alt", "n"])
    den = den.rename(
        columns={"low": "den_low", "high": "den_high", "cens": "den_cens"}
        | {m: f"den_{m}" for m in _MARKS}
    )
    kinds = {i.id: i for i in reg.indicators}
    pop_inds = [
        i.id
        for i in reg.indicators
        if i.kind == "ratio" and i.denominator is not None and i.denominator.is_population
    ]
    obs_ratio = [i.id for i in reg.indicators if i.kind == "ratio" and i.id not in pop_inds]
    counts = num.loc[num["ind"].map({k: v.kind for k, v in kinds.items()}).eq("count")].copy()
    for c in ("den_low", "den_high"):
        counts[c] = np.nan
    counts["den_cens"] = False
    for m in _MARKS:
        counts[f"den_{m}"] = False
    parts = [counts]
    r = num[num["ind"].isin(obs_ratio)].merge(den, on=_BASE, how="inner")
    parts.append(r)
    # A member without a population figure keeps its rate row, withheld (``no_population``).
    pr = num[num["ind"].isin(pop_inds)].merge(pop, on=["iso3", "year"], how="left")
    pr = pr.rename(columns={"population": "den_low"})
    pr["den_nopop"] = pr["den_low"].isna().to_numpy(bool) & pr["iso3"].ne(REGION_CODE).to_numpy()
    pr = pr[pr["den_low"].notna().to_numpy() | pr["den_nopop"].to_numpy()]
    pr["den_high"] = pr["den_low"]
    pr["den_cens"] = False
    for m in _MARKS:
        pr[f"den_{m}"] = False
    parts.append(pr)
    nonempty = [p for p in parts if len(p)]
    out = pd.concat(nonempty, ignore_index=True) if nonempty else counts
    out["num_cens"] = out["num_cens"].astype(bool)
    out["den_cens"] = out["den_cens"].astype(bool)
    for m in _MARKS:
        for role in ("num", "den"):
            out[f"{role}_{m}"] = out[f"{role}_{m}"].fillna(False).astype(bool)
    return out


def _rank(df: pd.DataFrame, reg: Registry) -> pd.Series:
    """Position of each row's source in its indicator's precedence (NaN: not in it)."""
    table = pd.DataFrame(
        [(i.id, s, k) for i in reg.indicators for k, s in enumerate(reg.precedence(i))],
        columns=["ind", "source", "_r"],
    )
    ranks = df[["ind", "source"]].merge(table, how="left", on=["ind", "source"])["_r"]
    return ranks.set_axis(df.index).astype(float)


def _resolve(df: pd.DataFrame, rank: pd.Series) -> pd.DataFrame:
    d = df.assign(_rank=rank).dropna(subset=["_rank"])
    d = d.sort_values("_rank", kind="stable")
    return d.drop_duplicates(["ind", "iso3", "year", "disagg", "category"]).drop(columns="_rank")


def is_sum_source(source: pd.Series) -> pd.Series:
    """Return True where a source is a sum of members (``"sum of members (UNODC)"``)."""
    return source.astype(str).str.startswith(SUM_SOURCE)


def _member_list(df: pd.DataFrame, key: list[str]) -> pd.Series:
    """Return the sorted, comma-joined ISO3 codes of each group's rows (the members covered)."""
    return df.groupby(key, sort=False)["iso3"].agg(lambda s: ",".join(sorted(set(s))))


def _region(
    member_all: pd.DataFrame, published: pd.DataFrame, members: Sequence[str], reg: Registry
) -> pd.DataFrame:
    """Return the regional candidates: one sum of members per source and the published figures.

    A sum adds up the members' figures of ONE source, never a mix: UNODC's eight members and
    CORETT's Nicaragua are two different sums (``sum of members (UNODC)``, ``sum of members
    (CORETT)``), each with its coverage (``coverage_n`` of ``coverage_of``) and the members it
    covers (``coverage_members``). Only sources in the indicator's precedence are summed. The
    coverage of a published regional figure is the members with a figure from the same source.
    """
    key = ["ind", "year", "disagg", "category"]
    # A member without a population figure is not in a regional rate (nor in its coverage).
    member_all = member_all[~member_all["f_no_population"].to_numpy(bool)]
    ranked = member_all[_rank(member_all, reg).notna().to_numpy()]
    if len(ranked):
        g = ranked.groupby([*key, "source"], sort=False)
        sums = g.agg(
            num_low=("num_low", "sum"),
            num_high=("num_high", "sum"),
            num_cens=("num_cens", "any"),
            num_n=("num_n", "sum"),
            den_low=("den_low", lambda s: s.sum(min_count=1)),
            den_high=("den_high", lambda s: s.sum(min_count=1)),
            den_cens=("den_cens", "any"),
            **{f"{r}_{m}": (f"{r}_{m}", "any") for r in ("num", "den") for m in _MARKS},
            coverage_n=("iso3", "size"),
        )
        sums["coverage_members"] = _member_list(ranked, [*key, "source"])
        sums = sums.reset_index()
        sums["member_sources"] = sums["source"]
        sums["source"] = SUM_SOURCE + " (" + sums["source"].astype(str) + ")"
        sums["iso3"] = REGION_CODE
        sums["coverage_n"] = sums["coverage_n"].astype("Float64")
    else:
        sums = pd.DataFrame(
            columns=[*_BASE, *_NUMS, "coverage_n", "coverage_members", "member_sources"]
        )
    # Coverage of a published regional figure: members with a figure of the same source.
    if len(member_all):
        cov = member_all.groupby([*key, "source"], sort=False).size().rename("coverage_n")
        cov = cov.to_frame().join(
            _member_list(member_all, [*key, "source"]).rename("coverage_members")
        )
        cov = cov.reset_index()
    else:
        cov = pd.DataFrame(columns=[*key, "source", "coverage_n", "coverage_members"])
    pub = published.merge(cov, on=[*key, "source"], how="left")
    pub["coverage_n"] = pub["coverage_n"].astype("Float64")
    pub["member_sources"] = pub["source"]
    out = pd.concat([x for x in (sums, pub) if len(x)] or [sums], ignore_index=True)
    out["coverage_of"] = len(members)
    out["coverage_members"] = out["coverage_members"].fillna("").astype(str)
    return out


def _region_rank(df: pd.DataFrame, reg: Registry, n_members: int) -> pd.Series:
    """Return the order of the regional candidates.

    First the indicator's regional rule (``published``, ``sum``); among published figures the
    source precedence; among sums the widest coverage, then the member source's precedence.
    """
    src_rank = _rank(df, reg)
    member_rank = _rank(df.assign(source=df["member_sources"]), reg)
    rule = {i.id: reg.region_rule(i) for i in reg.indicators}
    pos_pub = df["ind"].map(
        {k: (v.index("published") if "published" in v else np.nan) for k, v in rule.items()}
    )
    pos_sum = df["ind"].map(
        {k: (v.index("sum") if "sum" in v else np.nan) for k, v in rule.items()}
    )
    is_sum = is_sum_source(df["source"]).to_numpy(bool)
    missing = n_members - df["coverage_n"].astype(float).fillna(0).to_numpy(float)
    width = 100.0 * (n_members + 1)
    return pd.Series(
        np.where(
            is_sum,
            pos_sum * 100 * width + missing * 100 + member_rank,
            pos_pub * 100 * width + src_rank,
        ),
        index=df.index,
        dtype=float,
    )


# --------------------------------------------------------------------------------------------------
# Changes and growth


def _changes(resolved: pd.DataFrame, reg: Registry, trend_window: int | None) -> pd.DataFrame:
    parts = []
    key = ["iso3", "disagg", "category", "year"]
    cols = [*key, "value", "censored", "source", "coverage_n", "coverage_of"]
    for ind in reg.indicators:
        if ind.kind not in ("change", "cagr"):
            continue
        w = 1 if ind.kind == "change" else (trend_window or ind.window or reg.defaults.trend_window)
        base = resolved.loc[
            (resolved["ind"] == ind.of) & resolved["disagg"].isin(ind.disaggregations), cols
        ]
        prev = base.assign(year=base["year"] + w)
        m = base.merge(prev, on=key, how="inner", suffixes=("", "_0"))
        if not len(m):
            continue
        v1, v0 = m["value"].to_numpy(float), m["value_0"].to_numpy(float)
        ok = ~np.isnan(v1) & ~np.isnan(v0) & (v0 > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            if ind.kind == "change":
                val = (v1 - v0) / v0 * 100
            else:
                val = (np.power(v1 / v0, 1.0 / w) - 1) * 100
        val = np.where(ok, val, np.nan)
        same = m["source"].eq(m["source_0"]).to_numpy()
        cov_changed = (
            m["iso3"].eq(REGION_CODE)
            & m["coverage_n"]
            .astype("Float64")
            .ne(m["coverage_n_0"].astype("Float64"))
            .fillna(False)
        ).to_numpy(bool)
        out = pd.DataFrame(
            {
                "ind": ind.id,
                "iso3": m["iso3"],
                "year": m["year"],
                "disagg": m["disagg"],
                "category": m["category"],
                "value": val,
                "value_low": val,
                "value_high": val,
                "censored": (m["censored"].astype(bool) | m["censored_0"].astype(bool)).to_numpy(),
                "numerator": v1,
                "denominator": v0,
                "source": np.where(same, m["source"], m["source_0"] + " / " + m["source"]),
                "coverage_n": m["coverage_n"],
                "coverage_of": m["coverage_of"],
                "f_censored_input": np.isnan(v1) | np.isnan(v0),
                "f_zero_denominator": ~np.isnan(v0) & (v0 == 0),
                "f_source_changed": ~same,
                "f_coverage_changed": cov_changed,
            }
        )
        parts.append(out)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


# --------------------------------------------------------------------------------------------------
# Public API


def evaluate(
    observations: pd.DataFrame,
    population: pd.DataFrame,
    *,
    registry: Registry | None = None,
    members: Sequence[str] | None = None,
    trend_window: int | None = None,
    correction_actions: Mapping[str, str] | None = None,
) -> Evaluation:
    """Compute every declared indicator for every source, member, the region, year and breakdown.

    Parameters
    ----------
    observations
        The tidy observation table (:data:`corett_lib.core.schema.OBSERVATION_COLUMNS`), any sources.
    population
        ``iso3, year, population``; the regional population is the members' sum, and only for years
        where every member has one.
    registry
        The indicator registry (the shipped one by default).
    members
        The coalition's members (``corett_lib.core.config.members()`` by default).
    trend_window
        Years of the compound-growth window (overrides the registry's).
    correction_actions
        Declared correction id -> action (``override``, ``flag``), e.g. from the dataset's
        corrections audit: a figure built on an overridden observation is flagged ``corrected``, one
        built on a flagged observation ``suspicious`` (an unknown id counts as flagged).

    Returns
    -------
    Evaluation
        Every source's figure (:attr:`~Evaluation.by_source`) and the resolved figures.

    Raises
    ------
    corett_lib.core.problems.DataError
        When two observations share a key (the source's duplicate rule was not applied).
    """
    reg = registry or load_registry()
    if members is None:
        members = configured()
    members = tuple(members)
    obs = _prepare_observations(observations, [*members, REGION_CODE], correction_actions)
    sel = _selected(obs, reg)
    pop = _population(population, members)
    by_src = _values(_by_source(sel, pop, reg), reg)

    is_member = by_src["iso3"].isin(members)
    member_all = by_src[is_member]
    member = _resolve(member_all, _rank(member_all, reg))
    member = member.assign(
        coverage_n=1.0,
        coverage_of=1,
        coverage_members=member["iso3"],
        member_sources=member["source"],
        source_id=member["source"],
    )

    published = by_src.loc[by_src["iso3"].eq(REGION_CODE), [*_BASE, *_NUMS]]
    region_all = _values(_region(member_all, published, members, reg), reg)
    is_sum = is_sum_source(region_all["source"])
    region_all["f_published_regional"] = ~is_sum.to_numpy(bool)
    region_all["f_partial_coverage"] = (
        is_sum & (region_all["coverage_n"].astype(float) < len(members))
    ).to_numpy(bool)
    region_all["f_coverage_unknown"] = (
        region_all["f_published_regional"] & region_all["coverage_n"].isna()
    ).to_numpy(bool)
    region = _resolve(region_all, _region_rank(region_all, reg, len(members)))
    region["source_id"] = region["source"]

    resolved = pd.concat([member, region], ignore_index=True)
    changes = _changes(resolved, reg, trend_window)
    resolved = pd.concat([resolved, changes], ignore_index=True)
    for f in FLAGS:
        c = f"f_{f}"
        resolved[c] = resolved[c].fillna(False).astype(bool) if c in resolved else False
    by_source = pd.concat([by_src[~by_src["iso3"].eq(REGION_CODE)], region_all], ignore_index=True)
    return Evaluation(registry=reg, members=members, by_source=by_source, resolved=resolved)
