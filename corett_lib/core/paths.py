"""The one place that builds paths.

Every input and output location of the workbench is derived here from a small set of roots (project,
data folder, output folder) and, for reports, from ``(year, country, report, lang)``. Nothing in the
workbench depends on the current working directory.

The data folder defaults to the shipped ``data/``; ``--data DIR`` on any command or the ``CORETT_DATA``
environment variable points the workbench at another folder with the same layout.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT: Path = Path(__file__).resolve().parents[2]
"""The repository root (the folder that holds ``corett_lib/``)."""

#: Raw input files, relative to the data folder. Keys are the names used across the library.
RAW_FILES: dict[str, str] = {
    "glotip": "raw/unodc_data_glotip.xlsx",
    "population": "raw/population_all.csv",
    "sdg_targets": "raw/sdg_targets.csv",
    "corett_victims": "raw/corett_chart3_victims.csv",
    "corett_composition": "raw/corett_2019_composition.csv",
    "ratifications": "raw/chart1_ratifications.csv",
    "instruments": "raw/chart1_instruments.csv",
    "plan_items": "raw/plan_items.csv",
    "evaluation_questions": "raw/evaluation_questions.csv",
    "followup_questions": "raw/followup_questions.csv",
    "monitoring_matrix": "raw/monitoring_matrix.csv",
}

#: Report name -> notebook file in ``notebooks/``.
REPORT_NOTEBOOKS: dict[str, str] = {
    "annual": "annual_report.ipynb",
    "infographic": "infographic.ipynb",
    "evaluation": "evaluation.ipynb",
    "sdg": "sdg_alignment.ipynb",
    "quality": "quality.ipynb",
}

_SAFE_TOKEN = re.compile(r"^[A-Za-z0-9_]+$")


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the data folder: ``override``, else ``$CORETT_DATA``, else the shipped ``data/``."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get("CORETT_DATA")
    if env:
        return Path(env).expanduser().resolve()
    return PROJECT_ROOT / "data"


def raw_path(name: str, data: str | os.PathLike[str] | None = None) -> Path:
    """Return the path of the raw input called ``name`` (a key of :data:`RAW_FILES`)."""
    try:
        rel = RAW_FILES[name]
    except KeyError as exc:
        raise KeyError(
            f"unknown raw input {name!r}; known: {', '.join(sorted(RAW_FILES))}"
        ) from exc
    return data_dir(data) / rel


def provenance_path(data: str | os.PathLike[str] | None = None) -> Path:
    """Return the provenance record of the raw inputs (``raw/PROVENANCE.yaml``)."""
    return data_dir(data) / "raw" / "PROVENANCE.yaml"


def corrections_path(data: str | os.PathLike[str] | None = None) -> Path:
    """Return the declared corrections file (``corrections.yaml`` in the data folder)."""
    return data_dir(data) / "corrections.yaml"


def monitoring_dir(data: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder of monitoring data (illustrative and ingested)."""
    return data_dir(data) / "monitoring"


def parameters_dir() -> Path:
    """Return the folder of run configurations: ``$CORETT_PARAMETERS``, else ``parameters/``.

    The override lets a copy of the configuration (e.g. a coalition with one more member) be
    built without touching the shipped one.
    """
    env = os.environ.get("CORETT_PARAMETERS")
    return Path(env).expanduser().resolve() if env else PROJECT_ROOT / "parameters"


def notebooks_dir() -> Path:
    """Return the folder of report notebooks."""
    return PROJECT_ROOT / "notebooks"


def notebook_path(report: str) -> Path:
    """Return the notebook that renders ``report`` (a key of :data:`REPORT_NOTEBOOKS`)."""
    try:
        return notebooks_dir() / REPORT_NOTEBOOKS[report]
    except KeyError as exc:
        known = ", ".join(sorted(REPORT_NOTEBOOKS))
        raise KeyError(f"unknown report {report!r}; known: {known}") from exc


def outputs_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the output folder: ``override``, else ``$CORETT_OUT``, else ``outputs/``."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get("CORETT_OUT")
    if env:
        return Path(env).expanduser().resolve()
    return PROJECT_ROOT / "outputs"


def cache_dir() -> Path:
    """Return the cache folder (parsed inputs keyed by checksum); ``$CORETT_CACHE`` overrides."""
    env = os.environ.get("CORETT_CACHE")
    return Path(env).expanduser().resolve() if env else PROJECT_ROOT / ".cache"


def validation_dir(out: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder where ``corett validate`` writes its HTML and JSON results."""
    return outputs_dir(out) / "validation"


@dataclass(frozen=True)
class ReportPaths:
    """Where one report's products live."""

    notebook: Path  #: executed notebook
    html: Path  #: rendered HTML for evaluators
    failed_notebook: Path  #: where a failed run's notebook is kept


def _token(value: object, what: str) -> str:
    text = str(value)
    if not _SAFE_TOKEN.match(text):
        raise ValueError(f"{what} {text!r} is not a safe path component (letters, digits, _ only)")
    return text


def report_locations(
    year: int, country: str, report: str, lang: str, out: str | os.PathLike[str] | None = None
) -> ReportPaths:
    """Return the product paths of one report, every component checked to be a plain token.

    :func:`report_paths` without its check of links on disk: for paths already checked by it (the
    build checks every year/country folder of its matrix once, when it plans).

    Examples
    --------
    >>> report_locations(2019, "GTM", "annual", "es", out="/tmp/o").failed_notebook.as_posix()
    '/tmp/o/_failed/2019/GTM/annual.es.ipynb'
    """
    root = outputs_dir(out)
    y, c, r, lang_ = (
        _token(year, "year"),
        _token(country, "country"),
        _token(report, "report"),
        _token(lang, "lang"),
    )
    folder = root / y / c
    stem = f"{r}.{lang_}"
    return ReportPaths(
        notebook=folder / f"{stem}.ipynb",
        html=folder / f"{stem}.html",
        failed_notebook=root / "_failed" / y / c / f"{stem}.ipynb",
    )


def report_paths(
    year: int, country: str, report: str, lang: str, out: str | os.PathLike[str] | None = None
) -> ReportPaths:
    """Return the product paths of one report: ``<out>/<year>/<country>/<report>.<lang>.{ipynb,html}``.

    Every component is checked to be a plain token, and every path, links on disk resolved, to stay
    inside the output folder, so no parameter can steer a path outside it.

    Examples
    --------
    >>> p = report_paths(2019, "GTM", "annual", "es", out="/tmp/o")
    >>> p.html.as_posix()
    '/tmp/o/2019/GTM/annual.es.html'
    """
    root = outputs_dir(out)
    paths = report_locations(year, country, report, lang, out=root)
    for p in (paths.notebook, paths.html, paths.failed_notebook):
        if root not in p.resolve().parents:
            raise ValueError(f"report path {p} escapes the output folder {root}")
    return paths
