"""Membership by configuration (issue 13): any country of the UNODC export joins in coalition.yaml.

Population for every country ships in ``raw/population_all.csv`` (World Bank aggregates left out);
names in English and Spanish come from pycountry, not from a hand-made table.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from corett_lib.cli.main import main
from corett_lib.core import config, paths
from corett_lib.raw.reference import country_table, read_population
from corett_lib.validation import checks


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "False")
    monkeypatch.setenv("CORETT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CORETT_DATA", raising=False)
    monkeypatch.delenv("CORETT_OUT", raising=False)
    config.coalition.cache_clear()
    yield
    config.coalition.cache_clear()


def test_population_covers_every_country_and_no_aggregate() -> None:
    pop, problems = read_population(paths.raw_path("population"), "raw/population_all.csv")
    assert problems == []
    codes = set(pop["iso3"])
    assert {"COL", "ECU", "GTM"} <= codes and not {"WLD", "LCN", "EUU"} & codes
    ecu = pop.query("iso3 == 'ECU' and year == 2019")["population"].tolist()
    assert ecu == [17_340_021.0]  # World Bank WDI SP.POP.TOTL
    assert (pop["year"].min(), pop["year"].max()) == (2000, 2024)


def test_names_come_from_pycountry_in_both_languages() -> None:
    table = country_table(["ECU", "DOM", "MEX", "BOL", "CORETT", ""])
    assert table[["iso3", "iso2", "numeric", "name_en", "name_es"]].values.tolist() == [
        ["BOL", "BO", "068", "Bolivia", "Bolivia"],
        ["DOM", "DO", "214", "Dominican Republic", "República Dominicana"],
        ["ECU", "EC", "218", "Ecuador", "Ecuador"],
        ["MEX", "MX", "484", "Mexico", "México"],
    ]


def test_a_member_code_that_is_no_country_is_named() -> None:
    [problem] = checks.members_named(country_table(["GTM"]), ["GTM", "ZZZ"])
    assert (problem.severity, problem.check, problem.file) == (
        "error",
        "member_named",
        "parameters/coalition.yaml",
    )
    assert "ZZZ" in problem.message


def _parameters_with(tmp_path: Path, extra: str) -> Path:
    folder = tmp_path / "parameters"
    shutil.copytree(paths.PROJECT_ROOT / "parameters", folder)
    coalition = folder / "coalition.yaml"
    text = coalition.read_text(encoding="utf-8")
    before = "members: [BLZ, CRI, SLV, GTM, HND, MEX, NIC, PAN, DOM]"
    assert before in text
    coalition.write_text(text.replace(before, before[:-1] + f", {extra}]"), encoding="utf-8")
    return folder


@pytest.mark.slow
def test_a_country_added_in_coalition_yaml_alone_builds_its_annual_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    shutil.copytree(paths.PROJECT_ROOT / "data", data)
    monkeypatch.setenv("CORETT_PARAMETERS", str(_parameters_with(tmp_path, "ECU")))
    assert "ECU" in config.members()
    out = tmp_path / "out"
    args = ["build", "--data", str(data), "--out", str(out), "--country", "ECU"]
    args += ["--year", "2019", "--report", "annual", "--jobs", "1"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    en = (out / "2019" / "ECU" / "annual.en.html").read_text(encoding="utf-8")
    es = (out / "2019" / "ECU" / "annual.es.html").read_text(encoding="utf-8")
    # UNODC: 147 detected victims in 2019 (export row 13857); rate 147 / 17,340,021 x 100,000.
    for page in (en, es):
        assert "Ecuador" in page and "147" in page and "0.85" in page
    assert "Annual report" in en and "Informe anual" in es


@pytest.mark.slow
def test_a_member_without_a_population_figure_builds_with_its_rates_withheld(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cook Islands: in the UNODC export (2017-2022), not in the World Bank population file."""
    data = tmp_path / "data"
    shutil.copytree(paths.PROJECT_ROOT / "data", data)
    monkeypatch.setenv("CORETT_PARAMETERS", str(_parameters_with(tmp_path, "COK")))
    assert "COK" in config.members()
    out = tmp_path / "out"
    args = ["build", "--data", str(data), "--out", str(out), "--country", "COK"]
    args += ["--year", "2019", "--report", "annual", "--lang", "en", "--jobs", "1"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    page = (out / "2019" / "COK" / "annual.en.html").read_text(encoding="utf-8")
    assert "Cook Islands" in page and "Annual report" in page
    # UNODC publishes Cook Islands' 2019 detected victims as <5: the count is shown as such.
    assert "&lt;5" in page
    assert (
        "Detected victims per 100,000 population: withheld: no population figure for Cook "
        "Islands in World Bank WDI"
    ) in page
