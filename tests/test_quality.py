"""The data-quality rules (corett_lib.analysis.quality) on small hand-worked series, and on the shipped data.

Each hand-worked case states its arithmetic in a comment; the expected values are written out, not
recomputed with the function under test.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from corett_lib.analysis import quality
from corett_lib.core.config import ConfigError
from corett_lib.core.schema import OBSERVATION_COLUMNS
from corett_lib.validation import checks

V = "Detected trafficking victims"
PROS = "Persons prosecuted"
CONV = "Persons convicted"


def obs(rows: list[dict]) -> pd.DataFrame:
    """A tidy observation table from short rows: iso3, year, value text, and what differs from the
    headline (source UNODC, indicator V, dimension/category/sex/age Total, unit Counts)."""
    out = []
    for i, r in enumerate(rows):
        text = str(r["v"])
        censored = text == "<5"
        value = math.nan if censored else float(text.replace(",", ""))
        out.append(
            {
                "source": r.get("source", "UNODC"),
                "iso3": r.get("iso3", "GTM"),
                "country": "",
                "year": int(r["year"]),
                "indicator": r.get("indicator", V),
                "dimension": r.get("dimension", "Total"),
                "category": r.get("category", "Total"),
                "sex": r.get("sex", "Total"),
                "age": r.get("age", "Total"),
                "unit": "Counts",
                "value": value,
                "censored": censored,
                "value_low": 1.0 if censored else value,
                "value_high": 4.0 if censored else value,
                "value_text": text,
                "source_file": "raw/test.csv",
                "source_row": i + 2,
                "source_ref": "test",
                "correction": "",
            }
        )
    return pd.DataFrame(out, columns=OBSERVATION_COLUMNS)


def series(values: list, start: int = 2010, **kw) -> list[dict]:
    return [{"year": start + i, "v": v, **kw} for i, v in enumerate(values) if v is not None]


def run(rows: list[dict], members: tuple[str, ...] = ("GTM",)) -> quality.QualityReview:
    return quality.review(obs(rows), members)


def flags(result: quality.QualityReview, rule: str) -> pd.DataFrame:
    return result.flags[result.flags["rule"] == rule].reset_index(drop=True)


def ev(row: pd.Series) -> dict:
    return json.loads(row["evidence"])


# --------------------------------------------------------------------------- the rules file


def test_shipped_rules_load_with_the_who_defaults():
    r = quality.load_rules()
    assert (r.outliers.moderate_sd, r.outliers.extreme_sd, r.outliers.modified_z) == (2, 3, 3.5)
    assert (r.time_consistency.previous_years, r.time_consistency.tolerance_pct) == (3, 33)
    assert r.related[0].numerator == CONV and r.related[0].denominator == PROS


def test_unknown_key_and_bad_threshold_are_errors_naming_the_file(tmp_path: Path):
    text = (Path(quality.paths.parameters_dir()) / "quality.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "quality.yaml"
    bad.write_text(
        text.replace("  moderate_sd: 2.0", "  moderat_sd: 2.0").replace(
            "  tolerance_pct: 33", "  tolerance_pct: 133"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        quality.load_rules(bad)
    msg = str(err.value)
    assert str(bad) in msg
    assert "outliers.moderat_sd" in msg  # the unknown key
    assert "outliers.moderate_sd: Field required" in msg  # the missing one
    assert "time_consistency.tolerance_pct" in msg  # and the value out of range, all at once


# --------------------------------------------------------------------------- outliers


def test_moderate_outlier_by_standard_deviations():
    # 1..11 and 30: n = 12, mean 96/12 = 8; squares of deviations 154 + 22² = 638; SD = sqrt(638/11)
    # = sqrt(58) = 7.6158; z(30) = 22 / 7.6158 = 2.889 -> moderate (> 2, not > 3). z(11) = 0.39.
    r = run(series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 30]))
    f = flags(r, "outlier_sd")
    assert f[["year", "severity"]].values.tolist() == [[2021, "moderate"]]
    e = ev(f.iloc[0])
    assert e["n"] == 12 and e["mean"] == 8 and e["sd"] == pytest.approx(7.6158, abs=1e-4)
    assert e["z"] == pytest.approx(2.8887, abs=1e-4)


def test_extreme_outlier_in_a_series_of_zeros():
    # eleven zeros and 12: mean 1; squares 11·1 + 11² = 132; SD = sqrt(132/11) = sqrt(12) = 3.4641;
    # z(12) = 11 / 3.4641 = 3.175 -> extreme; each zero is at z = -0.29 (zeros are values, kept).
    r = run(series([0] * 11 + [12]))
    f = flags(r, "outlier_sd")
    assert f[["year", "severity", "value_text"]].values.tolist() == [[2021, "extreme", "12"]]
    assert ev(f.iloc[0])["z"] == pytest.approx(3.1754, abs=1e-4)


def test_short_series_uses_the_modified_z_score():
    # 10, 11, 12, 13, 100: n = 5 < 11, so no SD rule; median 12, absolute deviations 2, 1, 0, 1, 88,
    # MAD = 1; modified z(100) = 0.6745 · 88 = 59.36 -> flagged; z(10) = 0.6745 · 2 = 1.35 is not.
    r = run(series([10, 11, 12, 13, 100]))
    assert flags(r, "outlier_sd").empty
    f = flags(r, "outlier_modified_z")
    assert f["year"].tolist() == [2014]
    e = ev(f.iloc[0])
    assert (e["median"], e["mad"], e["n"]) == (12, 1, 5)
    assert e["modified_z"] == pytest.approx(59.356, abs=1e-3)


def test_modified_z_when_most_values_are_equal_uses_the_mean_absolute_deviation():
    # 10, 10, 10, 10, 50: MAD = 0; mean absolute deviation from the median 12 = 40/5 = 8;
    # M(50) = 40 / (1.253314 · 8) = 3.99 > 3.5 -> flagged.
    r = run(series([10, 10, 10, 10, 50]))
    f = flags(r, "outlier_modified_z")
    assert f["year"].tolist() == [2014]
    e = ev(f.iloc[0])
    assert e["mean_ad"] == 8 and e["modified_z"] == pytest.approx(3.9894, abs=1e-4)
    assert "mean absolute deviation" in quality.evidence_text(f.iloc[0], "en")


def test_series_shorter_than_four_values_is_not_assessed():
    r = run(series([10, 10, 500]))
    assert flags(r, "outlier_sd").empty and flags(r, "outlier_modified_z").empty


def test_censored_values_are_not_used_nor_flagged_as_outliers():
    # <5, 10, 11, 12, 13, 100: the <5 is left out (n = 5, same as above), and never flagged itself.
    r = run(series(["<5", 10, 11, 12, 13, 100]))
    f = flags(r, "outlier_modified_z")
    assert f["year"].tolist() == [2015] and ev(f.iloc[0])["n"] == 5


def test_constant_series_is_not_flagged():
    r = run(series([7] * 12))
    assert r.flags.empty


# --------------------------------------------------------------------------- consistency over time


def test_year_against_the_mean_of_the_previous_three():
    # 100, 100, 100, then 140 (+40 % > 33 %) and 2014: 130 against mean(100, 100, 140) = 113.3 (+15 %).
    r = run(series([100, 100, 100, 140, 130]))
    f = flags(r, "time_consistency")
    assert f["year"].tolist() == [2013]
    e = ev(f.iloc[0])
    assert e["previous"] == {"2010": 100, "2011": 100, "2012": 100}
    assert e["change_pct"] == 40


def test_over_time_needs_three_uncensored_previous_years_and_a_mean_of_ten():
    # 2013 has only two previous years (a gap in 2010); 2016 has a <5 among its previous years;
    # 2019's previous mean is (6 + 6 + 6) / 3 = 6 < 10; zeros give a mean of 0: not assessed either.
    rows = series([None, 100, 100, 300, "<5", 100, 300], start=2010)
    rows += series([6, 6, 6, 60], start=2016, indicator=PROS)
    rows += series([0, 0, 0, 30], start=2016, indicator=CONV)
    r = run(rows)
    assert flags(r, "time_consistency").empty


# --------------------------------------------------------------------------- between indicators


def test_convictions_above_prosecutions_by_bounds():
    # 2019: 12 convicted, 10 prosecuted -> flagged; 2020: 12 against <5 (at most 4) -> flagged;
    # 2021: <5 against <5 (1 is not above 4) -> not; 2022: 9 against 9 -> not.
    rows = [
        {"year": 2019, "v": 12, "indicator": CONV},
        {"year": 2019, "v": 10, "indicator": PROS},
        {"year": 2020, "v": 12, "indicator": CONV},
        {"year": 2020, "v": "<5", "indicator": PROS},
        {"year": 2021, "v": "<5", "indicator": CONV},
        {"year": 2021, "v": "<5", "indicator": PROS},
        {"year": 2022, "v": 9, "indicator": CONV},
        {"year": 2022, "v": 9, "indicator": PROS},
    ]
    f = flags(run(rows), "related")
    assert f[["year", "indicator", "check"]].values.tolist() == [
        [2019, CONV, "convictions_vs_prosecutions"],
        [2020, CONV, "convictions_vs_prosecutions"],
    ]
    assert ev(f.iloc[1])["other_value"] == "<5"


def test_parts_above_the_total_count_a_censored_part_as_zero():
    # The one rule (validation.partitions): a part counts its floor, 0 when censored. 2019: total 10,
    # Female 8 + Male 5 = 13 > 10 -> flagged (sex); 2020: total 8, Female 8 + Male <5 (0) = 8, not
    # above 8 -> not (the old review counted the <5 as 1: 9 > 8); 2021: total 10, 6 + <5 -> not.
    rows = []
    for year, total, f_, m in ((2019, 10, 8, 5), (2020, 8, 8, "<5"), (2021, 10, 6, "<5")):
        rows += [
            {"year": year, "v": total},
            {"year": year, "v": f_, "sex": "Female"},
            {"year": year, "v": m, "sex": "Male"},
        ]
    # Belize 2017, detected victims (export rows 5752, 47972-47974): Female 11 + Male <5 + Other <5
    # against a total of 11 -> consistent (the export shows <5 where the total forces a zero).
    rows += [
        {"iso3": "BLZ", "year": 2017, "v": 11},
        {"iso3": "BLZ", "year": 2017, "v": 11, "sex": "Female"},
        {"iso3": "BLZ", "year": 2017, "v": "<5", "sex": "Male"},
        {"iso3": "BLZ", "year": 2017, "v": "<5", "sex": "Other"},
    ]
    f = flags(run(rows, ("GTM", "BLZ")), "parts_above_total")
    assert f[["iso3", "year", "sex", "check"]].values.tolist() == [["GTM", 2019, "Total", "sex"]]
    assert ev(f.iloc[0]) == {
        "parts": [{"sex": "Female", "value": "8"}, {"sex": "Male", "value": "5"}],
        "parts_sum_low": 13,
    }
    assert quality.evidence_text(f.iloc[0], "en", k=1) == (
        "its parts by sex (Female = 8; Male = 5) add up to at least 13"
    )
    assert quality.evidence_text(f.iloc[0], "es", k=1) == (
        "sus partes por sexo (Femenino = 8; Masculino = 5) suman al menos 13"
    )


def test_forms_of_exploitation_are_compared_one_by_one():
    # Forms may overlap (a person convicted of several), so each is compared with the total on its
    # own, never their sum. Costa Rica 2008, persons convicted (rows 9792-9794): Forced labour 5 and
    # Sexual exploitation 5 against 5 -> consistent (the old review summed them: 10 > 5). Honduras
    # 2019 (rows 19884, 19885, 55445): Sexual exploitation 43 > 38 -> flagged; Other forms 32 <= 38 is
    # not named, and the sum 75 is not used.
    form = {"indicator": CONV, "dimension": "by form of exploitation"}
    rows = [
        {"iso3": "CRI", "year": 2008, "v": 5, "indicator": CONV},
        {"iso3": "CRI", "year": 2008, "v": 5, "category": "Forced labour", **form},
        {"iso3": "CRI", "year": 2008, "v": 5, "category": "Sexual exploitation", **form},
        {"iso3": "HND", "year": 2019, "v": 38, "indicator": CONV},
        {"iso3": "HND", "year": 2019, "v": 43, "category": "Sexual exploitation", **form},
        {"iso3": "HND", "year": 2019, "v": 32, "category": "Other forms of exploitation", **form},
    ]
    f = flags(run(rows, ("CRI", "HND")), "parts_above_total")
    assert f[["iso3", "year", "dimension", "check", "value_text"]].values.tolist() == [
        ["HND", 2019, "Total", "form", "38"]
    ]
    assert ev(f.iloc[0]) == {
        "part_low": 43,
        "parts": [
            {
                "category": "Sexual exploitation",
                "dimension": "by form of exploitation",
                "value": "43",
            }
        ],
    }
    assert quality.evidence_text(f.iloc[0], "en") == (
        "a form of exploitation is above it on its own (Sexual exploitation = 43)"
    )


def test_parts_above_the_total_flag_exactly_the_totals_whose_parts_the_rule_marks():
    # The review and the observations' ``inconsistent`` mark are one rule: every part the mark flags
    # is named in the evidence of a flagged total, and no other. Honduras 2018 victims (rows
    # 19847-19853): the sex-by-age cells 22 + 6 + 5 + 37 = 70, the sexes 28 + 42 = 70 and the age
    # groups 27 + 43 = 70 are each above the total of 64 -> the total is flagged three times (sex,
    # age, sex_age). Honduras 2012: at age 0-17, Female 16 + Male 6 = 22 > 16 -> the 0-17 total is
    # flagged (a slice other than the headline; the age groups, 16 and <5, are consistent).
    hnd = {"iso3": "HND", "year": 2018}
    rows = [
        {**hnd, "v": 64},
        {**hnd, "v": 28, "sex": "Female"},
        {**hnd, "v": 42, "sex": "Male"},
        {**hnd, "v": 27, "age": "0 to 17 years"},
        {**hnd, "v": 43, "age": "18 years or over"},
        {**hnd, "v": 22, "sex": "Female", "age": "0 to 17 years"},
        {**hnd, "v": 6, "sex": "Female", "age": "18 years or over"},
        {**hnd, "v": 5, "sex": "Male", "age": "0 to 17 years"},
        {**hnd, "v": 37, "sex": "Male", "age": "18 years or over"},
        {"iso3": "HND", "year": 2012, "v": 16, "age": "0 to 17 years"},
        {"iso3": "HND", "year": 2012, "v": 16, "sex": "Female", "age": "0 to 17 years"},
        {"iso3": "HND", "year": 2012, "v": 6, "sex": "Male", "age": "0 to 17 years"},
        {"iso3": "HND", "year": 2012, "v": 30},
        {"iso3": "HND", "year": 2012, "v": "<5", "age": "18 years or over"},
    ]
    table = obs(rows)
    f = flags(quality.review(table, ("HND",)), "parts_above_total")
    assert f[["year", "sex", "age", "check"]].values.tolist() == [
        [2012, "Total", "0 to 17 years", "sex"],
        [2018, "Total", "Total", "age"],
        [2018, "Total", "Total", "sex"],
        [2018, "Total", "Total", "sex_age"],
    ]
    assert [ev(x).get("parts_sum_low") for _, x in f.iterrows()] == [22, 70, 70, 70]
    named = set()
    for _, flag in f.iterrows():
        for part in ev(flag)["parts"]:
            cell = {c: flag[c] for c in ("dimension", "category", "sex", "age")}
            cell |= {c: v for c, v in part.items() if c != "value"}
            named.add((flag["year"], cell["sex"], cell["age"]))
    marked = table[checks.inconsistent_parts(table)]
    assert named == set(zip(marked["year"], marked["sex"], marked["age"], strict=True))
    assert len(named) == 10  # 2012: 2 sexes; 2018: 2 sexes, 2 age groups, 4 cells


# --------------------------------------------------------------------------- external consistency


def test_external_difference_in_percent_of_the_reference():
    # CORETT 111 against UNODC 100: +11 % > 10 % -> flagged on both figures; 109: +9 % -> listed, not
    # flagged; UNODC <5 against CORETT 4: no percentage, not flagged.
    rows = [
        {"year": 2017, "v": 100},
        {"year": 2017, "v": 111, "source": "CORETT"},
        {"year": 2018, "v": 100},
        {"year": 2018, "v": 109, "source": "CORETT"},
        {"year": 2019, "v": "<5"},
        {"year": 2019, "v": 4, "source": "CORETT"},
    ]
    r = run(rows)
    assert r.external[["year", "difference_pct", "flagged"]].fillna(-1).values.tolist() == [
        [2017, 11.0, True],
        [2018, 9.0, False],
        [2019, -1, False],
    ]
    f = flags(r, "external_difference")
    assert f[["year", "source", "check"]].values.tolist() == [
        [2017, "CORETT", "UNODC"],
        [2017, "UNODC", "CORETT"],
    ]
    assert [quality.evidence_text(x, "en") for _, x in f.iterrows()] == [
        "UNODC publishes 100; CORETT differs from UNODC by +11.0 %",
        "CORETT publishes 111; CORETT differs from UNODC by +11.0 %",
    ]


# --------------------------------------------------------------------------- data-entry slips


def test_value_equal_to_its_year_is_suspicious_with_neighbours_and_parts():
    rows = [
        *series([270, 2015, 986], start=2014),
        {"year": 2015, "v": 1028, "sex": "Female"},
        {"year": 2015, "v": 651, "sex": "Male"},
        {"year": 2015, "v": 2016, "sex": "Unknown"},  # 2016 in 2015's row: not its own year
    ]
    f = flags(run(rows), "slip_year")
    assert f[["year", "sex", "severity"]].values.tolist() == [[2015, "Total", "suspicious"]]
    e = ev(f.iloc[0])
    assert e["neighbours"] == {"2014": "270", "2016": "986"}
    assert e["parts"]["sex"] == {"sum": 1028 + 651 + 2016}


def test_censored_value_is_never_equal_to_its_year():
    assert flags(run(series(["<5", "<5"], start=2019)), "slip_year").empty


def test_order_of_magnitude_from_the_neighbours():
    # 10, 12, 150, 11: 150 >= 10 × max(12, 11) -> suspicious, ratio 150/12 = 12.5; 100 would not be.
    # 50, 0, 60: 0 × 10 <= min(50, 60) -> suspicious (a zero between two large counts).
    # 4, 45, 4 (CORETT publishes small counts as numbers): neighbours below 5 -> not assessed.
    rows = series([10, 12, 150, 11], start=2010)
    rows += series([10, 12, 100, 11], start=2010, iso3="HND")
    rows += series([50, 0, 60], start=2015, indicator=PROS)
    rows += series([4, 45, 4], start=2015, indicator=CONV, source="CORETT")
    f = flags(run(rows, ("GTM", "HND")), "slip_magnitude")
    assert f[["iso3", "year", "indicator"]].values.tolist() == [
        ["GTM", 2012, V],
        ["GTM", 2016, PROS],
    ]
    assert ev(f.iloc[0])["ratio"] == 12.5 and ev(f.iloc[1])["ratio"] == 0


# --------------------------------------------------------------------------- completeness, wording


def test_completeness_per_member_year_and_indicator():
    rows = [
        {"year": 2019, "v": 10},
        {"year": 2019, "v": "<5", "indicator": PROS},
        {"year": 2020, "v": 10, "iso3": "HND"},
    ]
    r = run(rows, ("GTM", "HND"))
    card = quality.scorecard(r, 2019).set_index("iso3")
    assert card.loc["GTM", "reported"] == 2 and card.loc["GTM", "expected"] == 3
    assert card.loc["HND", "reported"] == 0
    assert quality.missing(r, 2019, "GTM") == [CONV]


def test_questions_quote_small_counts_under_the_threshold():
    rows = [
        {"year": 2019, "v": 12, "indicator": CONV},
        {"year": 2019, "v": "<5", "indicator": PROS},
        {"year": 2019, "v": 3, "indicator": V, "source": "CORETT"},
    ]
    q = quality.questions(run(rows), 2019, "GTM", "es", k=5)
    assert any("Personas condenadas" in s and "<5" in s for s in q)
    assert q[-1].startswith("No hay cifra de Víctimas de trata detectadas")
    assert not any(" 3 " in s or "(CORETT: 3)" in s for s in q)


# --------------------------------------------------------------------------- the shipped data


@pytest.fixture(scope="module")
def shipped() -> quality.QualityReview:
    from corett_lib.validation.load import load

    return quality.review(load().observations)


def test_export_as_published_the_slip_rules_find_the_typed_years():
    """On the UNODC export as published (no correction applied), the slip rule finds Mexico 2015's
    total and the four "other forms" rows of the Dominican Republic 2019-2022 that hold their year."""
    from corett_lib.core import paths
    from corett_lib.raw.unodc import read_glotip

    rel = "raw/unodc_data_glotip.xlsx"
    raw, _ = read_glotip(paths.PROJECT_ROOT / "data" / rel, rel)
    raw = raw[raw["iso3"].isin(["MEX", "DOM"])]
    raw = raw[~raw.duplicated(quality.OBSERVATION_KEY, keep=False)]  # repeated keys: not figures
    f = quality.review(raw, ("MEX", "DOM")).flags
    years = f[f["rule"] == "slip_year"].sort_values("source_row")
    assert years[["iso3", "year", "value_text", "source_row"]].values.tolist() == [
        ["MEX", 2015, "2,015", 27557],
        ["DOM", 2019, "2,019", 54756],
        ["DOM", 2020, "2,020", 54765],
        ["DOM", 2021, "2,021", 54778],
        ["DOM", 2022, "2,022", 54788],
    ]
    mex = years[years["iso3"] == "MEX"].iloc[0]
    assert (mex["indicator"], mex["category"], mex["sex"]) == (V, "Total", "Total")
    e = ev(mex)
    assert e["neighbours"] == {"2014": "270", "2016": "986"}
    assert e["parts"]["sex"] == {"sum": 1679} and e["parts"]["age"] == {"sum": 1679}
    assert e["parts"]["form"] == {"sum": 1392}
    text = quality.evidence_text(mex, "en")
    assert text == (
        "neighbouring years 2014: 270; 2016: 986; parts: by age group 1,679; "
        "by form of exploitation 1,392; by sex 1,679"
    )


def test_shipped_data_after_the_declared_corrections(shipped):
    f = shipped.flags
    # Mexico 2015: the total is corrected to 1,679, so it is no longer equal to its year; it is still
    # far above the previous years' mean, and the flag carries the correction.
    mex = f[(f["iso3"] == "MEX") & (f["year"] == 2015) & (f["indicator"] == V)]
    assert "slip_year" not in set(mex["rule"])
    tc = mex[mex["rule"] == "time_consistency"].iloc[0]
    assert tc["value"] == 1679 and tc["correction"] == "unodc-mex-2015-victims-total-is-the-year"
    # El Salvador 2021: the 6,112,019 convicted nationals are left out.
    assert not (f["value_text"] == "6,112,019").any()
    # Dominican Republic 2019-2020 and Mexico 2021: the convictions' forms of exploitation copied from
    # the victims' are left out, so no copy is flagged any more.
    assert not f["source_row"].isin([13311, 13312, 54757, 13358, 13359, 54766, 27724, 27725]).any()
    assert "slip_copy" not in set(f["rule"])
    # What remains suspicious: two figures of Mexico an order of magnitude from their neighbours.
    sus = f[f["severity"] == "suspicious"]
    assert sus[["iso3", "year", "category", "age", "value_text", "source_row"]].values.tolist() == [
        ["MEX", 2020, "Sexual exploitation", "Total", "527", 27693],
        ["MEX", 2021, "Total", "0 to 17 years", "14", 27698],
    ]
    q = quality.questions(shipped, 2015, "MEX", "en")
    assert any("(UNODC: 1,679)" in x and "Published as 2,015" in x for x in q)


def test_shipped_external_mexico_2017(shipped):
    ext = shipped.external.set_index(["iso3", "year"])
    assert ext.loc[("MEX", 2017), "difference_pct"] == 11.3  # 1,080 against 970
    assert bool(ext.loc[("MEX", 2017), "flagged"])
    assert ext.loc[("GTM", 2019), "difference_pct"] == 0.0


def test_shipped_flags_are_keyed_like_the_observations(shipped):
    f = shipped.flags
    assert not f.duplicated(quality.FLAG_KEY).any()
    assert set(f["iso3"]) <= set(shipped.members)
    assert f["source_row"].notna().all()


def test_part_an_order_of_magnitude_above_its_grand_total():
    # Persons convicted, 2019: total 8, sexual exploitation 188 (23.5 times the total) -> suspicious;
    # forced labour 7 is not; a country of repatriation is not part of the total and is never compared.
    rows = [
        {"year": 2019, "v": 8, "indicator": CONV},
        {
            "year": 2019,
            "v": 188,
            "indicator": CONV,
            "dimension": "by form of exploitation",
            "category": "Sexual exploitation",
        },
        {
            "year": 2019,
            "v": 7,
            "indicator": CONV,
            "dimension": "by form of exploitation",
            "category": "Forced labour",
        },
        {"year": 2019, "v": 8},
        {"year": 2019, "v": 90, "dimension": "by country of repatriation", "category": "Mexico"},
    ]
    f = flags(run(rows), "slip_part_magnitude")
    assert f[["indicator", "category", "value_text"]].values.tolist() == [
        [CONV, "Sexual exploitation", "188"]
    ]
    assert ev(f.iloc[0])["total"] == "8" and ev(f.iloc[0])["ratio"] == 23.5
    assert "23.5 veces su total general, 8" in quality.evidence_text(f.iloc[0], "es")


def test_order_of_magnitude_in_a_disaggregated_series_and_at_the_end_of_a_series():
    # Female victims 20, 22, 300 (the last year: its two previous years are its neighbours) -> 300 >=
    # 10 × 22; the year before, 22, has 20 and 300 as neighbours and is not flagged.
    rows = series([20, 22, 300], start=2018, sex="Female")
    f = flags(run(rows), "slip_magnitude")
    assert f[["year", "sex"]].values.tolist() == [[2020, "Female"]]
    assert ev(f.iloc[0])["neighbours"] == {"2018": "20", "2019": "22"}


def test_flags_by_observation_for_the_facts_layer():
    # One figure, two rules: 100, 100, 100, then 2013 in 2013 -> equal to its year (suspicious) and
    # +1,913 % against the mean of the previous three (inconsistent); the most pressing is kept.
    r = run(series([100, 100, 100, 2013]))
    b = quality.by_observation(r)
    assert b[["year", "quality_rules", "quality_severity"]].values.tolist() == [
        [2013, "slip_year;time_consistency", "suspicious"]
    ]
    assert list(b.columns[:9]) == [
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


def test_breakdown_copied_from_another_indicator():
    # 2019: victims by form 7 / 188 / <5 and convicted by form 7 / 188 / <5 -> both flagged as copies;
    # 2020: the same breakdowns but 7 / 9 (sum 16) against 7 / 8 -> not identical, not flagged;
    # 2021: 3 / 4 twice (sum 7 < 10) -> equal small counts, not flagged.
    forms = ("Forced labour", "Sexual exploitation", "Other forms of exploitation")
    rows = []
    for year, values_v, values_c in (
        (2019, ("7", "188", "<5"), ("7", "188", "<5")),
        (2020, ("7", "9"), ("7", "8")),
        (2021, ("3", "4"), ("3", "4")),
    ):
        for ind, values in ((V, values_v), (CONV, values_c)):
            rows += [
                {
                    "year": year,
                    "v": v,
                    "indicator": ind,
                    "dimension": "by form of exploitation",
                    "category": c,
                }
                for c, v in zip(forms, values, strict=False)
            ]
    f = flags(run(rows), "slip_copy")
    assert sorted(set(zip(f["year"], f["indicator"], strict=True))) == [(2019, V), (2019, CONV)]
    assert len(f) == 6
    e = ev(f[f["indicator"] == CONV].iloc[0])
    assert e == {"same_as": [V], "categories": 3}


def test_a_flag_only_correction_is_not_called_a_corrected_figure():
    t = obs(series([100, 100, 100, 200]))
    t["correction"] = "some-flag"  # kept as published: value equals its text
    q = quality.questions(quality.review(t, ("GTM",)), 2013, "GTM", "en")
    assert "(UNODC: 200)" in q[0] and "Published as" not in q[0]
    t.loc[3, "value"] = t.loc[3, "value_low"] = t.loc[3, "value_high"] = 150.0  # an override
    q = quality.questions(quality.review(t, ("GTM",)), 2013, "GTM", "en")
    assert "(UNODC: 150)" in q[0] and "(Published as 200; declared correction some-flag.)" in q[0]


def test_fact_flags_reach_rates_shares_and_growth_rates():
    from corett_lib.dataset.registry import load_registry

    # Victims 100, 100, 100, 2013 (equal to its year): the 2013 total, its rate per 100,000, the shares
    # whose denominator it is, the change 2012->2013 and 2013->2014, the 5-year trend ending 2018.
    r = run(series([100, 100, 100, 2013]))
    f = quality.fact_flags(r, load_registry())
    got = {
        (i, d, c, y)
        for i, d, c, y in f[["indicator_id", "disaggregation", "category", "year"]].values
    }
    assert got == {
        ("victims", "total", "Total", 2013),
        ("victims_rate", "total", "Total", 2013),
        ("minors_share", "total", "Total", 2013),
        ("women_girls_share", "total", "Total", 2013),
        ("victims_change", "total", "Total", 2013),
        ("victims_change", "total", "Total", 2014),
        ("victims_trend", "total", "Total", 2013),
        ("victims_trend", "total", "Total", 2018),
    }
    assert set(f["quality_severity"]) == {"suspicious"} and set(f["source"]) == {"UNODC"}
    assert set(f["quality_rules"]) == {"slip_year;time_consistency"}


def test_fact_flags_of_a_breakdown():
    from corett_lib.dataset.registry import load_registry

    # Female victims 20, 22, 300: the 2020 Female fact of victims (by sex) and of the share of minors
    # by sex (its denominator), and the change of victims by sex.
    r = run(series([20, 22, 300], start=2018, sex="Female"))
    f = quality.fact_flags(r, load_registry())
    got = {
        (i, d, c, y)
        for i, d, c, y in f[["indicator_id", "disaggregation", "category", "year"]].values
    }
    assert ("victims", "sex", "Female", 2020) in got
    assert ("minors_share", "sex", "Female", 2020) in got
    assert ("women_girls_share", "total", "Total", 2020) in got  # its numerator is female victims
    assert ("victims_change", "sex", "Female", 2021) in got
    assert not any(i == "victims" and d == "total" for i, d, _, _ in got)
