"""SDG alignment (issue 7): the reviewed mapping, progress status, instruments and the report sections."""

from __future__ import annotations

import doctest
import math
from pathlib import Path

import pandas as pd
import pytest

from corett_lib.analysis import sdg
from corett_lib.analysis import status as progress
from corett_lib.core import paths
from corett_lib.dataset import sdg_mapping
from corett_lib.raw.plans import read_plan_items
from corett_lib.raw.ratifications import read_instruments, read_ratifications
from corett_lib.raw.reference import read_sdg
from corett_lib.validation import sdg_mapping as sdg_checks

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sdg"
SHIPPED = paths.PROJECT_ROOT / "data" / sdg_mapping.MAPPING_FILE


@pytest.fixture(scope="module")
def ref() -> dict[str, pd.DataFrame]:
    """The shipped reference tables the mapping is checked against (read directly, no validation)."""
    out = {}
    for name, reader in (
        ("sdg_targets", read_sdg),
        ("plan_items", read_plan_items),
        ("instruments", read_instruments),
        ("ratifications", read_ratifications),
    ):
        df, _ = reader(paths.raw_path(name), paths.RAW_FILES[name])
        out[name] = df
    return out


@pytest.fixture(scope="module")
def shipped() -> sdg_mapping.Mapping:
    mapping, problems = sdg_mapping.read_mapping(SHIPPED, "sdg_mapping.yaml")
    assert problems == []
    assert mapping is not None
    return mapping


def _check(
    mapping: sdg_mapping.Mapping,
    ref: dict[str, pd.DataFrame],
    plan_items: pd.DataFrame | None = None,
):
    return sdg_checks.check_mapping(
        mapping,
        sdg=ref["sdg_targets"],
        plan_items=ref["plan_items"] if plan_items is None else plan_items,
        instruments=ref["instruments"],
    )


# --------------------------------------------------------------------------- the shipped mapping


def test_shipped_mapping_passes_every_check(shipped: sdg_mapping.Mapping, ref: dict) -> None:
    assert _check(shipped, ref) == []
    assert shipped.targets == ("5.2", "5.3", "8.7", "10.7", "16.2", "16.3", "17.17")
    assert len(shipped.links) == 90
    assert shipped.links["reviewed_on"].eq("2026-11-23").all()
    assert (
        shipped.links["reviewed_by"]
        .str.contains("to be reviewed by CORETT's technical secretariat")
        .all()
    )


def test_every_mapped_code_exists_in_the_reference_file(
    shipped: sdg_mapping.Mapping, ref: dict
) -> None:
    codes = set(ref["sdg_targets"]["code"])
    targets = set(ref["sdg_targets"].loc[ref["sdg_targets"]["level"] == "target", "code"])
    assert set(shipped.links["sdg_code"]) - codes == set()
    assert set(shipped.targets) - targets == set()
    assert set(shipped.global_indicators["code"]) - codes == set()
    assert {"5.2", "5.3", "8.7", "10.7", "16.2", "16.3", "17.17"} <= set(shipped.links["target"])


def test_every_plan_indicator_is_mapped_or_marked_not_sdg_related(
    shipped: sdg_mapping.Mapping, ref: dict
) -> None:
    items = ref["plan_items"]
    indicators = set(items.loc[items["level"] == "indicator", "id"])
    linked = (
        set(shipped.links.loc[shipped.links["from_kind"] == "plan_item", "from_id"]) & indicators
    )
    marked = set(shipped.not_related["plan_item"])
    assert len(indicators) == 33
    assert linked | marked == indicators
    assert linked & marked == set()
    assert sorted(marked) == ["PREV.A2.O2.IND2", "RM.A4.O6.IND3", "RM.A4.O6.IND4", "RM.A4.O7.IND3"]


