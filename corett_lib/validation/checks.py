"""Checks across rows and tables that are awkward to say as Great Expectations expectations.

* disaggregations not above their totals (the partitions of :mod:`corett_lib.validation.partitions`:
  sexes, age groups, sex-and-age cells, forms of exploitation, citizenships; any other part against
  the grand total of its source, country, year and indicator);
* a population for every member country-year that needs a rate;
* every member named in the country table;
* ratification dates not before the instrument was adopted;
* plan item ids referenced by other items exist;
* the evaluation framework's links to the plan items, and its text (no formulas, no markup);
* the indicator registry loads (a broken one is an error, not a crash);
* the SDG mapping against the SDG reference, the plans, Chart 1 and the registry;
* the monitoring data's free text (its rows are checked when it is read).

Censoring never creates a false alarm: parts are added with their lower bounds (``value_low``; 0 for
``<5``) and compared with the upper bound of the total (``value_high``; 4 for ``<5``): the rule and its
comparison are :mod:`corett_lib.validation.partitions`, shared with the facts.

Parts above their total are a *rule*, not a declaration: :func:`inconsistent_parts` marks every such
part of every country (the ``inconsistent`` column the validated load adds to the observations, so
no share or rate is computed from it), and :func:`disaggregation_checks` reports them as warnings
naming the country-year. No entry of ``corrections.yaml`` is needed for them. Other problems are a
warning when any row they name carries a declared correction, an error otherwise.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.core import paths
from corett_lib.core.config import members
from corett_lib.core.problems import Problem, Severity
from corett_lib.core.schema import REGION_CODE
from corett_lib.dataset import registry
from corett_lib.dataset.model import Dataset
from corett_lib.dataset.monitoring import TABLE
from corett_lib.dataset.registry import Registry, RegistryError, load_registry
from corett_lib.raw.evaluation_framework import check_plan_links
from corett_lib.validation import partitions
from corett_lib.validation.partitions import GRAND, PARTITIONS, Partition
from corett_lib.validation.rows import file_column
from corett_lib.validation.sdg_mapping import check_mapping
from corett_lib.validation.text import text_problems

if TYPE_CHECKING:
    import pandas as pd


#: Years covered by the population table (World Bank WDI, 2000–2024): rates can only be asked there.
POPULATION_YEARS: tuple[int, int] = (2000, 2024)

#: Columns that identify the figures whose disaggregations must add up.
GROUP: list[str] = ["source", "iso3", "year", "indicator", "unit"]

WHY_PARTS = (
    "a disaggregation counts a subset of the total: parts above their total mean a transcription or "
    "export error, and every share computed from them would be wrong"
)

#: Said of every part above its total (the generic rule; no declaration is needed).
RULE_NOTE = " (rule: the parts are kept as published, flagged inconsistent and never used for a share or rate)"

#: The column the validated load adds to the observations: True for a part above its total.
INCONSISTENT = "inconsistent"


def _declared(df: pd.DataFrame) -> pd.Series:
    if "correction" not in df.columns:
        import pandas as pd

        return pd.Series(False, index=df.index)
    col = df["correction"]
    return col.notna() & (col.astype("object").fillna("").astype(str).str.strip() != "")


def _is_declared(rec: dict[str, Any]) -> bool:
    c = rec.get("correction")
    return isinstance(c, str) and c.strip() != ""


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x == x else "?"


def _where(key: dict[str, Any]) -> str:
    return f"{key['iso3']} {key['year']} {key['indicator']} ({key['source']})"


def _cell(rec: dict[str, Any]) -> str:
    return f"{rec['dimension']} / {rec['category']} / sex {rec['sex']} / age {rec['age']}"


def _problem(
    check: str,
    message: str,
    recs: list[dict[str, Any]],
    declared: bool,
    column: str = "value_text",
    why: str = WHY_PARTS,
    *,
    rule: bool = False,
) -> list[Problem]:
    """One problem per file among the observation records ``recs``.

    A warning when ``declared`` (a declared correction covers a row) or ``rule`` (the generic rule of
    parts above their total flags the figures); an error otherwise. The problem names the country and
    year of the first record.
    """
    severity: Severity = "warning" if declared or rule else "error"
    if rule:
        message += RULE_NOTE
    elif declared:
        message += " (declared in corrections.yaml)"
    by_file: dict[str, list[dict[str, Any]]] = {}
    for r in recs:
        by_file.setdefault(str(r["source_file"]), []).append(r)
    return [
        Problem(
            severity,
            check,
            file,
            message,
            rows=tuple(sorted(int(r["source_row"]) for r in part)),
            column=file_column(file, column),
            why=why,
            sample=tuple(str(r["value_text"]) for r in part[:6]),
            table="observations",
            iso3=str(recs[0]["iso3"]),
            year=int(recs[0]["year"]),
        )
        for file, part in sorted(by_file.items())
    ]


def _censored(df: pd.DataFrame) -> Any:
    """Return the ``censored`` column, or False for every row when there is none."""
    return df["censored"] if "censored" in df.columns else [False] * len(df)


def _counts(obs: pd.DataFrame, scope: Iterable[str] | None) -> pd.DataFrame:
    """Return the count observations in ``scope`` with a RangeIndex and their floor (``_floor``)."""
    need = set(GROUP) | {"dimension", "category", "sex", "age", "value_low", "value_high"}
    need |= {"value_text", "source_file", "source_row"}
    if not need <= set(obs.columns) or obs.empty:
        return obs.iloc[0:0]
    df = obs[obs["unit"] == "Counts"]
    if scope is not None:
        df = df[df["iso3"].isin(list(scope))]
    labels = obs.index.get_indexer(df.index)
    df = df.reset_index(drop=True)
    return df.assign(_floor=partitions.floor(df["value_low"], _censored(df)), _label=labels)


def _positions(df: pd.DataFrame, by: list[str]) -> dict[Any, list[int]]:
    """Group key -> positions (index labels of a RangeIndex frame) of its rows."""
    labels = df.index.to_numpy()
    return {
        k: labels[v].tolist() for k, v in df.groupby(by, dropna=False, sort=False).indices.items()
    }


def _above(
    df: pd.DataFrame, partition: Partition, parts: Any, totals: Any, cache: Any = None
) -> tuple[Any, Any]:
    """Apply the shared comparison (:func:`partitions.above_total`) to the count observations."""
    group = partitions.group_codes(df, [*GROUP, *partition.slice_by], cache)
    return partitions.above_total(
        group,
        parts.to_numpy(bool),
        totals.to_numpy(bool),
        df["_floor"].to_numpy(float),
        df["value_high"].to_numpy(float),
        summed=partition.summed,
    )


def parts_above_total(
    df: pd.DataFrame,
    recs: list[dict[str, Any]],
    partition: Partition,
    parts: pd.Series,
    totals: pd.Series,
    marks: list[int] | None = None,
) -> list[Problem]:
    """Return a problem for every group of ``partition`` whose parts add up to more than its total.

    Parts add up their floors (:func:`partitions.floor`: 0 when censored); the total gives its
    upper bound (``value_high``), so censoring never raises a false alarm.

    Parameters
    ----------
    df, recs
        Count observations with a RangeIndex (from :func:`_counts`) and the same rows as records.
    partition
        A summed partition of :data:`partitions.PARTITIONS` (its group, check id and label).
    parts, totals
        Boolean masks of ``df``: the parts, and the totals (one per group).
    marks
        When given, the positions of the parts of every such group are appended to it.
    """
    bad, low = _above(df, partition, parts, totals)
    if not bad.any():
        return []
    by = [*GROUP, *partition.slice_by]
    differ = [c for c in ("category", "sex", "age") if c not in by]
    flagged = df[bad].assign(_low=low[bad])
    groups = flagged.groupby(by, dropna=False, sort=True)["_low"].first()
    part_pos, total_pos = _positions(df[parts], by), _positions(df[totals], by)
    out: list[Problem] = []
    for key, low_sum in groups.items():
        key_t = key if isinstance(key, tuple) else (key,)
        named = dict(zip(by, key_t, strict=True))
        p = [recs[i] for i in part_pos[key_t]]
        t = [recs[i] for i in total_pos[key_t]]
        if marks is not None:
            marks.extend(part_pos[key_t])
        cells = "; ".join(f"{' / '.join(str(r[c]) for c in differ)} = {r['value_text']}" for r in p)
        message = (
            f"{_where(named)}: {partition.label} of {_cell(t[0])} add up to at least {_fmt(low_sum)} "
            f"({cells}), above the total of {t[0]['value_text']}"
        )
        # Declared when a part is: the total is only the reference it is compared with.
        out.extend(
            _problem(partition.check, message, p + t, any(_is_declared(r) for r in p), rule=True)
        )
    return out


def part_above_total(
    df: pd.DataFrame,
    recs: list[dict[str, Any]],
    partition: Partition,
    parts: pd.Series,
    totals: pd.Series,
    marks: list[int] | None = None,
) -> list[Problem]:
    """Return a problem for every single part above the total of its group of ``partition``.

    For parts that may overlap (a victim can suffer several forms of exploitation), only each part
    on its own is compared with the total: its floor (0 when censored) against the total's upper
    bound. Arguments as for :func:`parts_above_total`.
    """
    bad, _ = _above(df, partition, parts, totals)
    if not bad.any():
        return []
    by = [*GROUP, *partition.slice_by]
    total_pos = _positions(df[totals], by)
    out: list[Problem] = []
    for pos in df[bad].sort_values(["iso3", "year", "indicator", "source_row"]).index:
        part = recs[pos]
        if marks is not None:
            marks.append(int(pos))
        key = tuple(part[c] for c in by)
        t = [recs[i] for i in total_pos[key]]
        named = dict(zip(by, key, strict=True))
        message = (
            f"{_where(named)}: {_cell(part)} = {part['value_text']} is above {partition.label} "
            f"({_cell(t[0])}) of {t[0]['value_text']}"
        )
        out.extend(_problem(partition.check, message, [part, *t], _is_declared(part), rule=True))
    return out


def disaggregation_checks(
    obs: pd.DataFrame, scope: Iterable[str] | None = None, marks: list[int] | None = None
) -> list[Problem]:
    """Return the problems of disaggregations above their totals (warnings: the generic rule).

    One check per partition of :data:`partitions.PARTITIONS`, per source, country, year, indicator
    and unit (counts only), then :data:`partitions.GRAND`:

    ``sex_parts_within_total``
        Female + Male + Other + Unknown at one age, dimension and category <= the sex total there.
    ``age_parts_within_total``
        0-17 + 18+ + Unknown for one sex, dimension and category <= the age total there.
    ``sex_age_parts_within_total``
        every sex-and-age cell of one dimension and category, added up, <= its Total/Total.
    ``forms_within_total``
        each form of exploitation at one sex and age <= the total of that sex and age (forms are
        compared one by one: a victim can suffer several forms).
    ``citizenship_within_total``
        every citizenship at one sex and age, added up, <= the total of that sex and age.
    ``part_within_grand_total``
        any other single figure (except repatriations) <= the grand total (Total/Total/Total/Total);
        a figure already reported by the checks above is not reported again.

    Parts give their floor (``value_low``, 0 when censored), totals their upper bound.

    Parameters
    ----------
    obs
        The tidy observations.
    scope
        ISO3 codes to check (default: all).
    marks
        When given, the positions (in ``obs``) of every part found above its total are
        appended to it.
    """
    df = _counts(obs, scope)
    if df.empty:
        return []
    recs = df.to_dict("records")
    out: list[Problem] = []
    found: list[int] = []
    for partition in PARTITIONS:
        parts, totals = partition.masks(df)
        report = parts_above_total if partition.summed else part_above_total
        out += report(df, recs, partition, parts, totals, found)
    parts, grand = GRAND.masks(df)
    named = {(p.file, r) for p in out for r in p.rows}
    seen = [(f, r) in named for f, r in zip(df["source_file"], df["source_row"], strict=True)]
    out += part_above_total(df, recs, GRAND, parts & ~pd_series(seen, df.index), grand, found)
    if marks is not None:
        labels = df["_label"].to_numpy()
        marks.extend(int(labels[i]) for i in sorted(set(found)))
    return out


def inconsistent_parts(obs: pd.DataFrame) -> pd.Series:
    """Return True for every observation that is a part above its total (the generic rule).

    The relations of :mod:`corett_lib.validation.partitions` (every partition at every slice, and
    any other single figure against the grand total), applied to every country of every source,
    vectorised, so that a country joins the coalition without declaring its source's
    inconsistencies. A flagged part is kept as published, and never used for a share or rate.
    Censored parts count 0 (never evidence), totals their upper bound.

    Parameters
    ----------
    obs
        The tidy observations.

    Returns
    -------
    pandas.Series
        Boolean, on ``obs``'s index.

    Examples
    --------
    >>> import pandas as pd
    >>> base = dict(source="UNODC", iso3="HND", year=2019, indicator="v", dimension="Total",
    ...     category="Total", age="Total", unit="Counts", censored=False, source_file="f",
    ...     correction="")
    >>> obs = pd.DataFrame([base | dict(sex=s, value_low=v, value_high=v, value_text=str(v),
    ...     source_row=i) for i, (s, v) in enumerate([("Total", 84), ("Female", 79), ("Male", 9)])])
    >>> inconsistent_parts(obs).tolist()
    [False, True, True]
    """
    import numpy as np
    import pandas as pd

    flags = np.zeros(len(obs), dtype=bool)
    df = _counts(obs, None)
    if df.empty:
        return pd.Series(flags, index=obs.index, dtype=bool)
    labels = df["_label"].to_numpy(np.int64)
    codes: dict[str, Any] = {}  # each column's codes, once for every partition
    # The masks compare these columns again and again: as categories, each comparison is cheap.
    cells = df[list(partitions.CELL_COLUMNS)].astype("category")
    for partition in (*PARTITIONS, GRAND):
        parts, totals = partition.masks(cells)
        bad, _ = _above(df, partition, parts, totals, codes)
        flags[labels[bad]] = True
    return pd.Series(flags, index=obs.index, dtype=bool)


def pd_series(values: list[bool], index: Any) -> pd.Series:
    """Return ``values`` as a boolean Series on ``index``."""
    import pandas as pd

    return pd.Series(values, index=index, dtype=bool)


def population_coverage(
    obs: pd.DataFrame, population: pd.DataFrame, members: Sequence[str]
) -> list[Problem]:
    """Return a warning for every member with figures in years it has no population for.

    A rate per 100,000 (SDG 16.2.2) needs the member's population in that year, within the
    population table's coverage (:data:`POPULATION_YEARS`). A missing one is scoped, not
    structural: the member's counts are published, its rates of those years are withheld with
    the reason (the facts' ``no_population`` flag) and regional rates are computed over the
    members that have a population, with that coverage stated. Nothing else depends on it, so it
    is a warning: the file is readable and the code known; only those rates cannot be computed.
    """
    if obs.empty or not {"iso3", "year"} <= set(obs.columns):
        return []
    lo, hi = POPULATION_YEARS
    need = obs[obs["iso3"].isin(list(members)) & obs["year"].between(lo, hi)]
    need_pairs = need.groupby(["iso3", "year"], sort=True)["source_file"].first()
    have: set[tuple[str, int]] = set()
    if {"iso3", "year", "population"} <= set(population.columns):
        ok = population[population["population"].notna()]
        have = {(str(i), int(y)) for i, y in zip(ok["iso3"], ok["year"], strict=True) if y == y}
    file = paths.RAW_FILES["population"]
    missing: dict[str, list[tuple[int, str]]] = {}
    for (iso3, year), src in need_pairs.items():
        if (str(iso3), int(year)) not in have:
            missing.setdefault(str(iso3), []).append((int(year), str(src)))
    out = []
    for iso3, years in sorted(missing.items()):
        shown = ", ".join(str(y) for y, _ in years)
        out.append(
            Problem(
                "warning",
                "population_covers_members",
                file,
                f"no population figure for member {iso3} in {shown} (World Bank WDI), years "
                f"with figures ({years[0][1]}): its counts are published, its rates per 100,000 "
                "withheld, and it is never used for a share or rate; regional rates cover the "
                "members with a population",
                column="population",
                why="a rate per 100,000 inhabitants needs the population of that country and year",
                sample=tuple(f"{iso3} {y}" for y, _ in years[:5]),
                table="population",
                iso3=iso3,
            )
        )
    return out


def members_named(countries: pd.DataFrame, members: Sequence[str]) -> list[Problem]:
    """Return a problem when a member has no row in the country table (not an ISO 3166-1 code).

    The table holds pycountry's names of every code of the data and of the coalition, so this
    names a member of ``parameters/coalition.yaml`` whose code pycountry does not know.
    """
    have = set(countries["iso3"]) if "iso3" in countries.columns else set()
    missing = [m for m in members if m not in have]
    if not missing:
        return []
    return [
        Problem(
            "error",
            "member_named",
            "parameters/coalition.yaml",
            f"no ISO 3166-1 country for member(s) {', '.join(missing)}: no names in English and "
            "Spanish",
            column="members",
            why="reports name every member in English and Spanish",
            sample=tuple(missing),
            table="countries",
        )
    ]


def ratification_dates(ratifications: pd.DataFrame, instruments: pd.DataFrame) -> list[Problem]:
    """Return a problem for every ratification dated before its instrument was adopted.

    A country cannot ratify or accede to an instrument before it exists: such a date is a typing
    error in the source (or in its transcription).
    """
    need_r = {"instrument_id", "iso3", "ratified_on", "source_row"}
    need_i = {"instrument_id", "adopted_on"}
    if not need_r <= set(ratifications.columns) or not need_i <= set(instruments.columns):
        return []
    import pandas as pd

    adopted = instruments.drop_duplicates("instrument_id").set_index("instrument_id")["adopted_on"]
    r = ratifications.assign(_adopted=ratifications["instrument_id"].map(adopted))
    ratified = pd.to_datetime(r["ratified_on"], errors="coerce")
    bad = r[ratified.notna() & r["_adopted"].notna() & (ratified < pd.to_datetime(r["_adopted"]))]
    declared = _declared(bad)
    file_default = paths.RAW_FILES["ratifications"]
    out = []
    for label, row in bad.iterrows():
        severity = "warning" if bool(declared.loc[label]) else "error"
        text = row.get("original_text", "")
        message = (
            f"{row['iso3']} ratified {row['instrument_id']} on "
            f"{pd.Timestamp(row['ratified_on']).date().isoformat()} ({text!r} as published), before "
            f"the instrument was adopted on {pd.Timestamp(row['_adopted']).date().isoformat()}"
        )
        if severity == "warning":
            message += " (declared in corrections.yaml)"
        out.append(
            Problem(
                severity,  # type: ignore[arg-type]
                "ratification_after_adoption",
                str(row.get("source_file") or file_default),
                message,
                rows=(int(row["source_row"]),),
                column="date_iso",
                why="an instrument cannot be ratified before it exists; the date is a typing error",
                sample=(text,),
                table="ratifications",
            )
        )
    return out


#: Free-text columns of the evaluation framework and monitoring tables that reports show.
TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "evaluation_questions": ("criterion_published", "text_en", "text_es", "source_ref", "notes"),
    "followup_questions": ("doc_number", "text_en", "text_es", "source_ref", "notes"),
    "monitoring_matrix": (
        "axis_published",
        "objective_text_en",
        "evidence_en",
        "source_ref",
        "notes",
    ),
    "monitoring": ("cause_of_delay", "notes", "source"),
}

#: Framework table -> key of :data:`corett_lib.core.paths.RAW_FILES`.
FRAMEWORK_FILES: dict[str, str] = {
    "evaluation_questions": "evaluation_questions",
    "followup_questions": "followup_questions",
    "monitoring_matrix": "monitoring_matrix",
}


def text_safety(df: pd.DataFrame | None, columns: Iterable[str], *, table: str) -> list[Problem]:
    """Return the text-safety problems (formula, markup) of ``columns`` of ``df``.

    See :func:`corett_lib.validation.text.text_problems`; rows are located by ``source_file`` /
    ``source_row`` or, without ``source_file``, by the file of ``table``.
    """
    if df is None or df.empty:
        return []
    return text_problems(table, df, columns)


WHY_TYPED_TEXT = (
    "a member typed this text: it is kept as typed, shown escaped on every page and neutralised in "
    "every spreadsheet export (corett_lib.core.spreadsheet), so it never blocks a build"
)


def typed_text_warnings(problems: Iterable[Problem]) -> list[Problem]:
    """Return text-safety problems of text a member typed (monitoring notes) as warnings.

    That text is data, stored as typed and made safe where it is shown, never an error that would
    block every later build.
    """
    return [dataclasses.replace(p, severity="warning", why=WHY_TYPED_TEXT) for p in problems]


def framework_checks(dataset: Dataset, skip: Iterable[str] = ()) -> list[Problem]:
    """Check the evaluation framework tables: their links to the plan items and their text.

    Each reader has checked its own file (ids, allowed values); here every cited plan item id must
    exist and each monitoring-matrix objective be under its axis
    (:func:`corett_lib.raw.evaluation_framework.check_plan_links`), and no text may be a formula or
    markup. Tables that are missing or unreadable are skipped (their loader said why).
    """
    skip = set(skip)
    out: list[Problem] = []
    for table, key in FRAMEWORK_FILES.items():
        frame = getattr(dataset, table, None)
        if frame is None or table in skip:
            continue
        rel = paths.RAW_FILES[key]
        if "plan_items" not in skip and {"id", "parent_id"} <= set(dataset.plan_items.columns):
            out += check_plan_links(frame, dataset.plan_items, rel=rel, table=table)
        out += text_safety(frame, TEXT_COLUMNS[table], table=table)
    return out


def registry_check(
    path: str | os.PathLike[str] | None = None,
) -> tuple[Registry | None, list[Problem]]:
    """Load the indicator registry; a broken one is an error, not a crash.

    Parameters
    ----------
    path
        A registry file (default: the shipped ``corett_lib/dataset/registry.yaml``).

    Returns
    -------
    registry, problems
        The registry, or None with one ``registry_valid`` error naming the file and every bad key.
    """
    try:
        return load_registry(path), []
    except RegistryError as exc:
        shown = Path(path) if path is not None else registry.REGISTRY_PATH
        try:
            rel = shown.resolve().relative_to(paths.PROJECT_ROOT).as_posix()
        except ValueError:
            rel = shown.as_posix()
        return None, [
            Problem(
                "error",
                "registry_valid",
                rel,
                f"the indicator registry is invalid: {exc}",
                why="every indicator the reports compute and the SDG mapping's links to them are "
                "defined there",
                table="indicator_registry",
            )
        ]


def sdg_mapping_checks(
    dataset: Dataset, registry: Registry | None, skip: Iterable[str] = ()
) -> list[Problem]:
    """Check the SDG mapping against the SDG reference, the plans, Chart 1 and the registry.

    Skipped when the mapping, the registry or one of those tables could not be read (their problem
    is already reported).
    """
    mapping = getattr(dataset, "sdg_mapping", None)
    if mapping is None or registry is None or {"sdg", "plan_items", "instruments"} & set(skip):
        return []
    return check_mapping(
        mapping,
        sdg=dataset.sdg,
        plan_items=dataset.plan_items,
        instruments=dataset.instruments,
        registry=registry,
    )


def run_checks(dataset: Dataset, skip: Iterable[str] = ()) -> list[Problem]:
    """Run every cross-row and cross-table check on ``dataset``; skip tables named in ``skip``.

    Disaggregations are checked for the coalition's members and the region: those are the figures
    the workbench reports.
    """
    skip = set(skip)
    member_codes = members()
    out: list[Problem] = []
    if "observations" not in skip:
        out += disaggregation_checks(dataset.observations, scope=[*member_codes, REGION_CODE])
        if "population" not in skip:
            out += population_coverage(dataset.observations, dataset.population, member_codes)
    if "countries" not in skip:
        out += members_named(dataset.countries, member_codes)
    if not {"ratifications", "instruments"} & skip:
        out += ratification_dates(dataset.ratifications, dataset.instruments)
    out += framework_checks(dataset, skip)
    registry, found = registry_check()
    out += found
    out += sdg_mapping_checks(dataset, registry, skip)
    monitoring = getattr(dataset, "monitoring", None)
    if monitoring is not None:
        out += typed_text_warnings(text_safety(monitoring, TEXT_COLUMNS["monitoring"], table=TABLE))
    return out
