"""``corett build``: matrix and parameter checks, the manifest's incremental rule, the index page, and
end to end through the CLI (one small build reused by several tests, on the shipped data)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from corett_lib.batch import build, manifest
from corett_lib.batch.build import BuildError, Job
from corett_lib.batch.index_page import render_index
from corett_lib.batch.render import offline_violations
from corett_lib.cli.main import main
from corett_lib.core import paths

NOTEBOOK = paths.notebook_path("annual")


# --------------------------------------------------------------------------- matrix and parameters


def test_default_matrix_is_members_and_region_by_years_by_languages() -> None:
    jobs = build.resolve_matrix()
    assert len(jobs) == 10 * 6 * 5 * 2  # 9 members + CORETT, 2017-2022, 5 reports, en/es
    assert Job(2019, "GTM", "annual", "es") in jobs and Job(2022, "CORETT", "annual", "en") in jobs
    assert Job(2017, "BLZ", "evaluation", "en") in jobs and Job(2020, "DOM", "sdg", "es") in jobs
    assert Job(2019, "CORETT", "infographic", "es") in jobs


def test_report_titles_name_every_report_in_both_languages() -> None:
    titles = {
        (r, lang): build.report_title(Job(2019, "GTM", r, lang))
        for r in ("annual", "evaluation", "sdg")
        for lang in ("en", "es")
    }
    assert titles == {
        ("annual", "en"): "CORETT · Annual report · GTM · 2019",
        ("annual", "es"): "CORETT · Informe anual · GTM · 2019",
        ("evaluation", "en"): "CORETT · Evaluation report · GTM · 2019",
        ("evaluation", "es"): "CORETT · Informe de evaluación · GTM · 2019",
        ("sdg", "en"): "CORETT · SDG alignment · GTM · 2019",
        ("sdg", "es"): "CORETT · Alineación con los ODS · GTM · 2019",
    }


def test_kernels_warm_up_every_report_module() -> None:
    for module in (
        "reporting.annual",
        "reporting.evaluation",
        "reporting.sdg",
        "reporting.infographic",
    ):
        assert f"corett_lib.{module}" in build.WARM_UP


def test_filters_replace_an_axis_and_country_codes_are_normalised() -> None:
    jobs = build.resolve_matrix(
        countries=["gtm", "CORETT"], years=[2019], reports=["annual"], langs=["es"]
    )
    assert [j.key for j in jobs] == ["2019/GTM/annual.es", "2019/CORETT/annual.es"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"countries": ["XYZ"]}, "unknown country 'XYZ'"),
        ({"countries": ["../etc"]}, "unknown country '../ETC'"),
        ({"reports": ["quarterly"]}, "unknown report 'quarterly'"),
        ({"langs": ["fr"]}, "unknown language 'fr'"),
    ],
)
def test_an_unknown_value_is_an_error_naming_it(kwargs: dict, message: str) -> None:
    with pytest.raises(BuildError, match=message.replace(".", r"\.")):
        build.resolve_matrix(**kwargs)


def test_a_year_outside_the_data_is_an_error_naming_it() -> None:
    jobs = [Job(1990, "GTM", "annual", "en"), Job(2019, "GTM", "annual", "en")]
    with pytest.raises(
        BuildError, match=r"year 1990 is outside the data \(years with data: 2003-2022\)"
    ):
        build.check_years(jobs, list(range(2003, 2023)))
    build.check_years(jobs[1:], list(range(2003, 2023)))


def test_the_notebook_declares_typed_parameters() -> None:
    assert build.declared_parameters(NOTEBOOK) == {
        "country": "str",
        "year": "int",
        "lang": "str",
        "data": "str",
        "snapshot": "str",
    }


def test_unknown_or_mistyped_notebook_parameters_are_errors() -> None:
    with pytest.raises(BuildError, match="unknown parameter 'colour'"):
        build.check_parameters(NOTEBOOK, {"country": "GTM", "colour": "red"})
    with pytest.raises(BuildError, match=r"parameter year='2019' .* is not int"):
        build.check_parameters(NOTEBOOK, {"year": "2019"})


# --------------------------------------------------------------------------- manifest and index


def _record(tmp_path: Path, key: str = "k1") -> dict:
    html = tmp_path / "2019" / "GTM" / "annual.en.html"
    html.parent.mkdir(parents=True)
    html.write_text("<html></html>", encoding="utf-8")
    rel, out = manifest.output_record(html, html.read_bytes(), tmp_path)
    return {"status": "ok", "input_key": key, "outputs": {rel: out}}


def test_a_report_is_up_to_date_only_with_the_same_inputs_and_its_outputs(tmp_path: Path) -> None:
    rec = _record(tmp_path)
    assert manifest.is_up_to_date(rec, "k1", tmp_path)
    assert not manifest.is_up_to_date(rec, "k2", tmp_path)  # an input changed
    assert not manifest.is_up_to_date({**rec, "status": "failed"}, "k1", tmp_path)
    assert not manifest.is_up_to_date(None, "k1", tmp_path)
    (tmp_path / "2019" / "GTM" / "annual.en.html").unlink()
    assert not manifest.is_up_to_date(rec, "k1", tmp_path)  # an output went missing


def test_input_key_changes_with_each_input() -> None:
    base = {"parameters": {"country": "GTM"}, "data": {"a": "1"}, "notebook": "n", "config": {}}
    key = manifest.input_key(**base, library="L")
    assert key == manifest.input_key(**base, library="L")
    assert key != manifest.input_key(**base, library="M")
    assert key != manifest.input_key(**{**base, "data": {"a": "2"}}, library="L")
    assert key != manifest.input_key(**{**base, "parameters": {"country": "HND"}}, library="L")
    assert key != manifest.input_key(**base, library="L", version="9.9")


def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a" / "manifest.json"
    manifest.atomic_write_text(target, "one")
    manifest.atomic_write_text(target, "two")
    assert target.read_text(encoding="utf-8") == "two"
    assert [p.name for p in target.parent.iterdir()] == ["manifest.json"]


def test_index_lists_every_report_with_its_status_in_both_languages() -> None:
    man = {
        "builds": [{"run_id": "R1", "finished": "2026-11-23T10:00:00+00:00"}],
        "reports": {
            "2019/GTM/annual.en": {
                "status": "ok",
                "parameters": {"year": 2019, "country": "GTM", "report": "annual", "lang": "en"},
            },
            "2019/GTM/annual.es": {
                "status": "failed",
                "failed_notebook": "_failed/2019/GTM/annual.es.ipynb",
                "parameters": {"year": 2019, "country": "GTM", "report": "annual", "lang": "es"},
            },
        },
    }
    page = render_index(man)
    assert 'href="2019/GTM/annual.en.html"' in page
    assert 'href="_failed/2019/GTM/annual.es.ipynb"' in page
    assert "Annual report" in page and "Informe anual" in page
    assert "failed" in page and "falló" in page and "R1" in page
    assert "Last build" in page and "Última generación" in page  # words from the catalogue
    assert "<script src" not in page and offline_violations(page) == []  # inline filter only
    from corett_lib.publishing.scanner import scan_html

    assert scan_html(page, 5) == []  # a layout table, marked exempt for the disclosure scanner


# --------------------------------------------------------------------------- end to end (CLI)

E2E_ARGS = [
    *("--country", "GTM", "--country", "CORETT", "--year", "2019", "--report", "annual"),
    *("--jobs", "2"),
]


def _cli(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", *args], catch_exceptions=False)
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One build of GTM and CORETT 2019 in both languages (4 reports), through the CLI."""
    out = tmp_path_factory.mktemp("e2e") / "out"
    code, output = _cli([*E2E_ARGS, "--out", str(out)])
    return {"out": out, "code": code, "output": output}


