"""Builds on a Dask distributed cluster: the same reports, one warm kernel per worker thread.

``corett build --cluster ADDRESS`` connects to an existing scheduler (``dask scheduler`` and
``dask worker`` on several machines); ``--cluster local`` starts a :class:`~distributed.LocalCluster`
of ``--jobs`` worker processes on this machine, each with one kernel and two threads. Without ``--cluster`` the build keeps
its own pool of local kernels (:class:`corett_lib.batch.build.WorkerPool`), which stays the default.

How a report travels:

1. The driver (the machine running ``corett build``) plans, loads and validates the data once and
   writes the validated snapshot, exactly as for a local build.
2. A worker plugin (:func:`kernel_plugin`) is registered on every worker: each worker thread starts one Jupyter kernel
   the first time it builds a report, warms it up (:data:`corett_lib.batch.build.WARM_UP`) and reuses
   it for every later report, like a local worker.
3. Unless the workers share the driver's storage (``ship_snapshot=False``), the snapshot files travel
   with the worker plugin and are written into each worker's own cache folder (a worker that joins
   or is restarted later gets them too).
4. Each report is built into a private staging folder on a worker, which returns the record and the
   bytes of every file it wrote; the driver writes them into the output folder (atomically, as for a
   local build), so workers need no access to it. When every worker declares the ``kernel``
   resource (:data:`KERNEL_RESOURCE`; ``--cluster local`` starts workers of two threads and one
   kernel each) a report is two tasks, as in the local pool's two stages: :func:`execute_on_worker`
   runs the notebook in the worker's kernel, :func:`finish_on_worker` renders and writes it on
   another thread while the kernel goes on. Otherwise one task does both
   (:func:`run_on_worker`, :func:`corett_lib.batch.build.build_one`).
5. The manifest records the worker's address for each report. A worker that dies is replaced by the
   scheduler and its reports are run again elsewhere (Dask's ``allowed-failures``).

Workers must run the same code version as the driver (the task checks the library digest and fails
the report with a clear message when it differs).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from corett_lib.batch import manifest
from corett_lib.batch.execute import (
    KernelSession,
    crash_record,
    prepare_environment,
    skip_unused_slow_imports,
)
from corett_lib.core import paths

PLUGIN_NAME = "corett-kernels"
LOCAL = "local"
"""The ``--cluster`` value that starts a LocalCluster on this machine."""
KERNEL_RESOURCE = "kernel"
"""Dask worker resource: how many reports a worker may execute at once (its kernels). A worker that
declares it (``dask worker ... --nthreads 2 --resources kernel=1``) runs each report as two tasks, so
its other thread renders one report while its kernel executes the next."""


class KernelSessions:
    """The worker's warm Jupyter kernels, lent to one task at a time and shut down with the worker.

    Held by the Dask worker plugin :func:`kernel_plugin` makes. A task borrows an idle kernel
    (:meth:`borrow`) and gives it back; a new one is started only when every kernel is busy, so a
    worker has as many kernels as tasks that ran them at once: one per thread, or one in all when
    the worker declares the ``kernel`` resource (:data:`KERNEL_RESOURCE`), whatever its threads.

    Parameters
    ----------
    warm_up
        Code each kernel runs once after it starts (imports every report needs).
    """

    def __init__(self, warm_up: str) -> None:
        self.warm_up = warm_up
        self._idle: list[KernelSession] = []
        self._all: list[KernelSession] = []
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self) -> Iterator[KernelSession]:
        """Lend an idle kernel session (started and warmed up on first use) for one task."""
        with self._lock:
            if self._idle:
                session = self._idle.pop()
            else:
                session = KernelSession(warm_up=self.warm_up)
                self._all.append(session)
        try:
            session.start()  # no-op when alive; restarts a kernel that died
            yield session
        finally:
            with self._lock:
                self._idle.append(session)

    def shutdown(self) -> None:
        """Stop every kernel."""
        for session in self._all:
            session.shutdown()
        self._all.clear()
        self._idle.clear()


def kernel_plugin(warm_up: str, shipped: dict[str, bytes] | None = None) -> Any:
    """Return a Dask ``WorkerPlugin`` that gives each worker its :class:`KernelSessions`.

    With ``shipped`` (snapshot file name -> bytes) the plugin also writes the validated snapshot into
    each worker's cache folder when it is set up; the scheduler sets the plugin up on every worker
    that joins later too, so a replaced worker gets the snapshot as well.

    The class is made here, not at import time, so that ``corett build`` without ``--cluster``
    never imports ``distributed`` (half a second of start-up); Dask ships it to the workers by value.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class KernelPlugin(WorkerPlugin):
        name = PLUGIN_NAME

        def __init__(self, warm_up: str, shipped: dict[str, bytes] | None) -> None:
            self.warm_up = warm_up
            self.shipped = shipped
            self.kernels: KernelSessions | None = None

        def setup(self, worker: Any) -> None:
            prepare_environment()
            skip_unused_slow_imports()
            if self.shipped:
                place_snapshot(self.shipped, paths.cache_dir() / "build")
            self.kernels = KernelSessions(self.warm_up)

        def teardown(self, worker: Any) -> None:
            if self.kernels is not None:
                self.kernels.shutdown()

    return KernelPlugin(warm_up, shipped)


