"""The loading orchestration behind :func:`corett_lib.validation.load.load`.

:func:`load_dataset` reads every raw input of a data folder into one
:class:`~corett_lib.dataset.model.Dataset`, in this order:

1. check the raw files against their provenance record (``provenance.check_provenance``);
2. read each file with its loader (``sources.*``, ``reference``); a loader that raises
   :class:`~corett_lib.core.problems.DataError` for an unreadable file has its problems collected and the
   other files are still read, so that every problem is reported at once;
3. read the declared corrections (``corrections.yaml``), apply UNODC's duplicate rule and the
   corrections, keeping their audits; a correction whose ``where`` names the ``source_file`` of
   another table (e.g. ``raw/chart1_ratifications.csv``) is applied to that table;
4. read the SDG mapping (the folder's ``sdg_mapping.yaml``, else the shipped one; parsed once per
   file content, see :func:`read_sdg_mapping`) and the monitoring data (``monitoring/``, checked
   row by row against the plan items, see :func:`read_monitoring`);
Validation is the next layer's job (:func:`corett_lib.validation.load.load`).

The evaluation framework files (``raw/evaluation_questions.csv``, ``raw/followup_questions.csv``,
``raw/monitoring_matrix.csv``) are read like the other raw inputs, but a folder without them (made
before they existed) gets a warning, not an error: only the evaluation report needs them. A folder
without monitoring data gets a warning too (the reports then show the plans' targets only).

It never raises for a data problem: every problem ends up in ``Dataset.problems``; the caller
(:func:`corett_lib.validation.load.load`) decides whether errors are fatal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.core import cache, paths
from corett_lib.core import problems as problem_types
from corett_lib.core.config import members
from corett_lib.core.problems import DataError, Problem
from corett_lib.core.schema import OBSERVATION_COLUMNS
from corett_lib.dataset import sdg_mapping as sdg
from corett_lib.dataset import snapshot
from corett_lib.dataset.model import Dataset
from corett_lib.dataset.monitoring import (
    COLLECTED_FILE,
    ILLUSTRATIVE_FILE,
    TABLE,
    load_monitoring,
)
from corett_lib.dataset.sdg_mapping import Mapping
from corett_lib.raw.corett import read_corett_composition, read_corett_victims
from corett_lib.raw.corrections import apply_corrections, load_corrections
from corett_lib.raw.evaluation_framework import (
    read_evaluation_questions,
    read_followup_questions,
    read_monitoring_matrix,
)
from corett_lib.raw.plans import read_plan_items
from corett_lib.raw.provenance import check_provenance
from corett_lib.raw.ratifications import read_instruments, read_ratifications
from corett_lib.raw.reference import country_table, read_population, read_sdg
from corett_lib.raw.unodc import apply_duplicate_rule, read_glotip

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Reader:
    """One raw input and the loader that reads it."""

    key: str  #: key of :data:`corett_lib.core.paths.RAW_FILES`
    loader: Callable[[Path, str], tuple[Any, list[Problem]]]  #: ``f(path, rel) -> (df, problems)``
    table: str  #: the Dataset attribute the result goes to
    #: Only the evaluation report needs the file: a folder without it is a warning, not an error.
    optional: bool = False


#: Every raw input, in reading order. Observations come from three files.
READERS: tuple[Reader, ...] = (
    Reader("glotip", read_glotip, "observations"),
    Reader("corett_victims", read_corett_victims, "observations"),
    Reader("corett_composition", read_corett_composition, "observations"),
    Reader("population", read_population, "population"),
    Reader("sdg_targets", read_sdg, "sdg"),
    Reader("instruments", read_instruments, "instruments"),
    Reader("ratifications", read_ratifications, "ratifications"),
    Reader("plan_items", read_plan_items, "plan_items"),
    Reader(
        "evaluation_questions",
        read_evaluation_questions,
        "evaluation_questions",
        optional=True,
    ),
    Reader(
        "followup_questions",
        read_followup_questions,
        "followup_questions",
        optional=True,
    ),
    Reader(
        "monitoring_matrix",
        read_monitoring_matrix,
        "monitoring_matrix",
        optional=True,
    ),
)

TABLES: tuple[str, ...] = (
    "observations",
    "population",
    "sdg",
    "ratifications",
    "instruments",
    "plan_items",
    "evaluation_questions",
    "followup_questions",
    "monitoring_matrix",
)


def _missing(rel: str, table: str, optional: bool = False) -> Problem:
    if optional:
        return Problem(
            severity="warning",
            check="file_missing",
            file=rel,
            message="the file is not in the data folder; the evaluation report cannot be built",
            why="the evaluation framework is read by the evaluation report only; the other reports "
            "do not need it",
            table=table,
        )
    return Problem(
        severity="error",
        check="file_missing",
        file=rel,
        message="the file is not in the data folder",
        why="every input of the data folder layout is needed to build the reports",
        table=table,
    )


def read_all(root: Path) -> tuple[dict[str, list[Any]], list[Problem], set[str], dict[str, float]]:
    """Read every raw input of ``root`` with its loader, collecting problems.

    Parameters
    ----------
    root
        The data folder.

    Returns
    -------
    frames
        Table name -> the frames read for it (observations has up to three).
    problems
        Every problem the loaders reported, including unreadable and missing files.
    failed
        Keys of :data:`corett_lib.core.paths.RAW_FILES` that could not be read at all.
    timings
        Seconds per file (``read:<key>``).
    """
    frames: dict[str, list[Any]] = {t: [] for t in TABLES}
    problems: list[Problem] = []
    failed: set[str] = set()
    timings: dict[str, float] = {}
    for reader in READERS:
        rel = paths.RAW_FILES[reader.key]
        path = root / rel
        t0 = time.perf_counter()
        if not path.is_file():
            problems.append(_missing(rel, reader.table, reader.optional))
            failed.add(reader.key)
            continue
        try:
            df, found = reader.loader(path, rel)
        except DataError as exc:
            problems.extend(exc.problems)
            failed.add(reader.key)
        else:
            problems.extend(found)
            frames[reader.table].append(df)
        timings[f"read:{reader.key}"] = time.perf_counter() - t0
    return frames, problems, failed, timings


def _country_codes(observations: pd.DataFrame, population: pd.DataFrame) -> set[str]:
    """Return every country code the tables and the coalition name (names come from pycountry)."""
    codes = set(members())
    for frame in (observations, population):
        if "iso3" in frame.columns:
            codes |= set(frame["iso3"].dropna().astype(str))
    return codes


def _empty_observations() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype="object") for c in OBSERVATION_COLUMNS})


def _one(frames: list[Any]) -> pd.DataFrame:
    import pandas as pd

    return frames[0] if frames else pd.DataFrame()


def route_corrections(corrections: list[Any]) -> dict[str, list[Any]]:
    """Return the declared corrections per table they apply to.

    A correction whose ``where`` names (only) the ``source_file`` of a table other than the
    observations (e.g. ``raw/chart1_ratifications.csv``) is applied to that table, by the same
    function, so that a problem found there can be declared too; every other correction goes to the
    observations (and the duplicate rule).
    """
    by_file = {paths.RAW_FILES[r.key]: r.table for r in READERS if r.table != "observations"}
    out: dict[str, list[Any]] = {"observations": []}
    for c in corrections:
        files = c.where.get("source_file")
        files = files if isinstance(files, list) else [files]
        tables = {by_file.get(str(f)) for f in files}
        table = tables.pop() if len(tables) == 1 else None
        out.setdefault(table or "observations", []).append(c)
    return out


def failed_tables(failed: Iterable[str]) -> set[str]:
    """Return the tables none of whose files could be read, from the failed ``RAW_FILES`` keys."""
    failed = set(failed)
    out = {r.table for r in READERS if r.key in failed and r.table != "observations"}
    if all(r.key in failed for r in READERS if r.table == "observations"):
        out.add("observations")
    return out


def read_sdg_mapping(root: Path) -> tuple[Mapping | None, list[Problem]]:
    """Read the SDG mapping of ``root`` (else the shipped one) and check its structure.

    The checks against the other tables (:func:`corett_lib.validation.sdg_mapping.check_mapping`) run with the
    validation. Problems name the file relative to the data folder, or ``data/sdg_mapping.yaml``
    of the project when the folder has none (a folder without its own mapping uses the shipped one).
    """
    path = sdg.mapping_path(root)
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.relative_to(paths.PROJECT_ROOT).as_posix()
    # Reading the YAML with line numbers takes longer than the rest of the load of an unchanged
    # folder: the result is cached, keyed by the file's bytes, its name in problems and the code of
    # the reader and of the parts a cached mapping is made of.
    try:
        key = {
            "mapping": cache.code_digest(path),
            "rel": rel,
            "code": cache.code_digest(sdg.__file__, snapshot.__file__, problem_types.__file__),
        }
    except OSError:
        return sdg.read_mapping(path, rel)  # the reader reports the missing/unreadable file
    entry = _MAPPING_STORE.get(key, "sdg_mapping")
    if entry is not None:
        mapping = snapshot.mapping_from(entry.meta["mapping"], entry.frames)
        return mapping, [Problem.from_dict(p) for p in entry.meta["problems"]]
    result = sdg.read_mapping(path, rel)
    if result[0] is not None:
        meta, frames = snapshot.mapping_parts(result[0])
        _MAPPING_STORE.put(
            key,
            meta={"mapping": meta, "problems": [p.to_dict() for p in result[1]]},
            frames=frames,
            prefix="sdg_mapping",
        )
    return result


_MAPPING_STORE = cache.Store("sdg_mapping", keep=4)


def read_monitoring(
    root: Path, plan_items: pd.DataFrame | None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read the monitoring data of ``root`` (:func:`corett_lib.dataset.monitoring.load_monitoring`).

    Parameters
    ----------
    root
        The data folder.
    plan_items
        The plan items, or None when they could not be read (then the monitoring data, whose rows
        refer to plan items, is not read: the plan items' loader already said why).

    Returns
    -------
    table, problems
        The table (illustrative rows included; rows with an error left out), or None; a warning when
        the folder holds no monitoring data (the reports then show the plans' targets only).
    """
    if plan_items is None:
        return None, []
    folder = paths.monitoring_dir(root)
    if not any((folder / name).is_file() for name in (COLLECTED_FILE, ILLUSTRATIVE_FILE)):
        return None, [
            Problem(
                "warning",
                "monitoring_present",
                "monitoring/",
                f"no monitoring data ({COLLECTED_FILE} or {ILLUSTRATIVE_FILE}) in the data folder",
                why="without monitoring data the reports show the plans' targets, not their actuals",
                table=TABLE,
            )
        ]
    try:
        return load_monitoring(root, illustrative=True, plan_items=plan_items)
    except DataError as exc:  # an unreadable file (encoding, header): its problems say which
        return None, exc.problems


