"""The explorer as a person uses it: JupyterLab in headless Chromium, run the notebook, change a control.

Skipped when Debian's ``chromium`` or the Python ``playwright`` package is missing. Playwright is not a
dependency of the project: install it in a separate environment, e.g.
``python3 -m venv /tmp/pw-venv && /tmp/pw-venv/bin/pip install playwright`` (the test looks for
``$CORETT_PLAYWRIGHT_PYTHON``, then the running interpreter, then ``/tmp/pw-venv/bin/python``).
JupyterLab runs on 127.0.0.1 with a random port and token and its own Jupyter folders; every request
the page makes to another host is blocked and reported, so the check also shows the explorer works
offline.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from corett_lib.core import paths

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_TIMEOUT = 90  # seconds for JupyterLab to answer
RUN_TIMEOUT = 420  # seconds for the whole browser session


def _playwright_python() -> str | None:
    candidates = [os.environ.get("CORETT_PLAYWRIGHT_PYTHON", "")]
    if importlib.util.find_spec("playwright") is not None:
        candidates.append(sys.executable)
    candidates.append("/tmp/pw-venv/bin/python")
    for exe in candidates:
        if exe and Path(exe).exists():
            probe = subprocess.run(
                [exe, "-c", "import playwright.sync_api"], capture_output=True, timeout=60
            )
            if probe.returncode == 0:
                return exe
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Runs under the Playwright interpreter: argv = url, chromium, args (JSON), result file.
DRIVER = r"""
import json, sys, urllib.parse
from playwright.sync_api import sync_playwright

url, chromium, args, result_path = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
result = {"blocked": [], "steps": []}

def chart_title(page):
    return page.locator(".corett-explorer .corett-chart svg .role-title-text text").first.text_content()

def allow(route):
    host = urllib.parse.urlparse(route.request.url).hostname
    if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        result["blocked"].append(route.request.url)
        route.abort()

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=args, headless=True)
    page = browser.new_page(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page.route("**/*", allow)
    page.goto(url, timeout=120000)
    page.locator(".jp-Notebook").first.wait_for(timeout=120000)
    page.locator(".jp-mod-idle, .jp-Notebook").first.wait_for(timeout=60000)
    page.wait_for_timeout(2000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.locator(".corett-explorer .corett-chart svg .role-title-text text").first.wait_for(
        timeout=240000
    )
    before = chart_title(page)
    marks_before = page.locator(".corett-explorer .corett-chart svg path").count()
    table_before = page.locator(".corett-explorer .corett-table-view").inner_text()
    result["steps"].append({"title": before, "marks": marks_before})
    result["table_before"] = table_before[:4000]
    # A person switches the language to English.
    page.locator(".corett-control-lang button", has_text="English").click()
    page.wait_for_function(
        "t => { const e = document.querySelector('.corett-explorer .corett-chart svg .role-title-text text');"
        " return e && e.textContent !== t; }",
        arg=before,
        timeout=60000,
    )
    after = chart_title(page)
    result["steps"].append({"title": after})
    result["table_after"] = page.locator(".corett-explorer .corett-table-view").inner_text()[:4000]
    # ... and downloads the table shown.
    with page.expect_download(timeout=60000) as dl:
        page.locator(".corett-explorer a[data-format=csv]").click()
    result["download_name"] = dl.value.suggested_filename
    result["download_text"] = open(dl.value.path(), encoding="utf-8-sig").read()[:4000]
    browser.close()

with open(result_path, "w", encoding="utf-8") as f:
    json.dump(result, f, ensure_ascii=False)
"""


@pytest.fixture
def playwright_python() -> str:
    if CHROMIUM is None:
        pytest.skip("no chromium installed (apt-get install chromium)")
    exe = _playwright_python()
    if exe is None:
        pytest.skip("the playwright Python package is not installed (see this file's docstring)")
    return exe


@pytest.fixture
def lab(tmp_path: Path):
    """JupyterLab on 127.0.0.1:<random port> with a token, its own Jupyter folders, stopped at the end."""
    venv_bin = Path(sys.executable).parent
    root = tmp_path / "notebooks"
    root.mkdir()
    shutil.copy(paths.notebooks_dir() / "explorer.ipynb", root / "explorer.ipynb")
    jdir = tmp_path / "jupyter"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(jdir / "config"),
        "JUPYTER_DATA_DIR": str(jdir / "data"),
        "JUPYTER_RUNTIME_DIR": str(jdir / "runtime"),
        "IPYTHONDIR": str(jdir / "ipython"),
        "JUPYTER_PREFER_ENV_PATH": "0",
        "GX_ANALYTICS_ENABLED": "False",
    }
    # As `make lab` does: the project's kernel, in this server's own data folder.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ipykernel",
            "install",
            "--user",
            "--name",
            "python3",
            "--env",
            "GX_ANALYTICS_ENABLED",
            "False",
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    # As `make lab` does: never ask to fetch Jupyter news, never check for updates.
    labconfig = jdir / "config" / "labconfig"
    labconfig.mkdir(parents=True)
    (labconfig / "default_setting_overrides.json").write_text(
        json.dumps(
            {
                "@jupyterlab/apputils-extension:notification": {
                    "fetchNews": "false",
                    "checkForUpdates": False,
                }
            }
        ),
        encoding="utf-8",
    )
    port, token = _free_port(), secrets.token_hex(16)
    log = (tmp_path / "lab.log").open("wb")
    proc = subprocess.Popen(
        [
            str(venv_bin / "jupyter"),
            "lab",
            "--no-browser",
            f"--notebook-dir={root}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text()[-3000:]
                    ) from None
                time.sleep(1)
        yield f"{base}/lab/tree/explorer.ipynb?token={token}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def test_change_a_control_in_jupyterlab_and_the_chart_changes(
    playwright_python: str, lab: str, tmp_path: Path
) -> None:
    script = tmp_path / "driver.py"
    script.write_text(DRIVER, encoding="utf-8")
    out = tmp_path / "result.json"
    run = subprocess.run(
        [playwright_python, str(script), lab, str(CHROMIUM), json.dumps(CHROMIUM_ARGS), str(out)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    first, second = result["steps"]
    assert (
        first["title"]
        == "Víctimas de trata detectadas, por forma de explotación: Honduras, 2016–2022"
    )
    assert first["marks"] > 0
    assert "Explotación sexual" in result["table_before"]
    assert second["title"] == (
        "Detected victims of trafficking, by form of exploitation: Honduras, 2016–2022"
    )
    assert "Sexual exploitation" in result["table_after"]
    assert result["download_name"] == "corett_victims_form_HND_2016-2022.en.csv"
    assert "Honduras,2016,Sexual exploitation,68,UNODC,1/1," in result["download_text"]
    assert result["blocked"] == [], "the page tried to reach other hosts"
