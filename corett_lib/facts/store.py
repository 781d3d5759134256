"""Storing the published facts of a build: two Parquet files beside the validated-data snapshot.

``corett build`` computes the facts once, after load and validation, and writes them next to the
snapshot of the Dataset (``dataset-<key>.pkl``): ``dataset-<key>.facts.parquet`` (the fact table) and
``dataset-<key>.sources.parquet`` (every source's figure). Each report kernel reads them once
(:func:`read_facts`); no report recomputes a figure. Parquet, not pickle: the facts are data any
tool can open, and the files carry their provenance in the Parquet metadata (``corett.*`` keys:
members, registry version, library version, the snapshot key they were computed from).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from corett_lib.core import atomic
from corett_lib.dataset.registry import Registry, load_registry
from corett_lib.facts.table import FACT_COLUMNS, SOURCE_COLUMNS, Facts

#: Format of the stored facts (bumped when the schema changes).
FACTS_FORMAT = 1

_META_KEY = b"corett"


def facts_paths(snapshot: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Return ``(facts, sources)`` Parquet paths beside a snapshot file (any suffix)."""
    p = Path(snapshot)
    stem = p.name.split(".")[0]
    return p.with_name(f"{stem}.facts.parquet"), p.with_name(f"{stem}.sources.parquet")


def _write(df: pd.DataFrame, path: Path, meta: dict[str, Any]) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False)
    merged = {**(table.schema.metadata or {}), _META_KEY: json.dumps(meta, sort_keys=True).encode()}
    table = table.replace_schema_metadata(merged)
    atomic.write_with(path, lambda tmp: pq.write_table(table, tmp))


def write_facts(
    facts: Facts, snapshot: str | os.PathLike[str], provenance: dict[str, Any] | None = None
) -> tuple[Path, Path]:
    """Write ``facts`` beside ``snapshot`` atomically (temp file, then rename); return the paths.

    Parameters
    ----------
    facts
        The published facts (:func:`corett_lib.facts.table.build_facts`).
    snapshot
        The snapshot file the facts were computed from (its name gives theirs).
    provenance
        Extra provenance written to the metadata (e.g. ``snapshot_key``, ``library_version``).
    """
    meta = {
        "format": FACTS_FORMAT,
        "members": list(facts.members),
        "registry_version": facts.registry.version,
        **(provenance or {}),
    }
    fp, sp = facts_paths(snapshot)
    _write(facts.table[FACT_COLUMNS], fp, {**meta, "table": "facts"})
    _write(facts.sources[SOURCE_COLUMNS], sp, {**meta, "table": "sources"})
    return fp, sp


def read_meta(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the ``corett`` provenance of a stored fact file."""
    md = pq.read_schema(path).metadata or {}
    return json.loads(md.get(_META_KEY, b"{}"))


_CACHE: dict[str, Facts] = {}


def read_facts(snapshot: str | os.PathLike[str], registry: Registry | None = None) -> Facts:
    """Return the facts stored beside ``snapshot`` (read once per process).

    Raises
    ------
    FileNotFoundError
        When the build wrote no facts there.
    ValueError
        When the files have another format.
    """
    fp, sp = facts_paths(snapshot)
    key = str(fp.resolve())
    if key not in _CACHE:
        meta = read_meta(fp)
        if meta.get("format") != FACTS_FORMAT:
            raise ValueError(f"{fp}: facts format {meta.get('format')!r}, expected {FACTS_FORMAT}")
        _CACHE.clear()  # one build's facts at a time
        _CACHE[key] = Facts(
            table=pd.read_parquet(fp),
            sources=pd.read_parquet(sp),
            registry=registry or load_registry(),
            members=tuple(meta.get("members", ())),
        )
    return _CACHE[key]
