"""The one disk cache (issue 12/18): entries are content-keyed and checked; a corrupt, edited or
mismatched entry is rebuilt with a warning naming its file; no cache holds a pickle."""

from __future__ import annotations

import ast
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from corett_lib.batch import build
from corett_lib.core import cache, paths
from corett_lib.core.problems import Problem
from corett_lib.facts import store as fact_store
from corett_lib.raw import unodc


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "iso3": pd.Series(["GTM", None, "HND"], dtype=object),
            "year": pd.Series([2019, None, 2020], dtype=object),  # ints and None (an audit column)
            "value": [1.5, float("nan"), 3.0],
            "on": pd.to_datetime(["2019-01-01", "2020-02-02", "2021-03-03"]).astype(
                "datetime64[s]"
            ),
        }
    )


def test_an_entry_comes_back_equal_types_included(tmp_path: Path) -> None:
    store = cache.Store("t", folder=tmp_path)
    store.put({"k": 1}, meta={"n": [1, "a"]}, frames={"f": _frame()})
    entry = store.get({"k": 1})
    assert entry is not None and entry.meta == {"n": [1, "a"]}
    back = entry.frames["f"]
    pd.testing.assert_frame_equal(back, _frame())
    assert back.at[1, "iso3"] is None and back.at[0, "year"] == 2019 and back.at[1, "year"] is None
    assert store.get({"k": 2}) is None  # another key: no entry


@pytest.mark.parametrize("damage", ["truncate_table", "edit_header", "garbage_header"])
def test_a_damaged_entry_is_rebuilt_with_a_warning_naming_the_file(
    tmp_path: Path, damage: str
) -> None:
    store = cache.Store("t", folder=tmp_path)
    header = store.put({"k": 1}, meta={"problems": 0}, frames={"f": _frame()})
    assert header is not None
    table = next(tmp_path.glob("t/*.parquet"))
    if damage == "truncate_table":
        table.write_bytes(table.read_bytes()[:100])
        named = table.name
    elif damage == "edit_header":  # hides a problem: the header's own hash no longer matches
        h = json.loads(header.read_text())
        h["meta"]["problems"] = 1
        header.write_text(json.dumps(h))
        named = header.name
    else:
        header.write_bytes(b"\x80\x04\x95not json")
        named = header.name
    with pytest.warns(cache.CacheWarning, match=named):
        assert store.get({"k": 1}) is None
    assert not header.exists()  # removed, so the caller's rewrite starts clean
    store.put({"k": 1}, meta={"problems": 0}, frames={"f": _frame()})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert store.get({"k": 1}) is not None


def test_an_entry_renamed_to_another_key_is_not_used(tmp_path: Path) -> None:
    store = cache.Store("t", folder=tmp_path)
    first = store.put({"k": 1}, meta="one")
    assert first is not None
    first.rename(store.path({"k": 2}))  # an answer for key 1 placed where key 2 is looked up
    with pytest.warns(cache.CacheWarning, match="another key"):
        assert store.get({"k": 2}) is None


def test_a_read_only_cache_costs_speed_only_unless_the_entry_is_required(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path, data: bytes) -> None:  # what a read-only folder does (even for root)
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(cache.atomic, "write_bytes", refuse)
    store = cache.Store("t", folder=tmp_path)
    assert store.put({"k": 1}, meta=1, frames={"f": _frame()}) is None
    with pytest.raises(PermissionError):
        store.put({"k": 1}, meta=1, required=True)


def test_no_module_of_the_library_imports_pickle() -> None:
    offenders = []
    for f in (paths.PROJECT_ROOT / "corett_lib").rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n.split(".")[0] in ("pickle", "cloudpickle", "dill") for n in names):
                offenders.append(f.name)
    assert offenders == []


def test_the_unodc_parse_cache_survives_a_truncated_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORETT_CACHE", str(tmp_path))
    src, rel = paths.raw_path("glotip"), "raw/unodc_data_glotip.xlsx"
    obs, problems = unodc.read_glotip(src, rel)
    assert len(obs) == 58769 and int(obs["censored"].sum()) == 29558
    table = next(tmp_path.glob("unodc/glotip-*.parquet"))
    table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])
    with pytest.warns(cache.CacheWarning, match=table.name):
        again, problems_again = unodc.read_glotip(src, rel)
    pd.testing.assert_frame_equal(again, obs)
    assert problems_again == problems
    cached, problems_cached = unodc.read_glotip(src, rel)  # rewritten: served from the cache
    pd.testing.assert_frame_equal(cached, obs)
    assert [p.check for p in problems_cached] == [p.check for p in problems]
    assert all(isinstance(p, Problem) for p in problems_cached)


def _inputs(config: dict[str, str]) -> build.Inputs:
    return build.Inputs(
        data_dir=paths.data_dir(),
        data={"raw/a.csv": "1"},
        config=config,
        library="lib",
        notebooks={},
    )


def test_the_snapshot_key_covers_the_configuration() -> None:
    a = _inputs({"parameters/build.yaml": "x"})
    b = _inputs({"parameters/build.yaml": "y"})
    assert build.snapshot_path(a) != build.snapshot_path(b)


def test_a_truncated_snapshot_is_rebuilt_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORETT_CACHE", str(tmp_path))
    inputs = _inputs({"parameters/build.yaml": "x"})
    facts = {"years": [2019], "warnings": 0, "checksums": {}, "format": build.SNAPSHOT_FORMAT}
    header = build.SNAPSHOTS.put(
        inputs.snapshot_key,
        meta={"facts": facts, "dataset": {}},
        frames={"t": _frame()},
        prefix="dataset",
    )
    assert header is not None
    store, key, prefix = fact_store._where(header)  # the published facts the build puts beside
    store.put(key, meta={"format": fact_store.FACTS_FORMAT}, prefix=prefix)
    assert build.read_facts(inputs) == facts
    published = fact_store.facts_header(header)
    published.write_text(published.read_text()[:-5])  # damaged facts: warned, rebuilt
    with pytest.warns(cache.CacheWarning, match=published.name):
        assert build.read_facts(inputs) is None
    store.put(key, meta={"format": fact_store.FACTS_FORMAT}, prefix=prefix)
    assert build.read_facts(inputs) == facts
    table = next(p for p in tmp_path.glob("build/dataset-*.0.parquet") if ".facts" not in p.name)
    table.write_bytes(table.read_bytes()[:-10])
    with pytest.warns(cache.CacheWarning, match=table.name):
        assert build.read_facts(inputs) is None  # the build then loads, validates, rewrites it
    with pytest.raises(cache.CacheError, match="unreadable"):  # a kernel names the file
        cache.read_entry(build.snapshot_path(inputs))
