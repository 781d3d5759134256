"""Declared corrections to source data: data in ``corrections.yaml``, applied by one function.

Each entry names one problem found in a source and what the workbench does about it:

* ``drop`` — the row is left out of the table (its figure is impossible and no true value is known);
* ``override`` — the row's value is replaced by ``value`` (the source's ``value_text`` is kept);
* ``flag`` — the row is kept as published and marked, so validation reports it as a warning.

``table: observations`` entries (the default) act on the tidy observation table after the duplicate
rule; ``table: duplicates`` entries (action ``drop`` only) declare conflicting repeated keys that
:func:`corett_lib.raw.unodc.apply_duplicate_rule` keeps out of the table.

Entries are keyed by what a figure *is*, never by where it sits in a file: ``where`` is a filter on
columns of the table (for observations: the key columns, ``country``, ``value_text``,
``source_file``), each value a scalar or a list of accepted values, and ``source_row`` is refused (a
row number goes stale when the export is re-ordered or re-issued). A ``drop`` or ``override`` pins
the published value (``value_text``), so it goes stale (an error) when a new edition changes the
figure. A ``duplicates`` entry lists the exact repeated keys it declares (``keys``: together with
``where``, every column of :data:`~corett_lib.core.schema.OBSERVATION_KEY` and the repeated values
in ``value_text``): it covers exactly those keys with exactly those values, and any other
conflicting repeat stays an error for that figure.

Parts above their totals are not declared here: a generic rule flags them
(:func:`corett_lib.validation.checks.inconsistent_parts`).
The same function applies corrections to another table (e.g. the ratifications) when the loading
step routes them there by ``source_file``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from corett_lib.core.config import ConfigError, read_yaml
from corett_lib.core.problems import DataError, Problem
from corett_lib.core.schema import OBSERVATION_KEY

if TYPE_CHECKING:
    import pandas as pd

#: The observation columns a ``where`` filter usually names (any column of the table is accepted;
#: a column the table lacks matches nothing, so the correction is reported stale).
WHERE_COLUMNS: tuple[str, ...] = (
    *OBSERVATION_KEY,
    "country",
    "value_text",
    "source_file",
)
#: Columns a ``where`` may not name: positions in a file, not properties of a figure.
POSITION_COLUMNS: tuple[str, ...] = ("source_row",)
_INT_COLUMNS = ("year", "source_row")
_PRIORITY = ("source_row", "year", "iso3", "source_file", "indicator", "category", "value_text")

AUDIT_COLUMNS: list[str] = [
    "correction",
    "action",
    "source_file",
    "source_row",
    *[c for c in OBSERVATION_KEY if c != "source"],
    "before",
    "after",
]

Scalar = str | int | float


class Correction(BaseModel):
    """One declared correction (an entry of ``corrections.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    table: Literal["observations", "duplicates"] = "observations"
    where: dict[str, Scalar | list[Scalar]]
    keys: tuple[dict[str, Scalar | list[Scalar]], ...] = ()
    action: Literal["drop", "override", "flag"]
    value: float | None = None
    reason: str
    publisher_informed: Literal["yes", "no", "unknown"]
    notes: str = ""

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", v):
            raise ValueError("id must be lower-case letters, digits and hyphens")
        return v

    @field_validator("publisher_informed", mode="before")
    @classmethod
    def _yes_no(cls, v: Any) -> Any:
        return {True: "yes", False: "no"}.get(v, v) if isinstance(v, bool) else v

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a reason is required")
        return v

    @field_validator("where")
    @classmethod
    def _where(cls, v: dict[str, Any]) -> dict[str, Any]:
        if not v:
            raise ValueError("where must name at least one column")
        bad = sorted(k for k in v if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k))
        if bad:
            raise ValueError(f"column name(s) {bad} are not plain column names")
        _no_position(v)
        return v

    @field_validator("keys")
    @classmethod
    def _keys(cls, v: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
        for key in v:
            _no_position(key)
        return v

    @model_validator(mode="after")
    def _action(self) -> Correction:
        if self.action == "override" and self.value is None:
            raise ValueError("action override needs a value")
        if self.action != "override" and self.value is not None:
            raise ValueError(f"action {self.action} takes no value")
        if self.table == "duplicates" and self.action != "drop":
            raise ValueError("corrections of table duplicates only take action drop")
        if self.table == "duplicates":
            self._exact_keys()
        elif self.keys:
            raise ValueError("keys are for table duplicates; an observations entry uses where")
        elif self.action in ("drop", "override") and "value_text" not in self.where:
            raise ValueError(
                f"action {self.action} must pin the published value (where.value_text), so that "
                "it goes stale when the publisher changes the figure"
            )
        return self

    def _exact_keys(self) -> None:
        if not self.keys:
            raise ValueError(
                "a duplicates entry lists the exact repeated keys it declares under keys "
                "(with where: every key column and the repeated values as value_text)"
            )
        for i, key in enumerate(self.keys, start=1):
            full = self.where | key
            missing = [c for c in OBSERVATION_KEY if c not in full]
            lists = [c for c in OBSERVATION_KEY if isinstance(full.get(c), list)]
            values = full.get("value_text")
            if missing or lists or not isinstance(values, list) or len(values) < 2:
                raise ValueError(
                    f"keys entry {i} must name, with where, every key column as one value "
                    f"(missing {missing}, lists {lists}) and the repeated values as a list "
                    "value_text of two or more"
                )

    def declared_keys(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Return the exact keys of a duplicates entry: (key values as text, sorted value texts).

        Examples
        --------
        >>> c = Correction(id="x", table="duplicates", action="drop", reason="r",
        ...     publisher_informed="no", where={"source": "UNODC", "unit": "Counts"},
        ...     keys=({"iso3": "ALB", "year": 2017, "indicator": "v", "dimension": "d",
        ...            "category": "c", "sex": "Total", "age": "Total", "value_text": ["5", "<5"]},))
        >>> c.declared_keys()
        [(('UNODC', 'ALB', '2017', 'v', 'd', 'c', 'Total', 'Total', 'Counts'), ('5', '<5'))]
        """
        out = []
        for key in self.keys:
            full = self.where | key
            texts = full["value_text"]
            texts = texts if isinstance(texts, list) else [texts]
            out.append(
                (
                    tuple(str(full[c]) for c in OBSERVATION_KEY),
                    tuple(sorted(str(t) for t in texts)),
                )
            )
        return out


def _no_position(where: dict[str, Any]) -> None:
    named = [c for c in POSITION_COLUMNS if c in where]
    if named:
        raise ValueError(
            f"{named[0]} is a position in a file, not a property of the figure: key the entry by "
            "the observation's key (source, iso3, year, indicator, dimension, category, sex, age) "
            "and pin value_text, so it survives a re-ordered or re-issued export"
        )


def _fail(rel: str, message: str) -> DataError:
    return DataError(
        [
            Problem(
                "error",
                "corrections_invalid",
                rel,
                message,
                why="declared corrections change published figures; each must be well formed",
                table="corrections",
            )
        ]
    )


def load_corrections(
    path: str | os.PathLike[str], rel: str = "corrections.yaml"
) -> list[Correction]:
    """Read and validate ``corrections.yaml``.

    Parameters
    ----------
    path
        The file.
    rel
        Its name in problems (relative to the data folder).

    Returns
    -------
    list of Correction
        In file order.

    Raises
    ------
    DataError
        One problem per invalid entry (naming the entry's position and id and the field), or one
        for a file that is not YAML, not UTF-8, or has no ``corrections`` list; repeated ids too.
    """
    try:
        data = read_yaml(Path(path))
    except ConfigError as exc:
        raise _fail(rel, str(exc)) from None
    if data is None or not isinstance(data, dict) or not isinstance(data.get("corrections"), list):
        raise _fail(rel, "the file must hold a mapping with a list under 'corrections'")
    extra = sorted(set(data) - {"corrections"})
    problems: list[Problem] = []
    if extra:
        problems.extend(_fail(rel, f"unknown top-level key(s) {extra}").problems)
    out: list[Correction] = []
    for i, entry in enumerate(data["corrections"], start=1):
        ident = entry.get("id", "?") if isinstance(entry, dict) else "?"
        try:
            out.append(Correction.model_validate(entry))
        except ValidationError as exc:
            msgs = "; ".join(
                f"{'.'.join(str(x) for x in e['loc']) or '(entry)'}: {e['msg']}"
                for e in exc.errors()
            )
            problems.extend(_fail(rel, f"entry {i} (id {ident!r}): {msgs}").problems)
    seen: set[str] = set()
    for c in out:
        if c.id in seen:
            problems.extend(_fail(rel, f"id {c.id!r} is declared more than once").problems)
        seen.add(c.id)
    if problems:
        raise DataError(problems)
    return out


class _Columns:
    """The columns of one table as numpy arrays, converted once and shared by every filter."""

    def __init__(self, df: pd.DataFrame):
        self.df = df
        self._arrays: dict[str, Any] = {}
        self._index: dict[str, dict[Any, Any]] = {}

    def __call__(self, col: str) -> Any:
        import numpy as np

        if col not in self._arrays:
            series = self.df[col]
            if col in _INT_COLUMNS:
                values = series.to_numpy()
            else:
                values = np.asarray(series.astype(str).to_numpy(dtype=object))
            self._arrays[col] = values
        return self._arrays[col]

    def raw(self, col: str) -> Any:
        """Return ``col`` as a numpy array of its own values (converted once)."""
        key = f"raw:{col}"
        if key not in self._arrays:
            self._arrays[key] = self.df[col].to_numpy()
        return self._arrays[key]

    def lookup(self, col: str) -> dict[Any, Any]:
        """Return value -> row positions for ``col`` (built once)."""
        import numpy as np
        import pandas as pd

        if col not in self._index:
            values = self(col)
            self._index[col] = pd.Series(np.arange(len(values))).groupby(values).indices
        return self._index[col]

    def positions(self, where: dict[str, Any]) -> Any:
        """Return the sorted row positions that satisfy every condition of ``where``."""
        import numpy as np

        # The most selective (and cheapest: integer) column is looked up in an index; the other
        # conditions are checked on those few candidate rows only.
        order = sorted(where, key=lambda c: _PRIORITY.index(c) if c in _PRIORITY else 99)
        if any(col not in self.df.columns for col in order):
            return np.arange(0)
        pos = None
        for col in order:
            want = where[col]
            values = want if isinstance(want, list) else [want]
            accepted = {int(v) for v in values} if col in _INT_COLUMNS else {str(v) for v in values}
            if pos is None:
                index = self.lookup(col)
                parts = [index[v] for v in accepted if v in index]
                pos = np.sort(np.concatenate(parts)) if parts else np.arange(0)
            else:
                column = self(col)[pos]
                keep = np.fromiter((v in accepted for v in column), dtype=bool, count=len(column))
                pos = pos[keep]
            if not len(pos):
                break
        return pos if pos is not None else np.arange(0)


def matches(df: pd.DataFrame, where: dict[str, Any]) -> pd.Series:
    """Return a boolean mask of the rows of ``df`` that satisfy every condition of ``where``.

    A column that ``df`` lacks matches nothing. Integers are compared as integers (``year``,
    ``source_row``), everything else as text.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"iso3": ["DOM", "SLV"], "year": [2019, 2019]})
    >>> matches(df, {"iso3": ["DOM", "GTM"], "year": 2019}).tolist()
    [True, False]
    """
    import numpy as np
    import pandas as pd

    mask = np.zeros(len(df), dtype=bool)
    mask[_Columns(df).positions(where)] = True
    return pd.Series(mask, index=df.index)


def _value_column(file: str, df: pd.DataFrame) -> str | None:
    if file.endswith(".xlsx"):
        return "txtVALUE"
    return "value_text" if "value_text" in df.columns else None


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v == v and v.is_integer():
        return str(int(v))
    return str(v)


_VERB = {"drop": "left out", "override": "set to {value}", "flag": "flagged"}


def apply_corrections(
    obs: pd.DataFrame, corrections: Sequence[Correction], rel: str = "corrections.yaml"
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """Apply the declared corrections of table ``observations`` to a table.

    Parameters
    ----------
    obs
        The tidy observations (after the duplicate rule), or another table the loading step routes
        corrections to (it needs ``source_file`` and ``source_row`` to name the rows).
    corrections
        From :func:`load_corrections`; entries of table ``duplicates`` are skipped (the duplicate
        rule applies them).
    rel
        Name of the corrections file in problems.

    Returns
    -------
    corrected
        ``obs`` with dropped rows removed, overridden values replaced and the ``correction`` column
        of every touched row set to the correction id(s) (comma-separated).
    audit
        One row per touched row: :data:`AUDIT_COLUMNS` (``before``/``after`` are value texts).
    problems
        One warning (``declared_correction``) per applied correction and file, naming the rows it
        touched; one error (``correction_stale``) per correction that matches no row.

    Examples
    --------
    >>> import pandas as pd
    >>> obs = pd.DataFrame({"iso3": ["DOM"], "year": [2019], "value_text": ["2,019"],
    ...     "value": [2019.0], "source_file": ["f.xlsx"], "source_row": [7], "correction": [""]})
    >>> c = Correction(id="x", where={"iso3": "DOM", "year": 2019}, action="flag",
    ...     reason="r", publisher_informed="no")
    >>> out, audit, problems = apply_corrections(obs, [c])
    >>> out["correction"].tolist(), [p.check for p in problems]
    (['x'], ['declared_correction'])
    """
    import numpy as np
    import pandas as pd

    df = obs.copy()
    if "correction" not in df.columns:
        df["correction"] = ""
    cols = _Columns(df)
    n = len(df)
    tag = df["correction"].fillna("").astype(str).to_numpy(dtype=object).copy()
    dropped = np.zeros(n, dtype=bool)
    overrides: dict[int, float] = {}

    def at(col: str, pos: Any) -> list[Any]:
        return list(cols.raw(col)[pos]) if col in df.columns else [None] * len(pos)

    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for c in corrections:
        if c.table != "observations":
            continue
        pos = cols.positions(c.where)
        pos = pos[~dropped[pos]]
        if not len(pos):
            problems.append(
                Problem(
                    "error",
                    "correction_stale",
                    rel,
                    f"correction {c.id!r} matches no row (where {c.where}): the data changed or "
                    "the filter is wrong; review or remove it",
                    why="a declared correction that matches nothing hides nothing and may be out "
                    "of date",
                    table="corrections",
                )
            )
            continue
        before = at("value_text", pos) if "value_text" in df.columns else at("value", pos)
        before = [_fmt(b) for b in before]
        files = [str(f) for f in at("source_file", pos)] if "source_file" in df.columns else None
        rows = at("source_row", pos)
        key = {k: at(k, pos) for k in OBSERVATION_KEY if k != "source"}
        for i in range(len(pos)):
            after = {"drop": "", "flag": before[i], "override": _fmt(c.value)}[c.action]
            records.append(
                {
                    "correction": c.id,
                    "action": c.action,
                    "source_file": files[i] if files else rel,
                    "source_row": rows[i],
                    **{k: v[i] for k, v in key.items()},
                    "before": before[i],
                    "after": after,
                }
            )
            tag[pos[i]] = f"{tag[pos[i]]},{c.id}" if tag[pos[i]] else c.id
        if c.action == "drop":
            dropped[pos] = True
        elif c.action == "override":
            overrides.update(dict.fromkeys(pos.tolist(), float(c.value)))  # type: ignore[arg-type]
        by_file: dict[str, list[int]] = {}
        for i in range(len(pos)):
            by_file.setdefault(files[i] if files else rel, []).append(i)
        for file, idx in sorted(by_file.items()):
            problems.append(
                Problem(
                    "warning",
                    "declared_correction",
                    file,
                    f"correction {c.id!r}: {len(idx)} row(s) "
                    + _VERB[c.action].format(value=_fmt(c.value))
                    + f" (publisher informed: {c.publisher_informed})",
                    rows=tuple(sorted(int(rows[i]) for i in idx if pd.notna(rows[i]))),
                    column=_value_column(file, df),
                    why=c.reason,
                    sample=tuple(before[i] for i in idx[:5]),
                    table="observations",
                )
            )
    df["correction"] = tag
    if overrides:
        where = np.fromiter(overrides, dtype=np.int64)
        new = np.fromiter(overrides.values(), dtype=float)
        for col in ("value", "value_low", "value_high"):
            if col in df.columns:
                values = df[col].to_numpy(dtype=float, copy=True)
                values[where] = new
                df[col] = values
        if "censored" in df.columns:
            flags = df["censored"].to_numpy(dtype=bool, copy=True)
            flags[where] = False
            df["censored"] = flags
    out = df.loc[~dropped].reset_index(drop=True)
    audit = pd.DataFrame.from_records(records, columns=AUDIT_COLUMNS)
    if len(audit):
        audit["source_row"] = audit["source_row"].astype("Int64")
    return out, audit, problems
