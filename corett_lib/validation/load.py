"""Load every input into one validated :class:`~corett_lib.dataset.model.Dataset`.

``load()`` is the single entry point used by the CLI, the batch runner and the notebooks:

1. read, correct and assemble every input (:func:`corett_lib.dataset.loading.load_dataset`);
2. run the validation suites and cross-table checks (:func:`corett_lib.validation.runner.validate`);
3. flag the figures: every part above its total (``inconsistent``, the generic rule of
   :func:`corett_lib.validation.checks.inconsistent_parts`) and every figure a scoped error
   withholds (``withheld``, :mod:`corett_lib.validation.scoped`);
4. raise :class:`~corett_lib.core.problems.DataError` when any error is structural (unless
   ``strict=False``): a scoped error (one country-year's figures) withholds those figures only.

The result is cached per process and data folder, so a build loads and validates once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from corett_lib.core import paths
from corett_lib.core.problems import DataError
from corett_lib.dataset.loading import load_dataset
from corett_lib.dataset.model import Dataset
from corett_lib.validation import checks, scoped
from corett_lib.validation.runner import validate


def load_validated(root: Path) -> Dataset:
    """Read, correct and validate every input of the data folder ``root``.

    It never raises for a data problem: every problem ends up in ``Dataset.problems``.
    """
    ds = load_dataset(root)
    t0 = time.perf_counter()
    ds.problems.extend(validate(ds))
    # The generic rule: every part above its total is flagged on its row (never used for a share).
    ds.observations[checks.INCONSISTENT] = checks.inconsistent_parts(ds.observations)
    ds.observations[scoped.WITHHELD] = scoped.withheld_rows(ds.observations, ds.problems)
    ds.timings["validate"] = time.perf_counter() - t0
    ds.timings["total"] = ds.timings.get("total", 0.0) + ds.timings["validate"]
    return ds


_CACHE: dict[tuple[str, bool], tuple[tuple[tuple[str, int, int], ...], Dataset]] = {}


def _folder_state(root: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime) of every file of the data folder: a changed input invalidates the cache."""
    if not root.is_dir():
        return ()
    return tuple(
        sorted(
            (f.relative_to(root).as_posix(), st.st_size, st.st_mtime_ns)
            for f in root.rglob("*")
            if f.is_file() and (st := f.stat())
        )
    )


def load(
    data: str | os.PathLike[str] | None = None, *, strict: bool = True, use_cache: bool = True
) -> Dataset:
    """Load, correct and validate every input of the data folder.

    Parameters
    ----------
    data
        Data folder (default: ``$CORETT_DATA`` or the shipped ``data/``).
    strict
        Raise :class:`DataError` when any structural error is found (default; an error scoped to
        one country-year's figures withholds them instead, see
        :mod:`corett_lib.validation.scoped`). With ``False`` the dataset is returned with its
        problems, for ``corett validate`` to report.
    use_cache
        Reuse the dataset already loaded in this process for the same folder, as long as no file in
        it changed (size or modification time).

    Raises
    ------
    DataError
        When a file cannot be read or, with ``strict``, when validation finds an error.
    """
    root = paths.data_dir(data)
    key = (str(root), strict)
    state = _folder_state(root)
    if use_cache and key in _CACHE and _CACHE[key][0] == state:
        return _CACHE[key][1]
    ds = load_validated(root)
    if strict and scoped.structural_errors(ds.errors):
        raise DataError(ds.errors)
    if use_cache:
        _CACHE[key] = (state, ds)
    return ds
