r"""Great Expectations suites, kept as code: one per table of the :class:`~corett_lib.dataset.model.Dataset`.

Each expectation carries, in its ``meta``, the id of the check (``check``), a short statement of what
a failing value is (``message``) and why the check exists (``why``); the runner
(:mod:`corett_lib.validation.runner`) turns failed expectations into
:class:`~corett_lib.core.problems.Problem`\ s with those words and the file rows of the unexpected values.

A suite is built for the columns the table actually has: every required column gets an
``expect_column_to_exist``, and column expectations are only added for columns that are there, so a
missing column is reported once (as ``column_present``) rather than as a crash of each expectation.

Suites are built from the data they check where a reference is needed (known ISO3 codes, the ids of
the plan items), so a new member or a new plan needs no change here.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from corett_lib.core import spreadsheet
from corett_lib.core.schema import (
    AGES,
    DIMENSIONS,
    OBSERVATION_COLUMNS,
    OBSERVATION_KEY,
    REGION_CODE,
    SEXES,
)
from corett_lib.validation.gx import gx_context

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

#: Earliest year any input may hold (the Palermo Protocol, the start of this statistic, is 2000).
MIN_YEAR = 1990

#: Text that a spreadsheet would run as a formula when the value is opened in one: the same test
#: as the exports' neutralisation (:func:`corett_lib.core.spreadsheet.looks_like_formula`).
FORMULA_REGEX = spreadsheet.FORMULA_REGEX
#: HTML or XML markup: a tag opening, closing or a comment.
MARKUP_REGEX = r"<\s*[/!]?\s*[A-Za-z]"
#: A count as published: digits with optional thousands commas, or UNODC's ``<5``.
COUNT_TEXT_REGEX = r"^\s*-?(?:<5|\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?\s*$"
"""The sign is left to ``counts_non_negative``, so a negative count is reported once."""

WHY_FORMULA = (
    "a text cell starting with =, +, -, @, a tab or a line break is run as a formula when the value is opened in a "
    "spreadsheet (formula injection); source text never needs one"
)
WHY_MARKUP = (
    "source text is shown in HTML reports; markup in it is either an injection attempt or a "
    "broken export, and is never part of a published figure"
)


def max_year() -> int:
    """Return the latest acceptable year: the current one (no statistic is published in advance)."""
    return _dt.date.today().year


@lru_cache(maxsize=1)
def known_iso3() -> frozenset[str]:
    """Return every ISO 3166-1 alpha-3 code (pycountry) plus the regional code ``CORETT``."""
    import pycountry

    return frozenset({c.alpha_3 for c in pycountry.countries} | {REGION_CODE})


class _Lazy:
    """A Great Expectations expectation class named but not imported yet.

    Suites are described without importing GX (several seconds): the runner builds the GX objects only
    when a suite has to run, not when its result is already known (see
    :func:`corett_lib.validation.runner.run_suite`).
    """

    def __init__(self, name: str):
        self.__name__ = name

    def __call__(self, **kw: Any) -> Any:
        import great_expectations as gx

        return getattr(gx.expectations, self.__name__)(**kw)


class _Names:
    """``E.ExpectColumnValuesToBeInSet`` etc. as :class:`_Lazy` names."""

    def __getattr__(self, name: str) -> _Lazy:
        if not name.startswith("Expect"):
            raise AttributeError(name)
        return _Lazy(name)


@dataclass
class SuiteSpec:
    """A suite, described, and what it needs to be run."""

    table: str  #: logical table name (a :class:`~corett_lib.dataset.model.Dataset` attribute)
    #: ``(expectation class name, keyword arguments incl. meta)`` in order
    expectations: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    required: tuple[str, ...] = ()  #: columns that must exist
    notes: dict[str, Any] = field(default_factory=dict)
    signature: str = ""  #: sha256 of the expectations as built (a cache key)
    _suite: Any = field(default=None, repr=False, compare=False)

    @property
    def suite(self) -> gx.ExpectationSuite:
        """The GX suite (built, and GX imported, on first use)."""
        if self._suite is None:
            import great_expectations as gx

            gx_context()  # a suite can only be built once a context exists
            self._suite = gx.ExpectationSuite(
                name=f"corett.{self.table}",
                expectations=[_Lazy(name)(**kw) for name, kw in self.expectations],
            )
        return self._suite


def _meta(check: str, message: str, why: str, column: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"check": check, "message": message, "why": why}
    if column:
        meta["column"] = column
    return meta


class _Builder:
    """Collect expectations for one table, skipping column expectations of absent columns."""

    def __init__(self, table: str, df: pd.DataFrame, required: Sequence[str]):
        self.E = _Names()
        self.table = table
        self.df = df
        self.columns = set(df.columns)
        self.required = tuple(required)
        # Expectations are collected and given to the suite at once: adding them one by one to a
        # suite the context knows re-serializes the whole suite each time.
        self.expectations: list[tuple[str, dict[str, Any]]] = []
        self.signature: list[Any] = [("required", self.required)]
        self.text_columns: list[str] = []
        for col in self.required:
            self.expectations.append(
                (
                    "ExpectColumnToExist",
                    {
                        "column": col,
                        "meta": _meta(
                            "column_present",
                            f"required column {col!r} is missing (or its header is renamed)",
                            "the loaders and reports address columns by name",
                            col,
                        ),
                    },
                )
            )

    def has(self, *cols: str) -> bool:
        return all(c in self.columns for c in cols)

    def add(
        self, expectation_cls: Any, cols: Sequence[str], meta: dict[str, Any], **kw: Any
    ) -> None:
        if self.has(*cols):
            self.expectations.append((expectation_cls.__name__, {"meta": meta, **kw}))
            self.signature.append(
                (expectation_cls.__name__, sorted(kw.items()), sorted(meta.items()))
            )

    # Common shapes ---------------------------------------------------------------------------
    def not_null(self, col: str, why: str) -> None:
        self.add(
            self.E.ExpectColumnValuesToNotBeNull,
            [col],
            _meta("value_present", f"{col} is empty", why, col),
            column=col,
        )

    def in_set(self, col: str, values: Iterable[Any], check: str, what: str, why: str) -> None:
        self.add(
            self.E.ExpectColumnValuesToBeInSet,
            [col],
            _meta(check, f"{col} is not {what}", why, col),
            column=col,
            value_set=self.narrowed(col, values),
        )

    def narrowed(self, col: str, values: Iterable[Any]) -> list[Any]:
        """Return ``values`` narrowed to those present in ``col``: the same verdict, faster.

        A value of the column outside ``values`` fails either way; GX's cost grows with the size of
        the set (about 250 ISO codes), not with the rows.
        """
        if col not in self.columns:
            return sorted(values)
        present = set(self.df[col].dropna().unique().tolist())
        return sorted(set(values) & present)

    def year(self, col: str = "year", min_year: int = MIN_YEAR) -> None:
        self.add(
            self.E.ExpectColumnValuesToBeBetween,
            [col],
            _meta(
                "year_in_range",
                f"year outside {min_year}–{max_year()}",
                "a year before the record can start or in the future is a typing or parsing error",
                col,
            ),
            column=col,
            min_value=min_year,
            max_value=max_year(),
        )

    def dtype(self, col: str, types: Sequence[str], what: str) -> None:
        self.add(
            self.E.ExpectColumnValuesToBeInTypeList,
            [col],
            _meta(
                "column_type",
                f"{col} is not {what}",
                "calculations assume the column's type; text in a numeric column means the file "
                "was not read as intended",
                col,
            ),
            column=col,
            type_list=list(types),
        )

    def unique(self, cols: Sequence[str], what: str) -> None:
        cols = list(cols)
        meta = _meta(
            "key_unique",
            f"{what} repeats",
            "a key that repeats makes every figure computed from it ambiguous",
            ",".join(cols),
        )
        if len(cols) == 1:
            self.add(self.E.ExpectColumnValuesToBeUnique, cols, meta, column=cols[0])
        else:
            self.add(self.E.ExpectCompoundColumnsToBeUnique, cols, meta, column_list=cols)

    def safe_text(self, cols: Iterable[str]) -> None:
        """Check ``cols`` for spreadsheet formulas and markup.

        The checks are ``text_not_formula`` and ``text_no_markup``.

        These two run with pandas on the distinct values of each column
        (:func:`corett_lib.validation.text.text_problems`), with the same verdict, words and
        locations as a GX regex expectation, which would match every row: the suite carries the
        columns in ``notes["text_columns"]``.
        """
        self.text_columns.extend(c for c in cols if c in self.columns)

    def spec(self, **notes: Any) -> SuiteSpec:
        signature = hashlib.sha256(repr(self.signature).encode()).hexdigest()
        notes = {"text_columns": tuple(self.text_columns), **notes}
        return SuiteSpec(self.table, self.expectations, self.required, notes, signature)


INT_TYPES = ("int64", "Int64", "int32", "Int32", "int16", "Int16")
FLOAT_TYPES = ("float64", "Float64", "float32", "int64", "Int64")
BOOL_TYPES = ("bool", "boolean")


def observations_suite(df: pd.DataFrame) -> SuiteSpec:
    """Return the suite of the tidy observation table (every source, see :mod:`corett_lib.core.schema`).

    Checks columns and types, ISO3 codes, years, the value bounds of counts (non-negative integers or
    censored), known sex/age/dimension categories, unique keys and text safety.
    """
    b = _Builder("observations", df, OBSERVATION_COLUMNS)
    E = b.E
    for col in ("source", "iso3", "year", "indicator", "dimension", "category", "sex", "age"):
        b.not_null(col, "every figure must say what it counts, where and when")
    for col in ("unit", "source_file", "source_row"):
        b.not_null(col, "every figure must be traceable to its file and row")
    b.dtype("year", INT_TYPES, "an integer")
    b.dtype("source_row", INT_TYPES, "an integer")
    for col in ("value", "value_low", "value_high"):
        b.dtype(col, FLOAT_TYPES, "numeric")
    b.dtype("censored", BOOL_TYPES, "boolean")
    b.in_set(
        "iso3",
        known_iso3(),
        "iso3_known",
        "a known ISO 3166-1 alpha-3 code (or CORETT)",
        "figures are joined to members, names and population by ISO3 code",
    )
    b.year()
    b.in_set(
        "sex",
        SEXES,
        "category_known",
        "a known sex category",
        "disaggregations are summed by category",
    )
    b.in_set(
        "age", AGES, "category_known", "a known age group", "disaggregations are summed by category"
    )
    b.in_set(
        "dimension",
        DIMENSIONS,
        "category_known",
        "a known dimension",
        "disaggregations are summed by category",
    )
    b.in_set(
        "unit",
        ("Counts", "Percent"),
        "category_known",
        "Counts or Percent",
        "rates and sums need the unit",
    )
    b.not_null(
        "value_low",
        "a figure with no value is a gap; a suppressed count must be kept censored, with bounds",
    )
    b.not_null(
        "value_high",
        "a figure with no value is a gap; a suppressed count must be kept censored, with bounds",
    )
    # value_low only: value_high >= value_low is checked separately (bounds_ordered).
    b.add(
        E.ExpectColumnValuesToBeBetween,
        ["value_low"],
        _meta(
            "counts_non_negative",
            "negative value",
            "a count of persons or a percentage cannot be below zero",
            "value_low",
        ),
        column="value_low",
        min_value=0,
    )
    b.add(
        E.ExpectColumnValuesToMatchRegex,
        ["value_text", "unit"],
        _meta(
            "counts_integer_or_censored",
            "a count is not a whole number nor '<5'",
            "counts of persons are whole numbers; UNODC publishes small counts as '<5'",
            "value_text",
        ),
        column="value_text",
        regex=COUNT_TEXT_REGEX,
        row_condition='unit=="Counts"',
        condition_parser="pandas",
    )
    b.add(
        E.ExpectColumnPairValuesAToBeGreaterThanB,
        ["value_high", "value_low"],
        _meta(
            "bounds_ordered",
            "value_high is below value_low",
            "the bounds of a censored count must enclose it",
            "value_high",
        ),
        column_A="value_high",
        column_B="value_low",
        or_equal=True,
        ignore_row_if="either_value_is_missing",
    )
    b.unique(
        OBSERVATION_KEY, "the observation key (source, iso3, year, indicator, disaggregation, unit)"
    )
    # sex, age and dimension are checked against their sets, which no markup passes.
    b.safe_text(["country", "indicator", "category", "value_text"])
    return b.spec()


def population_suite(df: pd.DataFrame) -> SuiteSpec:
    """Return the suite of the population table (``iso3, year, population, source``)."""
    b = _Builder("population", df, ("iso3", "year", "population", "source"))
    for col in ("iso3", "year", "population", "source"):
        b.not_null(col, "a rate needs the population of that country and year, with its source")
    b.dtype("year", INT_TYPES, "an integer")
    b.dtype("population", (*INT_TYPES, "float64"), "numeric")
    b.in_set(
        "iso3",
        known_iso3(),
        "iso3_known",
        "a known ISO 3166-1 alpha-3 code",
        "population is joined by ISO3 code",
    )
    b.year()
    b.add(
        b.E.ExpectColumnValuesToBeBetween,
        ["population"],
        _meta(
            "population_positive",
            "population is not positive",
            "a rate divides by the population",
            "population",
        ),
        column="population",
        min_value=1,
    )
    b.unique(["iso3", "year"], "(iso3, year)")
    b.safe_text(["source"])
    return b.spec()


def sdg_suite(df: pd.DataFrame) -> SuiteSpec:
    """Return the suite of the SDG framework table (``level, code, title_en, title_es``)."""
    b = _Builder("sdg", df, ("level", "code", "title_en", "title_es"))
    for col in ("level", "code", "title_en", "title_es"):
        b.not_null(
            col, "every goal, target and indicator is shown with its code and bilingual title"
        )
    b.in_set(
        "level",
        ("goal", "target", "indicator"),
        "category_known",
        "goal, target or indicator",
        "the SDG tree has three levels",
    )
    b.unique(["level", "code"], "(level, code)")
    b.safe_text(["title_en", "title_es"])
    return b.spec()


def countries_suite(df: pd.DataFrame) -> SuiteSpec:
    """Return the suite of the member country names (``iso3, name_en, name_es``)."""
    b = _Builder("countries", df, ("iso3", "name_en", "name_es"))
    for col in ("iso3", "name_en", "name_es"):
        b.not_null(col, "every member is named in English and Spanish")
    b.in_set(
        "iso3",
        known_iso3(),
        "iso3_known",
        "a known ISO 3166-1 alpha-3 code",
        "names are joined by ISO3 code",
    )
    b.unique(["iso3"], "iso3")
    b.safe_text(["name_en", "name_es"])
    return b.spec()


def instruments_suite(df: pd.DataFrame) -> SuiteSpec:
    """Return the suite of Chart 1's instruments (ids, names, adoption dates)."""
    b = _Builder(
        "instruments", df, ("instrument_id", "adopted_on", "short_name_en", "short_name_es")
    )
    b.not_null("instrument_id", "ratifications refer to instruments by id")
    b.not_null("adopted_on", "a ratification is checked against the instrument's adoption date")
    for col in ("short_name_en", "short_name_es"):
        b.not_null(col, "every instrument is named in English and Spanish")
    b.unique(["instrument_id"], "instrument_id")
    b.year("year_adopted", min_year=1900)  # the Slavery Convention is of 1926
    b.safe_text(
        [c for c in ("name_published", "short_name_en", "short_name_es") if c in df.columns]
    )
    return b.spec()


