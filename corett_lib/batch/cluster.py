"""Builds on a Dask distributed cluster: the same reports, one warm kernel per worker thread.

``corett build --cluster ADDRESS`` connects to an existing scheduler (``dask scheduler`` and
``dask worker`` on several machines); ``--cluster local`` starts a :class:`~distributed.LocalCluster`
of ``--jobs`` single-threaded worker processes on this machine. Without ``--cluster`` the build keeps
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
4. Each task builds one report with :func:`corett_lib.batch.build.build_one` into a private staging
   folder on its worker and returns the record and the bytes of every file it wrote. The driver writes
   them into the output folder (atomically, as for a local build), so workers need no access to it.
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


class KernelSessions:
    """One warm Jupyter kernel per worker thread, shut down with the worker.

    Held by the Dask worker plugin :func:`kernel_plugin` makes.

    Parameters
    ----------
    warm_up
        Code each kernel runs once after it starts (imports every report needs).
    """

    def __init__(self, warm_up: str) -> None:
        self.warm_up = warm_up
        self._sessions: dict[int, KernelSession] = {}
        self._lock = threading.Lock()

    def session(self) -> KernelSession:
        """Return this thread's kernel session, started and warmed up on first use."""
        tid = threading.get_ident()
        with self._lock:
            session = self._sessions.get(tid)
            if session is None:
                session = self._sessions[tid] = KernelSession(warm_up=self.warm_up)
        session.start()  # no-op when alive; restarts a kernel that died
        return session

    def shutdown(self) -> None:
        """Stop every kernel."""
        for session in self._sessions.values():
            session.shutdown()
        self._sessions.clear()


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
    # The plugin under PLUGIN_NAME is kernel_plugin's KernelPlugin (a local class: typed as Any here).
    plugin: Any = worker.plugins[PLUGIN_NAME]
    kernels: KernelSessions = plugin.kernels
    staging = Path(tempfile.mkdtemp(prefix="corett-stage-"))
    try:
        record = build_one(job, params, staging, kernels.session())
        files = collect_files(staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    record["worker"] = worker.address
    return record, files


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
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            self.client = Client(self.cluster)
        else:
            self.client = Client(address)
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
        for job in jobs:
            fut = self.client.submit(
                run_on_worker,
                job,
                self._parameters(job),
                self._shipped,
                self._library,
                self._build_one,
                key=f"corett-{run_id}-{job.key}",
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
