"""The one disk cache of the workbench: content-keyed, integrity-checked entries, no pickle.

Every disk cache (the UNODC parse, the validation results, the SDG mapping, the build's validated-data
snapshot) goes through a :class:`Store`. An entry is

* a header ``<prefix>-<key digest>.json``: the format, the key itself, its sha256, the entry's JSON
  metadata, the sha256 and the column types of every table of the entry, and a sha256 over all of it;
* one parquet file per table, ``<prefix>-<key digest>.<n>.parquet``.

The key is a JSON value that names *everything* the result depends on (input bytes, configuration,
the code that computed it); its sha256 names the entry. On reading, the header's own hash, the key,
and the hash of every table file are checked before anything is parsed: a truncated, edited or
mismatched entry is never used. It is then removed and the caller rebuilds it, with a
:class:`CacheWarning` that names the file. Nothing on disk is ever unpickled, so an edited cache
file cannot run code.

Writes go aside then rename (:mod:`corett_lib.core.atomic`), tables first and the header last, so a
reader sees a whole entry or none. A cache folder that cannot be written only costs speed
(:meth:`Store.put` returns None), unless the caller needs the entry (``required=True``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.core import atomic, paths

if TYPE_CHECKING:
    import pandas as pd

FORMAT = 1
"""Bump when the layout of an entry changes: entries of another format are rebuilt."""


class CacheWarning(UserWarning):
    """A cache entry was unusable (corrupt, edited, of another key) and is rebuilt."""


class CacheError(ValueError):
    """A cache entry that must be used (the build's snapshot in a kernel) fails its integrity check."""


def canonical(value: Any) -> str:
    """Return ``value`` as canonical JSON (sorted keys, no spaces): what keys are hashed as.

    Examples
    --------
    >>> canonical({"b": 1, "a": [1, "x"]})
    '{"a":[1,"x"],"b":1}'
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(value: Any) -> str:
    """Return the sha256 (hex) of :func:`canonical` ``(value)``.

    Examples
    --------
    >>> digest({"a": 1}) == digest({"a": 1}) != digest({"a": 2})
    True
    """
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


def code_digest(*files: str | os.PathLike[str]) -> str:
    """Return the sha256 over the bytes of ``files`` (the code a cached result was computed by)."""
    h = hashlib.sha256()
    for f in files:
        h.update(Path(f).read_bytes())
    return h.hexdigest()


@dataclass
class Entry:
    """A cache entry as read: its JSON metadata and its tables."""

    path: Path  #: the header file
    meta: Any = None
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)


# --------------------------------------------------------------------------- tables


def _frame_bytes(df: pd.DataFrame) -> tuple[bytes, dict[str, Any]]:
    """Return ``df`` as parquet bytes plus what restores it exactly.

    Dtypes, column order, and the object columns holding values other than text (kept as JSON in
    the header).
    """
    plain = df.reset_index(drop=True)
    json_columns: dict[str, list[Any]] = {}
    for c in plain.columns:
        if plain[c].dtype == object and any(
            v is not None and not isinstance(v, str) for v in plain[c]
        ):
            json_columns[str(c)] = list(plain[c])
    stored = plain.drop(columns=list(json_columns))
    buf = io.BytesIO()
    stored.to_parquet(buf, index=False)
    spec = {
        "columns": [str(c) for c in plain.columns],
        "dtypes": {str(c): str(t) for c, t in plain.dtypes.items()},
        "json_columns": json_columns,
    }
    return buf.getvalue(), spec


def _frame_from(data: bytes, spec: Mapping[str, Any]) -> pd.DataFrame:
    import pandas as pd

    df = pd.read_parquet(io.BytesIO(data))
    for c, values in spec["json_columns"].items():
        df[c] = pd.Series(values, dtype=object)
    df = df[list(spec["columns"])]
    for c, dtype in spec["dtypes"].items():
        if dtype == "object" and c not in spec["json_columns"]:
            # text columns: parquet gives a string dtype with NaN for the None that was written
            column = df[c].astype(object)
            df[c] = column.where(column.notna(), None)
        elif str(df[c].dtype) != dtype:
            df[c] = df[c].astype(dtype)
    return df


# --------------------------------------------------------------------------- the store


def _header_hash(header: Mapping[str, Any]) -> str:
    return digest({k: v for k, v in header.items() if k != "sha256"})


@dataclass(frozen=True)
class Store:
    """A folder of cache entries (``<cache>/<name>/``).

    Parameters
    ----------
    name
        Sub-folder of :func:`corett_lib.core.paths.cache_dir`.
    keep
        When given, at most this many entries per prefix are kept (newest first).
    folder
        Another root than the cache folder (tests).
    """

    name: str
    keep: int | None = None
    folder: Path | None = None

    @property
    def root(self) -> Path:
        """The folder of the entries."""
        return (self.folder or paths.cache_dir()) / self.name

    def path(self, key: Any, prefix: str = "entry") -> Path:
        """Return the header path of the entry for ``key``."""
        return self.root / f"{prefix}-{digest(key)[:32]}.json"

    def get(self, key: Any, prefix: str = "entry", *, tables: bool = True) -> Entry | None:
        """Return the entry for ``key``, or None when there is none or it is unusable.

        An unusable entry (unreadable, truncated, edited, of another key or format) is removed with
        a :class:`CacheWarning` naming its file; the caller then rebuilds it. With ``tables=False``
        the tables are checked (hashes) but not parsed.
        """
        header_path = self.path(key, prefix)
        if not header_path.exists():
            return None
        try:
            return read_entry(header_path, key=key, tables=tables)
        except CacheError as exc:
            warnings.warn(f"{exc}; it is rebuilt", CacheWarning, stacklevel=2)
            remove_entry(header_path)
            return None

    def put(
        self,
        key: Any,
        *,
        meta: Any = None,
        frames: Mapping[str, pd.DataFrame] | None = None,
        prefix: str = "entry",
        required: bool = False,
    ) -> Path | None:
        """Write the entry for ``key``; return its header path.

        Returns None when the cache folder cannot be written (a cache only saves time), unless
        ``required``: then the :class:`OSError` is raised.
        """
        header_path = self.path(key, prefix)
        try:
            header_path.parent.mkdir(parents=True, exist_ok=True)
            tables: dict[str, Any] = {}
            for i, (name, df) in enumerate((frames or {}).items()):
                data, spec = _frame_bytes(df)
                file = header_path.with_name(f"{header_path.stem}.{i}.parquet")
                atomic.write_bytes(file, data)
                tables[name] = {
                    "file": file.name,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    **spec,
                }
            header: dict[str, Any] = {
                "format": FORMAT,
                "key": json.loads(canonical(key)),
                "key_sha256": digest(key),
                "meta": meta,
                "tables": tables,
            }
            header["sha256"] = _header_hash(json.loads(canonical(header)))
            atomic.write_text(header_path, canonical(header))
            self._prune(prefix)
        except OSError:
            if required:
                raise
            return None
        return header_path

    def _prune(self, prefix: str) -> None:
        if self.keep is None:
            return
        headers = sorted(
            self.root.glob(f"{prefix}-*.json"), key=lambda f: f.stat().st_mtime, reverse=True
        )
        for old in headers[self.keep :]:
            remove_entry(old)


def beside(entry: str | os.PathLike[str], suffix: str) -> tuple[Store, str, str]:
    """Return where an entry stored beside another entry's file lives: its store, key and prefix.

    The entry is keyed by the other's name (up to its first dot) and named
    ``<that name>.<suffix>-<key digest>.json`` in the same folder: e.g. the published facts beside
    the build's snapshot (:mod:`corett_lib.facts.store`).

    Examples
    --------
    >>> store, key, prefix = beside("/c/build/dataset-abc.json", "facts")
    >>> key, prefix, store.path(key, prefix).name.startswith("dataset-abc.facts-")
    ('dataset-abc', 'dataset-abc.facts', True)
    """
    p = Path(entry)
    stem = p.name.split(".")[0]
    return Store(name="", folder=p.parent), stem, f"{stem}.{suffix}"


def read_entry(header_path: Path, *, key: Any = None, tables: bool = True) -> Entry:
    """Read and check the entry whose header is ``header_path``.

    Parameters
    ----------
    header_path
        The entry's ``.json`` header.
    key
        When given, the entry must be for this key.
    tables
        Parse the tables (else only their hashes are checked).

    Raises
    ------
    CacheError
        Naming the file and what is wrong with it (unreadable, not an entry, of another format or
        key, its header or a table edited or truncated).
    """
    header_path = Path(header_path)
    try:
        header = json.loads(header_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CacheError(f"cache entry {header_path} is unreadable ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CacheError(f"cache entry {header_path} is not a cache entry of format {FORMAT}")
    if header.get("sha256") != _header_hash(header):
        raise CacheError(f"cache entry {header_path} fails its integrity hash (edited or damaged)")
    if key is not None and header.get("key_sha256") != digest(key):
        raise CacheError(f"cache entry {header_path} is for another key")
    entry = Entry(header_path, header.get("meta"))
    for name, spec in header.get("tables", {}).items():
        file = header_path.with_name(spec["file"])
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CacheError(
                f"cache entry {header_path}: table {file} is unreadable ({exc})"
            ) from None
        if hashlib.sha256(data).hexdigest() != spec["sha256"]:
            raise CacheError(
                f"cache entry {header_path}: table {file} fails its integrity hash "
                "(edited or truncated)"
            )
        if tables:
            try:
                entry.frames[name] = _frame_from(data, spec)
            except (ValueError, TypeError, KeyError, OSError) as exc:
                raise CacheError(f"cache entry {header_path}: table {file} ({exc})") from None
    return entry


def remove_entry(header_path: Path) -> None:
    """Remove an entry: its header and its table files (best effort)."""
    header_path = Path(header_path)
    try:
        for f in header_path.parent.glob(f"{header_path.stem}.*.parquet"):
            f.unlink(missing_ok=True)
        header_path.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache folder: the entry is ignored, not removed


__all__ = [
    "FORMAT",
    "CacheError",
    "CacheWarning",
    "Entry",
    "Store",
    "beside",
    "canonical",
    "code_digest",
    "digest",
    "read_entry",
    "remove_entry",
]
