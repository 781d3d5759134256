"""The history of ``corett ingest``: an append-only submission log, diffs, reverts and a writers' lock.

Every submission that changes ``monitoring/collected.csv`` appends one JSON line to
``monitoring/submissions.jsonl`` (:data:`LOG_FILE`): its id, when (UTC), who (the ``--who`` given,
else the login name), each file's name and sha256, and what it replaced, field by field, old → new
(:func:`diff_rows`), with the rows it replaced and the rows it wrote for the member-years it touched.
A revert (``corett ingest --revert ID``) is itself a submission that puts those rows back; it is
refused when a later submission changed the same member-years (revert that one first). A
re-ingest that changes nothing is not logged (and ``collected.csv`` is not rewritten).

Writers are serialised by a lock file beside the data (:func:`writers_lock`): two ingests at once
run one after the other, each merging into what the other wrote.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

from corett_lib.core import i18n, paths
from corett_lib.dataset.monitoring import COLUMNS, KEY

LOG_FILE = "submissions.jsonl"
LOCK_FILE = ".ingest.lock"
LOCK_TIMEOUT_SECONDS = 300.0
"""How long an ingest waits for another one to finish before it gives up (and says so)."""

Row = dict[str, str]


class HistoryError(ValueError):
    """A revert that cannot be done (unknown id, or later changes to the same member-years)."""


@dataclass(frozen=True)
class Change:
    """One difference between the rows held and the rows submitted."""

    key: tuple[str, str, str]  #: plan_item_id, iso3, year
    field: str  #: a column, or ``""`` for a row added or removed
    old: str | None  #: None: the row is new
    new: str | None  #: None: the row is removed

    def line(self, lang: str = "en") -> str:
        """Return the change as one line (``PREV.I1 GTM 2024: value 10 -> 12``)."""
        key = " ".join(self.key)
        if self.old is None:
            return i18n.t("ingest.added", lang, row=key)
        if self.new is None:
            return i18n.t("ingest.removed", lang, row=key)
        return i18n.t(
            "ingest.replaced",
            lang,
            row=key,
            field=self.field,
            old=repr(self.old),
            new=repr(self.new),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"key": list(self.key), "field": self.field, "old": self.old, "new": self.new}


def _key(row: Row) -> tuple[str, str, str]:
    return (str(row["plan_item_id"]), str(row["iso3"]), str(row["year"]))


def member_years(rows: Iterable[Row]) -> set[tuple[str, str]]:
    """Return the ``(iso3, year)`` pairs of ``rows``."""
    return {(str(r["iso3"]), str(r["year"])) for r in rows}


def diff_rows(old: Iterable[Row], new: Iterable[Row]) -> list[Change]:
    """Return every change from ``old`` to ``new`` rows, sorted by key then column.

    Examples
    --------
    >>> a = {c: "" for c in COLUMNS} | {"plan_item_id": "X", "iso3": "GTM", "year": "2024"}
    >>> [c.line() for c in diff_rows([a | {"value": "10"}], [a | {"value": "12"}])]
    ["X GTM 2024: value '10' -> '12'"]
    """
    before = {_key(r): r for r in old}
    after = {_key(r): r for r in new}
    out: list[Change] = []
    for k in sorted(before.keys() | after.keys()):
        if k not in before:
            out.append(Change(k, "", None, ""))
        elif k not in after:
            out.append(Change(k, "", "", None))
        else:
            for c in COLUMNS:
                if c in KEY:
                    continue
                o, n = str(before[k].get(c, "")), str(after[k].get(c, ""))
                if o != n:
                    out.append(Change(k, c, o, n))
    return out


def rows_of(df: Any, years: set[tuple[str, str]] | None = None) -> list[Row]:
    """Return the rows of a monitoring table as text dicts (only ``years`` when given)."""
    rows = [
        {c: "" if v is None else str(v) for c, v in zip(COLUMNS, rec, strict=True)}
        for rec in df[list(COLUMNS)].itertuples(index=False, name=None)
    ]
    if years is None:
        return rows
    return [r for r in rows if (r["iso3"], r["year"]) in years]


def log_path(data: str | os.PathLike[str] | None = None) -> Path:
    """Return the submission log of the data folder (``monitoring/submissions.jsonl``)."""
    return paths.monitoring_dir(data) / LOG_FILE


def read_log(data: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Return every submission of the log, oldest first (an absent log: none).

    Raises
    ------
    HistoryError
        Naming the line of the log that is not a JSON record.
    """
    path = log_path(data)
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise HistoryError(f"{path}, line {n}: not a JSON record ({exc.msg})") from None
    return out


def append(
    data: str | os.PathLike[str] | None,
    *,
    files: Sequence[tuple[str, str]],
    before: list[Row],
    after: list[Row],
    changes: list[Change],
    who: str | None = None,
    reverts: int | None = None,
) -> dict[str, Any]:
    """Append one submission to the log (call it under :func:`writers_lock`); return the record."""
    previous = read_log(data)
    record = {
        "id": (max((int(r["id"]) for r in previous), default=0) + 1),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "who": who or _login(),
        "kind": "revert" if reverts is not None else "ingest",
        "reverts": reverts,
        "files": [{"name": name, "sha256": sha} for name, sha in files],
        "changes": [c.to_dict() for c in changes],
        "before": before,
        "after": after,
    }
    path = log_path(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return record


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@contextmanager
def writers_lock(
    data: str | os.PathLike[str] | None = None, timeout: float = LOCK_TIMEOUT_SECONDS
) -> Iterator[None]:
    """Hold the ingest lock of the data folder (``monitoring/.ingest.lock``) for the block.

    Raises
    ------
    filelock.Timeout
        When another ingest holds it for longer than ``timeout`` seconds.
    """
    folder = paths.monitoring_dir(data)
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / LOCK_FILE), timeout=timeout):
        yield


def revert_rows(
    log: list[dict[str, Any]], submission: int, current: list[Row]
) -> tuple[list[Row], list[Row], set[tuple[str, str]]]:
    """Return ``(rows now, rows to put back, member-years)`` to revert ``submission``.

    Raises
    ------
    HistoryError
        When there is no such submission, or a later one changed the same member-years (naming it).
    """
    found = [r for r in log if int(r["id"]) == submission]
    if not found:
        raise HistoryError(f"no submission {submission} in the log")
    record = found[0]
    years = member_years(record["before"]) | member_years(record["after"])
    later = [
        r["id"]
        for r in log
        if int(r["id"]) > submission
        and (member_years(r["before"]) | member_years(r["after"])) & years
    ]
    if later:
        raise HistoryError(
            f"submission {submission} cannot be reverted: later submission(s) "
            f"{', '.join(map(str, later))} changed the same member-years; revert those first"
        )
    now = [r for r in current if (r["iso3"], r["year"]) in years]
    return now, list(record["before"]), years


__all__ = [
    "LOCK_FILE",
    "LOG_FILE",
    "Change",
    "HistoryError",
    "append",
    "diff_rows",
    "log_path",
    "member_years",
    "read_log",
    "revert_rows",
    "rows_of",
    "writers_lock",
]
