"""Declared corrections to source data: data in ``corrections.yaml``, applied by one function.

Each entry names one problem found in a source and what the workbench does about it:

* ``drop`` — the row is left out of the table (its figure is impossible and no true value is known);
* ``override`` — the row's value is replaced by ``value`` (the source's ``value_text`` is kept);
* ``flag`` — the row is kept as published and marked, so validation reports it as a warning.

``table: observations`` entries (the default) act on the tidy observation table after the duplicate
rule; ``table: duplicates`` entries (action ``drop`` only) declare conflicting repeated keys that
:func:`corett_lib.sources.unodc.apply_duplicate_rule` keeps out of the table.

``where`` is a filter on columns of the table (for observations: the key columns, ``country``,
``value_text``, ``source_file``, ``source_row``): each value is a scalar or a list of accepted values.
The same function applies corrections to another table (e.g. the ratifications) when the loading
step routes them there by ``source_file``.
Pinning ``value_text`` makes a correction go stale (an error) when a new edition changes the figure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from corett_lib.problems import DataError, Problem
from corett_lib.schema import OBSERVATION_KEY

if TYPE_CHECKING:
    import pandas as pd

#: The observation columns a ``where`` filter usually names (any column of the table is accepted;
#: a column the table lacks matches nothing, so the correction is reported stale).
WHERE_COLUMNS: tuple[str, ...] = (
    *OBSERVATION_KEY,
    "country",
    "value_text",
    "source_file",
    "source_row",
)
_INT_COLUMNS = ("year", "source_row")

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
        return v

    @model_validator(mode="after")
    def _action(self) -> Correction:
        if self.action == "override" and self.value is None:
            raise ValueError("action override needs a value")
        if self.action != "override" and self.value is not None:
            raise ValueError(f"action {self.action} takes no value")
        if self.table == "duplicates" and self.action != "drop":
            raise ValueError("corrections of table duplicates only take action drop")
        return self


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
    from corett_lib.config import ConfigError, read_yaml

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


def matches(df: pd.DataFrame, where: dict[str, Any]) -> pd.Series:
    """Return a boolean mask of the rows of ``df`` that satisfy every condition of ``where``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"iso3": ["DOM", "SLV"], "year": [2019, 2019]})
    >>> matches(df, {"iso3": ["DOM", "GTM"], "year": 2019}).tolist()
    [True, False]
    """
    import pandas as pd

    mask = pd.Series(True, index=df.index)
    for col, want in where.items():
        if col not in df.columns:
            return pd.Series(False, index=df.index)
        values = want if isinstance(want, list) else [want]
        if col in _INT_COLUMNS:
            ints = {int(v) for v in values}
            mask &= df[col].isin(ints)
        else:
            mask &= df[col].astype(str).isin([str(v) for v in values])
    return mask


def _value_column(file: str, df: pd.DataFrame) -> str | None:
    if file.endswith(".xlsx"):
        return "txtVALUE"
    return "value_text" if "value_text" in df.columns else None


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v == v and v.is_integer():
        return str(int(v))
    return str(v)


def apply_corrections(
    obs: pd.DataFrame, corrections: Sequence[Correction], rel: str = "corrections.yaml"
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """Apply the declared corrections of table ``observations`` to the observation table.

    Parameters
    ----------
    obs
        The tidy observations (after the duplicate rule).
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
        One warning (``declared_correction``) per applied correction, naming the file and rows it
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
    import pandas as pd

    df = obs.copy()
    if "correction" not in df.columns:
        df["correction"] = ""
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    dropped = pd.Series(False, index=df.index)
    for c in corrections:
        if c.table != "observations":
            continue
        mask = matches(df, c.where) & ~dropped
        if not mask.any():
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
        hit = df.loc[mask]
        for idx, row in hit.iterrows():
            before = str(row["value_text"]) if "value_text" in row else _fmt(row.get("value", ""))
            after = {"drop": "", "flag": before, "override": _fmt(c.value)}[c.action]
            records.append(
                {
                    "correction": c.id,
                    "action": c.action,
                    "source_file": row.get("source_file"),
                    "source_row": row.get("source_row"),
                    **{k: row.get(k) for k in OBSERVATION_KEY if k != "source"},
                    "before": before,
                    "after": after,
                }
            )
            old = str(df.at[idx, "correction"] or "")
            df.at[idx, "correction"] = f"{old},{c.id}" if old else c.id
        if c.action == "drop":
            dropped |= mask
        elif c.action == "override":
            v = float(c.value)  # type: ignore[arg-type]
            for col in ("value", "value_low", "value_high"):
                if col in df.columns:
                    df.loc[mask, col] = v
            if "censored" in df.columns:
                df.loc[mask, "censored"] = False
        by_file = hit.groupby("source_file", sort=True) if "source_file" in hit else [(rel, hit)]
        for file, part in by_file:
            verb = {"drop": "left out", "override": f"set to {_fmt(c.value)}", "flag": "flagged"}
            problems.append(
                Problem(
                    "warning",
                    "declared_correction",
                    str(file),
                    f"correction {c.id!r}: {len(part)} row(s) {verb[c.action]} "
                    f"(publisher informed: {c.publisher_informed})",
                    rows=tuple(sorted(int(r) for r in part["source_row"] if pd.notna(r)))
                    if "source_row" in part
                    else (),
                    column=_value_column(str(file), df),
                    why=c.reason,
                    sample=tuple(part["value_text"].astype(str))[:5]
                    if "value_text" in part
                    else (),
                    table="observations",
                )
            )
    out = df.loc[~dropped].reset_index(drop=True)
    audit = pd.DataFrame.from_records(records, columns=AUDIT_COLUMNS)
    if len(audit):
        audit["source_row"] = audit["source_row"].astype("Int64")
    return out, audit, problems
