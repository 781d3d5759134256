"""Execute parameterized notebooks in a kernel that is started once and reused between reports.

A :class:`KernelSession` owns one running kernel and its client. :meth:`KernelSession.run` injects the
parameters (papermill's translator, so the executed notebook carries the ``injected-parameters`` cell),
clears the kernel namespace (:func:`clear_report_namespace`, ``%reset -f`` without its garbage collections), executes every cell with papermill's notebook client (which
records per-cell timings in ``cell.metadata.papermill``), and on a failing cell adds papermill's error banner.
Modules imported by the kernel stay imported between reports, which is where the time goes when a new kernel
is started per report.

Papermill's ``execute_notebook`` is not used directly because it creates a new kernel client per call even
when it is handed a running kernel manager; here both are created once per session.
"""

from __future__ import annotations

import logging
import os
import re
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.core import paths

if TYPE_CHECKING:
    from nbformat import NotebookNode

KERNEL_NAME = "python3"
"""Kernel of every report notebook (the virtualenv's ipykernel)."""

RESET_SOURCE = "import corett_lib.batch.execute\ncorett_lib.batch.execute.clear_report_namespace()"
"""Run before every report in a reused kernel, so no variable leaks from the previous report."""


FULL_COLLECTION_EVERY = 20
"""Reports between two full garbage collections in a reused kernel (see :func:`clear_report_namespace`)."""

_resets = 0


def clear_report_namespace() -> None:
    """Remove what the last report left in this IPython kernel's namespace (run inside the kernel).

    What ``%reset -f`` does between reports — every user variable, the output cache (``Out``, ``_``,
    ``__``, ``___``, ``_N``) — without its two full garbage collections. In a kernel that has built a
    hundred reports each of those takes 30–40 ms (the snapshot, the facts and the sections' bounded caches
    are all tracked objects), and a build measured them as most of every report's first-cell time.
    Instead, a full collection runs every :data:`FULL_COLLECTION_EVERY` reports, which keeps a kernel's
    memory as flat as ``%reset -f`` did over hundreds of reports for a fraction of the time. Outside
    IPython this does nothing.
    """
    global _resets
    _resets += 1
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - the kernel always has IPython
        return
    shell = get_ipython()
    if shell is None:
        return
    ns = shell.user_ns
    hidden = shell.user_ns_hidden
    numbered = re.compile(r"_i?\d+$")  # ``_3`` (an output) and ``_i3`` (an input): hidden, but held
    for name in [n for n in ns if n not in hidden or numbered.match(n)]:
        del ns[name]
    # inputs and outputs (``In``, ``Out``), as %reset -f does
    shell.history_manager.reset(new_session=False)
    display = shell.displayhook
    display._, display.__, display.___ = "", "", ""
    for name in ("_", "__", "___"):
        ns[name] = ""
    if _resets % FULL_COLLECTION_EVERY == 0:
        import gc

        gc.collect()


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_log = logging.getLogger(__name__)


def jupyter_environment() -> dict[str, str]:
    """Return the Jupyter/IPython folders inside the project (as the Makefile exports them).

    Only variables that are not set already are returned, so a user's choice wins.
    """
    base = paths.PROJECT_ROOT / ".jupyter"
    wanted = {
        "JUPYTER_CONFIG_DIR": base / "config",
        "JUPYTER_DATA_DIR": base / "data",
        "JUPYTER_RUNTIME_DIR": base / "runtime",
        "IPYTHONDIR": base / "ipython",
    }
    env = {k: str(v) for k, v in wanted.items() if not os.environ.get(k)}
    env.update(
        {
            k: v
            for k, v in {"GX_ANALYTICS_ENABLED": "False", "MPLBACKEND": "Agg"}.items()
            if not os.environ.get(k)
        }
    )
    return env


def prepare_environment() -> None:
    """Set the defaults of :func:`jupyter_environment` in ``os.environ`` and create the folders."""
    for key, value in jupyter_environment().items():
        os.environ[key] = value
    for key in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        Path(os.environ[key]).mkdir(parents=True, exist_ok=True)


SLOW_UNUSED_MODULES: tuple[str, ...] = ("rfc3987_syntax",)
"""Optional modules that cost start-up time and that no report uses.

``rfc3987_syntax`` is jsonschema's optional checker of the ``iri`` formats (installed with Jupyter's
event schemas); it compiles a grammar when imported, 1.8 s of the 2.5 s Altair takes to import on the
benchmark machine. Neither Vega-Lite's schema nor the notebook format uses those formats.
"""


