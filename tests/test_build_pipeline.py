"""The build's driver off the critical path: kernels go on while pages are rendered and written.

No kernel is started here: the worker's :class:`~corett_lib.batch.execute.KernelSession` is replaced
by a stand-in, so these tests check the pool's two stages, their failures and their queue.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from corett_lib.batch import build
from corett_lib.batch.execute import crash_record

JOBS = [
    build.Job(2019, c, r, lang)
    for c in ("GTM", "HND")
    for r in ("annual", "sdg")
    for lang in ("en", "es")
]


class FakeSession:
    """Stands in for a kernel session (start, shutdown)."""

    started = 0

    def __init__(self, warm_up: str = "") -> None:
        self.warm_up = warm_up

    def start(self) -> None:
        FakeSession.started += 1

    def shutdown(self) -> None:
        pass


@pytest.fixture(autouse=True)
def no_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "KernelSession", FakeSession)


def _collect(pool: build.WorkerPool, n: int) -> dict[str, dict[str, Any]]:
    out = {}
    for _ in range(n):
        job, record = pool.next_result()
        out[job.key] = record
    return out


def test_a_kernel_executes_its_next_report_while_the_last_one_is_rendered() -> None:
    executed: list[str] = []
    third_executed = threading.Event()

    def run(job: build.Job, session: Any) -> str:
        executed.append(job.key)
        if len(executed) == 3:
            third_executed.set()
        return f"executed {job.key}"

    def finish(job: build.Job, staged: str) -> dict[str, Any]:
        if job == JOBS[0]:
            # the first render waits until the kernel has gone on with two more reports
            assert third_executed.wait(timeout=10), "the kernel waited for the render"
        return {"status": "ok", "staged": staged, "thread": threading.current_thread().name}

    pool = build.WorkerPool(1, run, warm_up="", finish=finish)
    pool.submit(JOBS)
    results = _collect(pool, len(JOBS))
    pool.close()
    assert set(results) == {j.key for j in JOBS}
    assert results[JOBS[0].key]["staged"] == f"executed {JOBS[0].key}"
    assert {r["thread"] for r in results.values()} == {"corett-render-0"}
    assert executed == [j.key for j in JOBS]  # one kernel, the languages of a report together


def test_a_failing_render_fails_that_report_only() -> None:
    def run(job: build.Job, session: Any) -> build.Job:
        if job.key == "2019/HND/sdg.en":
            raise RuntimeError("kernel died")
        return job

    def finish(job: build.Job, staged: build.Job) -> dict[str, Any]:
        if job.key == "2019/GTM/annual.es":
            raise ValueError("cannot write the page")
        return {"status": "ok"}

    pool = build.WorkerPool(2, run, warm_up="", finish=finish)
    pool.submit(JOBS)
    results = _collect(pool, len(JOBS))
    pool.close()
    failed = {k: r["failure"]["ename"] for k, r in results.items() if r["status"] == "failed"}
    assert failed == {"2019/GTM/annual.es": "ValueError", "2019/HND/sdg.en": "RuntimeError"}
    assert sum(r["status"] == "ok" for r in results.values()) == len(JOBS) - 2
    assert "cannot write the page" in results["2019/GTM/annual.es"]["failure"]["traceback"]


def test_executed_reports_wait_in_a_bounded_queue() -> None:
    release = threading.Event()

    def finish(job: build.Job, staged: Any) -> dict[str, Any]:
        release.wait(timeout=10)
        return {"status": "ok"}

    pool = build.WorkerPool(2, lambda job, s: job, warm_up="", finish=finish, renderers=1)
    assert pool.staged.maxsize == 2
    pool.submit(JOBS)
    for _ in range(100):  # the workers fill the queue, then wait
        if pool.staged.full():
            break
        threading.Event().wait(0.02)
    assert pool.staged.full() and pool.results.empty()
    release.set()
    assert len(_collect(pool, len(JOBS))) == len(JOBS)
    pool.close()
    assert not any(t.is_alive() for t in [*pool._threads, *pool._renderers])


def test_without_a_render_stage_the_worker_returns_the_record() -> None:
    pool = build.WorkerPool(2, lambda job, s: {"status": "ok", "by": "worker"}, warm_up="")
    pool.submit(JOBS[:2])
    assert {r["by"] for r in _collect(pool, 2).values()} == {"worker"}
    pool.close()
    assert pool._renderers == []


def test_render_threads_grow_slowly_with_the_kernels() -> None:
    assert [build.render_threads(n) for n in (1, 2, 4, 6, 8, 64)] == [1, 1, 2, 3, 4, 4]


def test_crash_record_names_the_exception() -> None:
    rec = crash_record(ValueError("x"))
    assert rec["status"] == "failed" and rec["failure"]["ename"] == "ValueError"
