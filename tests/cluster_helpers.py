"""Functions shipped to Dask workers by value in tests/test_cluster.py (tests is not a package)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from corett_lib.batch.build import build_one


def build_one_dying_once(job: Any, params: dict[str, Any], out_root: Path, session: Any) -> dict:
    """Kill the worker process the first time a report is built, then build normally.

    The marker file lives in the folder named by ``CORETT_TEST_MARKER_DIR`` (set before the cluster
    starts, so every worker process inherits it).
    """
    marker = Path(os.environ["CORETT_TEST_MARKER_DIR"]) / f"{job.key.replace('/', '_')}.died"
    if not marker.exists():
        marker.write_text(str(os.getpid()), encoding="utf-8")
        os._exit(1)  # the worker dies mid-task, as a machine would
    return build_one(job, params, out_root, session)


class DyingOnceBuild:
    """A report built in two tasks (execute, then finish) whose worker dies once in one of them.

    ``stage`` is ``"execute"`` or ``"finish"``: the worker process exits the first time that task
    runs for a report; Dask runs it again elsewhere (for ``finish``, the executed report was lost
    with its worker, so the execute task runs again too).
    """

    def __init__(self, stage: str) -> None:
        self.stage = stage

    def _maybe_die(self, stage: str, key: str) -> None:
        marker = (
            Path(os.environ["CORETT_TEST_MARKER_DIR"]) / f"{key.replace('/', '_')}.{stage}.died"
        )
        if stage == self.stage and not marker.exists():
            marker.write_text(str(os.getpid()), encoding="utf-8")
            os._exit(1)

    def execute(self, job: Any, params: dict[str, Any], session: Any) -> Any:
        from corett_lib.batch.build import execute_report

        self._maybe_die("execute", job.key)
        return execute_report(job, params, session)

    def finish(self, executed: Any, out_root: Path) -> dict:
        from corett_lib.batch.build import finish_report

        self._maybe_die("finish", executed.job.key)
        return finish_report(executed, out_root)

    def __call__(self, job: Any, params: dict[str, Any], out_root: Path, session: Any) -> dict:
        return self.finish(self.execute(job, params, session), out_root)
