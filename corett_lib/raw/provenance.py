"""Provenance of the raw inputs: ``raw/PROVENANCE.yaml`` and the files' checksums.

The record lists one entry per raw file (see the comment at the top of the shipped
``data/raw/PROVENANCE.yaml`` for the fields). :func:`check_provenance` compares the files of a data
folder with it:

* a listed file whose sha256 differs is a **warning** (``input_changed``): users replace inputs with
  newer editions, and the change is recorded in the run's record;
* a listed file that is missing is an **error** (``provenance_file_missing``);
* a file in ``raw/`` that is not listed is a **warning** (``provenance_unlisted``).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from corett_lib.core.config import ConfigError, read_yaml
from corett_lib.core.problems import DataError, Problem

RECORD = "raw/PROVENANCE.yaml"
TABLE = "provenance"
WHY = "every figure must be traceable to a cited, unchanged input"


class Entry(BaseModel):
    """One raw file's provenance."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    path: str  #: relative to the data folder, e.g. ``raw/population_all.csv``
    publisher: str
    title: str
    date_accessed: str  #: ISO date as a string
    licence: str  #: licence or terms of use
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    notes: str = ""
    illustrative: bool
    transcribed_from: str | None = None


class Record(BaseModel):
    """The whole ``PROVENANCE.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    files: list[Entry]


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hex sha256 of a file, read in chunks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256_file(p)[:16]
    'ba7816bf8f01cfea'
    """
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _error(message: str, check: str = "provenance_invalid") -> Problem:
    return Problem("error", check, RECORD, message, why=WHY, table=TABLE)


def read_provenance(data_dir: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """Return the provenance record of ``data_dir``: relative path -> entry (as a dict).

    Raises
    ------
    DataError
        When ``raw/PROVENANCE.yaml`` is missing, not YAML, or an entry is invalid (the problem names
        the entry and the field); a path listed twice.
    """
    try:
        data = read_yaml(Path(data_dir) / RECORD)
    except ConfigError as exc:
        check = "provenance_missing" if "not found" in str(exc) else "provenance_invalid"
        raise DataError([_error(str(exc), check)]) from None
    try:
        record = Record.model_validate(data)
    except ValidationError as exc:
        msgs = []
        for e in exc.errors():
            loc = list(e["loc"])
            name = ""
            if len(loc) >= 2 and loc[0] == "files" and isinstance(loc[1], int):
                item = data["files"][loc[1]]
                name = f" ({item.get('path', '?')})" if isinstance(item, dict) else ""
            msgs.append(f"{'.'.join(str(x) for x in loc) or '(top)'}{name}: {e['msg']}")
        raise DataError([_error(m) for m in msgs]) from None
    out: dict[str, dict[str, Any]] = {}
    for entry in record.files:
        if entry.path in out:
            raise DataError([_error(f"{entry.path} is listed more than once")])
        out[entry.path] = entry.model_dump()
    return out


def check_provenance(data_dir: str | os.PathLike[str]) -> tuple[dict[str, str], list[Problem]]:
    """Compare the raw files of ``data_dir`` with their provenance record.

    Parameters
    ----------
    data_dir
        The data folder (holding ``raw/PROVENANCE.yaml``).

    Returns
    -------
    checksums
        sha256 of every listed file that exists, keyed by its path relative to the data folder.
    problems
        ``input_changed`` (warning) per changed file, ``provenance_file_missing`` (error) per listed
        file that is missing, ``provenance_unlisted`` (warning) per file of ``raw/`` not listed, and
        errors for a missing or invalid record.
    """
    root = Path(data_dir)
    try:
        record = read_provenance(root)
    except DataError as exc:
        return {}, list(exc.problems)
    checksums: dict[str, str] = {}
    problems: list[Problem] = []
    for rel, entry in record.items():
        path = root / rel
        if not path.is_file():
            problems.append(
                Problem(
                    "error",
                    "provenance_file_missing",
                    rel,
                    f"listed in {RECORD} but not in the data folder",
                    why=WHY,
                    table=TABLE,
                )
            )
            continue
        sha = sha256_file(path)
        checksums[rel] = sha
        if sha != entry["sha256"]:
            problems.append(
                Problem(
                    "warning",
                    "input_changed",
                    rel,
                    f"the file differs from its provenance record (sha256 {sha[:12]}…, recorded "
                    f"{entry['sha256'][:12]}…): a new edition or an edit; update {RECORD} "
                    "(date accessed, checksum) once it is reviewed",
                    why="reports must say which edition of an input they were built from",
                    sample=(sha, entry["sha256"]),
                    table=TABLE,
                )
            )
    raw = root / "raw"
    if raw.is_dir():
        for path in sorted(raw.iterdir()):
            rel = path.relative_to(root).as_posix()
            if (
                path.is_file()
                and rel != RECORD
                and not path.name.startswith(".")
                and rel not in record
            ):
                problems.append(
                    Problem(
                        "warning",
                        "provenance_unlisted",
                        rel,
                        f"the file is in raw/ but not listed in {RECORD}",
                        why=WHY,
                        table=TABLE,
                    )
                )
    return checksums, problems
