"""The Great Expectations context: an ephemeral context, imported only when a suite must run."""

from __future__ import annotations

import os
import time
from typing import Any

_GX: dict[str, Any] = {}


def gx_context() -> Any:
    """Return this process's ephemeral GX context (in-memory stores, no analytics, no progress bars)."""
    if "context" not in _GX:
        t0 = time.perf_counter()
        os.environ["GX_ANALYTICS_ENABLED"] = "False"
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
            analytics_enabled=False,
        )
        context = gx.get_context(mode="ephemeral", project_config=config)
        _GX["context"] = context
        _GX["source"] = context.data_sources.add_pandas("corett")
        _GX["seconds"] = time.perf_counter() - t0
    return _GX["context"]