def _html(built: dict, country: str, lang: str) -> str:
    return (built["out"] / "2019" / country / f"annual.{lang}.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_build_writes_every_report_in_the_layout(built: dict) -> None:
    out = built["out"]
    assert built["code"] == 0, built["output"]
    assert "4 built, 0 up to date, 0 failed of 4" in built["output"]
    for country in ("GTM", "CORETT"):
        for lang in ("en", "es"):
            for ext in ("html", "ipynb"):
                assert (out / "2019" / country / f"annual.{lang}.{ext}").is_file()
    assert (out / "manifest.json").is_file() and (out / "index.html").is_file()
    assert not (out / "_failed").exists()


@pytest.mark.slow
def test_html_holds_the_headline_figures_with_their_source(built: dict) -> None:
    gtm_en, gtm_es, region = (
        _html(built, "GTM", "en"),
        _html(built, "GTM", "es"),
        _html(built, "CORETT", "en"),
    )
    assert "434 detected victims of trafficking in 2019" in gtm_en
    assert "434 víctimas de trata detectadas en 2019" in gtm_es
    assert "Source: " in gtm_en and "Fuente: " in gtm_es
    assert "1,582 detected victims of trafficking in 2019" in region
    assert "Source: IOM &amp; CORETT" in region
    assert '<html lang="es">' in gtm_es and "Cifras principales" in gtm_es


@pytest.mark.slow
def test_html_has_no_code_no_parameters_and_loads_nothing(built: dict) -> None:
    for country, lang in (("GTM", "en"), ("GTM", "es"), ("CORETT", "en")):
        page = _html(built, country, lang)
        assert "open_context(" not in page and "annual.headline" not in page
        assert "snapshot" not in page and "# Parameters" not in page
        assert '<script src="http' not in page and offline_violations(page) == []


@pytest.mark.slow
def test_manifest_records_inputs_run_and_timings(built: dict) -> None:
    out = built["out"]
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    rec = man["reports"]["2019/GTM/annual.es"]
    assert rec["status"] == "ok"
    assert rec["parameters"] == {"country": "GTM", "year": 2019, "lang": "es", "report": "annual"}
    assert rec["inputs"]["notebook"] == hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest()
    raw = paths.data_dir() / "raw" / "unodc_data_glotip.xlsx"
    assert rec["inputs"]["data"]["raw/unodc_data_glotip.xlsx"] == manifest.sha256_file(raw)
    assert rec["library_version"] and rec["run_id"] == man["builds"][-1]["run_id"]
    assert "git_commit" in rec and rec["cell_timings"]
    assert all(c["seconds"] >= 0 for c in rec["cell_timings"])
    html = out / "2019" / "GTM" / "annual.es.html"
    assert rec["outputs"]["2019/GTM/annual.es.html"]["sha256"] == manifest.sha256_file(html)


@pytest.mark.slow
def test_index_links_every_report(built: dict) -> None:
    page = (built["out"] / "index.html").read_text(encoding="utf-8")
    for country in ("GTM", "CORETT"):
        for lang in ("en", "es"):
            assert f'href="2019/{country}/annual.{lang}.html"' in page


@pytest.mark.slow
def test_a_second_build_with_nothing_changed_rebuilds_nothing(built: dict) -> None:
    html = built["out"] / "2019" / "GTM" / "annual.en.html"
    before = html.stat().st_mtime_ns
    code, output = _cli([*E2E_ARGS, "--out", str(built["out"])])
    assert code == 0, output
    assert "0 built, 4 up to date, 0 failed of 4" in output
    assert html.stat().st_mtime_ns == before


@pytest.mark.slow
def test_a_no_op_build_loads_no_table_library_and_records_the_run(built: dict) -> None:
    out = built["out"]
    code = (
        "import sys\n"
        "from corett_lib.cli.build import run_cli\n"
        f"status = run_cli(None, ['GTM', 'CORETT'], [2019], ['annual'], [], 2, False, {str(out)!r})\n"
        "heavy = [m for m in ('pandas', 'pyarrow', 'numpy', 'tqdm') if m in sys.modules]\n"
        "print(f'STATUS={status} HEAVY=' + ','.join(heavy))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "STATUS=0 HEAVY=\n" in run.stdout, run.stdout + run.stderr
    assert "0 built, 4 up to date, 0 failed of 4" in run.stderr
    man = manifest.read_manifest(out)
    assert man["builds"][-1]["built"] == 0 and man["builds"][-1]["up_to_date"] == 4
    text = (out / "manifest.json").read_text(encoding="utf-8")  # one line per report
    assert sum(line.startswith('  "2019/') for line in text.splitlines()) == 4


@pytest.mark.slow
def test_invalid_parameters_stop_before_anything_is_written(built: dict, tmp_path: Path) -> None:
    out = tmp_path / "never"
    code, output = _cli(["--country", "XYZ", "--out", str(out)])
    assert code == 2 and "unknown country 'XYZ'" in output
    code, output = _cli(["--country", "GTM", "--year", "1990", "--out", str(out)])
    assert code == 2 and "year 1990 is outside the data" in output
    assert not out.exists()


@pytest.mark.slow
def test_a_second_build_while_one_runs_stops_with_a_message(built: dict) -> None:
    from filelock import FileLock

    with FileLock(str(built["out"] / build.LOCK_NAME)):
        code, output = _cli([*E2E_ARGS, "--out", str(built["out"])])
    assert code == 2 and "another corett build is writing to" in output


@pytest.mark.slow
def test_a_failing_report_is_kept_and_never_stops_the_others(
    built: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    shutil.copytree(built["out"], out)
    region_before = (out / "2019" / "CORETT" / "annual.en.html").read_bytes()
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    failing = {
        "cell_type": "code",
        "execution_count": None,
        "id": "made-to-fail",
        "metadata": {},
        "outputs": [],
        "source": ['1 / (country != "CORETT")  # fails for the region only'],
    }
    nb["cells"].insert(3, failing)
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    (nb_dir / NOTEBOOK.name).write_text(json.dumps(nb), encoding="utf-8")
    monkeypatch.setattr(paths, "notebooks_dir", lambda: nb_dir)

    code, output = _cli(
        [
            "--country",
            "GTM",
            "--country",
            "CORETT",
            "--year",
            "2019",
            "--lang",
            "en",
            "--report",
            "annual",
            "--jobs",
            "1",
            "--out",
            str(out),
        ]
    )
    assert code == 1, output
    assert "1 built, 0 up to date, 1 failed of 2" in output
    assert "FAILED 2019/CORETT/annual.en" in output and "ZeroDivisionError" in output
    kept = json.loads((out / "_failed" / "2019" / "CORETT" / "annual.en.ipynb").read_text())
    assert "papermill-error-cell-tag" in kept["cells"][0]["metadata"]["tags"]
    assert "434 detected victims" in (out / "2019" / "GTM" / "annual.en.html").read_text()
    assert (out / "2019" / "CORETT" / "annual.en.html").read_bytes() == region_before
    rec = json.loads((out / "manifest.json").read_text())["reports"]["2019/CORETT/annual.en"]
    assert rec["status"] == "failed" and rec["failure"]["ename"] == "ZeroDivisionError"
    assert "ZeroDivisionError" in rec["failure"]["traceback"]
    assert "falló" in (out / "index.html").read_text()


@pytest.mark.slow
def test_a_killed_build_leaves_earlier_outputs_readable(built: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built["out"], out)
    before = {p: p.read_bytes() for p in out.rglob("*.html")}
    corett = Path(sys.executable).parent / "corett"
    args = [str(corett), "build", *E2E_ARGS, "--force", "--out", str(out)]
    proc = subprocess.Popen(args, start_new_session=True, stderr=subprocess.DEVNULL)
    time.sleep(4.0)  # kernels are starting or reports are being executed
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for p, data in before.items():  # each page is the old one or a complete new one
        text = p.read_text(encoding="utf-8")
        assert text == data.decode("utf-8") or text.rstrip().endswith("</html>")
    json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    code, output = _cli([*E2E_ARGS, "--out", str(out)])
    assert code == 0, output
    assert not list(out.rglob(".*.tmp"))


def test_kernels_skip_the_unused_slow_import_and_jsonschema_still_works() -> None:
    code = (
        "import importlib.util\n"
        "print('installed' if importlib.util.find_spec('rfc3987_syntax') else 'absent')\n"
        "from corett_lib.batch.execute import skip_unused_slow_imports\n"
        "skip_unused_slow_imports()\n"
        "import jsonschema, altair as alt\n"
        "alt.Chart(alt.Data(values=[{'x': 1}])).mark_point().encode(x='x:Q').to_dict()\n"
        "try:\n"
        "    import rfc3987_syntax\n"
        "except ImportError:\n"
        "    print('skipped')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["installed", "skipped"]  # it is there, and not imported
    assert build.WARM_UP.index("skip_unused_slow_imports()") < build.WARM_UP.index("altair")
    assert build.WARM_UP.rstrip().endswith("gc.freeze()")


def test_reports_finished_before_ctrl_c_are_recorded_in_the_manifest(tmp_path: Path) -> None:
    """The manifest is saved every few seconds; an interrupted build still records what finished."""
    done = build.Job(2019, "GTM", "annual", "en")
    inputs = build.Inputs(tmp_path, {"f": "1"}, {"c": "2"}, "lib", {"annual": "nb"})

    class Pool:
        calls = 0

        def submit(self, jobs: list[build.Job]) -> None:
            pass

        def next_result(self) -> tuple[build.Job, dict]:
            self.calls += 1
            if self.calls == 1:
                return done, {"status": "ok", "cell_seconds": 1.0, "outputs": {}}
            raise KeyboardInterrupt

    current = {"reports": {}, "builds": []}
    result = build.BuildResult(run_id="r")
    todo = [done, build.Job(2019, "HND", "annual", "en")]
    with pytest.raises(KeyboardInterrupt):
        build._run_jobs(todo, inputs, {}, tmp_path, current, result, Pool(), progress=False)
    saved = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert list(saved["reports"]) == ["2019/GTM/annual.en"]
    assert saved["reports"]["2019/GTM/annual.en"]["input_key"] == inputs.key(done)
    assert result.interrupted and result.built == ["2019/GTM/annual.en"]
