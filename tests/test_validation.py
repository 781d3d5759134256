"""Validation: GX suites mapped to file rows, cross-table checks, the result page, no network.

Small hand-made tables with real figures from the UNODC export (rows as in the export) keep these
tests fast; the fixtures of whole data folders are exercised in ``test_bad_fixtures.py``.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pandas as pd
import pytest
from observations import GLOTIP, obs

from corett_lib.cli import validate as cli_validate
from corett_lib.core.problems import Problem
from corett_lib.validation import checks, gx, runner, suites, text
from corett_lib.validation.html import render_page

os.environ["GX_ANALYTICS_ENABLED"] = "False"

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test with its own cache folder: no result remembered on disk by another run."""
    monkeypatch.setenv("CORETT_CACHE", str(tmp_path / "cache"))


SLV_2019_SEXUAL = [  # El Salvador 2019, victims of sexual exploitation, export rows 39050-39056
    (
        "SLV",
        2019,
        "by form of exploitation",
        "Sexual exploitation",
        "Female",
        "18 years or over",
        "<5",
        39050,
    ),
    (
        "SLV",
        2019,
        "by form of exploitation",
        "Sexual exploitation",
        "Male",
        "18 years or over",
        "<5",
        39052,
    ),
    (
        "SLV",
        2019,
        "by form of exploitation",
        "Sexual exploitation",
        "Other",
        "18 years or over",
        "14",
        39054,
    ),
    (
        "SLV",
        2019,
        "by form of exploitation",
        "Sexual exploitation",
        "Total",
        "18 years or over",
        "6",
        39056,
    ),
]


def test_sex_parts_above_total_names_rows_values_and_check() -> None:
    problems = checks.disaggregation_checks(obs(*SLV_2019_SEXUAL))
    assert len(problems) == 1
    p = problems[0]
    # A rule, not a declaration: a warning naming the country-year, the parts flagged on their rows.
    assert (p.severity, p.check, p.file, p.column, p.iso3, p.year) == (
        "warning",
        "sex_parts_within_total",
        GLOTIP,
        "txtVALUE",
        "SLV",
        2019,
    )
    assert p.message.endswith(checks.RULE_NOTE)
    assert p.rows == (39050, 39052, 39054, 39056)
    assert "SLV 2019" in p.message and "at least 14" in p.message and "total of 6" in p.message


def test_censored_parts_never_raise_a_false_alarm() -> None:
    # Belize 2017, victims 18+: Female 7 = Total 7, Male and Other "<5" (rows 5745-5751).
    rows = [
        ("BLZ", 2017, "Total", "Total", "Female", "18 years or over", "7", 5745),
        ("BLZ", 2017, "Total", "Total", "Male", "18 years or over", "<5", 5747),
        ("BLZ", 2017, "Total", "Total", "Other", "18 years or over", "<5", 5749),
        ("BLZ", 2017, "Total", "Total", "Total", "18 years or over", "7", 5751),
    ]
    assert checks.disaggregation_checks(obs(*rows)) == []
    # A censored total gives its upper bound, 4: parts of 4 are fine, 5 are not.
    ok = [
        ("CRI", 2015, "Total", "Total", "Female", "Total", "4", 10),
        ("CRI", 2015, "Total", "Total", "Total", "Total", "<5", 11),
    ]
    assert checks.disaggregation_checks(obs(*ok)) == []
    bad = [(*ok[0][:6], "5", 10), ok[1]]
    assert [p.check for p in checks.disaggregation_checks(obs(*bad))] == ["sex_parts_within_total"]


def test_a_part_above_the_grand_total_is_found_once() -> None:
    # Dominican Republic 2019: "Other forms of exploitation", sex and age Unknown = 2,019; total 195.
    rows = [
        ("DOM", 2019, "Total", "Total", "Total", "Total", "195", 13270),
        (
            "DOM",
            2019,
            "by form of exploitation",
            "Other forms of exploitation",
            "Unknown",
            "Unknown",
            "2,019",
            54756,
        ),
    ]
    problems = checks.disaggregation_checks(obs(*rows))
    assert [(p.check, p.rows) for p in problems] == [("part_within_grand_total", (13270, 54756))]
    assert "= 2,019 is above the grand total" in problems[0].message
    assert "of 195" in problems[0].message


