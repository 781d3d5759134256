"""Tidy observations for tests, built from the export's own texts (shared by the test modules)."""

from __future__ import annotations

import pandas as pd

from corett_lib.core.schema import OBSERVATION_COLUMNS

GLOTIP = "raw/unodc_data_glotip.xlsx"
V = "Detected trafficking victims"


def obs(*rows: tuple) -> pd.DataFrame:
    """Observations from (iso3, year, dimension, category, sex, age, value_text, source_row[, correction])."""
    records = []
    for r in rows:
        iso3, year, dim, cat, sex, age, text, row = r[:8]
        correction = r[8] if len(r) > 8 else ""
        censored = text == "<5"
        value = float("nan") if censored else float(text.replace(",", ""))
        records.append(
            {
                "source": "UNODC",
                "iso3": iso3,
                "country": iso3,
                "year": year,
                "indicator": V,
                "dimension": dim,
                "category": cat,
                "sex": sex,
                "age": age,
                "unit": "Counts",
                "value": value,
                "censored": censored,
                "value_low": 1.0 if censored else value,
                "value_high": 4.0 if censored else value,
                "value_text": text,
                "source_file": GLOTIP,
                "source_row": row,
                "source_ref": "GLOTIP",
                "correction": correction,
            }
        )
    df = pd.DataFrame.from_records(records, columns=OBSERVATION_COLUMNS)
    return df.astype({"year": "int64", "source_row": "int64", "censored": "bool"})
