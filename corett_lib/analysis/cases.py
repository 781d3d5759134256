"""Case-level input: one record per identified victim (the CTDC format), aggregated to observations.

Many agencies hold one record per identified victim, in the Counter Trafficking Data Collaborative
(CTDC) format: year of registration, country of exploitation and citizenship (ISO 3166-1 alpha-2),
gender, age band (and majority status), and a 0/1 flag per form of exploitation. :func:`aggregate_cases`
turns such records into the tidy observations of :mod:`corett_lib.core.schema` (source ``CTDC`` by default),
so every declared indicator is computed from them exactly as from published figures.

Counts are exact (not censored): zeros are real zeros for a country-year that has records; a
country-year without records gets no observation at all (missing, never zero). Disclosure control of
small counts belongs to the publishing step, not here.

The aggregation is vectorised: each record is encoded as small integers and counted with
``numpy.bincount`` over a (country, year, sex, age) cube whose margins give the totals, so 10 million
records take well under a second.

:func:`synthetic_cases` makes seeded, **synthetic (illustrative) records** for tests and benchmarks;
they are not data about any real person or country.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from corett_lib.core.schema import OBSERVATION_COLUMNS


@dataclass(frozen=True)
class CaseColumns:
    """Names of the case-level columns (CTDC's by default)."""

    year: str = "yearOfRegistration"
    country: str = "CountryOfExploitation"
    citizenship: str = "citizenship"
    gender: str = "gender"
    age_band: str = "ageBroad"
    majority: str = "majorityStatus"
    #: flag column -> UNODC form-of-exploitation category
    forms: tuple[tuple[str, str], ...] = (
        ("isSexualExploit", "Sexual exploitation"),
        ("isForcedLabour", "Forced labour"),
        ("isOtherExploit", "Other forms of exploitation"),
    )


CTDC = CaseColumns()

SEXES = ("Female", "Male", "Other", "Unknown")
AGES = ("0 to 17 years", "18 years or over", "Unknown")
CITIZENSHIP = ("Nationals", "Foreign nationals", "Unknown")

_GENDER = {"female": 0, "male": 1, "transgender/nonconforming": 2, "trans": 2, "other": 2}
_MISSING = {"", "-99", "nan", "none", "unknown", "<na>"}


def _codes(col: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes (-1 missing) and the distinct values as text, without a per-row loop."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy(), [str(c) for c in col.cat.categories]
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    return codes, [str(u) for u in uniques]


def _lookup(codes: np.ndarray, uniques: Sequence[str], mapping: Mapping[str, int], default: int):
    """Map codes through ``mapping`` of their text (an array lookup, one entry per distinct value).

    The table's last entry is the default, so a missing code (-1) indexes it directly.
    """
    table = np.array([mapping.get(u, default) for u in uniques] + [default], dtype=np.int32)
    return table[codes]


def _age_class(band: str) -> int:
    """Age band text (``"9--17"``, ``"48+"``) to 0 minor, 1 adult, 2 unknown (or straddling 18)."""
    text = band.strip().lower()
    digits = [int(x) for x in "".join(ch if ch.isdigit() else " " for ch in text).split()]
    if text in _MISSING or not digits:
        return 2
    if digits[0] >= 18:
        return 1
    if not text.endswith("+") and digits[-1] <= 17:
        return 0
    return 2


def _iso3(iso2: Sequence[str]) -> dict[str, str]:
    import pycountry

    out = {}
    for code in iso2:
        c = code.strip().upper()
        if len(c) == 3 and c.isalpha():
            out[code] = c
            continue
        hit = pycountry.countries.get(alpha_2=c) if len(c) == 2 else None
        if hit is not None:
            out[code] = hit.alpha_3
    return out


def aggregate_cases(
    records: pd.DataFrame,
    *,
    columns: CaseColumns = CTDC,
    source: str = "CTDC",
    source_file: str = "",
    source_ref: str = "case-level records (CTDC format), aggregated by corett_lib.analysis.cases",
) -> pd.DataFrame:
    """Aggregate case-level records into tidy observations of detected victims.

    Parameters
    ----------
    records
        One row per identified victim. Columns named by ``columns`` (CTDC's by default). Country and
        citizenship are ISO 3166-1 alpha-2 (or alpha-3) codes; gender ``Female``/``Male``/other
        values (``Other``); the age group comes from ``majorityStatus`` (``Minor``/``Adult``) when
        known, else from ``ageBroad``; a form flag counts when it equals 1. Missing values (empty,
        ``-99``) are ``Unknown``. Categorical columns are used as they are (fastest).
    columns
        Column names.
    source
        The ``source`` written to the observations.
    source_file, source_ref
        Provenance written to every observation.

    Returns
    -------
    pandas.DataFrame
        Observations (:data:`corett_lib.core.schema.OBSERVATION_COLUMNS`) of indicator
        ``Detected trafficking victims``: per country of exploitation and year of registration, the
        sex × age cube with its margins (``Total``), the three forms of exploitation, and citizenship
        (``Nationals`` = citizenship equals the country of exploitation, ``Foreign nationals``,
        ``Unknown``). Records without a country or year are not counted; their number is in
        ``df.attrs["dropped_records"]``.

    Examples
    --------
    >>> recs = pd.DataFrame({"yearOfRegistration": [2019, 2019, 2019],
    ...     "CountryOfExploitation": ["GT", "GT", "GT"], "citizenship": ["GT", "HN", None],
    ...     "gender": ["Female", "Male", "Female"], "ageBroad": ["9--17", "30--38", "18--20"],
    ...     "majorityStatus": [None, None, None], "isSexualExploit": [1, 0, 1],
    ...     "isForcedLabour": [0, 1, 0], "isOtherExploit": [0, 0, 0]})
    >>> obs = aggregate_cases(recs)
    >>> int(obs.query("sex == 'Female' and age == 'Total' and dimension == 'Total'")["value"].iloc[0])
    2
    """
    n = len(records)
    cc, cu = _codes(records[columns.country])
    to3 = _iso3(cu)
    countries = sorted(set(to3.values()))
    nc = len(countries)
    cidx = _lookup(cc, cu, {k: countries.index(v) for k, v in to3.items()}, -1)
    yraw = records[columns.year]
    if pd.api.types.is_integer_dtype(yraw.dtype):
        year = yraw.to_numpy()
        valid_year = None
    else:
        yf = pd.to_numeric(yraw, errors="coerce").to_numpy(dtype=float)
        valid_year = ~np.isnan(yf)
        year = np.where(valid_year, yf, 0).astype(np.int32)
    has_year = valid_year.any() if valid_year is not None else n > 0
    y0 = int(year.min() if valid_year is None else year[valid_year].min()) if has_year else 0
    y1 = int(year.max() if valid_year is None else year[valid_year].max()) if has_year else -1
    ny = max(y1 - y0 + 1, 0)
    cy = cidx * np.int32(ny) + (year - y0).astype(np.int32)
    bad = cidx < 0
    if valid_year is not None:
        bad |= ~valid_year
    cy[bad] = nc * ny  # one extra bin for records without a country or year, dropped below
    dropped = int(bad.sum())

    gc, gu = _codes(records[columns.gender])
    sex = _lookup(gc, gu, {u: _GENDER.get(u.strip().lower(), 3) for u in gu}, 3)
    age = np.full(n, 2, dtype=np.int32)
    if columns.age_band in records:
        ac, au = _codes(records[columns.age_band])
        age = _lookup(ac, au, {u: _age_class(u) for u in au}, 2)
    if columns.majority in records:
        mc, mu = _codes(records[columns.majority])
        maj = _lookup(mc, mu, {"Minor": 0, "Adult": 1}, 2)
        age = np.where(maj < 2, maj, age)
    zc, zu = _codes(records[columns.citizenship])
    z3 = _iso3(zu)
    zidx = _lookup(
        zc, zu, {k: (countries.index(v) if v in countries else nc) for k, v in z3.items()}, -1
    )
    cit = np.where(zidx < 0, 2, (zidx != cidx).astype(np.int32))
    nf = len(columns.forms)
    flags = np.zeros(n, dtype=np.int32)
    for bit, (f, _) in enumerate(columns.forms):
        flags |= (records[f].to_numpy() == 1).astype(np.int32) << bit

    # One pass: every record falls in one cell of country-year x sex x age x citizenship x form flags;
    # every figure below is a margin of this small array.
    nflag = 1 << nf
    key = (((cy * 4 + sex) * 3 + age) * 3 + cit) * nflag + flags
    cells = np.bincount(key, minlength=(nc * ny + 1) * 36 * nflag)
    cells = cells[: nc * ny * 36 * nflag].reshape(nc, ny, 4, 3, 3, nflag)
    cube = cells.sum(axis=(4, 5))
    full = np.zeros((nc, ny, 5, 4), dtype=np.int64)
    full[:, :, :4, :3] = cube
    full[:, :, 4, :3] = cube.sum(axis=2)
    full[:, :, :, 3] = full[:, :, :, :3].sum(axis=3)
    by_flags = cells.sum(axis=(2, 3, 4))  # nc, ny, nflag
    has_bit = (np.arange(nflag)[:, None] >> np.arange(nf)[None, :]) & 1  # nflag, nf
    forms = by_flags @ has_bit
    cits = cells.sum(axis=(2, 3, 5))

    has = full[:, :, 4, 3] > 0
    ci, yi = np.nonzero(has)
    k = len(ci)
    sex_l, age_l = np.array([*SEXES, "Total"], object), np.array([*AGES, "Total"], object)
    form_l = np.array([c for _, c in columns.forms], object)
    cit_l = np.array(CITIZENSHIP, object)
    n_cube, n_form, n_cit = 20, len(form_l), 3
    per = n_cube + n_form + n_cit
    iso = np.array(countries, object)[np.repeat(ci, per)]
    yrs = (np.repeat(yi, per) + y0).astype("int64")
    dim = np.tile(
        np.array(
            ["Total"] * n_cube + ["by form of exploitation"] * n_form + ["by citizenship"] * n_cit,
            object,
        ),
        k,
    )
    cat = np.tile(np.array(["Total"] * n_cube + [*form_l] + [*cit_l], object), k)
    sx = np.tile(np.array([*np.repeat(sex_l, 4), *(["Total"] * (n_form + n_cit))], object), k)
    ag = np.tile(np.array([*np.tile(age_l, 5), *(["Total"] * (n_form + n_cit))], object), k)
    val = (
        np.concatenate([full[ci, yi].reshape(k, n_cube), forms[ci, yi], cits[ci, yi]], axis=1)
        .reshape(-1)
        .astype(float)
    )
    obs = pd.DataFrame(
        {
            "source": source,
            "iso3": iso,
            "country": iso,
            "year": yrs,
            "indicator": "Detected trafficking victims",
            "dimension": dim,
            "category": cat,
            "sex": sx,
            "age": ag,
            "unit": "Counts",
            "value": val,
            "censored": False,
            "value_low": val,
            "value_high": val,
            "value_text": val.astype(np.int64).astype(str),
            "source_file": source_file,
            "source_row": pd.array([pd.NA] * len(val), dtype="Int64"),
            "source_ref": source_ref,
            "correction": "",
        }
    )[OBSERVATION_COLUMNS]
    obs.attrs["dropped_records"] = dropped
    return obs


def read_ctdc(path: str | os.PathLike[str], columns: CaseColumns = CTDC) -> pd.DataFrame:
    """Read a CTDC-format CSV with categorical text columns (what :func:`aggregate_cases` wants).

    Parameters
    ----------
    path
        The CSV file.
    columns
        Column names.
    """
    cat = [columns.country, columns.citizenship, columns.gender, columns.age_band, columns.majority]
    header = pd.read_csv(path, nrows=0).columns
    dtypes = {c: "category" for c in cat if c in header}
    return pd.read_csv(path, dtype=dtypes, na_values=["-99"], keep_default_na=True)


def synthetic_cases(
    n: int,
    *,
    seed: int = 20260101,
    countries: Sequence[str] = ("BZ", "CR", "SV", "GT", "HN", "MX", "NI", "PA", "DO"),
    years: tuple[int, int] = (2003, 2022),
) -> pd.DataFrame:
    """Return ``n`` seeded **synthetic (illustrative)** case records in the CTDC format.

    Not real data: the values are random draws, for tests and benchmarks only.

    Parameters
    ----------
    n
        Number of records.
    seed
        Random seed (same seed, same records).
    countries
        ISO alpha-2 codes of the countries of exploitation (default: the nine CORETT members).
    years
        First and last year of registration (inclusive).
    """
    rng = np.random.default_rng(seed)
    cit_pool = [*countries, "CO", "VE", "CN", "US"]
    c = rng.integers(0, len(countries), n, dtype=np.int8)
    same = rng.random(n) < 0.7
    z = np.where(same, c, rng.integers(0, len(cit_pool), n)).astype(np.int8)
    z = np.where(rng.random(n) < 0.05, -1, z).astype(np.int8)
    ages = ["0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"]
    a = rng.integers(0, len(ages), n, dtype=np.int8)
    a = np.where(rng.random(n) < 0.05, -1, a).astype(np.int8)
    maj = np.where(a < 0, -1, np.where(a <= 1, 0, 1)).astype(np.int8)
    gender = rng.choice(np.array([0, 1, 2, -1], dtype=np.int8), n, p=[0.6, 0.35, 0.02, 0.03])
    sexual = (rng.random(n) < 0.55).astype(np.int8)
    labour = (rng.random(n) < 0.3).astype(np.int8)
    other = (rng.random(n) < 0.15).astype(np.int8)
    return pd.DataFrame(
        {
            "yearOfRegistration": rng.integers(years[0], years[1] + 1, n, dtype=np.int16),
            "CountryOfExploitation": pd.Categorical.from_codes(c, list(countries)),
            "citizenship": pd.Categorical.from_codes(z, cit_pool),
            "gender": pd.Categorical.from_codes(
                gender, ["Female", "Male", "Transgender/NonConforming"]
            ),
            "ageBroad": pd.Categorical.from_codes(a, ages),
            "majorityStatus": pd.Categorical.from_codes(maj, ["Minor", "Adult"]),
            "isSexualExploit": sexual,
            "isForcedLabour": labour,
            "isOtherExploit": other,
        }
    )
