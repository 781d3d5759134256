"""Content digests of a dataset, per country: what each report's rebuild decision is keyed on.

A member's reports read that member's rows (observations, population, ratifications, monitoring) and
the problems found about that member; the regional reports read every member's rows and the
region's own. So a correction to one member's figures changes that member's digest and the region's,
and nothing else. (Pages are also keyed on the disclosure statuses they show, which are decided across
the members: :func:`corett_lib.batch.build.disclosure_digests`; a member whose statuses the correction
changes is rebuilt for that reason.) What every report reads (the SDG texts, the plans,
the evaluation framework, problems about a whole file) is the ``_shared`` digest, together with the
checksums of the files that are not split by country (see :data:`SLICED_FILES`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from corett_lib.core.problems import Problem, scope

if TYPE_CHECKING:  # pandas only when a table is hashed: a no-op build never imports it
    import pandas as pd

    from corett_lib.dataset.model import Dataset

#: Tables split by their ``iso3`` column.
SLICED_TABLES: tuple[str, ...] = ("observations", "population", "ratifications", "monitoring")

#: Data files whose whole content reaches the reports through the sliced tables and the problems, so
#: their checksums are left out of the shared key (a change there is seen per country instead).
SLICED_FILES: tuple[str, ...] = (
    "raw/unodc_data_glotip.xlsx",
    "raw/corett_chart3_victims.csv",
    "raw/corett_2019_composition.csv",
    "raw/population_all.csv",
    "raw/chart1_ratifications.csv",
    "raw/PROVENANCE.yaml",
    "corrections.yaml",
    "monitoring/",
)

SHARED = "_shared"
"""Key of the digest of what every report reads."""


def frame_digest(df: pd.DataFrame | None) -> str:
    """Return a sha256 of a table's columns and rows (row order and dtypes included).

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"iso3": ["GTM"], "value": [1.0]})
    >>> frame_digest(a) == frame_digest(a.copy()), frame_digest(a) == frame_digest(a.assign(value=2.0))
    (True, False)
    """
    h = hashlib.sha256()
    if df is None:
        return h.hexdigest()
    h.update(json.dumps([str(c) for c in df.columns]).encode())
    h.update(json.dumps([str(t) for t in df.dtypes]).encode())
    if len(df):
        from pandas.util import hash_pandas_object

        h.update(hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _problems_digest(problems: Iterable[Problem]) -> str:
    rows = sorted(
        json.dumps([p.severity, p.check, p.file, p.message, list(p.rows or ())], default=str)
        for p in problems
    )
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def slice_digests(ds: Dataset, countries: Sequence[str], region: str) -> dict[str, str]:
    """Return ``{country: digest}`` for every member and the region, and the shared digest.

    Parameters
    ----------
    ds
        The validated dataset.
    countries
        The coalition's members.
    region
        The region's code (``CORETT``): its digest covers every member's and its own rows.
    """
    by_country: dict[str | None, list[Problem]] = {}
    for p in ds.problems:
        by_country.setdefault(scope(p)[0], []).append(p)

    def own(code: str) -> str:
        h = hashlib.sha256()
        for name in SLICED_TABLES:
            table = getattr(ds, name)
            part = None if table is None else table[table["iso3"] == code]
            h.update(name.encode() + frame_digest(part).encode())
        h.update(_problems_digest(by_country.get(code, [])).encode())
        return h.hexdigest()

    out = {code: own(code) for code in countries}
    regional = hashlib.sha256()
    for code in sorted(countries):
        regional.update(out[code].encode())
    regional.update(own(region).encode())
    out[region] = regional.hexdigest()
    known = {*countries, region}
    shared = hashlib.sha256()
    for name in ("sdg", "countries", "instruments", "plan_items"):
        shared.update(frame_digest(getattr(ds, name)).encode())
    for name in ("evaluation_questions", "followup_questions", "monitoring_matrix"):
        shared.update(frame_digest(getattr(ds, name)).encode())
    shared.update(
        _problems_digest(p for c, ps in by_country.items() if c not in known for p in ps).encode()
    )
    out[SHARED] = shared.hexdigest()
    return out


def shared_files(checksums: dict[str, str]) -> dict[str, str]:
    """Return the checksums of the data files that are not split by country."""
    return {
        rel: sha
        for rel, sha in checksums.items()
        if not any(rel == f or (f.endswith("/") and rel.startswith(f)) for f in SLICED_FILES)
    }
