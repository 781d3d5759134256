"""Annual report sections that do not need the whole dataset: plan progress by axis."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from corett_lib.core import paths
from corett_lib.reporting import annual
from corett_lib.reporting.context import Context


@pytest.fixture(scope="module")
def plan_data() -> SimpleNamespace:
    from corett_lib.dataset.monitoring import load_monitoring
    from corett_lib.raw.plans import read_plan_items

    items, _ = read_plan_items(paths.raw_path("plan_items", None), "raw/plan_items.csv")
    monitoring, _ = load_monitoring(plan_items=items)
    return SimpleNamespace(plan_items=items, monitoring=monitoring)


def _ctx(ds: SimpleNamespace, country: str, year: int, lang: str = "en") -> Context:
    from corett_lib.publishing.publish import Ledger

    return Context(country=country, year=year, lang=lang, ds=ds, k=5, ledger=Ledger(k=5))


def test_plan_table_compares_targets_with_actuals_and_never_judges_ambiguous(plan_data) -> None:
    t = annual.plan_table(_ctx(plan_data, "GTM", 2019)).set_index("id")
    row = t.loc["PREV.A1.O1.IND1"]  # "2 campaigns": target 2, GTM reported 2 (illustrative)
    assert (row["axis"], row["target"], row["actual"]) == ("PREV.A1", 2.0, 2.0)
    assert (row["achievement_ratio"], row["status"], bool(row["illustrative"])) == (
        1.0,
        "achieved",
        True,
    )
    referrals = t.loc["PREV.A4.O1.IND1"]  # direction ambiguous, no target: context, counts cases
    assert (referrals["status"], bool(referrals["cases"])) == ("context", True)
    assert t.loc["RM.A4.O6.IND3", "axis"] == "RM.A4"
    assert len(t) == 33 and t["illustrative"].sum() == 29


def test_regional_actuals_add_up_the_members(plan_data) -> None:
    t = annual.plan_table(_ctx(plan_data, "CORETT", 2019)).set_index("id")
    assert t.loc["PREV.A1.O1.IND1", "actual"] == 15.0
    assert t.loc["PREV.A1.O1.IND1", "achievement_ratio"] == 7.5


def test_plan_section_has_the_illustrative_banner_and_case_counts_go_through_publish(
    plan_data,
) -> None:
    ctx = _ctx(plan_data, "GTM", 2019, "es")
    html = annual.plan_progress(ctx).html
    assert 'class="corett-banner corett-illustrative"' in html
    assert "DATOS ILUSTRATIVOS" in html and "Eje de sensibilización" in html
    assert 'data-corett-table="plan_cases_prev_a1"' in html
    assert 'data-corett-table="plan_outputs_prev_a1"' in html and "data-corett-exempt" not in html
    # GTM's illustrative count of referred cases in 2019 is 2: suppressed
    assert [e.table_id for e in ctx.ledger.entries if e.primary] == ["plan_cases_prev_a1"]
    note = annual.plan_quality_note(ctx)
    assert note is not None and "29 de 29 indicadores son ILUSTRATIVOS" in note.html


def test_before_the_plan_there_is_no_progress_table(plan_data) -> None:
    html = annual.plan_progress(_ctx(plan_data, "GTM", 2018)).html
    assert "No monitoring data on the plan&#x27;s indicators for 2018." in html
    assert "<table" not in html


# --------------------------------------------------------------------------- validation warnings


@pytest.fixture(scope="module")
def shipped() -> SimpleNamespace:
    from corett_lib.validation.load import load

    return load()


def test_a_member_report_lists_the_warnings_of_its_country_and_year_only(shipped) -> None:
    from corett_lib.core.problems import scope

    listed, other_years = annual.report_warnings(_ctx(shipped, "GTM", 2019))
    assert {scope(p) for p in listed} == {("GTM", 2019)}
    # shipped data: GTM 2019 convicted, sexes and two forms above their totals (flagged by the
    # generic rule, no declaration); 19 warnings about GTM in 2008-2022 are other years
    assert sorted(p.check for p in listed) == [
        "forms_within_total", "forms_within_total", "sex_parts_within_total"
    ]  # fmt: skip
    assert other_years == 19


def test_the_regional_report_lists_the_members_warnings_of_its_year_and_the_file_wide_ones(
    shipped,
) -> None:
    from corett_lib.core.problems import scope

    listed, other_years = annual.report_warnings(_ctx(shipped, "CORETT", 2019))
    scopes = {scope(p) for p in listed}
    assert {year for _, year in scopes} == {2019, None} and other_years == 0
    assert {iso3 for iso3, _ in scopes} - {None} <= {
        "BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "DOM"
    }  # fmt: skip
    assert (None, None) in scopes  # e.g. conflicting repeated keys across the whole file


def test_warnings_are_named_in_the_report_language_and_quoted_as_written(shipped) -> None:
    html = "".join(b.html for b in annual.warning_notes(_ctx(shipped, "GTM", 2019, "es")))
    assert "3 advertencias de validación se refieren a este país y año" in html
    assert "Sexos por encima de su total (raw/unodc_data_glotip.xlsx, fila(s) " in html
    assert "Formas de explotación por encima de su total" in html and "en inglés" in html
    assert "19 más se refieren a este país en otros años" in html
    assert "GTM 2018" not in html  # another year's warning is counted, not listed
    english = "".join(b.html for b in annual.warning_notes(_ctx(shipped, "GTM", 2019, "en")))
    assert "Sexes above their total (raw/unodc_data_glotip.xlsx, row(s) " in english
