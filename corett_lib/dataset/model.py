"""The :class:`Dataset`: every input of a data folder, read and corrected (validated by ``validation``).

``load()`` is the single entry point used by the CLI, the batch runner and the notebooks:

1. check the raw files against their provenance record (a changed file is a *warning*, recorded);
2. read each source into its tidy table (``corett_lib.raw.*``, ``corett_lib.raw.reference``);
3. apply the declared duplicate rule and the declared corrections, keeping audits;
4. run the validation suites (``corett_lib.validation``) and collect every problem;
5. raise :class:`~corett_lib.core.problems.DataError` when any problem is an error (unless ``strict=False``).

The result is cached per process and data folder, so a build loads and validates once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from corett_lib.core.problems import Problem, errors
from corett_lib.dataset.sdg_mapping import Mapping
from corett_lib.raw.corrections import Correction

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Dataset:
    """Every input, loaded, corrected and validated.

    Attributes
    ----------
    data_dir
        The data folder it was read from.
    observations
        Tidy observations from every source (see :mod:`corett_lib.core.schema`), after the duplicate rule
        and the declared corrections.
    population
        ``iso3, year, population, source``.
    sdg
        ``level, code, title_en, title_es``.
    countries
        ``iso3, iso2, numeric, name_en, name_es, source``: every country of the data and of the
        coalition, names from pycountry (:func:`corett_lib.raw.reference.country_table`).
    ratifications
        Chart 1: one row per instrument and country with the original text, ISO date, flags.
    instruments
        Chart 1's instruments with ids, names and adoption dates.
    plan_items
        The plans' axes, objectives, activities and indicators with stable ids.
    evaluation_questions, followup_questions, monitoring_matrix
        The evaluation framework of the Resource Mobilization Strategy (Charts 5, 4 and 3, see
        :mod:`corett_lib.raw.evaluation_framework`); None when the file is missing or unreadable.
    monitoring
        The monitoring data, illustrative and collected (:func:`corett_lib.dataset.monitoring.load_monitoring`,
        rows with an error left out); None when it could not be read (e.g. the plan items failed).
    sdg_mapping
        The reviewed SDG mapping (:func:`corett_lib.dataset.sdg_mapping.read_mapping`: the folder's
        ``sdg_mapping.yaml``, else the shipped one); None when it cannot be read.
    audits
        Named audit tables (``"duplicates"``, ``"corrections"``) of what the loaders changed.
    problems
        Every problem found (errors and warnings).
    checksums
        sha256 of every raw input read, keyed by path relative to the data folder.
    timings
        Seconds spent per step.
    failed_files
        Inputs (relative to the data folder) that could not be read; their tables are skipped by
        validation, and their loaders' problems say why.
    corrections
        The declared corrections (``corrections.yaml``) that were applied.
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
    failed_files: list[str] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
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
