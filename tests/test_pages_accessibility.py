"""Built pages as a reader gets them (issue 16): axe-core finds no violation on the index, the changes
page and one page of each report kind, at 1280 px and at 390 px; a reader reaches every page from the
index and back, switches language and finds the downloads next to the page.

The axe check runs in headless Chromium through Playwright, with the ``axe.min.js`` bundled by
``axe-playwright-python``. Neither is a dependency of the project (as for
``test_explorer_browser.py``): install them in a separate environment, e.g.
``python3 -m venv /tmp/pw-venv && /tmp/pw-venv/bin/pip install playwright axe-playwright-python``.
The test looks for ``$CORETT_PLAYWRIGHT_PYTHON``, then the running interpreter, then
``/tmp/pw-venv/bin/python``, and skips without them or without Debian's ``chromium``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from corett_lib.batch.pdf import find_browser
from corett_lib.cli.main import main
from corett_lib.core import config

pytestmark = [pytest.mark.slow]

AXE_SCRIPT = Path(__file__).parent / "browser" / "axe_pages.py"
MAX_PAGE_BYTES = 150_000  # the target; pages were 300-460 KB with JupyterLab's stylesheet


def _axe_python() -> str | None:
    candidates = [os.environ.get("CORETT_PLAYWRIGHT_PYTHON", "")]
    if importlib.util.find_spec("playwright") is not None:
        candidates.append(sys.executable)
    candidates.append("/tmp/pw-venv/bin/python")
    for exe in candidates:
        if exe and Path(exe).exists():
            probe = subprocess.run(
                [exe, "-c", "import playwright.sync_api, axe_playwright_python"],
                capture_output=True,
                timeout=60,
            )
            if probe.returncode == 0:
                return exe
    return None


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Guatemala 2019, every report of the matrix in both languages, built through the CLI."""
    root = tmp_path_factory.mktemp("pages") / "out"
    result = CliRunner().invoke(
        main,
        ["build", "--country", "GTM", "--year", "2019", "--jobs", "2", "--out", str(root)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return root


def test_pages_are_slim_and_link_each_other_and_their_downloads(out: Path) -> None:
    folder = out / "2019" / "GTM"
    pages = sorted(folder.glob("*.html"))
    kinds = sorted(config.build_matrix().reports)
    assert {"annual", "evaluation", "sdg"} <= set(kinds)
    assert [p.name for p in pages] == [f"{r}.{lg}.html" for r in kinds for lg in ("en", "es")]
    index = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    index_links = {a["href"]: a.text for a in index.find_all("a")}
    assert index_links["2019/GTM/annual.en.html"] == "Annual report, Guatemala, 2019, in English"
    for p in pages:
        assert p.stat().st_size <= MAX_PAGE_BYTES, (p.name, p.stat().st_size)
        assert f"2019/GTM/{p.name}" in index_links  # reached from the index
        soup = BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
        for a in soup.find_all("a", href=True):
            href = a["href"]
            if href.startswith(("#", "http")):
                continue
            assert (folder / href).resolve().is_file(), (p.name, href)  # back to the index too
    with zipfile.ZipFile(folder / "annual.en.csv.zip") as z:
        trend = next(n for n in z.namelist() if n.endswith("_trend.csv"))
        text = z.read(trend).decode("utf-8-sig")
    assert "2019,434,UNODC (GLOTIP)" in text and "2016,484,UNODC (GLOTIP)" in text


@pytest.mark.browser
def test_axe_finds_no_violation_on_index_and_each_report_kind(out: Path) -> None:
    python, chromium = _axe_python(), find_browser()
    if python is None or chromium is None:
        pytest.skip("needs Chromium and a Python with playwright and axe-playwright-python")
    files = [
        out / "index.html",
        out / "changes.html",
        *sorted((out / "2019" / "GTM").glob("*.en.html")),  # one page of every report kind
        out / "2019" / "GTM" / "sdg.es.html",
    ]
    done = subprocess.run(
        [python, str(AXE_SCRIPT), chromium, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    found = json.loads(done.stdout)
    assert len(found) == 2 * len(files)  # every page at 1280 px and 390 px
    assert {page: v for page, v in found.items() if v} == {}


@pytest.mark.browser
def test_index_filter_shows_only_the_chosen_report(out: Path) -> None:
    python, chromium = _axe_python(), find_browser()
    if python is None or chromium is None:
        pytest.skip("needs Chromium and a Python with playwright")
    script = Path(__file__).parent / "browser" / "index_filter.py"
    done = subprocess.run(
        [python, str(script), chromium, str(out / "index.html"), "report", "sdg"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(done.stdout)
    assert seen["before"] == len(config.build_matrix().reports)  # every kind, Guatemala 2019
    assert seen["links"] == [
        "SDG alignment, Guatemala, 2019, in English",
        "Alineación con los ODS, Guatemala, 2019, en español",
    ]
    assert seen["shown"] == "1 report(s) shown / 1 informe(s) mostrado(s)"