def ratifications_suite(df: pd.DataFrame, instrument_ids: Iterable[str] = ()) -> SuiteSpec:
    """Return the suite of Chart 1's ratifications (one row per instrument and member)."""
    b = _Builder("ratifications", df, ("instrument_id", "iso3", "original_text", "ratified_on"))
    b.not_null("instrument_id", "every ratification names its instrument")
    b.not_null("iso3", "every ratification names its country")
    b.in_set(
        "iso3",
        known_iso3(),
        "iso3_known",
        "a known ISO 3166-1 alpha-3 code",
        "ratifications are joined by ISO3 code",
    )
    ids = sorted(set(instrument_ids))
    if ids:
        b.in_set(
            "instrument_id",
            ids,
            "instrument_known",
            "the id of an instrument of chart1_instruments.csv",
            "a ratification of an unknown instrument cannot be shown or dated",
        )
    b.unique(["instrument_id", "iso3"], "(instrument_id, iso3)")
    b.safe_text([c for c in ("original_text", "country") if c in df.columns])
    return b.spec()


def plan_items_suite(df: pd.DataFrame) -> SuiteSpec:
    """Return the suite of the plans' items: ids unique, every referenced parent id existing."""
    b = _Builder("plan_items", df, ("id", "plan", "level", "parent_id", "text_en"))
    for col in ("id", "plan", "level", "text_en"):
        b.not_null(col, "monitoring data and reports refer to plan items by id, level and text")
    b.unique(["id"], "plan item id")

    # The level is checked once, by the reader (``level_known`` in raw/plans.py), which drops the row.
    ids = sorted(df["id"].dropna().astype(str).unique()) if "id" in df.columns else []
    b.add(
        b.E.ExpectColumnValuesToBeInSet,
        ["parent_id"],
        _meta(
            "plan_reference_exists",
            "parent_id is not the id of a plan item",
            "an item that refers to a missing parent falls out of the plan's tree",
            "parent_id",
        ),
        column="parent_id",
        value_set=b.narrowed("parent_id", ids),
    )
    b.safe_text(
        [c for c in ("text_en", "text_es", "target_text", "responsible") if c in df.columns]
    )
    return b.spec()


def build_suites(tables: dict[str, pd.DataFrame]) -> list[SuiteSpec]:
    """Return the suites of every table present in ``tables`` (name -> frame).

    Tables absent from ``tables`` (because their file could not be read) get no suite: their loader
    has already reported why.
    """
    builders = {
        "observations": observations_suite,
        "population": population_suite,
        "sdg": sdg_suite,
        "countries": countries_suite,
        "instruments": instruments_suite,
        "ratifications": ratifications_suite,
        "plan_items": plan_items_suite,
    }
    out = []
    for name, df in tables.items():
        if name == "ratifications":
            instruments = tables.get("instruments")
            ids = (
                instruments["instrument_id"].dropna().astype(str).tolist()
                if instruments is not None and "instrument_id" in instruments.columns
                else []
            )
            out.append(ratifications_suite(df, ids))
        elif name in builders:
            out.append(builders[name](df))
    return out
