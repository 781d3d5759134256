"""The per-process dataset cache serves the same folder once, and never after an input changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corett_lib.validation import load as data


class _Loaded:
    errors: list = []  # noqa: RUF012 - a stand-in for Dataset


def test_load_is_reused_until_a_file_of_the_folder_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []

    def fake_load_dataset(root: Path) -> _Loaded:
        calls.append(root)
        return _Loaded()

    monkeypatch.setattr("corett_lib.validation.load.load_validated", fake_load_dataset)
    monkeypatch.setattr(data, "_CACHE", {})
    (tmp_path / "raw").mkdir()
    f = tmp_path / "raw" / "population_all.csv"
    f.write_text("iso3,year,population\n", encoding="utf-8")
    first = data.load(tmp_path)
    assert data.load(tmp_path) is first and len(calls) == 1
    f.write_text("iso3,year,population\nGTM,2019,1\n", encoding="utf-8")
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 1_000_000_000))
    second = data.load(tmp_path)
    assert second is not first and len(calls) == 2