def test_forms_are_compared_one_by_one_not_summed() -> None:
    # Forms may overlap: 70 + 35 > 100 is fine, a single form of 101 is not.
    rows = [
        ("GTM", 2019, "Total", "Total", "Total", "Total", "100", 4),
        ("GTM", 2019, "by form of exploitation", "Sexual exploitation", "Total", "Total", "70", 5),
        ("GTM", 2019, "by form of exploitation", "Forced labour", "Total", "Total", "35", 6),
    ]
    assert checks.disaggregation_checks(obs(*rows)) == []
    rows[2] = (*rows[2][:6], "101", 6)
    problems = checks.disaggregation_checks(obs(*rows))
    assert [(p.check, p.rows) for p in problems] == [("forms_within_total", (4, 6))]


def test_parts_above_total_need_no_declaration() -> None:
    rows = [(*r, "unodc-slv-2019-sexual-other-18plus") for r in SLV_2019_SEXUAL[2:3]]
    declared = obs(*SLV_2019_SEXUAL[:2], *rows, SLV_2019_SEXUAL[3])
    undeclared = obs(*SLV_2019_SEXUAL)
    for table in (declared, undeclared):
        problems = checks.disaggregation_checks(table)
        assert [(p.severity, p.check) for p in problems] == [("warning", "sex_parts_within_total")]
        # The parts (not the total, row 39056) are flagged on their rows.
        flagged = table.loc[checks.inconsistent_parts(table), "source_row"].tolist()
        assert flagged == [39050, 39052, 39054]


def test_scope_limits_the_disaggregation_checks() -> None:
    assert checks.disaggregation_checks(obs(*SLV_2019_SEXUAL), scope=["GTM"]) == []


def test_population_must_cover_every_member_year_with_figures() -> None:
    o = obs(
        ("HND", 2018, "Total", "Total", "Total", "Total", "85", 7),
        (
            "HND",
            1999,
            "Total",
            "Total",
            "Total",
            "Total",
            "12",
            8,
        ),  # before the population's coverage
        ("USA", 2018, "Total", "Total", "Total", "Total", "1,234", 9),  # not a member
    )
    pop = pd.DataFrame({"iso3": ["HND"], "year": [2019], "population": [10_000_000]})
    problems = checks.population_coverage(o, pop, ["HND", "GTM"])
    assert len(problems) == 1
    p = problems[0]
    assert (p.check, p.file, p.column, p.sample) == (
        "population_covers_members",
        "raw/population_all.csv",
        "population",
        ("HND 2018",),
    )
    # Scoped to the member, not structural: its rates are withheld, every report builds.
    assert (p.severity, p.iso3) == ("warning", "HND")
    assert "no population figure for member HND in 2018" in p.message
    pop = pd.DataFrame({"iso3": ["HND"], "year": [2018], "population": [10_000_000]})
    assert checks.population_coverage(o, pop, ["HND", "GTM"]) == []


def test_ratification_before_adoption() -> None:
    instruments = pd.DataFrame(
        {"instrument_id": ["rome_statute_1998"], "adopted_on": pd.to_datetime(["1998-07-17"])}
    )
    ratifications = pd.DataFrame(
        {
            "instrument_id": ["rome_statute_1998", "rome_statute_1998"],
            "iso3": ["DOM", "PAN"],
            "original_text": ["12/03/ 1995", "21/03/ 2002"],
            "ratified_on": pd.to_datetime(["1995-03-12", "2002-03-21"]),
            "source_file": "raw/chart1_ratifications.csv",
            "source_row": [156, 157],
        }
    )
    problems = checks.ratification_dates(ratifications, instruments)
    assert [(p.check, p.file, p.rows, p.column) for p in problems] == [
        ("ratification_after_adoption", "raw/chart1_ratifications.csv", (156,), "date_iso")
    ]
    assert "1995-03-12" in problems[0].message and "1998-07-17" in problems[0].message