def skip_unused_slow_imports() -> None:
    """Make :data:`SLOW_UNUSED_MODULES` unimportable in this process (unless already imported).

    Code that tries them falls back as it does when they are not installed (jsonschema does).
    """
    import sys

    for name in SLOW_UNUSED_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def kernel_log_path() -> Path:
    """Return the file that collects the kernels' own stderr (``.cache/build/kernels.log``)."""
    return paths.cache_dir() / "build" / "kernels.log"


@dataclass
class CellFailure:
    """The first cell that raised, as papermill reports it."""

    cell_index: (
        int  #: index in the executed notebook (after parameter injection, before the banner)
    )
    execution_count: int | None
    source: str
    ename: str
    evalue: str
    traceback: str  #: plain text, ANSI colours removed

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "cell_index": self.cell_index,
            "execution_count": self.execution_count,
            "source": self.source,
            "ename": self.ename,
            "evalue": self.evalue,
            "traceback": self.traceback,
        }


@dataclass
class Execution:
    """The result of executing one notebook."""

    notebook: NotebookNode  #: the executed notebook (with papermill's error banner on failure)
    seconds: float  #: wall time of the execution, reset included
    failure: CellFailure | None = None
    cell_timings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every cell ran without error."""
        return self.failure is None

    @property
    def cell_seconds(self) -> float:
        """Sum of the in-kernel cell durations recorded by papermill."""
        return float(sum(c["seconds"] for c in self.cell_timings))


def cell_timings(nb: NotebookNode) -> list[dict[str, Any]]:
    """Return ``[{cell, tags, first_line, seconds}]`` for every executed code cell of ``nb``."""
    out: list[dict[str, Any]] = []
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("papermill", {})
        if cell.get("cell_type") != "code" or meta.get("duration") is None:
            continue
        out.append(
            {
                "cell": index,
                "tags": list(cell.get("metadata", {}).get("tags", [])),
                "first_line": (cell.get("source", "").splitlines() or [""])[0][:80],
                "seconds": round(float(meta["duration"]), 4),
            }
        )
    return out


def _failure(nb: NotebookNode) -> CellFailure | None:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return CellFailure(
                    cell_index=index,
                    execution_count=cell.get("execution_count"),
                    source=cell.get("source", ""),
                    ename=output.get("ename", ""),
                    evalue=output.get("evalue", ""),
                    traceback=_ANSI.sub("", "\n".join(output.get("traceback", []))),
                )
        if cell.get("metadata", {}).get("papermill", {}).get("exception") is True:
            return CellFailure(
                index, cell.get("execution_count"), cell.get("source", ""), "", "", ""
            )
    return None


def _add_error_banner(nb: NotebookNode, failure: CellFailure) -> NotebookNode:
    """Add papermill's error banner and anchor (the same cells ``papermill`` writes)."""
    import nbformat
    from papermill.execute import ERROR_ANCHOR_MSG, ERROR_MARKER_TAG, ERROR_MESSAGE_TEMPLATE

    banner = nbformat.v4.new_markdown_cell(ERROR_MESSAGE_TEMPLATE % str(failure.execution_count))
    banner.metadata["tags"] = [ERROR_MARKER_TAG]
    anchor = nbformat.v4.new_markdown_cell(ERROR_ANCHOR_MSG)
    anchor.metadata["tags"] = [ERROR_MARKER_TAG]
    nb.cells.insert(failure.cell_index, anchor)
    nb.cells.insert(0, banner)
    return nb


