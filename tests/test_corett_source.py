"""CORETT's own figures: Chart 3 (identified victims 2017-2019) and the 2019 regional breakdowns.

The shipped transcriptions are checked against the figures printed in the Prevention Strategy; each
defect of a bad input is one tiny CSV written inline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corett_lib.core import paths
from corett_lib.core.problems import DataError
from corett_lib.core.schema import OBSERVATION_COLUMNS
from corett_lib.raw.corett import (
    parse_count,
    parse_percent,
    read_corett_composition,
    read_corett_victims,
)

VICTIMS = "raw/corett_chart3_victims.csv"
COMPOSITION = "raw/corett_2019_composition.csv"
HEADER = "iso3,country,year,value_text,value,chart_ref,source\n"


@pytest.fixture(scope="module")
def victims():
    return read_corett_victims(paths.raw_path("corett_victims"), VICTIMS)


@pytest.fixture(scope="module")
def composition():
    return read_corett_composition(paths.raw_path("corett_composition"), COMPOSITION)


def _write(tmp_path: Path, text: str, name: str = "f.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _value(df, **where) -> float:
    sel = df
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, where
    return float(sel["value"].iloc[0])


# --- Chart 3 as shipped ---------------------------------------------------------------------------


def test_chart3_reads_without_problems_in_the_tidy_shape(victims) -> None:
    df, problems = victims
    assert problems == []
    assert list(df.columns) == OBSERVATION_COLUMNS
    assert len(df) == 30  # 9 countries + Total, 3 years
    assert set(df["source"]) == {"CORETT"}
    assert set(df["unit"]) == {"Counts"}
    assert set(df["indicator"]) == {"Detected trafficking victims"}
    assert set(df[["dimension", "category", "sex", "age"]].stack()) == {"Total"}
    assert not df["censored"].any()
    assert (df["value_low"] == df["value"]).all() and (df["value_high"] == df["value"]).all()
    assert set(df["correction"]) == {""}
    assert set(df["source_ref"]) == {
        "CORETT Prevention Strategy, Chart 3 (IOM & CORETT infographics 2017-2019)"
    }


def test_chart3_published_totals(victims) -> None:
    df, _ = victims
    assert _value(df, iso3="CORETT", year=2017) == 1791
    assert _value(df, iso3="CORETT", year=2018) == 1437
    assert _value(df, iso3="CORETT", year=2019) == 1582


def test_chart3_country_values_add_up_to_the_published_totals(victims) -> None:
    df, _ = victims
    members = df[df["iso3"] != "CORETT"]
    assert members.groupby("year")["value"].sum().to_dict() == {
        2017: 1791.0,
        2018: 1437.0,
        2019: 1582.0,
    }
    assert members["iso3"].nunique() == 9


def test_chart3_country_values_and_verbatim_text(victims) -> None:
    df, _ = victims
    assert _value(df, iso3="GTM", year=2019) == 434
    assert _value(df, iso3="MEX", year=2017) == 1080
    assert _value(df, iso3="BLZ", year=2019) == 4
    assert _value(df, iso3="DOM", year=2019) == 195
    mex = df[(df["iso3"] == "MEX") & (df["year"] == 2017)].iloc[0]
    assert mex["value_text"] == "1,080"
    total = df[(df["iso3"] == "CORETT") & (df["year"] == 2019)].iloc[0]
    assert total["value_text"] == "1582"  # published without a thousands separator
    assert total["country"] == "Total"


def test_chart3_source_row_is_the_csv_line(victims) -> None:
    df, _ = victims
    gtm = df[(df["iso3"] == "GTM") & (df["year"] == 2019)].iloc[0]
    assert gtm["source_row"] == 16  # header 1; BLZ 2-4, CRI 5-7, SLV 8-10, HND 11-13, GTM 14-16
    assert gtm["source_file"] == VICTIMS


# --- Chart 3: one defect per file -----------------------------------------------------------------


def test_missing_column_is_named(tmp_path: Path) -> None:
    p = _write(tmp_path, "iso3,country,year,value\nGTM,Guatemala,2019,434\n")
    with pytest.raises(DataError) as exc:
        read_corett_victims(p, "raw/x.csv")
    (problem,) = exc.value.problems
    assert (problem.check, problem.column, problem.rows) == ("required_columns", "value_text", (1,))


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(DataError) as exc:
        read_corett_victims(_write(tmp_path, ""), "raw/x.csv")
    assert [p.check for p in exc.value.problems] == ["file_empty"]


def test_header_without_rows(tmp_path: Path) -> None:
    with pytest.raises(DataError) as exc:
        read_corett_victims(_write(tmp_path, HEADER), "raw/x.csv")
    assert [p.check for p in exc.value.problems] == ["file_empty"]


def test_non_numeric_value_is_reported_with_its_line(tmp_path: Path) -> None:
    p = _write(
        tmp_path, HEADER + "GTM,Guatemala,2019,434,434,c,s\nMEX,Mexico,2017,1.080,1080,c,s\n"
    )
    df, problems = read_corett_victims(p, "raw/x.csv")
    (problem,) = problems
    assert (problem.check, problem.rows, problem.column, problem.file) == (
        "value_numeric",
        (3,),
        "value_text",
        "raw/x.csv",
    )
    assert problem.sample == ("1.080",)
    assert df["iso3"].tolist() == ["GTM"]


def test_unknown_iso3(tmp_path: Path) -> None:
    p = _write(tmp_path, HEADER + "USA,United States,2019,10,10,c,s\n")
    df, problems = read_corett_victims(p, "raw/x.csv")
    assert [(q.check, q.rows, q.column, q.sample) for q in problems] == [
        ("iso3_known", (2,), "iso3", ("USA",))
    ]
    assert df.empty


def test_value_differing_from_text(tmp_path: Path) -> None:
    p = _write(tmp_path, HEADER + "GTM,Guatemala,2019,434,443,c,s\n")
    _, problems = read_corett_victims(p, "raw/x.csv")
    assert [(q.check, q.rows, q.column) for q in problems] == [
        ("value_matches_text", (2,), "value")
    ]


def test_repeated_country_year(tmp_path: Path) -> None:
    p = _write(tmp_path, HEADER + "GTM,Guatemala,2019,434,434,c,s\nGTM,Guatemala,2019,1,1,c,s\n")
    df, problems = read_corett_victims(p, "raw/x.csv")
    assert [(q.check, q.rows) for q in problems] == [("key_unique", (3,))]
    assert df["value"].tolist() == [434.0]


def test_total_that_is_not_the_sum(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        HEADER + "GTM,Guatemala,2019,434,434,c,s\nMEX,Mexico,2019,662,662,c,s\n"
        "CORETT,Total,2019,1000,1000,c,s\n",
    )
    _, problems = read_corett_victims(p, "raw/x.csv")
    (problem,) = problems
    assert (problem.check, problem.rows) == ("published_total_matches_sum", (4,))
    assert "1,000" in problem.message and "1,096" in problem.message


def test_number_parsers() -> None:
    assert parse_count("1,080") == 1080 and parse_count(" 1582 ") == 1582
    assert parse_count("1,08") is None and parse_count("") is None
    assert parse_percent("12%") == 12.0 and parse_percent("48 percent") == 48.0
    assert parse_percent("12") is None


# --- 2019 composition as shipped ------------------------------------------------------------------


def test_composition_reads_without_problems(composition) -> None:
    df, problems = composition
    assert problems == []
    assert list(df.columns) == OBSERVATION_COLUMNS
    assert len(df) == 15
    assert set(df["iso3"]) == {"CORETT"} and set(df["year"]) == {2019}
    assert df["unit"].value_counts().to_dict() == {"Percent": 14, "Counts": 1}


def test_composition_shares_as_published(composition) -> None:
    df, _ = composition
    v = "Detected trafficking victims"
    assert _value(df, indicator=v, sex="Male", age="18 years or over") == 12  # men
    assert _value(df, indicator=v, sex="Female", age="18 years or over") == 30  # women
    assert _value(df, indicator=v, sex="Male", age="0 to 17 years") == 27  # see ambiguity below
    assert _value(df, indicator=v, sex="Female", age="0 to 17 years") == 11  # girls
    assert _value(df, indicator=v, sex="Other") == 12  # LGBTIQ+
    assert _value(df, indicator=v, category="Nationals") == 55
    assert _value(df, indicator=v, category="Foreigners") == 15
    assert _value(df, indicator=v, category="Sexual exploitation") == 48
    assert _value(df, indicator=v, category="Forced labour") == 9


def test_composition_repatriations(composition) -> None:
    df, _ = composition
    rep = df[df["indicator"] == "Repatriated victims"]
    assert _value(rep, unit="Counts") == 110
    shares = rep[rep["unit"] == "Percent"].set_index(["sex", "age"])["value"].to_dict()
    assert shares == {
        ("Female", "18 years or over"): 36.0,
        ("Male", "18 years or over"): 38.0,
        ("Male", "0 to 17 years"): 14.0,
        ("Female", "0 to 17 years"): 6.0,
        ("Other", "Total"): 4.0,
    }


def test_composition_shares_do_not_add_to_100_and_no_remainder_is_invented(composition) -> None:
    df, _ = composition
    pct = df[df["unit"] == "Percent"]
    victims = pct[pct["indicator"] == "Detected trafficking victims"]
    assert victims[victims["dimension"] == "Total"]["value"].sum() == 92
    assert victims[victims["dimension"] == "by citizenship"]["value"].sum() == 70
    assert victims[victims["dimension"] == "by form of exploitation"]["value"].sum() == 57
    assert pct[pct["indicator"] == "Repatriated victims"]["value"].sum() == 98
    assert "Other forms of exploitation" not in set(df["category"])


def test_composition_keeps_the_wording_and_flags_the_children_ambiguity() -> None:
    import csv

    with paths.raw_path("corett_composition").open(encoding="utf-8") as f:
        rows = {r["item_id"]: r for r in csv.DictReader(f)}
    child = rows["victims_2019_children_under18"]
    assert child["wording"] == "27% were children and adolescents under 18 years of age"
    assert "ambiguous" in child["interpretation"]
    assert rows["victims_2019_girls"]["wording"] == "11% were girls and adolescents"
    assert "92%" in rows["victims_2019_men"]["notes"]


# --- composition: one defect per file -------------------------------------------------------------

COMP_HEADER = (
    "item_id,iso3,country,year,indicator,dimension,category,sex,age,unit,value_text,value,wording\n"
)


def test_percent_without_percent_sign(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        COMP_HEADER + "a,CORETT,R,2019,Detected trafficking victims,Total,Total,Male,Total,"
        "Percent,12,12,w\n",
    )
    df, problems = read_corett_composition(p, "raw/y.csv")
    assert [(q.check, q.rows, q.column) for q in problems] == [
        ("value_numeric", (2,), "value_text")
    ]
    assert df.empty


def test_sex_outside_the_vocabulary(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        COMP_HEADER + "a,CORETT,R,2019,Detected trafficking victims,Total,Total,Boys,"
        "0 to 17 years,Percent,27%,27,w\n",
    )
    _, problems = read_corett_composition(p, "raw/y.csv")
    assert [(q.check, q.column, q.sample) for q in problems] == [
        ("sex_in_vocabulary", "sex", ("Boys",))
    ]


def test_percentage_over_100(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        COMP_HEADER + "a,CORETT,R,2019,Detected trafficking victims,Total,Total,Total,Total,"
        "Percent,120%,120,w\n",
    )
    _, problems = read_corett_composition(p, "raw/y.csv")
    assert [q.check for q in problems] == ["percent_in_range"]
