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