def test_gx_suite_maps_unexpected_values_to_file_rows_and_headers() -> None:
    df = obs(
        ("GTM", 2019, "Total", "Total", "Total", "Total", "120", 4),
        ("XXX", 2019, "Total", "Total", "Total", "Total", "12", 5),
        ("GTM", 2219, "Total", "Total", "Female", "Total", "80", 6),
    )
    df.loc[2, "category"] = "<b>Total</b>"
    problems = runner.run_suite(suites.observations_suite(df), df)
    got = {(p.check, p.rows, p.column) for p in problems}
    assert ("iso3_known", (5,), "Iso3_code") in got
    assert ("year_in_range", (6,), "Year") in got
    assert ("text_no_markup", (6,), "Category") in got
    assert all(p.file == GLOTIP and p.severity == "error" for p in problems)
    assert len(problems) == 3


def test_gx_suite_reports_a_missing_column_once() -> None:
    df = obs(("GTM", 2019, "Total", "Total", "Total", "Total", "120", 4)).drop(columns=["sex"])
    problems = runner.run_suite(suites.observations_suite(df), df)
    assert [(p.check, p.column) for p in problems] == [("column_present", "Sex")]


def test_gx_declared_rows_are_warnings_and_others_errors() -> None:
    df = obs(
        ("GTM", 2019, "Total", "Total", "Total", "Total", "-3", 4, "fix-1"),
        ("GTM", 2018, "Total", "Total", "Total", "Total", "-4", 5),
    )
    problems = runner.run_suite(suites.observations_suite(df), df)
    assert sorted((p.severity, p.check, p.rows) for p in problems) == [
        ("error", "counts_non_negative", (5,)),
        ("warning", "counts_non_negative", (4,)),
    ]


def test_validation_makes_no_network_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network call attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(gx, "_GX", {})  # a fresh context, created under the patch
    monkeypatch.setattr(runner, "_RESULTS", {})  # and a real GX run, not a remembered result
    monkeypatch.setattr(runner, "DISK_CACHE", False)
    df = obs(*SLV_2019_SEXUAL)
    problems = runner.run_suite(suites.observations_suite(df), df)
    assert problems == []


def test_gx_context_is_ephemeral_without_progress_bars() -> None:
    context = gx.gx_context()
    assert type(context).__name__ == "EphemeralDataContext"
    assert context.progress_bars["globally"] is False
    assert os.environ["GX_ANALYTICS_ENABLED"] == "False"


def test_html_page_escapes_every_text_and_is_offline() -> None:
    p = Problem(
        "error",
        "text_no_markup",
        GLOTIP,
        "1 row: text contains HTML/XML markup",
        rows=(20,),
        column="Category",
        why="markup <is> never data",
        sample=("<script>alert('x')</script>Honduras",),
    )
    page = render_page([p], {"status": "failed", "errors": 1, "warnings": 0, "data_dir": "/d"})
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;Honduras" in page
    assert "markup &lt;is&gt; never data" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page
    for cell in ("text_no_markup", GLOTIP, ">20<", ">Category<"):
        assert cell in page


def test_text_output_escapes_markup_and_control_characters() -> None:
    p = Problem(
        "error", "text_no_markup", GLOTIP, "markup", rows=(20,), sample=("<script>\x1b[2J",)
    )
    text = cli_validate.format_text(
        [p], {"errors": 1, "warnings": 0, "data_dir": "/d", "seconds": 0.1, "page": "/o/index.html"}
    )
    assert "<script>" not in text and "\x1b" not in text
    assert "&lt;script&gt;" in text
    assert text.splitlines()[-1].startswith("validation FAILED: 1 error, 0 warnings")


def test_json_output_is_safe_to_embed() -> None:
    assert (
        cli_validate.to_json({"x": "</script><b>&"})
        == '{\n  "x": "\\u003c/script\\u003e\\u003cb\\u003e\\u0026"\n}'
    )


def test_write_atomic_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "validation" / "index.html"
    cli_validate.write_atomic(target, "one")
    cli_validate.write_atomic(target, "two")
    assert target.read_text(encoding="utf-8") == "two"
    assert [f.name for f in target.parent.iterdir()] == ["index.html"]


