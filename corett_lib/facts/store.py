"""Storing the published facts of a build: one cache entry beside the validated-data snapshot.

``corett build`` computes the facts once, after load and validation, and writes them next to the
snapshot of the Dataset as an entry of the one cache module (:mod:`corett_lib.core.cache`): a JSON
header ``dataset-<key>.facts-<digest>.json`` with the provenance (format, members, registry version,
library version, the snapshot key they were computed from) and the sha256 of each table, and two
Parquet tables (the fact table and every source's figure). Each report kernel reads them once
(:func:`read_facts`); no report recomputes a figure. An entry that fails its integrity check is an
error naming its file (the build then computes the facts again).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from corett_lib.core import cache
from corett_lib.dataset.registry import Registry, load_registry
from corett_lib.facts.table import FACT_COLUMNS, SOURCE_COLUMNS, Facts

#: Format of the stored facts (bumped when the schema changes).
FACTS_FORMAT = 2


def _where(snapshot: str | os.PathLike[str]) -> tuple[cache.Store, str, str]:
    return cache.beside(snapshot, "facts")


def facts_header(snapshot: str | os.PathLike[str]) -> Path:
    """Return the header path of the facts stored beside a snapshot file (any suffix)."""
    store, key, prefix = _where(snapshot)
    return store.path(key, prefix)


def write_facts(
    facts: Facts, snapshot: str | os.PathLike[str], provenance: dict[str, Any] | None = None
) -> Path:
    """Write ``facts`` beside ``snapshot`` atomically (each file aside, then renamed); return the header.

    Parameters
    ----------
    facts
        The published facts (:func:`corett_lib.facts.table.build_facts`).
    snapshot
        The snapshot file the facts were computed from (its name gives theirs).
    provenance
        Extra provenance written to the header (e.g. ``snapshot_key``, ``library_version``).
    """
    store, key, prefix = _where(snapshot)
    meta = {
        "format": FACTS_FORMAT,
        "members": list(facts.members),
        "registry_version": facts.registry.version,
        **(provenance or {}),
    }
    frames = {"facts": facts.table[FACT_COLUMNS], "sources": facts.sources[SOURCE_COLUMNS]}
    header = store.put(key, meta=meta, frames=frames, prefix=prefix, required=True)
    assert header is not None  # required=True raises instead of returning None
    return header


def read_meta(snapshot: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the provenance of the facts stored beside ``snapshot``."""
    entry = cache.read_entry(facts_header(snapshot), key=_where(snapshot)[1], tables=False)
    return dict(entry.meta or {})


_CACHE: dict[str, Facts] = {}


def read_facts(snapshot: str | os.PathLike[str], registry: Registry | None = None) -> Facts:
    """Return the facts stored beside ``snapshot`` (read once per process).

    Raises
    ------
    FileNotFoundError
        When the build wrote no facts there.
    corett_lib.core.cache.CacheError
        When the stored entry fails its integrity check (the message names the file).
    ValueError
        When the entry has another format.
    """
    header = facts_header(snapshot)
    key = str(header.resolve())
    if key not in _CACHE:
        if not header.is_file():
            raise FileNotFoundError(f"no published facts at {header}")
        entry = cache.read_entry(header, key=_where(snapshot)[1])
        meta = dict(entry.meta or {})
        if meta.get("format") != FACTS_FORMAT:
            raise ValueError(
                f"{header}: facts format {meta.get('format')!r}, expected {FACTS_FORMAT}"
            )
        _CACHE.clear()  # one build's facts at a time
        _CACHE[key] = Facts(
            table=entry.frames["facts"],
            sources=entry.frames["sources"],
            registry=registry or load_registry(),
            members=tuple(meta.get("members", ())),
        )
    return _CACHE[key]
