"""Atomic writes: a failed write leaves the previous file and no temporary behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from corett_lib.core import atomic


def test_a_writer_that_fails_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    atomic.write_text(target, "previous")

    def half_written(p: Path) -> None:
        p.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic.write_with(target, half_written)
    assert target.read_text(encoding="utf-8") == "previous"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["report.html"]


def test_written_files_are_readable_by_others(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "page.html"
    atomic.write_bytes(target, b"<p>ok</p>")
    assert target.read_bytes() == b"<p>ok</p>"
    assert target.stat().st_mode & 0o777 == 0o644
