"""A :class:`~corett_lib.dataset.model.Dataset` (and an SDG :class:`Mapping`) as cache-entry parts.

:mod:`corett_lib.core.cache` stores tables (parquet) and JSON; these functions split the objects of
the dataset layer into those parts and put them back together, so that no cache holds a pickle:

* :func:`mapping_parts` / :func:`mapping_from` for the SDG mapping cache of the loader;
* :func:`dataset_parts` / :func:`dataset_from` for the build's validated-data snapshot, which every
  kernel reads instead of loading and validating again (:func:`corett_lib.reporting.context.load_snapshot`).

A round trip gives equal tables (same columns, dtypes and values), the same problems (samples as
text, as :meth:`~corett_lib.core.problems.Problem.to_dict` gives them) and the same corrections.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.core.problems import Problem
from corett_lib.dataset.model import Dataset
from corett_lib.dataset.sdg_mapping import Mapping
from corett_lib.raw.corrections import Correction

if TYPE_CHECKING:
    import pandas as pd

_MAPPING_TABLES = ("links", "not_related", "global_indicators")
_OTHER_FIELDS = frozenset(
    {
        "data_dir",
        "audits",
        "problems",
        "checksums",
        "timings",
        "failed_files",
        "corrections",
        "sdg_mapping",
    }
)


def mapping_parts(mapping: Mapping, prefix: str = "") -> tuple[dict[str, Any], dict[str, Any]]:
    """Return ``(meta, frames)`` of ``mapping``; frame names start with ``prefix``."""
    meta = {"file": mapping.file, "targets": list(mapping.targets), "review": dict(mapping.review)}
    frames = {f"{prefix}{n}": getattr(mapping, n) for n in _MAPPING_TABLES}
    return meta, frames


def mapping_from(
    meta: dict[str, Any], frames: dict[str, pd.DataFrame], prefix: str = ""
) -> Mapping:
    """Return the :class:`Mapping` of :func:`mapping_parts`."""
    return Mapping(
        file=meta["file"],
        targets=tuple(meta["targets"]),
        review=dict(meta["review"]),
        **{n: frames[f"{prefix}{n}"] for n in _MAPPING_TABLES},
    )


def dataset_parts(ds: Dataset) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return ``(meta, frames)`` of ``ds``: its tables, audits and mapping as frames, the rest JSON.

    Every field of the dataclass is covered: a table is a frame, anything else is one of
    :data:`_OTHER_FIELDS`.

    Raises
    ------
    TypeError
        When the dataset has a field this function does not know (it would not come back).
    """
    import pandas as pd

    frames: dict[str, pd.DataFrame] = {}
    tables: list[str] = []
    for f in dataclasses.fields(ds):
        value = getattr(ds, f.name)
        if isinstance(value, pd.DataFrame):
            frames[f"table:{f.name}"] = value
            tables.append(f.name)
        elif f.name not in _OTHER_FIELDS and value is not None:
            raise TypeError(f"Dataset.{f.name} is not part of a snapshot: add it to dataset_parts")
    for name, df in ds.audits.items():
        frames[f"audit:{name}"] = df
    mapping = None
    if ds.sdg_mapping is not None:
        mapping, more = mapping_parts(ds.sdg_mapping, "mapping:")
        frames.update(more)
    meta = {
        "data_dir": str(ds.data_dir),
        "tables": tables,
        "audits": list(ds.audits),
        "problems": [p.to_dict() for p in ds.problems],
        "checksums": dict(ds.checksums),
        "timings": dict(ds.timings),
        "failed_files": list(ds.failed_files),
        "corrections": [c.model_dump(mode="json") for c in ds.corrections],
        "mapping": mapping,
    }
    return meta, frames


def dataset_from(meta: dict[str, Any], frames: dict[str, pd.DataFrame]) -> Dataset:
    """Return the :class:`Dataset` of :func:`dataset_parts`."""
    tables = {name: frames[f"table:{name}"] for name in meta["tables"]}
    return Dataset(
        data_dir=Path(meta["data_dir"]),
        audits={name: frames[f"audit:{name}"] for name in meta["audits"]},
        problems=[Problem.from_dict(p) for p in meta["problems"]],
        checksums=dict(meta["checksums"]),
        timings=dict(meta["timings"]),
        failed_files=list(meta["failed_files"]),
        corrections=[Correction.model_validate(c) for c in meta["corrections"]],
        sdg_mapping=mapping_from(meta["mapping"], frames, "mapping:") if meta["mapping"] else None,
        **tables,
    )


__all__ = ["dataset_from", "dataset_parts", "mapping_from", "mapping_parts"]
