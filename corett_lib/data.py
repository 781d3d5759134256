"""Load every input into one :class:`Dataset`, validated, before anything is written.

``load()`` is the single entry point used by the CLI, the batch runner and the notebooks:

1. check the raw files against their provenance record (a changed file is a *warning*, recorded);
2. read each source into its tidy table (``corett_lib.sources.*``, ``corett_lib.reference``);
3. apply the declared duplicate rule and the declared corrections, keeping audits;
4. run the validation suites (``corett_lib.validation``) and collect every problem;
5. raise :class:`~corett_lib.problems.DataError` when any problem is an error (unless ``strict=False``).

The result is cached per process and data folder, so a build loads and validates once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib import paths
from corett_lib.problems import DataError, Problem, errors

if TYPE_CHECKING:
    import pandas as pd

    from corett_lib.sdg import Mapping


@dataclass
class Dataset:
    """Every input, loaded, corrected and validated.

    Attributes
    ----------
    data_dir
        The data folder it was read from.
    observations
        Tidy observations from every source (see :mod:`corett_lib.schema`), after the duplicate rule
        and the declared corrections.
    population
        ``iso3, year, population, source``.
    sdg
        ``level, code, title_en, title_es``.
    countries
        ``iso3, name_en, name_es`` (+ iso2, numeric).
    ratifications
        Chart 1: one row per instrument and country with the original text, ISO date, flags.
    instruments
        Chart 1's instruments with ids, names and adoption dates.
    plan_items
        The plans' axes, objectives, activities and indicators with stable ids.
    evaluation_questions, followup_questions, monitoring_matrix
        The evaluation framework of the Resource Mobilization Strategy (Charts 5, 4 and 3, see
        :mod:`corett_lib.sources.evaluation_framework`); None when the file is missing or unreadable.
    monitoring
        The monitoring data, illustrative and collected (:func:`corett_lib.monitoring.load_monitoring`,
        rows with an error left out); None when it could not be read (e.g. the plan items failed).
    sdg_mapping
        The reviewed SDG mapping (:func:`corett_lib.sdg.read_mapping`: the folder's
        ``sdg_mapping.yaml``, else the shipped one); None when it cannot be read.
    audits
        Named audit tables (``"duplicates"``, ``"corrections"``) of what the loaders changed.
    problems
        Every problem found (errors and warnings).
    checksums
        sha256 of every raw input read, keyed by path relative to the data folder.
    timings
        Seconds spent per step.
    """

    data_dir: Path
    observations: pd.DataFrame
    population: pd.DataFrame
    sdg: pd.DataFrame
    countries: pd.DataFrame
    ratifications: pd.DataFrame
    instruments: pd.DataFrame
    plan_items: pd.DataFrame
    audits: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    checksums: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    evaluation_questions: pd.DataFrame | None = None
    followup_questions: pd.DataFrame | None = None
    monitoring_matrix: pd.DataFrame | None = None
    monitoring: pd.DataFrame | None = None
    sdg_mapping: Mapping | None = None

    @property
    def warnings(self) -> list[Problem]:
        """Problems of severity warning."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity error."""
        return errors(self.problems)


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
        Raise :class:`DataError` when any error is found (default). With ``False`` the dataset is
        returned with its problems, for ``corett validate`` to report.
    use_cache
        Reuse the dataset already loaded in this process for the same folder, as long as no file in
        it changed (size or modification time).

    Raises
    ------
    DataError
        When a file cannot be read or, with ``strict``, when validation finds an error.
    """
    from corett_lib.loading import load_dataset  # the orchestration lives in loading.py

    root = paths.data_dir(data)
    key = (str(root), strict)
    state = _folder_state(root)
    if use_cache and key in _CACHE and _CACHE[key][0] == state:
        return _CACHE[key][1]
    ds = load_dataset(root)
    if strict and ds.errors:
        raise DataError(ds.errors)
    if use_cache:
        _CACHE[key] = (state, ds)
    return ds