def place_snapshot(shipped: dict[str, bytes], folder: Path) -> None:
    """Write the shipped snapshot files into ``folder`` unless an identical copy is there already."""
    for name, data in shipped.items():
        target = folder / name
        if target.is_file() and target.read_bytes() == data:
            continue
        manifest.atomic_write_bytes(target, data)


def collect_files(root: Path) -> dict[str, bytes]:
    """Return every file under ``root`` as ``{relative posix path: bytes}``."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _worker_parameters(parameters: dict[str, Any], shipped: bool, library: str) -> dict[str, Any]:
    """Check the worker runs the driver's code; return the parameters with the snapshot's path here."""
    from distributed import get_worker

    worker = get_worker()
    here = manifest.library_digest()
    if here != library:
        raise RuntimeError(
            f"worker {worker.address} runs another version of corett_lib (digest {here[:12]}, "
            f"driver {library[:12]}); install the driver's code version on every worker"
        )
    params = dict(parameters)
    if shipped:
        params["snapshot"] = str(
            paths.cache_dir() / "build" / Path(str(parameters["snapshot"])).name
        )
    return params


def _kernels() -> KernelSessions:
    from distributed import get_worker

    # The plugin under PLUGIN_NAME is kernel_plugin's KernelPlugin (a local class: typed as Any here).
    plugin: Any = get_worker().plugins[PLUGIN_NAME]
    kernels: KernelSessions = plugin.kernels
    return kernels


def _staged(write: Callable[[Path], dict[str, Any]]) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Run ``write(staging folder)``; return its record and the files it wrote there."""
    staging = Path(tempfile.mkdtemp(prefix="corett-stage-"))
    try:
        record = write(staging)
        return record, collect_files(staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def run_on_worker(
    job: Any,
    parameters: dict[str, Any],
    shipped: bool,
    library: str,
    build_one: Callable[..., dict[str, Any]],
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Build one report on the current Dask worker; return its record and the files it wrote.

    Parameters
    ----------
    job
        The report (:class:`corett_lib.batch.build.Job`).
    parameters
        The notebook's parameters as the driver computed them.
    shipped
        True when the snapshot was shipped (the worker plugin placed it in the worker's cache
        folder); false when the workers read the driver's storage.
    library
        The driver's library digest: a worker running other code fails the report with a message.
    build_one
        The function that builds one report into an output folder with a kernel session.
    """
    from distributed import get_worker

    params = _worker_parameters(parameters, shipped, library)
    with _kernels().borrow() as session:
        record, files = _staged(lambda staging: build_one(job, params, staging, session))
    record["worker"] = get_worker().address
    return record, files


def execute_on_worker(
    job: Any, parameters: dict[str, Any], shipped: bool, library: str, build: Any
) -> Any:
    """Execute one report in one of this worker's kernels (the first of a pipelined report's two tasks).

    Returns ``build.execute``'s :class:`~corett_lib.batch.build.Executed`, its record naming this
    worker; :func:`finish_on_worker` renders it, while this kernel goes on with the next report.
    """
    from distributed import get_worker

    params = _worker_parameters(parameters, shipped, library)
    with _kernels().borrow() as session:
        executed = build.execute(job, params, session)
    executed.record["worker"] = get_worker().address
    return executed


def finish_on_worker(executed: Any, build: Any) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Render and write an executed report into a staging folder; return its record and files.

    The second task of a pipelined report: it needs no kernel, so the worker's other thread runs it
    while the kernel executes the next report. The record keeps the worker that executed it.
    """
    return _staged(lambda staging: build.finish(executed, staging))


class DaskPool:
    """The build's worker pool on a Dask cluster, with the interface of the local pool.

    Parameters
    ----------
    address
        Scheduler address (``tcp://host:8786``) or ``"local"`` to start a LocalCluster here.
    workers
        Worker processes of a LocalCluster (ignored for an existing cluster).
    parameters
        ``parameters(job) -> dict``: the notebook parameters of a report (computed on the driver).
    out_root
        The driver's output folder, where the returned files are written.
    snapshot_files
        Files the reports read (the validated snapshot), broadcast to the workers when
        ``ship_snapshot`` is true.
    build_one
        The function that builds one report (:func:`corett_lib.batch.build.build_one`).
    warm_up
        Code each kernel runs once after it starts.
    ship_snapshot
        Broadcast the snapshot files (default); false when the workers share the driver's storage.
    """

    def __init__(
        self,
        address: str,
        workers: int,
        parameters: Callable[[Any], dict[str, Any]],
        out_root: Path,
        snapshot_files: Sequence[Path],
        build_one: Callable[..., dict[str, Any]],
        warm_up: str,
        ship_snapshot: bool = True,
    ) -> None:
        from distributed import Client, LocalCluster

        self._parameters = parameters
        self._out_root = out_root
        self._build_one = build_one
        self._library = manifest.library_digest()
        self.cluster: Any = None
        if address == LOCAL:
            prepare_environment()  # worker processes inherit the Jupyter folders
            # Two threads and one kernel per worker: one thread executes, the other renders.
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=2,
                resources={KERNEL_RESOURCE: 1},
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            self.client = Client(self.cluster)
        else:
            self.client = Client(address)
        found = self.client.scheduler_info().get("workers", {})
        #: Every worker declares its kernels: run each report as an execute and a render task.
        self.pipelined = bool(found) and all(
            (w.get("resources") or {}).get(KERNEL_RESOURCE, 0) >= 1 for w in found.values()
        )
        shipped = (
            {p.name: p.read_bytes() for p in snapshot_files if p.is_file()}
            if ship_snapshot
            else None
        )
        self._shipped = shipped is not None
        self.client.register_plugin(kernel_plugin(warm_up, shipped), name=PLUGIN_NAME)
        self._futures: dict[Any, Any] = {}
        self._completed: Iterator[Any] | None = None

    @property
    def workers(self) -> list[str]:
        """Addresses of the workers the scheduler knows now."""
        return sorted(self.client.scheduler_info().get("workers", {}))

    def submit(self, jobs: Sequence[Any]) -> None:
        """Queue ``jobs`` on the cluster."""
        from distributed import as_completed

        run_id = uuid.uuid4().hex[:8]
        pipelined = self.pipelined and all(
            hasattr(self._build_one, name) for name in ("execute", "finish")
        )
        kernel = {KERNEL_RESOURCE: 1} if self.pipelined else None
        for job in jobs:
            args = (job, self._parameters(job), self._shipped, self._library, self._build_one)
            if pipelined:
                executed = self.client.submit(
                    execute_on_worker,
                    *args,
                    key=f"corett-{run_id}-execute-{job.key}",
                    resources=kernel,
                    pure=False,
                )
                fut = self.client.submit(
                    finish_on_worker,
                    executed,
                    self._build_one,
                    key=f"corett-{run_id}-{job.key}",
                    pure=False,
                )
            else:
                fut = self.client.submit(
                    run_on_worker,
                    *args,
                    key=f"corett-{run_id}-{job.key}",
                    resources=kernel,
                    pure=False,
                )
            self._futures[fut] = job
        self._completed = iter(as_completed(list(self._futures)))

    def next_result(self) -> tuple[Any, dict[str, Any]]:
        """Wait for the next finished report, write its files into the output folder, return it."""
        assert self._completed is not None, "submit() first"
        fut = next(self._completed)
        job = self._futures.pop(fut)
        try:
            record, files = fut.result()
        except Exception as exc:  # the task failed on every worker it was tried on
            return job, crash_record(exc)
        for rel, data in files.items():
            manifest.atomic_write_bytes(self._out_root / rel, data)
        if record.get("status") == "ok":
            rp = paths.report_paths(job.year, job.country, job.report, job.lang, out=self._out_root)
            rp.failed_notebook.unlink(missing_ok=True)
        return job, record

    def close(self, wait: bool = True) -> None:
        """Cancel what is left, close the client and a LocalCluster started here."""
        if self._futures:
            self.client.cancel(list(self._futures))
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
