"""Chart 1: instruments and ratification dates, as shipped and with one defect per tiny file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from corett_lib.core import paths
from corett_lib.core.problems import DataError
from corett_lib.raw.ratifications import (
    ChartDate,
    parse_chart_date,
    read_instruments,
    read_ratifications,
)

INSTRUMENTS = "raw/chart1_instruments.csv"
RATIFICATIONS = "raw/chart1_ratifications.csv"


@pytest.fixture(scope="module")
def instruments():
    return read_instruments(paths.raw_path("instruments"), INSTRUMENTS)


@pytest.fixture(scope="module")
def ratifications():
    return read_ratifications(paths.raw_path("ratifications"), RATIFICATIONS)


def _cell(df: pd.DataFrame, instrument: str, iso3: str) -> pd.Series:
    sel = df[(df["instrument_id"] == instrument) & (df["iso3"] == iso3)]
    assert len(sel) == 1, (instrument, iso3)
    return sel.iloc[0]


# --- as shipped -----------------------------------------------------------------------------------


def test_instruments_read_without_problems(instruments) -> None:
    df, problems = instruments
    assert problems == []
    assert len(df) == 23  # rows of Chart 1 once the split OPCAT row is joined
    assert df["row_order"].tolist() == list(range(1, 24))
    ids = df.set_index("instrument_id")
    assert ids.loc["trafficking_protocol_2000", "adoption_date"] == "2000-11-15"
    assert ids.loc["udhr_1948", "adopted_on"] == pd.Timestamp("1948-12-10")
    assert ids.loc["opcat_2002", "name_published"] == (
        "Optional Protocol to the Convention against Torture and Other Cruel, Inhuman or "
        "Degrading Treatment or Punishment (2002)"
    )
    assert ids.loc["iccpr_1966", "name_verbatim"].startswith("(1966) International Covenant")


def test_declarations_are_not_ratifiable(instruments) -> None:
    df, _ = instruments
    not_ratifiable = set(df.loc[~df["ratifiable"], "instrument_id"])
    assert not_ratifiable == {"udhr_1948", "american_declaration_1948"}
    assert set(df.loc[df["kind"] == "declaration", "instrument_id"]) == not_ratifiable


def test_convention_105_appears_alone_and_merged_with_29(instruments, ratifications) -> None:
    df, _ = instruments
    names = df.set_index("instrument_id")["name_published"]
    assert names["ilo_c105_1957"].startswith("Convention 105")
    assert "Convention 29" in names["ilo_c029_c105_merged"]
    assert "Convention 105" in names["ilo_c029_c105_merged"]
    rat, _ = ratifications
    # Costa Rica has the same date in both rows; Guatemala does not
    assert _cell(rat, "ilo_c105_1957", "CRI")["original_text"] == "04/05/ 1959"
    assert _cell(rat, "ilo_c029_c105_merged", "CRI")["original_text"] == "04/05/ 1959"
    assert _cell(rat, "ilo_c105_1957", "GTM")["date_iso"] == "1959-11-10"
    assert _cell(rat, "ilo_c029_c105_merged", "GTM")["date_iso"] == "1989-07-13"


def test_ratifications_read_without_problems(ratifications, instruments) -> None:
    df, problems = ratifications
    assert problems == []
    assert len(df) == 23 * 9
    assert df.groupby("instrument_id").size().eq(9).all()
    assert set(df["instrument_id"]) == set(instruments[0]["instrument_id"])
    assert int(df["blank"].sum()) == 16  # UDHR, ADRDM, ACHR, 2 Palermo protocols, OP-CEDAW, OPCAT:
    # 1 each; ICRMW 2; Slavery Convention 6; Rome Statute 1
    assert int(df["accession"].sum()) == 31  # cells marked " a" in the chart


def test_month_first_date(ratifications) -> None:
    df, _ = ratifications
    dom = _cell(df, "belem_do_para_1994", "DOM")
    assert (dom["original_text"], dom["date_iso"], dom["date_order"]) == (
        "11/13/ 1995",
        "1995-11-13",
        "mdy",
    )
    assert dom["ratified_on"] == pd.Timestamp("1995-11-13")
    hnd = _cell(df, "belem_do_para_1994", "HND")
    assert (hnd["date_iso"], hnd["date_order"]) == ("1998-06-19", "mdy")


def test_day_first_date_with_accession_mark(ratifications) -> None:
    df, _ = ratifications
    nic = _cell(df, "icerd_1965", "NIC")
    assert nic["original_text"] == "15/02/ 1978 a"
    assert (nic["date_iso"], nic["date_order"], bool(nic["accession"])) == (
        "1978-02-15",
        "dmy",
        True,
    )
    assert not _cell(df, "icerd_1965", "SLV")["accession"]


def test_blank_cells(ratifications) -> None:
    df, _ = ratifications
    blz = _cell(df, "trafficking_protocol_2000", "BLZ")
    assert bool(blz["blank"]) and blz["original_text"] == "" and pd.isna(blz["ratified_on"])
    assert pd.isna(blz["date_iso"]) and blz["date_order"] == ""
    assert bool(_cell(df, "cedaw_op_1999", "NIC")["blank"])
    assert bool(_cell(df, "opcat_2002", "DOM")["blank"])


def test_slavery_row_blanks_are_assigned_by_tab_position(ratifications) -> None:
    df, _ = ratifications
    row = df[df["instrument_id"] == "slavery_convention_1926"].set_index("iso3")
    assert row.loc[~row["blank"], "original_text"].to_dict() == {
        "GTM": "11/11/ 1983 a",
        "MEX": "03/02 /1954 a",
        "NIC": "14/01/ 1986 a",
    }
    assert sorted(row.index[row["blank"]]) == ["BLZ", "CRI", "DOM", "HND", "PAN", "SLV"]


def test_stray_spaces_are_kept_verbatim(ratifications) -> None:
    df, _ = ratifications
    assert _cell(df, "udhr_1948", "MEX")["original_text"] == "10/12 /1948"
    assert _cell(df, "udhr_1948", "CRI")["original_text"] == "10/12/ 1948"
    assert _cell(df, "achr_1969", "MEX")["original_text"] == "03/02 /1981"


def test_ambiguous_dates_are_flagged(ratifications) -> None:
    df, _ = ratifications
    cri = _cell(df, "cat_1984", "GTM")  # 05/12/ 1996 a: both fields <= 12
    assert (cri["date_iso"], cri["date_order"], bool(cri["ambiguous"])) == (
        "1996-12-05",
        "ambiguous-assumed-dmy",
        True,
    )
    # the American Convention row is month-first wherever it can be told (01/21, 06/20, ...)
    achr = _cell(df, "achr_1969", "CRI")
    assert (achr["date_iso"], achr["date_order"]) == ("1970-03-02", "ambiguous-assumed-mdy")
    same = _cell(df, "slavery_convention_1926", "GTM")  # 11/11: both readings agree
    assert (same["date_order"], bool(same["ambiguous"])) == ("dmy", False)
    assert df["date_order"].value_counts().to_dict() == {
        "dmy": 90,
        "ambiguous-assumed-dmy": 85,
        "mdy": 7,  # American Convention 4, Belém do Pará 3
        "ambiguous-assumed-mdy": 9,  # the other cells of those two rows (Belize's is blank/dmy)
        "": 16,
    }


def test_only_the_rome_statute_date_of_the_dominican_republic_precedes_adoption(
    ratifications, instruments
) -> None:
    rat, _ = ratifications
    ins = instruments[0].set_index("instrument_id")["adopted_on"]
    early = rat[rat["ratified_on"] < rat["instrument_id"].map(ins)]
    assert list(zip(early["instrument_id"], early["iso3"], strict=True)) == [
        ("rome_statute_1998", "DOM")
    ]


def test_parse_chart_date() -> None:
    assert parse_chart_date("03/02 /1981") == ChartDate(3, 2, 1981, False)
    assert parse_chart_date("4/11/ 2001 a") == ChartDate(4, 11, 2001, True)
    assert parse_chart_date("30/6/ 2000").order == "dmy"
    assert parse_chart_date("06/19/ 1998").order == "mdy"
    assert parse_chart_date("1995") is None
    assert parse_chart_date("") is None


# --- one defect per file --------------------------------------------------------------------------

RAT_HEADER = "instrument_id,iso3,country,original_text,date_iso,date_order,accession,blank,notes\n"
INS_HEADER = (
    "instrument_id,row_order,name_published,short_name_en,short_name_es,year_adopted,"
    "adoption_date,kind,ratifiable\n"
)


def _rat(tmp_path: Path, line: str):
    p = tmp_path / "r.csv"
    p.write_text(RAT_HEADER + line + "\n", encoding="utf-8")
    return read_ratifications(p, "raw/r.csv")


def _checks(problems) -> list[tuple[str, tuple[int, ...], str | None]]:
    return [(q.check, q.rows, q.column) for q in problems]


def test_date_iso_not_matching_the_text(tmp_path: Path) -> None:
    df, problems = _rat(tmp_path, "x,DOM,D,11/13/ 1995,1995-11-03,mdy,false,false,")
    assert _checks(problems) == [("date_iso_matches_text", (2,), "date_iso")]
    assert df.empty


def test_wrong_declared_order(tmp_path: Path) -> None:
    _, problems = _rat(tmp_path, "x,DOM,D,11/13/ 1995,1995-11-13,dmy,false,false,")
    assert _checks(problems) == [("date_order_matches_text", (2,), "date_order")]


def test_unambiguous_date_declared_as_assumed(tmp_path: Path) -> None:
    _, problems = _rat(
        tmp_path, "x,NIC,N,15/02/ 1978,1978-02-15,ambiguous-assumed-dmy,false,false,"
    )
    assert _checks(problems) == [("date_order_matches_text", (2,), "date_order")]


def test_accession_flag_disagreeing_with_the_mark(tmp_path: Path) -> None:
    _, problems = _rat(tmp_path, "x,NIC,N,15/02/ 1978 a,1978-02-15,dmy,false,false,")
    assert _checks(problems) == [("accession_matches_text", (2,), "accession")]


def test_blank_cell_with_a_date(tmp_path: Path) -> None:
    _, problems = _rat(tmp_path, "x,BLZ,B,01/12/2003,2003-12-01,ambiguous-assumed-dmy,false,true,")
    assert _checks(problems) == [("blank_consistent", (2,), "blank")]


def test_text_that_is_not_a_date(tmp_path: Path) -> None:
    _, problems = _rat(tmp_path, "x,PAN,P,signed 2001,,,false,false,")
    assert _checks(problems) == [("date_text_format", (2,), "original_text")]


def test_ratification_for_a_non_member(tmp_path: Path) -> None:
    _, problems = _rat(tmp_path, "x,USA,U,,,,false,true,")
    assert _checks(problems) == [("iso3_known", (2,), "iso3")]


def test_ratifications_missing_column(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text("instrument_id,iso3,original_text\nx,DOM,\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        read_ratifications(p, "raw/r.csv")
    missing = sorted(q.column or "" for q in exc.value.problems)
    assert missing == ["accession", "blank", "country", "date_iso", "date_order", "notes"]


def test_instrument_with_an_impossible_adoption_date(tmp_path: Path) -> None:
    p = tmp_path / "i.csv"
    p.write_text(INS_HEADER + "x_2000,1,X,X,X,2000,2000-13-01,convention,true\n", encoding="utf-8")
    df, problems = read_instruments(p, "raw/i.csv")
    assert _checks(problems) == [("adoption_date_iso", (2,), "adoption_date")]
    assert df.empty


def test_instrument_with_an_unknown_kind(tmp_path: Path) -> None:
    p = tmp_path / "i.csv"
    p.write_text(INS_HEADER + "x_2000,1,X,X,X,2000,2000-11-15,treaty,true\n", encoding="utf-8")
    _, problems = read_instruments(p, "raw/i.csv")
    assert _checks(problems) == [("kind_in_vocabulary", (2,), "kind")]