def parameterize(notebook: Path, parameters: dict[str, Any]) -> NotebookNode:
    """Read ``notebook`` and inject ``parameters`` after its ``parameters`` cell (papermill's way)."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(notebook))
    nb = parameterize_notebook(nb, parameters, kernel_name=KERNEL_NAME, language="python")
    for (
        cell
    ) in nb.cells:  # papermill gives the cell it injects a random id: same inputs, same bytes
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
    nb.metadata.setdefault("papermill", {})
    nb.metadata.papermill.update(
        {"input_path": str(notebook), "parameters": dict(parameters), "environment_variables": {}}
    )
    return nb


class KernelSession:
    """One running kernel, reused for many notebooks (one session per worker thread).

    Parameters
    ----------
    cwd
        Working folder of the kernel (the notebooks folder by default; reports do not depend on it).
    timeout
        Seconds a single cell may run before it is stopped and the report fails.
    warm_up
        Code run once right after the kernel starts (imports every report needs). Its errors are
        not raised: a report that depends on what failed fails on its own cell, with the traceback.
    """

    def __init__(self, cwd: Path | None = None, timeout: int = 600, warm_up: str = "") -> None:
        self.cwd = cwd or paths.notebooks_dir()
        self.timeout = timeout
        self.warm_up = warm_up
        self.km: Any = None
        self.kc: Any = None
        self.reports_run = 0

    def start(self) -> None:
        """Start the kernel and its client (no-op when already running)."""
        if self.alive():
            return
        import nbformat
        from nbclient import NotebookClient

        starter = NotebookClient(nbformat.v4.new_notebook(), kernel_name=KERNEL_NAME)
        self.km = starter.create_kernel_manager()
        starter.km = self.km
        log = kernel_log_path()
        log.parent.mkdir(parents=True, exist_ok=True)
        if log.is_file() and log.stat().st_size > 5_000_000:
            log.unlink(missing_ok=True)  # keep the log of recent builds only
        # The kernel's own log (start-up notices, crashes) goes to a file, not over the progress bar.
        with open(log, "ab") as stderr:
            starter.start_new_kernel(cwd=str(self.cwd), stderr=stderr)
        starter.start_new_kernel_client()
        self.kc = starter.kc
        self.reports_run = 0
        if self.warm_up:
            import nbformat

            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(self.warm_up)])
            client = self._client(nb)
            client.allow_errors = True
            client.execute()
            self.reports_run = 1  # the next report starts with a reset

    def alive(self) -> bool:
        """Return True when the kernel process is running."""
        if self.km is None or self.kc is None:
            return False
        from jupyter_core.utils import run_sync

        try:
            return bool(run_sync(self.km.is_alive)())
        except RuntimeError:
            return False

    def shutdown(self) -> None:
        """Stop the client channels and the kernel."""
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None and self.km.has_kernel:
            run_sync(self.km.shutdown_kernel)(now=True)
        self.km = None

    def _client(self, nb: NotebookNode, nb_man: Any = None) -> Any:
        from nbclient import NotebookClient
        from papermill.clientwrap import PapermillNotebookClient

        if nb_man is None:
            client = NotebookClient(nb, km=self.km, kernel_name=KERNEL_NAME, timeout=self.timeout)
        else:
            client = PapermillNotebookClient(
                nb_man, km=self.km, kernel_name=KERNEL_NAME, timeout=self.timeout, log=_log
            )
        client.kc = self.kc  # reuse the session's client: no new channels per report
        return client

    def reset(self) -> None:
        """Clear the kernel's namespace (:func:`clear_report_namespace`); imported modules stay loaded.

        The request is queued without waiting for its reply: the kernel runs requests in order, so
        the reset is done before the next notebook's first cell, and the notebook client ignores
        the messages of a request it did not send. The round trip (a notebook client of its own and
        its ``kernel_info`` exchange, while the kernel waited) is saved. The reset counts in the
        kernel's execution counter, as a reset cell did.
        """
        self.kc.execute(RESET_SOURCE, allow_stdin=False)

    def run(self, nb: NotebookNode) -> Execution:
        """Execute the parameterized notebook ``nb`` in this session's kernel.

        A failing cell does not raise: the returned :class:`Execution` carries the failure and the
        notebook with papermill's error banner. A dead kernel is restarted for the next report.

        Parameters
        ----------
        nb
            A notebook from :func:`parameterize`.

        Returns
        -------
        Execution
        """
        from nbclient.exceptions import DeadKernelError
        from papermill.engines import NotebookExecutionManager

        t0 = time.perf_counter()
        self.start()
        if self.reports_run:
            self.reset()
        nb_man = NotebookExecutionManager(
            nb, output_path=None, progress_bar=False, log_output=False
        )
        nb_man.notebook_start()
        try:
            self._client(nb_man.nb, nb_man).execute()
        except DeadKernelError as exc:
            self.shutdown()
            dead = CellFailure(-1, None, "", "DeadKernelError", str(exc), str(exc))
            return Execution(nb_man.nb, time.perf_counter() - t0, dead, cell_timings(nb_man.nb))
        finally:
            self.reports_run += 1
        nb_man.notebook_complete()
        executed = nb_man.nb
        failure = _failure(executed)
        timings = cell_timings(executed)
        if failure is not None:
            executed = _add_error_banner(executed, failure)
        return Execution(executed, time.perf_counter() - t0, failure, timings)


def crash_record(exc: BaseException) -> dict[str, Any]:
    """Return the manifest record of a report whose build raised ``exc`` (status ``failed``)."""
    return {
        "status": "failed",
        "failure": {
            "cell_index": None,
            "ename": type(exc).__name__,
            "evalue": str(exc),
            "traceback": "".join(traceback.format_exception(exc)),
        },
    }
