"""Fault tests of ``corett build`` (issue 18): same inputs give the same bytes, a build killed at
random points several times leaves every finished page intact and the next build completes, a full
disk and a corrupt snapshot. Each executes notebooks: marked slow."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from corett_lib.batch import build, manifest, reproducible
from corett_lib.cli import build as build_cli
from corett_lib.core import cache, paths

ONE_OF_EACH = ("--country", "GTM", "--year", "2019", "--lang", "en", "--jobs", "1")
REPORTS = tuple(paths.REPORT_NOTEBOOKS)  # every report kind


def _corett(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    corett = Path(sys.executable).parent / "corett"
    return subprocess.run(
        [str(corett), *args], capture_output=True, text=True, timeout=900, check=False, **kwargs
    )


@pytest.fixture(scope="module")
def cache_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A cache folder of the module's own, shared by its builds."""
    return {**os.environ, "CORETT_CACHE": str(tmp_path_factory.mktemp("cache"))}


def _without_stamp(path: Path) -> bytes:
    nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    nb.metadata.pop(reproducible.STAMP_KEY)
    return nbformat.writes(nb).encode("utf-8")


@pytest.mark.slow
def test_same_inputs_give_the_same_bytes_for_every_report_kind(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    outs = [tmp_path / "one", tmp_path / "two"]
    env = {**cache_env, "SOURCE_DATE_EPOCH": "1764547200"}  # one build time for both
    for out in outs:
        done = _corett(["build", *ONE_OF_EACH, "--out", str(out)], env=env)
        assert done.returncode == 0, done.stderr
    runs = [manifest.read_manifest(o)["builds"][-1]["run_id"] for o in outs]
    assert runs[0] != runs[1]
    for report in REPORTS:
        notebooks = [o / "2019" / "GTM" / f"{report}.en.ipynb" for o in outs]
        assert [
            json.loads(n.read_text())["metadata"]["corett"]["run_id"] for n in notebooks
        ] == runs
        assert _without_stamp(notebooks[0]) == _without_stamp(notebooks[1]), report
    # every other file the build wrote for the pages (HTML, the infographic's SVG and PNG, the
    # evaluation's working file, downloads) has the same bytes once the run id is set aside
    files = sorted(
        p.relative_to(outs[0])
        for p in (outs[0] / "2019" / "GTM").rglob("*")
        if p.is_file() and p.suffix != ".ipynb"
    )
    assert any(f.suffix == ".html" for f in files) and any(f.suffix == ".xlsx" for f in files)
    for rel in files:
        one = (outs[0] / rel).read_bytes().replace(runs[0].encode(), b"RUN")
        two = (outs[1] / rel).read_bytes().replace(runs[1].encode(), b"RUN")
        assert one == two, rel


def _intact_pages(out: Path) -> list[Path]:
    """Every page under ``out`` is a whole page (the old one or a complete new one)."""
    pages = sorted(out.rglob("*.html"))
    for p in pages:
        text = p.read_text(encoding="utf-8")
        assert text.rstrip().endswith("</html>"), p
    return pages


@pytest.mark.slow
def test_a_build_killed_at_random_points_loses_no_finished_page(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    out = tmp_path / "out"
    corett = Path(sys.executable).parent / "corett"
    args = [str(corett), "build", *ONE_OF_EACH, "--lang", "es", "--force", "--out", str(out)]
    # One whole run first: the kill points are drawn inside its duration, so they fall mid-build
    # however fast this machine (or the build) is.
    t0 = time.perf_counter()
    whole = subprocess.run(args, stderr=subprocess.DEVNULL, env=cache_env, check=False)
    duration = time.perf_counter() - t0
    assert whole.returncode == 0
    rng = random.Random(18)
    kills = 0
    for delay in [rng.uniform(0.2, 0.8) * duration for _ in range(5)]:
        proc = subprocess.Popen(
            args, start_new_session=True, stderr=subprocess.DEVNULL, env=cache_env
        )
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        _intact_pages(out)
        if (out / "manifest.json").exists():
            json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert kills >= 3  # most runs were killed before they finished
    done = _corett(["build", *ONE_OF_EACH, "--lang", "es", "--out", str(out)], env=cache_env)
    assert done.returncode == 0, done.stderr
    pages = _intact_pages(out)
    reports = {f"2019/GTM/{r}.{lang}.html" for r in REPORTS for lang in ("en", "es")}
    assert reports <= {p.relative_to(out).as_posix() for p in pages}  # every report, both languages
    assert out / "index.html" in pages
    recorded = manifest.read_manifest(out)["reports"]
    for rec in recorded.values():
        for rel, checksum in rec["outputs"].items():
            assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == checksum["sha256"]
    assert not list(out.rglob(".*.tmp"))


@pytest.mark.slow
def test_a_full_disk_fails_the_report_in_one_line_and_claims_no_kept_notebook(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cache_env: dict[str, str],
) -> None:
    monkeypatch.setenv("CORETT_CACHE", cache_env["CORETT_CACHE"])
    out = tmp_path / "out"
    real = manifest.atomic_write_bytes

    def full(path: Path, data: bytes) -> None:  # the disk fills up when the report is written
        if path.suffix in (".html", ".ipynb"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(manifest, "atomic_write_bytes", full)
    args = (None, ["GTM"], [2019], ["annual"], ["en"], 1, False, str(out))
    code = build_cli.run_cli(*args)
    err = capsys.readouterr().err
    assert code == build.EXIT_FAILED
    assert "FAILED 2019/GTM/annual.en: OSError: [Errno 28] No space left on device" in err
    assert "no notebook kept ([Errno 28] No space left on device" in err
    assert "notebook kept:" not in err and not (out / "_failed").exists()
    monkeypatch.setattr(manifest, "atomic_write_bytes", real)  # space freed: the next build works
    assert build_cli.run_cli(*args) == build.EXIT_OK


@pytest.mark.slow
def test_a_corrupt_snapshot_is_rebuilt_with_a_warning_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_env: dict[str, str]
) -> None:
    monkeypatch.setenv("CORETT_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out"
    kwargs = {
        "countries": ["GTM"],
        "years": [2019],
        "reports": ["annual"],
        "langs": ["en"],
        "jobs": 1,
        "out": str(out),
        "progress": None,
    }
    assert build.build(**kwargs).exit_code == 0
    [table] = [  # the snapshot's first table (the published facts beside it are another entry)
        p
        for p in sorted((tmp_path / "cache" / "build").glob("dataset-*.0.parquet"))
        if ".facts" not in p.name
    ]
    table.write_bytes(table.read_bytes()[:-100])  # truncated (a full disk, a killed copy)
    with pytest.warns(cache.CacheWarning, match=table.name):
        result = build.build(**kwargs, force=True)
    assert result.exit_code == 0 and result.load_seconds > 0  # validated again, snapshot rewritten
    assert cache.read_entry(next((tmp_path / "cache" / "build").glob("dataset-*.json")))