def test_only_16_2_2_is_computed_and_the_other_targets_say_why(
    shipped: sdg_mapping.Mapping,
) -> None:
    gi = shipped.global_indicators.set_index("code")
    assert gi.loc["16.2.2", "workbench_indicator"] == "victims_rate"
    assert (gi.drop(index="16.2.2")["workbench_indicator"] == "").all()
    un = sdg.uncomputable_targets(shipped)
    assert sdg_mapping.sort_codes(un["target"]) == ["5.2", "5.3", "8.7", "10.7", "16.3", "17.17"]
    assert un.set_index("code").loc["8.7.1", "reason_en"].startswith("Child labour")


# --------------------------------------------------------------------------- bad mappings


def _problems(name: str, ref: dict) -> list:
    mapping, problems = sdg_mapping.read_mapping(FIXTURES / name, name)
    assert mapping is not None
    plans = ref["plan_items"][ref["plan_items"]["id"].isin(["PREV.A1.O1.IND1", "PREV.A1.O1.IND2"])]
    return [p for p in problems + _check(mapping, ref, plans) if p.severity == "error"]


def test_the_good_fixture_has_no_error(ref: dict) -> None:
    assert _problems("good.yaml", ref) == []


@pytest.mark.parametrize(
    ("name", "check", "rows", "column", "sample"),
    [
        ("unknown_code.yaml", "sdg_code_in_reference", (7,), "sdg_code", ("16.2.9",)),
        (
            "plan_indicator_unaccounted.yaml",
            "plan_indicator_accounted",
            (),
            "from_id",
            ("PREV.A1.O1.IND2",),
        ),
        (
            "normative_from_plan.yaml",
            "relation_fits_kind",
            (19,),
            "relation",
            ("plan_item", "normative"),
        ),
        ("missing_rationale.yaml", "value_present", (13,), "rationale_es", ()),
        ("target_not_covered.yaml", "target_covered", (13,), "sdg_code", ("5.2",)),
    ],
)
def test_one_defect_one_problem_naming_file_row_and_column(
    ref: dict, name: str, check: str, rows: tuple, column: str, sample: tuple
) -> None:
    found = _problems(name, ref)
    assert [(p.check, p.file, p.rows, p.column, p.sample) for p in found] == [
        (check, name, rows, column, sample)
    ]


def test_a_file_that_is_not_yaml_is_one_problem(tmp_path: Path) -> None:
    bad = tmp_path / "sdg_mapping.yaml"
    bad.write_text("links: [unclosed\n", encoding="utf-8")
    mapping, problems = sdg_mapping.read_mapping(bad)
    assert mapping is None
    assert [(p.check, p.file) for p in problems] == [("yaml_valid", "sdg_mapping.yaml")]


# --------------------------------------------------------------------------- progress status


@pytest.mark.parametrize(
    ("first", "last", "years", "direction", "status", "growth"),
    [
        (100, 110, 4, "increase", "on_track", 2.411),  # CAGR 2.41 % >= 1.5 %
        (100, 103, 4, "increase", "acceleration_needed", 0.742),  # 0.5 % <= 0.74 % < 1.5 %
        (100, 101, 4, "increase", "limited_progress", 0.249),  # 0 <= 0.25 % < 0.5 %
        (100, 90, 4, "increase", "deterioration", -2.6),
        (100, 90, 4, "decrease", "on_track", -2.6),
        (100, 150, 4, "ambiguous", "context", 10.668),
        (0, 150, 4, "increase", "insufficient_data", math.nan),
    ],
)
def test_progress_without_target_compares_growth_with_fixed_thresholds(
    first: float, last: float, years: int, direction: str, status: str, growth: float
) -> None:
    g, ratio, s = progress.progress_status(first, last, years, direction)
    assert s == status
    assert math.isnan(ratio)
    assert (math.isnan(g) and math.isnan(growth)) or round(g * 100, 3) == growth


@pytest.mark.parametrize(
    ("last", "target", "status", "ratio"),
    [
        (200, 200, "target_achieved", None),
        (150, 200, "on_track", 1.177),  # observed 8.45 %/yr vs 7.18 % needed
        (130, 200, "acceleration_needed", 0.751),
        (110, 200, "limited_progress", 0.268),
        (90, 200, "deterioration", -0.291),
    ],
)
def test_progress_with_target_compares_growth_with_the_growth_needed(
    last: float, target: float, status: str, ratio: float | None
) -> None:
    _, r, s = progress.progress_status(100, last, 5, "increase", target=target, years_to_target=10)
    assert s == status
    assert (ratio is None and math.isnan(r)) or round(r, 3) == ratio


