"""Structured problems: what every loader and validation check reports.

A :class:`Problem` names the file, row(s), column and check, says why the check exists and carries a
sample of the offending values. Loaders and validators collect *all* problems and return them; they never
print, and never stop at the first one. :class:`DataError` carries a list of problems to the caller.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One problem found in an input.

    Parameters
    ----------
    severity
        ``"error"`` fails validation; ``"warning"`` is reported but does not (declared corrections,
        known cross-source differences, changed input checksums).
    check
        Short machine id of the check, e.g. ``"counts_non_negative"``.
    file
        The input file, relative to the data folder where possible.
    message
        One human sentence naming what is wrong.
    rows
        1-based row numbers as a person sees them in the file (Excel row, CSV line incl. header).
    column
        The column concerned, if any.
    why
        Why the check exists.
    sample
        A few offending values.
    table
        The logical table (e.g. ``"glotip"``).
    iso3, year
        The country-year whose figures the problem concerns, when it concerns one only. An error with
        a country-year is *scoped*: it withholds that country-year's figures it names and the other
        reports still build (:mod:`corett_lib.validation.scoped`); an error without one is structural
        and stops everything.
    """

    severity: Severity
    check: str
    file: str
    message: str
    rows: tuple[int, ...] = ()
    column: str | None = None
    why: str = ""
    sample: tuple[Any, ...] = field(default_factory=tuple)
    table: str | None = None
    iso3: str | None = None
    year: int | None = None

    def location(self) -> str:
        """Return ``file, row(s) N, column C`` for messages."""
        parts = [self.file]
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:10])
            more = f" (+{len(self.rows) - 10} more)" if len(self.rows) > 10 else ""
            parts.append(f"row{'s' if len(self.rows) > 1 else ''} {shown}{more}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        why = f" (why: {self.why})" if self.why else ""
        return f"{self.severity.upper()} [{self.check}] {self.location()}: {self.message}{why}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        d = asdict(self)
        d["rows"] = list(self.rows)
        d["sample"] = [str(s) for s in self.sample]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Problem:
        """Return the problem :meth:`to_dict` gave ``d`` for (samples come back as text)."""
        return cls(
            d["severity"],
            d["check"],
            d["file"],
            d["message"],
            rows=tuple(d.get("rows") or ()),
            column=d.get("column"),
            why=d.get("why", ""),
            sample=tuple(d.get("sample") or ()),
            table=d.get("table"),
            iso3=d.get("iso3"),
            year=d.get("year"),
        )


class DataError(Exception):
    """Raised when inputs cannot be used; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the input data:\n{lines}")


def errors(problems: list[Problem]) -> list[Problem]:
    """Return only the problems of severity ``error``."""
    return [p for p in problems if p.severity == "error"]


_SCOPE_PATTERNS: tuple[tuple[re.Pattern[str], bool], ...] = (
    (re.compile(r"^([A-Z]{3}) (\d{4}) "), True),  # disaggregation checks: "GTM 2019 Persons ..."
    (re.compile(r"^correction '[a-z0-9]+-([a-z]{3})-(\d{4})-"), True),  # "unodc-gtm-2019-..."
    (re.compile(r"^correction '[a-z0-9]+-([a-z]{3})-"), False),  # "chart1-dom-rome-statute-1995"
    (re.compile(r"^([A-Z]{3}) ratified "), False),
)


def scope(problem: Problem) -> tuple[str | None, int | None]:
    """Return the country (ISO3) and year a problem is about, as far as its message says.

    ``(None, None)`` for a problem about the file as a whole (repeated keys, lost characters). A country
    code found here is not checked against any list: callers compare it with the codes they know.

    Examples
    --------
    >>> p = Problem("warning", "sex_parts_within_total", "f", "GTM 2019 Persons convicted (UNODC): ...")
    >>> scope(p)
    ('GTM', 2019)
    >>> scope(Problem("warning", "declared_correction", "f", "correction 'unodc-slv-2019-x': 1 row(s)"))
    ('SLV', 2019)
    >>> scope(Problem("warning", "declared_correction", "f", "correction 'chart1-dom-rome-statute-1995'"))
    ('DOM', None)
    >>> scope(Problem("warning", "text_replacement_character", "f", "98 row(s) contain U+FFFD"))
    (None, None)
    """
    if problem.iso3 is not None:
        return problem.iso3, problem.year
    for pattern, has_year in _SCOPE_PATTERNS:
        m = pattern.match(problem.message)
        if m:
            return m.group(1).upper(), (int(m.group(2)) if has_year else None)
    return None, None
