"""``corett build --cluster``: the matrix on a Dask LocalCluster of two worker processes, pages equal
to the local build's, workers recorded, a dead worker's report built elsewhere (issue 19)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="dask distributed is a dependency of the project")

import cloudpickle

from corett_lib.batch import build
from corett_lib.batch.cluster import DaskPool, collect_files, place_snapshot

pytestmark = pytest.mark.slow


def _mask(html: str) -> str:
    html = re.sub(r"\d{8}T\d{6}Z-[0-9a-f]{6}", "RUN", html)
    html = re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\+00:00|Z)?", "TS", html)
    return re.sub(r'id="cell-id=[0-9a-f-]+"', 'id="cell"', html)


def test_snapshot_files_are_placed_once_and_outputs_collected(tmp_path: Path) -> None:
    place_snapshot({"dataset-x.pkl": b"abc"}, tmp_path / "cache")
    target = tmp_path / "cache" / "dataset-x.pkl"
    mtime = target.stat().st_mtime_ns
    place_snapshot({"dataset-x.pkl": b"abc"}, tmp_path / "cache")  # same bytes: left alone
    assert target.stat().st_mtime_ns == mtime
    place_snapshot({"dataset-x.pkl": b"abd"}, tmp_path / "cache")
    assert target.read_bytes() == b"abd"
    (tmp_path / "o" / "2019" / "GTM").mkdir(parents=True)
    (tmp_path / "o" / "2019" / "GTM" / "annual.en.html").write_bytes(b"<html>")
    assert collect_files(tmp_path / "o") == {"2019/GTM/annual.en.html": b"<html>"}


def test_a_local_cluster_builds_the_same_pages_and_records_its_workers(tmp_path: Path) -> None:
    kwargs = {"countries": ["GTM"], "years": [2019], "reports": ["annual"], "jobs": 2}
    local = build.build(out=str(tmp_path / "local"), **kwargs)
    dask = build.build(out=str(tmp_path / "dask"), cluster="local", **kwargs)
    assert sorted(dask.built) == sorted(local.built) == ["2019/GTM/annual.en", "2019/GTM/annual.es"]
    for key in dask.built:
        a = (tmp_path / "local" / f"{key}.html").read_text(encoding="utf-8")
        b = (tmp_path / "dask" / f"{key}.html").read_text(encoding="utf-8")
        assert "434" in b and _mask(a) == _mask(b)
    records = json.loads((tmp_path / "dask" / "manifest.json").read_text())["reports"]
    workers = {records[k]["worker"] for k in dask.built}
    assert all(w.startswith("tcp://127.0.0.1:") for w in workers)
    assert all(records[k]["status"] == "ok" for k in dask.built)
    # A no-op rebuild on the cluster builds nothing.
    again = build.build(out=str(tmp_path / "dask"), cluster="local", **kwargs)
    assert again.built == [] and len(again.skipped) == 2


def test_a_report_whose_worker_dies_is_built_on_another_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cluster_helpers

    cloudpickle.register_pickle_by_value(cluster_helpers)
    monkeypatch.setenv("CORETT_TEST_MARKER_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "path", [*sys.path])
    inputs = build.gather_inputs(None, ["annual"])
    facts = build.read_facts(inputs) or build.load_and_snapshot(inputs)
    assert facts["years"]
    snapshot = str(build.snapshot_path(inputs))
    job = build.Job(2019, "GTM", "annual", "en")
    out = tmp_path / "out"
    pool = DaskPool(
        "local",
        2,
        lambda j: {**j.parameters(), "data": str(inputs.data_dir), "snapshot": snapshot},
        out,
        build.snapshot_files(inputs),
        cluster_helpers.build_one_dying_once,
        build.WARM_UP,
    )
    try:
        pool.submit([job])
        got, record = pool.next_result()
    finally:
        pool.close()
    assert got == job and record["status"] == "ok"
    assert (tmp_path / "2019_GTM_annual.en.died").exists()  # it did die once
    assert "434" in (out / "2019" / "GTM" / "annual.en.html").read_text(encoding="utf-8")


def _pool_build(tmp_path: Path, build_one: object, address: str = "local") -> tuple:
    inputs = build.gather_inputs(None, ["annual"])
    if build.read_facts(inputs) is None:
        build.load_and_snapshot(inputs)
    snapshot = str(build.snapshot_path(inputs))
    job = build.Job(2019, "GTM", "annual", "en")
    out = tmp_path / "out"
    pool = DaskPool(
        address,
        2,
        lambda j: {**j.parameters(), "data": str(inputs.data_dir), "snapshot": snapshot},
        out,
        build.snapshot_files(inputs),
        build_one,  # type: ignore[arg-type]
        build.WARM_UP,
    )
    try:
        pool.submit([job])
        got, record = pool.next_result()
        pipelined = pool.pipelined
    finally:
        pool.close()
    assert got == job
    return record, out, pipelined


@pytest.mark.parametrize("stage", ["execute", "finish"])
def test_a_pipelined_report_whose_worker_dies_is_built_on_another_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    """``--cluster local`` runs a report as an execute task (in the worker's kernel) and a finish
    task (rendering, on the worker's other thread); a worker dying in either is survived."""
    import cluster_helpers

    cloudpickle.register_pickle_by_value(cluster_helpers)
    monkeypatch.setenv("CORETT_TEST_MARKER_DIR", str(tmp_path))
    record, out, pipelined = _pool_build(tmp_path, cluster_helpers.DyingOnceBuild(stage))
    assert pipelined
    assert record["status"] == "ok" and record["worker"].startswith("tcp://127.0.0.1:")
    assert (tmp_path / f"2019_GTM_annual.en.{stage}.died").exists()  # it did die once
    assert "434" in (out / "2019" / "GTM" / "annual.en.html").read_text(encoding="utf-8")


def test_workers_without_the_kernel_resource_build_each_report_in_one_task(tmp_path: Path) -> None:
    """An existing cluster whose workers were started without ``--resources kernel=1``."""
    from distributed import LocalCluster

    from corett_lib.batch.execute import prepare_environment

    prepare_environment()
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        record, out, pipelined = _pool_build(tmp_path, build.build_one, cluster.scheduler_address)
    assert not pipelined
    assert record["status"] == "ok"
    assert "434" in (out / "2019" / "GTM" / "annual.en.html").read_text(encoding="utf-8")
