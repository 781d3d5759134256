"""The shared CSV reading: line numbers, file-level problems and the small parsers.

Each defect is one tiny file written inline; expected lines, bytes and messages are spelled out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from corett_lib.core.problems import DataError
from corett_lib.raw.csvio import (
    CsvRow,
    error,
    missing_columns,
    parse_float,
    parse_iso_date,
    read_csv_frame,
    read_csv_rows,
    scan,
    stripped_records,
)

REL = "raw/t.csv"
LATIN1 = b"iso3,name\nPAN,Panam\xe1\n"  # 0xe1 (a-acute in Latin-1) at byte offset 19, line 2


def _file(tmp_path: Path, data: bytes | str) -> Path:
    p = tmp_path / "t.csv"
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def _rows_error(path: Path, required=("iso3",)) -> list:
    with pytest.raises(DataError) as exc:
        read_csv_rows(path, REL, required, table="t")
    return exc.value.problems


def _frame_error(path: Path, required=("iso3",)) -> list:
    with pytest.raises(DataError) as exc:
        read_csv_frame(path, REL, required, table="t")
    return exc.value.problems


# --- scan -----------------------------------------------------------------------------------------


def test_scan_gives_start_and_end_line_of_a_record_spanning_lines() -> None:
    records = list(scan(["a,b\n", "\n", '1,"two\n', 'lines"\n', "3,4\n"]))
    assert records == [
        (1, 1, ["a", "b"]),
        (2, 2, []),
        (3, 4, ["1", "two\nlines"]),
        (5, 5, ["3", "4"]),
    ]


# --- read_csv_rows (transcriptions) ---------------------------------------------------------------


def test_rows_remember_the_line_they_start_on(tmp_path: Path) -> None:
    text = '\n iso3 ,note\nGTM,"first\nsecond"\n\nHND, kept as is \n'
    header, rows = read_csv_rows(_file(tmp_path, text), REL, ["iso3"], table="t")
    assert header == ["iso3", "note"]  # the header is stripped and may follow blank lines
    assert rows == [
        CsvRow(3, {"iso3": "GTM", "note": "first\nsecond"}),
        CsvRow(6, {"iso3": "HND", "note": " kept as is "}),
    ]


def test_rows_read_crlf_files_with_universal_newlines(tmp_path: Path) -> None:
    path = _file(tmp_path, b'\xef\xbb\xbfiso3,note\r\nGTM,"a\r\nb"\r\nHND,c\r\n')
    header, rows = read_csv_rows(path, REL, ["iso3"], table="t")
    assert header == ["iso3", "note"]  # the BOM is dropped
    assert [(r.line, r.fields["note"]) for r in rows] == [(2, "a\nb"), (4, "c")]


def test_rows_latin1_file_names_the_byte(tmp_path: Path) -> None:
    [p] = _rows_error(_file(tmp_path, LATIN1))
    assert (p.check, p.file, p.rows, p.column, p.table) == ("file_encoding", REL, (), None, "t")
    assert p.message == "the file is not UTF-8 text (invalid continuation byte at byte 19)"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty (no header row)"),
        (b"\n  \n", "the file is empty (no header row)"),
        (b"iso3,name\n\n", "the file has a header but no data rows"),
    ],
)
def test_rows_empty_and_header_only_files(tmp_path: Path, data: bytes, message: str) -> None:
    [p] = _rows_error(_file(tmp_path, data))
    assert (p.check, p.message, p.why) == ("file_empty", message, "a transcription has rows")


def test_rows_name_every_missing_column(tmp_path: Path) -> None:
    problems = _rows_error(_file(tmp_path, "iso3,name\nGTM,x\n"), ["year", "iso3", "value"])
    assert [(p.check, p.column, p.rows) for p in problems] == [
        ("required_columns", "year", (1,)),
        ("required_columns", "value", (1,)),
    ]
    assert problems[0].message == "required column 'year' is missing (header: iso3, name)"


def test_rows_reject_a_repeated_column_name(tmp_path: Path) -> None:
    [p] = _rows_error(_file(tmp_path, "iso3,year,iso3\nGTM,2019,HND\n"))
    assert (p.check, p.message) == ("columns_unique", "column(s) named more than once: ['iso3']")


def test_rows_reject_a_row_of_another_width(tmp_path: Path) -> None:
    [p] = _rows_error(_file(tmp_path, "iso3,year\nGTM,2019\nHND\nSLV,2019,x\n"))
    assert (p.check, p.message) == ("row_width", "2 row(s) do not have 2 fields; first at line 3")


def test_rows_and_frame_report_invalid_csv(tmp_path: Path) -> None:
    path = _file(tmp_path, "iso3,name\nGTM," + "x" * 140_000 + "\n")  # over csv's field limit
    for problems in (_rows_error(path), _frame_error(path)):
        [p] = problems
        assert p.check == "file_csv"
        assert p.message.startswith("the file is not valid CSV: field larger than field limit")


# --- read_csv_frame (reference tables) ------------------------------------------------------------


def test_frame_is_text_indexed_by_line_and_nfc(tmp_path: Path) -> None:
    text = "iso3,name\nPAN,Panama\u0301\n\nGTM,007\n"
    df, problems = read_csv_frame(_file(tmp_path, text), REL, ["iso3"], table="t")
    assert problems == []
    assert df.index.tolist() == [2, 4]
    assert df["name"].tolist() == ["Panam\u00e1", "007"]  # composed accent; leading zeros kept


def test_frame_latin1_file_names_byte_offset_and_line(tmp_path: Path) -> None:
    [p] = _frame_error(_file(tmp_path, LATIN1))
    assert (p.check, p.sample) == ("file_encoding", ("e1",))
    assert p.message == (
        "not UTF-8 text: byte 0xe1 at byte offset 19 (line 2) is invalid; save the file as UTF-8 "
        "(it looks like Latin-1/Windows-1252)"
    )


def test_frame_leaves_out_ragged_lines_and_says_so(tmp_path: Path) -> None:
    text = "iso3,name\nGTM,x\nHND\nSLV,y,z\nPAN,w\n"
    df, [p] = read_csv_frame(_file(tmp_path, text), REL, ["iso3"], table="t")
    assert df.index.tolist() == [2, 5]
    assert (p.check, p.rows) == ("row_width", (3, 4))
    assert p.message == "2 line(s) do not have the 2 fields of the header; they are left out"


@pytest.mark.parametrize(
    ("data", "message", "why"),
    [
        (
            b" \n",
            "the file is empty (no header row)",
            "a reference table needs its header and rows",
        ),
        (
            b"iso3,name\n",
            "the file has a header but no data rows",
            "a reference table needs its rows",
        ),
    ],
)
def test_frame_empty_and_header_only_files(
    tmp_path: Path, data: bytes, message: str, why: str
) -> None:
    [p] = _frame_error(_file(tmp_path, data))
    assert (p.check, p.message, p.why) == ("file_empty", message, why)


def test_frame_all_rows_ragged_is_empty_plus_the_width_problem(tmp_path: Path) -> None:
    problems = _frame_error(_file(tmp_path, "iso3,name\nGTM\n"))
    assert [(p.check, p.rows) for p in problems] == [("file_empty", ()), ("row_width", (2,))]


def test_frame_missing_columns_say_where_the_header_is(tmp_path: Path) -> None:
    text = "Population by country\niso3,year\nGTM,2019\n"
    problems = _frame_error(_file(tmp_path, text), ["iso3", "year"])
    assert [(p.check, p.column, p.rows) for p in problems] == [
        ("column_missing", "iso3", (1,)),
        ("column_missing", "year", (1,)),
    ]
    assert problems[0].message == (
        "required column 'iso3' is missing from the header on line 1; "
        "the header was found on line 2 instead (extra title lines?)"
    )


def test_frame_bom_only_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    problems = _frame_error(_file(tmp_path, b"\xef\xbb\xbf"))
    assert [(p.check, p.column) for p in problems] == [("column_missing", "iso3")]


# --- helpers --------------------------------------------------------------------------------------


def test_error_builds_an_error_problem_from_iterables() -> None:
    p = error(REL, "year_integer", "bad", (r for r in (2, 7)), "year", "why", ["x"], table="t")
    assert (p.severity, p.check, p.file, p.rows, p.column, p.why, p.sample, p.table) == (
        "error",
        "year_integer",
        REL,
        (2, 7),
        "year",
        "why",
        ("x",),
        "t",
    )


def test_missing_columns_keeps_the_required_order() -> None:
    assert missing_columns(["b"], ["c", "b", "a"]) == ["c", "a"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [(" 2.5 ", 2.5), ("-3", -3.0), ("1e3", 1000.0), ("", None), ("12%", None), ("1,000", None)],
)
def test_parse_float(text: str, expected: float | None) -> None:
    assert parse_float(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2000-11-15", dt.date(2000, 11, 15)),
        ("2021-02-29", None),  # no such day
        ("2021-2-28", None),  # not zero-padded
        ("20210228", None),  # compact ISO form is not accepted
        (" 2021-02-28", None),
    ],
)
def test_parse_iso_date(text: str, expected: dt.date | None) -> None:
    assert parse_iso_date(text) == expected


def test_stripped_records_strip_fill_and_skip() -> None:
    rows = [CsvRow(2, {"id": " EQ1 ", "text_en": "Why? "}), CsvRow(4, {"id": "EQ2", "text_en": ""})]
    assert stripped_records(rows, ["id", "notes"], skip={4}) == [
        {"id": "EQ1", "notes": "", "source_row": 2}
    ]
