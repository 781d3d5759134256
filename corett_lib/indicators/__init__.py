"""The indicator engine: declared indicators, several sources, one answer, differences shown.

Public API (imported lazily, so ``import corett_lib.indicators`` stays light):

* :func:`indicator_table` — the tidy, sorted indicator table for countries, years, indicators and
  breakdowns, in English or Spanish, with source, coverage and flags
  (:mod:`corett_lib.indicators.engine`); :func:`from_dataset` and :func:`compute` wrap it for a loaded
  dataset or a data folder; :func:`evaluate` computes everything once for reuse.
* :func:`reconciliation` — every figure where sources differ (:mod:`corett_lib.indicators.reconcile`).
* :func:`assess`, :func:`with_status`, :func:`plan_progress` — targets and status
  (:mod:`corett_lib.indicators.status`).
* :func:`aggregate_cases` — case-level (CTDC) records to observations (:mod:`corett_lib.indicators.cases`).
* :func:`load_registry` — the validated registry (:mod:`corett_lib.indicators.registry`).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "indicator_table": "engine",
    "evaluate": "engine",
    "from_dataset": "engine",
    "compute": "engine",
    "Evaluation": "engine",
    "reconciliation": "reconcile",
    "assess": "status",
    "with_status": "status",
    "plan_progress": "status",
    "aggregate_cases": "cases",
    "read_ctdc": "cases",
    "synthetic_cases": "cases",
    "load_registry": "registry",
    "Registry": "registry",
    "RegistryError": "registry",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