def test_shipped_data_validates_with_declared_warnings_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real inputs fail checks, every failure is declared: exit 0, warnings listed (slow-ish)."""
    import json

    from click.testing import CliRunner

    from corett_lib.cli.main import main

    monkeypatch.setenv("CORETT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CORETT_DATA", raising=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["validate", "--out", str(out), "--format", "json"])
    payload = json.loads((out / "validation" / "validation.json").read_text(encoding="utf-8"))
    errors = [p for p in payload["problems"] if p["severity"] == "error"]
    assert errors == [] and result.exit_code == 0
    warnings = {(p["check"], tuple(p["rows"])) for p in payload["problems"]}
    # El Salvador 2019, sexual exploitation 18+: Other 14 above the total of 6 (declared, flagged).
    assert ("sex_parts_within_total", (39050, 39052, 39054, 39056)) in warnings
    # Dominican Republic 2021: "Other forms", sex and age Unknown = 2,021 (declared, left out).
    assert ("declared_correction", (54778,)) in warnings
    # Chart 1: DOM ratified the Rome Statute in 1995, before its adoption in 1998 (declared).
    assert ("ratification_after_adoption", (156,)) in warnings
    assert payload["status"] == "passed"


def test_corrections_are_routed_to_the_table_of_their_file() -> None:
    from corett_lib.dataset.loading import route_corrections
    from corett_lib.raw.corrections import Correction

    def c(ident: str, where: dict) -> Correction:
        return Correction(id=ident, where=where, action="flag", reason="r", publisher_informed="no")

    routed = route_corrections(
        [
            c("a", {"iso3": "DOM", "year": 2019}),
            c(
                "b",
                {
                    "source_file": "raw/chart1_ratifications.csv",
                    "iso3": "DOM",
                    "instrument_id": "rome_statute_1998",
                },
            ),
            c("c", {"source_file": GLOTIP, "iso3": "GTM"}),
        ]
    )
    assert {k: [x.id for x in v] for k, v in routed.items()} == {
        "observations": ["a", "c"],
        "ratifications": ["b"],
    }


# --------------------------------------------------------------------------------------------------
# Text safety with pandas, the result cache, and the inputs added later (framework, SDG mapping,
# monitoring, indicator registry)
# --------------------------------------------------------------------------------------------------


def test_text_checks_name_each_file_row_and_declared_rows_warn() -> None:
    df = obs(
        ("GTM", 2019, "Total", "=1+1", "Total", "Total", "120", 4),
        ("GTM", 2018, "Total", "=1+1", "Total", "Total", "80", 9, "fix-1"),
        ("GTM", 2017, "Total", "<i>x</i>", "Total", "Total", "70", 11),
        ("GTM", 2016, "Total", "Total", "Total", "Total", "60", 12),
    )
    got = text.text_problems("observations", df, ["category", "indicator"])
    assert [(p.severity, p.check, p.file, p.rows, p.column, p.message) for p in got] == [
        (
            "error",
            "text_not_formula",
            GLOTIP,
            (4,),
            "Category",
            "1 row: text looks like a spreadsheet formula",
        ),
        (
            "warning",
            "text_not_formula",
            GLOTIP,
            (9,),
            "Category",
            "1 row: text looks like a spreadsheet formula (declared in corrections.yaml)",
        ),
        (
            "error",
            "text_no_markup",
            GLOTIP,
            (11,),
            "Category",
            "1 row: text contains HTML/XML markup",
        ),
    ]
    assert got[0].sample == ("=1+1",) and got[0].why


def test_suite_results_are_remembered_on_disk_and_rerun_when_the_table_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    df = obs(("XXX", 2019, "Total", "Total", "Total", "Total", "12", 5))
    first = runner.run_suite(suites.observations_suite(df), df)
    assert [(p.check, p.rows) for p in first] == [("iso3_known", (5,))]

    def no_gx(*args: object) -> None:
        raise AssertionError("GX ran although the result was known")

    monkeypatch.setattr(runner, "_RESULTS", {})  # a new process: only the disk remembers
    monkeypatch.setattr(runner, "_batch", no_gx)
    assert runner.run_suite(suites.observations_suite(df), df) == first
    changed = df.assign(year=2219)
    with pytest.raises(AssertionError, match="GX ran"):
        runner.run_suite(suites.observations_suite(changed), changed)


def test_a_broken_indicator_registry_is_an_error_not_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "registry.yaml"
    broken.write_text("version: 1\nindicators: [{id: Victims Rate}]\n", encoding="utf-8")
    registry, problems = checks.registry_check(broken)
    assert registry is None
    assert [(p.severity, p.check, p.file) for p in problems] == [
        ("error", "registry_valid", broken.as_posix())
    ]
    assert "indicators" in problems[0].message and problems[0].why
    registry, problems = checks.registry_check()
    assert problems == [] and "victims_rate" in registry.ids()


def test_a_broken_registry_fails_validation_of_a_good_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from corett_lib.dataset import registry as reg
    from corett_lib.validation.load import load_validated

    broken = tmp_path / "registry.yaml"
    broken.write_text("version: 1\n", encoding="utf-8")
    monkeypatch.setattr(reg, "REGISTRY_PATH", broken)
    reg._shipped.cache_clear()
    try:
        ds = load_validated(FIXTURES / "good")
    finally:
        monkeypatch.undo()
        reg._shipped.cache_clear()
    assert [(p.check, p.file) for p in ds.errors] == [("registry_valid", broken.as_posix())]


def test_the_good_folder_puts_every_new_input_on_the_dataset(tmp_path: Path) -> None:
    import shutil

    from corett_lib.validation.load import load_validated

    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "good", data)
    (data / "monitoring").mkdir()
    shipped = (
        FIXTURES.parent.parent / "data" / "monitoring" / "illustrative_actuals.csv"
    ).read_text(encoding="utf-8")
    lines = shipped.splitlines(keepends=True)
    (data / "monitoring" / "illustrative_actuals.csv").write_text(  # GTM 2021 only
        "".join([lines[0], *(x for x in lines[1:] if ",GTM,2021," in x)]), encoding="utf-8"
    )
    ds = load_validated(data)
    assert ds.problems == []
    assert len(ds.evaluation_questions) == 20 and ds.evaluation_questions["id"].iloc[-1] == "EQ20"
    assert ds.followup_questions["id"].tolist() == [f"FQ{i}" for i in range(1, 8)]
    assert ds.monitoring_matrix["objective_id"].iloc[0] == "RM.A1.O1"
    assert len(ds.monitoring) == 58 and set(ds.monitoring["illustrative"]) == {"ILLUSTRATIVE"}
    assert ds.sdg_mapping.file == "data/sdg_mapping.yaml"  # the folder has none: the shipped one
    assert "16.2" in ds.sdg_mapping.targets


def test_framework_links_and_text_are_checked_against_the_plan() -> None:
    from corett_lib.dataset.loading import load_dataset

    ds = load_dataset(FIXTURES / "good")
    matrix = ds.monitoring_matrix.copy()
    matrix.loc[0, "objective_id"] = "RM.A2.O2"  # row MM1 (line 2) is under axis RM.A1
    matrix.loc[1, "evidence_en"] = "<img src=x onerror=alert(1)>"  # line 3
    ds.monitoring_matrix = matrix
    got = [(p.check, p.file, p.rows, p.column) for p in checks.framework_checks(ds)]
    assert got == [
        ("objective_under_axis", "raw/monitoring_matrix.csv", (2,), "objective_id"),
        ("text_no_markup", "raw/monitoring_matrix.csv", (3,), "evidence_en"),
    ]
    assert checks.framework_checks(ds, skip={"monitoring_matrix"}) == []


def test_the_sdg_mapping_is_read_again_when_the_file_changes(tmp_path: Path) -> None:
    from corett_lib.dataset.loading import read_sdg_mapping

    shipped = (FIXTURES.parent.parent / "data" / "sdg_mapping.yaml").read_text(encoding="utf-8")
    (tmp_path / "sdg_mapping.yaml").write_text(shipped, encoding="utf-8")
    first, problems = read_sdg_mapping(tmp_path)
    assert problems == [] and first.file == "sdg_mapping.yaml"
    again, _ = read_sdg_mapping(tmp_path)  # from the cache folder
    assert again.links.equals(first.links)
    (tmp_path / "sdg_mapping.yaml").write_text(
        shipped.replace("reviewed_on:", "reviewed_by_mistake:", 1), encoding="utf-8"
    )
    _, problems = read_sdg_mapping(tmp_path)
    assert [(p.check, p.column) for p in problems] == [("review_stated", "reviewed_on")]
