"""Hardening of ``corett build`` (issue 18): the output folders it accepts, the files it removes,
one-line failures, and a disk-full message that never claims a notebook was kept."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from corett_lib.batch import build, output_folder
from corett_lib.cli import build as build_cli
from corett_lib.cli.main import main


def test_root_home_and_foreign_folders_are_refused_unless_out_ok(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse = output_folder.check_output_folder
    with pytest.raises(output_folder.OutputFolderError, match="filesystem root"):
        refuse(Path("/"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    with pytest.raises(output_folder.OutputFolderError, match="home folder"):
        refuse(tmp_path / "home")
    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "chapter1.docx").write_text("mine")
    with pytest.raises(output_folder.OutputFolderError, match=r"chapter1\.docx.*--out-ok"):
        refuse(foreign)
    for ok in (Path("/"), tmp_path / "home", foreign):
        refuse(ok, out_ok=True)
    refuse(tmp_path / "new")  # does not exist yet
    ours = tmp_path / "ours"
    (ours / "validation").mkdir(parents=True)
    (ours / "2019").mkdir()
    refuse(ours)  # only what the workbench writes
    (ours / "notes.txt").write_text("x")
    (ours / "manifest.json").write_text("{}")
    refuse(ours)  # a folder a build wrote into


def test_the_command_refuses_the_root_in_one_line() -> None:
    res = CliRunner().invoke(main, ["build", "--out", "/", "--country", "GTM", "--year", "2019"])
    assert res.exit_code == 2
    assert "filesystem root" in res.output and "--out-ok" in res.output
    assert "Traceback" not in res.output


def test_only_temporaries_of_known_products_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    folder = out / "2019" / "GTM"
    folder.mkdir(parents=True)
    job = build.Job(2019, "GTM", "annual", "en")
    recorded = {
        "reports": {
            "2019/HND/sdg.es": {"outputs": {"2019/HND/sdg.es.html": {"bytes": 1}}},
        }
    }
    (out / "2019" / "HND").mkdir()
    stale = [
        folder / ".annual.en.html.k2j4_9xq.tmp",  # a report of this build's matrix
        out / "2019" / "HND" / ".sdg.es.html.abcdefgh.tmp",  # a product the manifest records
        out / ".manifest.json.0a1b2c3d.tmp",
    ]
    kept = [
        folder / ".notes.txt.abcdefgh.tmp",  # someone else's temporary
        folder / ".annual.en.html.tmp",  # not an atomic-write name
        out / "2019" / "HND" / ".sdg.es.html.abcdefgh.tmp.bak",
        tmp_path / ".annual.en.html.abcdefgh.tmp",  # outside the folder
    ]
    for p in stale + kept:
        p.write_text("x")
    build._remove_stale_temporaries(out, recorded, [job])
    assert [p.exists() for p in stale] == [False] * len(stale)
    assert [p.exists() for p in kept] == [True] * len(kept)


def _fail_with(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    def fake_build(*args: object, **kwargs: object) -> None:
        raise exc

    monkeypatch.setattr(build_cli, "build", fake_build)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (
            OSError(errno.ENOSPC, "No space left on device", "/o/2019/GTM/annual.en.html"),
            "/o/2019/GTM/annual.en.html: the disk is full",
        ),
        (
            PermissionError(errno.EACCES, "Permission denied", "/o/.build.lock"),
            "/o/.build.lock: cannot be written (Permission denied); check the folder's permissions",
        ),
        (
            OSError(errno.EROFS, "Read-only file system", "/o"),
            "/o: cannot be written (Read-only file system)",
        ),
    ],
)
def test_file_system_failures_are_one_line_naming_the_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], exc: OSError, expected: str
) -> None:
    _fail_with(monkeypatch, exc)
    code = build_cli.run_cli(None, (), (), (), (), 1, False, "/o")
    err = capsys.readouterr().err
    assert code == build.EXIT_FAILED
    assert err.splitlines() == [f"error: {err.splitlines()[0][7:]}"] and expected in err
    assert "Traceback" not in err


def test_an_unexpected_failure_is_one_line_unless_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_with(monkeypatch, RuntimeError("kernel died\nbadly"))
    res = CliRunner().invoke(main, ["build", "--out", "/tmp/x"])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        "error: RuntimeError: kernel died badly (run with --debug for the traceback)"
    ]
    res = CliRunner().invoke(main, ["--debug", "build", "--out", "/tmp/x"])
    assert isinstance(res.exception, RuntimeError)


def test_a_failure_without_a_kept_notebook_never_claims_one(tmp_path: Path) -> None:
    disk_full = {
        "status": "failed",
        "failure": {"ename": "OSError", "evalue": "[Errno 28] No space left on device"},
    }
    line = build.kept_line(disk_full, tmp_path)
    assert line == "no notebook kept ([Errno 28] No space left on device)"
    named_but_absent = {**disk_full, "failed_notebook": "_failed/2019/GTM/annual.en.ipynb"}
    assert build.kept_line(named_but_absent, tmp_path).startswith("no notebook kept")
    kept = tmp_path / "_failed/2019/GTM/annual.en.ipynb"
    kept.parent.mkdir(parents=True)
    kept.write_text(json.dumps({}))
    assert build.kept_line(named_but_absent, tmp_path) == f"notebook kept: {kept}"
    assert build.kept_line(named_but_absent, tmp_path, "es") == f"cuaderno conservado: {kept}"


@pytest.mark.parametrize("k", ["0", "-1", "1"])
def test_a_scan_that_would_check_nothing_is_refused(tmp_path: Path, k: str) -> None:
    from corett_lib.cli.scan import run_cli
    from corett_lib.publishing import scanner

    page = tmp_path / "2019" / "GTM" / "annual.en.html"
    page.parent.mkdir(parents=True)
    page.write_text("<table><tr><th>Victims</th></tr><tr><td>3</td></tr></table>")
    res = CliRunner().invoke(main, ["scan", "--out", str(tmp_path), "--k", k])
    assert res.exit_code == 2 and "x>=2" in res.output
    with pytest.raises(ValueError, match="checks nothing"):
        scanner.scan_outputs(tmp_path, int(k))
    assert run_cli(out=tmp_path, k=int(k)) == 2


def test_every_notebook_has_fixed_unique_cell_ids() -> None:
    """Without ids in the file, nbformat invents random ones and a page differs on every build."""
    import json

    from corett_lib.core import paths

    for nb in sorted(paths.notebooks_dir().glob("*.ipynb")):
        ids = [c.get("id") for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]]
        assert None not in ids and len(set(ids)) == len(ids), nb.name


def test_an_output_replaced_after_its_record_is_rebuilt(tmp_path: Path) -> None:
    """A run killed after renaming a notebook into place but before saving its record leaves a
    whole file with other bytes than the record: the next build rebuilds that report."""
    import os
    from datetime import UTC, datetime

    from corett_lib.batch import manifest

    out = tmp_path / "out"
    job = build.Job(2019, "GTM", "annual", "en")
    kwargs = {"countries": ["GTM"], "years": [2019], "reports": ["annual"], "langs": ["en"]}
    first = build.plan(**kwargs, out=str(out))
    assert [j.key for j in first.todo] == [job.key]
    page = out / "2019" / "GTM" / "annual.en.ipynb"
    page.parent.mkdir(parents=True)
    page.write_bytes(b'{"run": "one"}')
    finished = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)
    os.utime(page, (finished.timestamp() - 5, finished.timestamp() - 5))  # before its record
    rel, rec = manifest.output_record(page, page.read_bytes(), out)
    record = {
        "status": "ok",
        "input_key": first.inputs.key(job),
        "outputs": {rel: rec},
        "finished": finished.isoformat(timespec="seconds"),
    }
    man = {
        "manifest_version": manifest.MANIFEST_VERSION,
        "builds": [],
        "reports": {job.key: record},
    }
    manifest.write_manifest(man, out)
    assert build.plan(**kwargs, out=str(out)).todo == []
    page.write_bytes(b'{"run": "two"}')  # same size, other bytes, after the record (a killed run)
    third = build.plan(**kwargs, out=str(out))
    assert [j.key for j in third.todo] == [job.key]
    assert third.reasons[job.key] == ["interrupted build"]
    page.write_bytes(b'{"run": "one"}')  # rewritten with the recorded bytes: nothing to do
    assert build.plan(**kwargs, out=str(out)).todo == []
