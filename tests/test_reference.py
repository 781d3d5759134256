"""Reference tables (population, SDG texts, countries) and country names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from corett_lib.core import paths
from corett_lib.core.problems import DataError
from corett_lib.raw.reference import country_name, country_table, read_population, read_sdg

RAW = paths.PROJECT_ROOT / "data" / "raw"
POP = "raw/population_all.csv"


def test_shipped_population() -> None:
    pop, problems = read_population(RAW / "population_all.csv", POP)
    assert problems == []
    members = ["BLZ", "CRI", "DOM", "GTM", "HND", "MEX", "NIC", "PAN", "SLV"]
    assert set(members) < set(pop["iso3"])
    assert len(pop[pop["iso3"].isin(members) & (pop["year"] >= 2010)]) == 135
    gtm = pop[(pop["iso3"] == "GTM") & (pop["year"] == 2019)].iloc[0]
    assert (gtm["population"], gtm["source_row"]) == (17_103_803.0, 2321)
    assert str(pop["year"].dtype) == "int64" and str(pop["population"].dtype) == "float64"


def test_shipped_sdg_and_countries() -> None:
    sdg, _ = read_sdg(RAW / "sdg_targets.csv", "raw/sdg_targets.csv")
    assert sdg["level"].value_counts().to_dict() == {"indicator": 94, "target": 62, "goal": 5}
    row = sdg[sdg["code"] == "16.2.2"].iloc[0]  # the file has "Nu\u0301mero": read as NFC
    assert row["title_es"].startswith("Número de víctimas de la trata de personas por cada 100.000")
    countries = country_table(["BLZ", "DOM"])
    assert countries.set_index("iso3")["numeric"].to_dict()["BLZ"] == "084"
    assert countries.set_index("iso3")["name_es"].to_dict()["DOM"] == "República Dominicana"


def write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "population.csv"
    path.write_bytes(content)
    return path


def test_non_numeric_population_names_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        b"iso3,year,population,source\nGTM,2019,17103803,WB\nHND,2019,n/a,WB\nSLV,2O19,6,WB\n",
    )
    pop, problems = read_population(path, POP)
    assert pop["iso3"].tolist() == ["GTM"]
    assert [(p.check, p.rows, p.column, p.sample) for p in problems] == [
        ("value_not_numeric", (4,), "year", ("2O19",)),
        ("value_not_numeric", (3,), "population", ("n/a",)),
    ]


def test_latin1_is_reported_with_the_byte_position(tmp_path: Path) -> None:
    path = write(tmp_path, "iso3,year,population,source\nPAN,2019,4,Panamá\n".encode("latin-1"))
    with pytest.raises(DataError) as exc:
        read_population(path, POP)
    [p] = exc.value.problems
    assert (p.check, p.file) == ("file_encoding", POP)
    assert "byte 0xe1 at byte offset 44 (line 2)" in p.message and "UTF-8" in p.message


@pytest.mark.parametrize(
    ("content", "check", "column"),
    [
        (b"", "file_empty", None),
        (b"iso3,year,population,source\n", "file_empty", None),
        (b"iso3,year,source\nGTM,2019,WB\n", "column_missing", "population"),
    ],
    ids=["empty", "header-only", "missing-column"],
)
def test_unusable_files(tmp_path: Path, content: bytes, check: str, column: str | None) -> None:
    with pytest.raises(DataError) as exc:
        read_population(write(tmp_path, content), POP)
    assert [(p.check, p.column) for p in exc.value.problems] == [(check, column)]


def test_extra_title_lines_say_where_the_header_is(tmp_path: Path) -> None:
    path = write(tmp_path, b"World Bank\nexported\niso3,year,population,source\nGTM,2019,1,WB\n")
    with pytest.raises(DataError) as exc:
        read_population(path, POP)
    first = exc.value.problems[0]
    assert (first.check, first.rows, first.column) == ("column_missing", (1,), "iso3")
    assert "found on line 3" in first.message


def test_a_line_with_the_wrong_number_of_fields(tmp_path: Path) -> None:
    path = write(tmp_path, b"iso3,year,population,source\nGTM,2019,1,WB\nHND,2019,2,WB,extra\n")
    pop, problems = read_population(path, POP)
    assert len(pop) == 1 and [(p.check, p.rows) for p in problems] == [("row_width", (3,))]


def test_country_names() -> None:
    assert country_name("PAN", "es") == "Panamá"
    assert country_name("DOM", "en") == "Dominican Republic"
    assert country_name("CORETT", "es") == (
        "Coalición Regional contra la Trata de Personas y el Tráfico Ilícito de Migrantes"
    )
    assert country_name("USA", "es") == "Estados Unidos"  # not a member: pycountry
    table = pd.DataFrame({"iso3": ["GTM"], "name_en": ["Guatemala (x)"], "name_es": ["G"]})
    assert country_name("GTM", "en", countries=table) == "Guatemala (x)"
    with pytest.raises(KeyError):
        country_name("XXX", "en")
    with pytest.raises(KeyError):
        country_name("GTM", "fr")
