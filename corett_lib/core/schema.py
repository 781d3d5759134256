"""The tidy observation table: the one shape every source is loaded into.

Each row is one published figure: a source, a country (ISO3, or ``CORETT`` for a regional figure
published as such), a year, an indicator and its disaggregation (dimension, category, sex, age).

Censored values (UNODC publishes counts under 5 as ``<5``) are kept as censored: ``value`` is NaN,
``censored`` is True, and ``value_low``/``value_high`` bound the true count (1 and 4 for ``<5``).
An uncensored figure has ``value_low == value_high == value``. ``value_text`` keeps the source's text.
"""

from __future__ import annotations

#: Columns of the tidy observation table, in order.
OBSERVATION_COLUMNS: list[str] = [
    "source",  # "UNODC" | "CORETT" | "CTDC" | a country submission id
    "iso3",  # ISO 3166-1 alpha-3, or "CORETT" for regional figures published as such
    "country",  # the name as the source gives it
    "year",  # int
    "indicator",  # e.g. "Detected trafficking victims", "Persons prosecuted", "Repatriated victims"
    "dimension",  # "Total" | "by form of exploitation" | "by citizenship" | "by country of repatriation"
    "category",  # e.g. "Total", "Sexual exploitation", "Domestic", ...
    "sex",  # "Total" | "Female" | "Male" | "Other" | "Unknown"
    "age",  # "Total" | "0 to 17 years" | "18 years or over" | "Unknown"
    "unit",  # "Counts" | "Percent"
    "value",  # float; NaN when censored
    "censored",  # bool
    "value_low",  # float: lower bound of the true value
    "value_high",  # float: upper bound of the true value
    "value_text",  # the source's text, verbatim
    "source_file",  # file the figure comes from, relative to the data folder
    "source_row",  # 1-based row in that file as a person sees it
    "source_ref",  # citation: chart / sheet / publication reference
    "correction",  # id(s) of declared corrections that flagged or changed this row ("" if none)
]

#: The key of one observation (unique after the duplicate rule is applied).
OBSERVATION_KEY: list[str] = [
    "source",
    "iso3",
    "year",
    "indicator",
    "dimension",
    "category",
    "sex",
    "age",
    "unit",
]

SEXES = ("Total", "Female", "Male", "Other", "Unknown")
AGES = ("Total", "0 to 17 years", "18 years or over", "Unknown")
DIMENSIONS = ("Total", "by form of exploitation", "by citizenship", "by country of repatriation")

#: Lower and upper bound of UNODC's "<5".
CENSORED_BOUNDS: dict[str, tuple[float, float]] = {"<5": (1.0, 4.0)}

REGION_CODE = "CORETT"
"""Pseudo-ISO code of the regional aggregate."""
