"""Run configurations are validated data; paths cannot escape the output folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from corett_lib.core import config, paths


def test_shipped_coalition_has_the_nine_members() -> None:
    assert config.members() == ("BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "DOM")


def test_build_matrix_expands_members_and_years() -> None:
    m = config.build_matrix()
    assert m.country_list()[:2] == ["BLZ", "CRI"]
    assert m.country_list()[-1] == "CORETT"
    assert m.year_list() == [2017, 2018, 2019, 2020, 2021, 2022]


def test_dates_stay_strings(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("d: 2019-01-31\n", encoding="utf-8")
    assert config.read_yaml(p) == {"d": "2019-01-31"}


def test_unknown_key_in_build_matrix_is_an_error_naming_it(tmp_path: Path) -> None:
    p = tmp_path / "build.yaml"
    p.write_text(
        "countries: [GTM]\nyears: [2019]\nreports: [annual]\nlanguages: [en]\ncolour: red\n"
    )
    with pytest.raises(config.ConfigError, match=r"build.yaml: colour: Extra inputs"):
        config.build_matrix(p)


def test_unknown_language_is_an_error_naming_the_value(tmp_path: Path) -> None:
    p = tmp_path / "build.yaml"
    p.write_text("countries: [GTM]\nyears: [2019]\nreports: [annual]\nlanguages: [fr]\n")
    with pytest.raises(config.ConfigError, match=r"languages.0: .*'fr'"):
        config.build_matrix(p)


@pytest.mark.parametrize(
    ("year", "country", "report", "lang"),
    [
        (2019, "../etc", "annual", "en"),
        (2019, "GTM", "annual", "en/../../x"),
        ("..", "GTM", "a", "en"),
    ],
)
def test_report_paths_reject_components_that_could_escape(year, country, report, lang) -> None:
    with pytest.raises(ValueError, match="not a safe path component"):
        paths.report_paths(year, country, report, lang, out="/tmp/o")


def test_data_dir_override_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CORETT_DATA", str(tmp_path))
    assert paths.data_dir() == tmp_path.resolve()
    assert paths.data_dir("/srv/other") == Path("/srv/other")
    monkeypatch.delenv("CORETT_DATA")
    assert paths.data_dir() == paths.PROJECT_ROOT / "data"