def test_docstring_examples_run() -> None:
    results = [doctest.testmod(sdg), doctest.testmod(sdg_mapping), doctest.testmod(progress)]
    assert sum(r.attempted for r in results) == 30 and sum(r.failed for r in results) == 0


def test_an_unknown_direction_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown direction 'up'"):
        progress.progress_status(1, 2, 1, "up")


# --------------------------------------------------------------------------- instruments


def test_belize_blank_trafficking_protocol_cell_is_a_gap(
    shipped: sdg_mapping.Mapping, ref: dict
) -> None:
    ins = sdg.instrument_status(shipped, ref["ratifications"], ref["instruments"], "BLZ", 2019)
    row = ins.set_index("instrument_id").loc["trafficking_protocol_2000"]
    assert (row["status"], row["date_iso"], row["targets"]) == ("gap", "", "5.2, 8.7, 16.2")
    gtm = sdg.instrument_status(shipped, ref["ratifications"], ref["instruments"], "GTM", 2003)
    row = gtm.set_index("instrument_id").loc["trafficking_protocol_2000"]
    assert (row["status"], row["date_iso"]) == ("ratified_later", "2004-04-01")


def test_regional_instrument_status_has_every_member(
    shipped: sdg_mapping.Mapping, ref: dict
) -> None:
    members = ("BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "DOM")
    ins = sdg.instrument_status(
        shipped, ref["ratifications"], ref["instruments"], "CORETT", 2019, members=members
    )
    tp = ins[ins["instrument_id"] == "trafficking_protocol_2000"]
    assert len(tp) == 9
    assert tp.loc[tp["status"] == "gap", "iso3"].tolist() == ["BLZ"]


# --------------------------------------------------------------------------- with the loaded data


@pytest.fixture(scope="module")
def ds():
    from corett_lib.validation.load import load

    return load()


def _ctx(ds, country: str, lang: str, year: int = 2019):
    from corett_lib.publishing.publish import Ledger
    from corett_lib.reporting.context import Context

    return Context(country=country, year=year, lang=lang, ds=ds, k=5, ledger=Ledger(k=5))


def test_guatemala_2019_16_2_2_is_2_54(ds) -> None:
    from corett_lib.reporting.context import evaluation

    s = sdg.series_16_2_2(evaluation(ds), "GTM", until=2019).set_index("year")
    assert round(float(s.at[2019, "rate"]), 2) == 2.54
    assert (s.at[2019, "victims"], s.at[2019, "population"]) == (434.0, 17103803.0)
    b = sdg.breakdown_16_2_2(evaluation(ds), "GTM", 2019)
    age = b[b["disaggregation"] == "age"].set_index("category")
    assert age.at["0 to 17 years", "victims"] == 377.0
    assert round(float(age.at["0 to 17 years", "rate"]), 2) == 2.20


def test_guatemala_2019_progress(ds) -> None:
    from corett_lib.reporting.context import evaluation

    p = sdg.progress_table(evaluation(ds), "GTM", 2019).set_index("indicator_id")
    assert p.at["victims_rate", "status"] == "context"
    row = p.loc["prosecuted"]
    assert (row["base_year"], row["base_value"], row["latest_value"], row["status"]) == (
        2015,
        71.0,
        83.0,
        "on_track",
    )
    assert round(row["cagr"] * 100, 2) == 3.98


def test_belize_report_shows_the_trafficking_protocol_gap(ds) -> None:
    from corett_lib.reporting import sdg as report

    html = report.instruments(_ctx(ds, "BLZ", "en")).html
    assert (
        "Protocol to Prevent, Suppress and Punish Trafficking in Persons (Palermo Protocol)</td><td>5.2, 8.7, 16.2</td><td></td><td>Gap: no date in Chart 1</td>"
        in html
    )
    es = report.instruments(_ctx(ds, "BLZ", "es")).html
    assert "Vacío: sin fecha en el Cuadro 1" in es


def test_regional_report_renders_in_spanish(ds) -> None:
    from corett_lib.reporting import sdg as report

    ctx = _ctx(ds, "CORETT", "es")
    html = "".join(
        f(ctx).html
        for f in (
            report.title,
            report.series,
            report.breakdown,
            report.progress,
            report.targets,
            report.instruments,
            report.summary,
            report.about_mapping,
            report.suppression_ledger,
        )
    )
    assert "Alineación con los Objetivos de Desarrollo Sostenible" in html
    assert (
        "Poner fin al maltrato, la explotación, la trata" in html
    )  # target 16.2 from the reference file
    assert "8 de 9" in html  # members with a date for the Palermo Protocol by 2019
    summary = report.summary_table(ctx).set_index("target")
    assert summary.at["16.2", "global_computed"] == "16.2.2"
    assert summary.at["5.3", "indicators_linked"] == 0


def _linked_rows(html: str, target: str, lang: str) -> dict[str, str]:
    """The persons of each row of a target's linked-indicators table (label -> text)."""
    import html as html_lib
    import re

    caption = ("Meta" if lang == "es" else "Target") + f" {target} — "
    for table in re.findall(r"<table.*?</table>", html, re.S):
        cap = html_lib.unescape(
            re.sub("<[^>]+>", "", re.findall(r"<caption.*?</caption>", table, re.S)[0])
        )
        if not cap.strip().startswith(caption) or ("vinculad" not in cap and "linked" not in cap):
            continue
        rows = [
            [
                html_lib.unescape(re.sub("<[^>]+>", "", c)).strip()
                for c in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row, re.S)
            ]
            for row in re.findall(r"<tr.*?</tr>", table, re.S)
        ]
        persons = 3  # indicator, code, relation, persons
        return {r[0]: r[persons] for r in rows[1:]}
    raise AssertionError(f"no linked-indicators table for {target}")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_regional_numerators_that_are_ranges_read_as_ranges(ds, lang: str) -> None:
    """CORETT 2019: convicted is the sum of the members' figures, some of them UNODC ``<5``: 90–96;
    prosecuted 277–280; victims aged 0-17 463–466; women and girls 320–323. The persons of
    convictions per prosecution (numerator: convicted), of the two changes (this year's figure) and
    of the two shares (their numerators) used to read ``<5`` ("1 to 4"), which is false; they read
    as their facts do on every page. Only a censored count below 5 reads ``<5`` (BLZ 2019 convicted,
    UNODC ``<5``)."""
    from corett_lib.reporting import sdg as report

    dash = "–"
    html = report.targets(_ctx(ds, "CORETT", lang)).html
    r163 = _linked_rows(html, "16.3", lang)
    es = lang == "es"
    conv = (
        "Personas condenadas por trata de personas"
        if es
        else "Persons convicted of trafficking in persons"
    )
    pros = (
        "Personas procesadas por trata de personas"
        if es
        else "Persons prosecuted for trafficking in persons"
    )
    ratio = "Condenas por persona procesada" if es else "Convictions per prosecution"
    conv_change = (
        "Personas condenadas, variación respecto al año anterior"
        if es
        else "Persons convicted, change on the previous year"
    )
    assert r163[conv] == f"90{dash}96" and r163[pros] == f"277{dash}280"
    assert r163[ratio] == f"90{dash}96" and r163[conv_change] == f"90{dash}96"
    shares = list(_linked_rows(html, "16.2", lang).values()) + list(
        _linked_rows(html, "5.2", lang).values()
    )
    assert f"463{dash}466" in shares and f"320{dash}323" in shares
    assert "<5" not in shares and "<5" not in r163.values()

    blz = _linked_rows(report.targets(_ctx(ds, "BLZ", lang)).html, "16.3", lang)
    assert blz[conv] == "<5"