def load_dataset(root: Path) -> Dataset:
    """Read and correct every input of the data folder ``root`` (validation is the next layer's job).

    Parameters
    ----------
    root
        The data folder (same layout as the shipped ``data/``).

    Returns
    -------
    Dataset
        Every table, the audits (``"duplicates"``, ``"corrections"``), every problem found (errors
        and warnings), the input checksums and per-step timings. ``failed_files`` lists the
        inputs that could not be read; ``corrections`` holds the declared corrections.

    Examples
    --------
    >>> from corett_lib.core import paths
    >>> ds = load_dataset(paths.data_dir())  # doctest: +SKIP
    >>> [p.check for p in ds.errors]  # doctest: +SKIP
    []
    """
    import pandas as pd

    t_start = time.perf_counter()
    timings: dict[str, float] = {}
    problems: list[Problem] = []

    t0 = time.perf_counter()
    checksums: dict[str, str] = {}
    try:
        checksums, found = check_provenance(root)
    except DataError as exc:  # an unreadable provenance record: report it, read the files anyway
        found = exc.problems
    problems.extend(found)
    timings["provenance"] = time.perf_counter() - t0

    frames, found, failed, read_times = read_all(root)
    problems.extend(found)
    timings.update(read_times)

    t0 = time.perf_counter()
    corrections: list[Any] = []
    corrections_file = paths.corrections_path(root)
    if corrections_file.is_file():
        try:
            corrections = load_corrections(corrections_file)
        except DataError as exc:
            problems.extend(exc.problems)
    timings["corrections_read"] = time.perf_counter() - t0

    audits: dict[str, pd.DataFrame] = {}
    t0 = time.perf_counter()
    obs_parts: list[pd.DataFrame] = []
    if "glotip" not in failed:
        # The UNODC frame is always read first (READERS order), so it is frames["observations"][0].
        unodc, audits["duplicates"], found = apply_duplicate_rule(
            frames["observations"][0], corrections
        )
        problems.extend(found)
        obs_parts.append(unodc)
        obs_parts.extend(frames["observations"][1:])
    else:
        obs_parts.extend(frames["observations"])
    timings["duplicates"] = time.perf_counter() - t0
    obs_parts = [p for p in obs_parts if len(p)]
    observations = pd.concat(obs_parts, ignore_index=True) if obs_parts else _empty_observations()

    t0 = time.perf_counter()
    tables: dict[str, pd.DataFrame] = {t: _one(frames[t]) for t in TABLES if t != "observations"}
    routed = route_corrections(corrections)
    for_obs = routed.pop("observations", [])
    if "glotip" in failed:  # UNODC's rows are not there: its corrections would all look stale
        glotip = paths.RAW_FILES["glotip"]
        for_obs = [
            c
            for c in for_obs
            if c.where.get("source") != "UNODC" and c.where.get("source_file") != glotip
        ]
    observations, audit, found = apply_corrections(observations, for_obs)
    problems.extend(found)
    audit_parts = [audit]
    for table, declared in routed.items():
        if not len(tables[table].columns):  # the file could not be read: its loader said why
            continue
        tables[table], audit, found = apply_corrections(tables[table], declared)
        problems.extend(found)
        audit_parts.append(audit)
    audits["corrections"] = pd.concat(
        [a for a in audit_parts if len(a)] or audit_parts[:1], ignore_index=True
    )
    timings["corrections"] = time.perf_counter() - t0

    optional = {r.table for r in READERS if r.optional}
    t0 = time.perf_counter()
    mapping, found = read_sdg_mapping(root)
    problems.extend(found)
    timings["read:sdg_mapping"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    monitoring, found = read_monitoring(
        root, None if "plan_items" in failed_tables(failed) else tables["plan_items"]
    )
    problems.extend(found)
    timings["read:monitoring"] = time.perf_counter() - t0

    ds = Dataset(
        data_dir=root,
        observations=observations,
        population=tables["population"],
        sdg=tables["sdg"],
        countries=country_table(_country_codes(observations, tables["population"])),
        ratifications=tables["ratifications"],
        instruments=tables["instruments"],
        plan_items=tables["plan_items"],
        audits=audits,
        problems=problems,
        checksums=dict(checksums),
        timings=timings,
        failed_files=sorted(failed),
        corrections=list(corrections),
        **{t: (tables[t] if frames[t] else None) for t in sorted(optional)},
        monitoring=monitoring,
        sdg_mapping=mapping,
    )
    timings["total"] = time.perf_counter() - t_start
    return ds
