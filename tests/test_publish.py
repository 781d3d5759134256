"""The publishing function: display strings, layouts, derived columns, ledger, chart data, exports."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from corett_lib.publishing.publish import (
    Ledger,
    export_csv,
    export_excel,
    export_frame,
    neutralize,
    publish_chart_data,
    publish_table,
)

SEX_AGE = pd.DataFrame(
    {
        "sex": ["Female", "Male", "Total"],
        "Children": [3, 20, 23],
        "Adults": [10, 30, 40],
        "Total": [13, 50, 63],
    }
)


def _wide(k: int = 5, **kw: object):
    return publish_table(
        SEX_AGE,
        table_id="sex_age",
        title="Victims by sex and age",
        count_columns=["Children", "Adults"],
        row_total="Total",
        total_row={"sex": "Total"},
        k=k,
        **kw,
    )


def test_wide_table_with_margins() -> None:
    pub = _wide()
    assert pub.display.to_dict("list") == {
        "sex": ["Female", "Male", "Total"],
        "Children": ["<5", "suppressed", "23"],
        "Adults": ["suppressed", "suppressed", "40"],
        "Total": ["13", "50", "63"],
    }
    assert pub.status["Children"].tolist() == ["primary", "complementary", ""]
    assert pub.entry is not None
    assert (pub.entry.cells, pub.entry.primary, pub.entry.complementary) == (9, 1, 3)


def test_wide_table_spanish_words_and_k11() -> None:
    pub = _wide(k=11, lang="es")
    # 10 is below 11 too: the whole Female row's parts are small.
    assert pub.display["Children"].tolist() == ["<11", "suprimido", "23"]
    assert pub.display["Adults"].tolist() == ["<11", "suprimido", "40"]


def test_thousands_separators_and_years_stay_plain() -> None:
    df = pd.DataFrame({"year": [2019, 2020], "victims": [1582, 12034]})
    for lang in ("en", "es"):
        pub = publish_table(df, table_id="t", count_columns=["victims"], lang=lang)
        assert pub.display["victims"].tolist() == ["1,582", "12,034"]
        assert pub.display["year"].tolist() == ["2019", "2020"]


def test_long_table_with_total_row_per_group() -> None:
    df = pd.DataFrame(
        {
            "year": [2019] * 4 + [2020] * 3,
            "form": ["Total", "Sexual", "Labour", "Other", "Total", "Sexual", "Labour"],
            "n": [40, 30, 7, 3, 12, 12, 0],
        }
    )
    pub = publish_table(
        df, table_id="forms", count_columns=["n"], group_by=["year"], group_total={"form": "Total"}
    )
    assert pub.display["n"].tolist() == ["40", "30", "suppressed", "<5", "12", "12", "0"]


def test_long_table_with_declared_total() -> None:
    df = pd.DataFrame({"year": [2019, 2019, 2019], "form": ["S", "L", "O"], "n": [30, 6, 4]})
    pub = publish_table(
        df, table_id="forms", count_columns=["n"], group_by=["year"], declared_totals={2019: 40}
    )
    assert pub.display["n"].tolist() == ["30", "suppressed", "<5"]
    assert pub.entry is not None and pub.entry.cells == 3  # the declared total is not in the table


def test_censored_input_shown_as_published() -> None:
    df = pd.DataFrame({"form": ["S", "L"], "n": ["<5", "22"]})
    assert publish_table(df, table_id="t", count_columns=["n"], k=3).display["n"].tolist() == [
        "<5",
        "22",
    ]
    assert publish_table(df, table_id="t", count_columns=["n"], k=11).display["n"].tolist() == [
        "<11",
        "22",
    ]


def test_rate_and_share_suppressed_with_their_count() -> None:
    df = pd.DataFrame(
        {
            "country": ["BLZ", "GTM", "MEX"],
            "victims": [3, 250, "<5"],
            "rate": [0.74, 1.39, 0.003],
            "share": [0.012, 0.95, 0.01],
        }
    )
    pub = publish_table(
        df,
        table_id="rates",
        count_columns=["victims"],
        derived={"rate": "victims", "share": ["victims"]},
        formats={"rate": "number:2", "share": "percent:1"},
    )
    assert pub.display["rate"].tolist() == ["suppressed", "1.39", "suppressed"]
    assert pub.display["share"].tolist() == ["suppressed", "95.0%", "suppressed"]
    assert pub.status["rate"].tolist() == ["derived", "", "derived"]
    assert pub.entry is not None and pub.entry.derived == 4
    assert pub.values["rate"].isna().tolist() == [True, False, True]


def test_unknown_column_is_an_error_naming_it() -> None:
    with pytest.raises(KeyError, match="victimz"):
        publish_table(SEX_AGE, table_id="t", count_columns=["victimz"])


def test_html_marks_roles_status_and_relations() -> None:
    html = _wide().to_html()
    assert 'data-corett-table="sex_age"' in html and 'data-corett-k="5"' in html
    assert '<th data-corett-role="label">sex</th>' in html
    assert '<th data-corett-role="count">Children</th>' in html
    assert 'data-corett-status="primary">&lt;5</td>' in html
    rel = re.search(r"data-corett-relations='([^']*)'", html)
    assert rel is not None
    relations = json.loads(rel.group(1).replace("&quot;", '"'))
    assert relations[0] == {"t": [0, 3], "p": [[0, 1], [0, 2]], "complete": True}
    assert len(relations) == 6  # 3 rows + 3 columns


def test_ledger_collects_tables_and_renders_in_both_languages() -> None:
    ledger = Ledger(k=5)
    _wide(ledger=ledger)
    publish_table(
        pd.DataFrame({"year": [2019], "n": [40]}),
        table_id="trend",
        title="Trend",
        count_columns=["n"],
        ledger=ledger,
    )
    assert ledger.rows("en") == [
        ("Victims by sex and age", "Primary: count below 5", 1),
        (
            "Victims by sex and age",
            "Complementary: protects a suppressed count from being derived from totals",
            3,
        ),
        ("Trend", "None", 0),
    ]
    html = ledger.to_html("es")
    assert "Registro de datos suprimidos" in html and "menores de 5" in html
    assert 'data-corett-exempt="ledger"' in html
    md = ledger.to_markdown("en").splitlines()
    assert md[0] == "Counts below 5 are suppressed to protect the people they describe."
    assert md[-1] == "| Trend | None | 0 |"


def test_ledger_refuses_another_k() -> None:
    with pytest.raises(ValueError, match="k=11"):
        _wide(k=11, ledger=Ledger(k=5))


def test_chart_data_nulls_suppressed_counts_and_flags_them() -> None:
    df = pd.DataFrame({"year": [2018, 2019, 2020], "victims": [3, 40, 0]})
    cd = publish_chart_data(df, chart_id="trend", title="Trend", count_columns=["victims"])
    assert cd.records() == [
        {"year": 2018, "victims": None, "victims_status": "primary", "victims_text": "<5",
         "suppressed": True},
        {"year": 2019, "victims": 40.0, "victims_status": "", "victims_text": "40",
         "suppressed": False},
        {"year": 2020, "victims": 0.0, "victims_status": "", "victims_text": "0",
         "suppressed": False},
    ]  # fmt: skip
    meta = cd.usermeta({"victims": "Victims"})["corett"]
    assert meta["count_fields"] == ["victims"] and meta["count_titles"] == ["Victims"]
    payload = re.search(r">(.*)</script>", cd.html_data()).group(1)  # type: ignore[union-attr]
    assert json.loads(payload)["values"][0]["victims"] is None


def test_neutralize_formula_text() -> None:
    assert neutralize("=1+1") == "'=1+1"
    assert neutralize("+52 55") == "'+52 55"
    assert neutralize("-3") == "'-3"
    assert neutralize("@SUM(A1)") == "'@SUM(A1)"
    assert neutralize("Guatemala") == "Guatemala"
    assert neutralize(-3) == -3


def _injected():
    df = pd.DataFrame({"label": ['=HYPERLINK("http://x")', "Mexico"], "n": [3, 1582]})
    return publish_table(df, table_id="dl", count_columns=["n"])


def test_export_frame_machine_and_display() -> None:
    machine = export_frame(_injected())
    assert machine.to_dict("list") == {
        "label": ['\'=HYPERLINK("http://x")', "Mexico"],
        "n": ["<5", 1582],
    }
    assert export_frame(_injected(), machine=False)["n"].tolist() == ["<5", "1,582"]


def test_export_csv_and_excel(tmp_path) -> None:
    text = export_csv(_injected(), tmp_path / "t.csv")
    assert text.splitlines() == ["label,n", '"\'=HYPERLINK(""http://x"")",<5', "Mexico,1582"]
    assert (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    from openpyxl import load_workbook

    export_excel(_injected(), tmp_path / "t.xlsx")
    ws = load_workbook(tmp_path / "t.xlsx").active
    assert ws["A2"].value == '\'=HYPERLINK("http://x")' and ws["A2"].data_type == "s"
    assert ws["B2"].value == "<5" and ws["B3"].value == 1582


def test_undeclared_total_row_or_column_is_refused() -> None:
    with pytest.raises(ValueError, match="total row but no total_row"):
        publish_table(
            SEX_AGE, table_id="t", count_columns=["Children", "Adults"], row_total="Total"
        )
    with pytest.raises(ValueError, match=r"\['Total'\] look like totals"):
        publish_table(SEX_AGE, table_id="t", count_columns=["Children", "Adults"])


def test_k_defaults_to_the_ledgers() -> None:
    ledger = Ledger(k=11)
    pub = publish_table(
        pd.DataFrame({"n": [10, 40]}), table_id="t", count_columns=["n"], ledger=ledger
    )
    assert pub.k == 11 and pub.display["n"].tolist() == ["<11", "40"]


def test_sum_with_censored_parts_is_shown_as_its_range() -> None:
    from corett_lib.publishing.disclosure import Cell

    df = pd.DataFrame({"member": ["A", "B", "Region"], "n": ["<5", 798.0, Cell.bounded(799, 802)]})
    pub = publish_table(df, table_id="sum", count_columns=["n"], total_row={"member": "Region"})
    assert pub.display["n"].tolist() == ["<5", "798", "799–802"]
    assert pub.status["n"].tolist() == ["primary", "", ""]
    # a range that reaches below k is a small count: shown as <k
    small = pd.DataFrame({"member": ["A"], "n": [Cell.bounded(2, 6)]})
    assert publish_table(small, table_id="s", count_columns=["n"]).display["n"].tolist() == ["<7"]
