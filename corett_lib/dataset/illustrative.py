"""The illustrative monitoring data set: a seeded generator (no public source holds the actuals).

Every row it makes is labelled illustrative; :mod:`corett_lib.dataset.monitoring` reads it back.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.core import config, paths
from corett_lib.core.tables import finish
from corett_lib.raw.plans import read_plan_items

if TYPE_CHECKING:
    import pandas as pd

from corett_lib.dataset.monitoring import (
    COLUMNS,
    ILLUSTRATIVE,
    ILLUSTRATIVE_FILE,
    KEY,
    monitored_items,
    on_time_of,
    write_table,
)


@dataclass(frozen=True)
class IllustrativeCause:
    """A cause of delay the generator may invent, with the dates it can fit.

    ``first`` and ``last`` are ISO dates (inclusive; empty: no bound). A cause is attached to a late
    activity only when the activity's deadline falls between them.
    """

    text: str
    first: str = ""
    last: str = ""

    def fits(self, deadline: str) -> bool:
        """Return True when the cause can explain a delay at ``deadline`` (ISO date).

        Examples
        --------
        >>> covid = ILLUSTRATIVE_CAUSES[2]
        >>> covid.fits("2019-11-26"), covid.fits("2020-06-01"), covid.fits("2023-02-01")
        (False, True, False)
        """
        return (not self.first or deadline >= self.first) and (
            not self.last or deadline <= self.last
        )


#: Causes of delay used by the illustrative generator (invented examples, labelled as such), each
#: with the dates it fits. COVID-19 restrictions: from the WHO's pandemic declaration (11 March 2020)
#: to the end of 2022, by when the members had lifted their restrictions on gatherings.
ILLUSTRATIVE_CAUSES: tuple[IllustrativeCause, ...] = (
    IllustrativeCause("Funds from the cooperating agency arrived later than planned"),
    IllustrativeCause("Change of authorities in the national coalition"),
    IllustrativeCause("Meetings postponed by COVID-19 restrictions", "2020-03-11", "2022-12-31"),
    IllustrativeCause("Technical sheet awaited approval from the Presidency"),
    IllustrativeCause("Consultant contract signed late"),
)


def cause_for(draw: int, deadline: str) -> str:
    """Return the cause of delay for generator draw ``draw`` (0 to len(causes) - 1) at ``deadline``.

    The drawn cause when it fits the deadline (:meth:`IllustrativeCause.fits`); otherwise one of the
    causes that fit, picked by the deadline's day of the month (no extra draw). The generator makes
    the same draws whatever the date, so only the text of a cause that would not fit changes.

    Examples
    --------
    >>> cause_for(2, "2019-11-26"), cause_for(2, "2021-10-19"), cause_for(4, "2019-06-06")
    ('Technical sheet awaited approval from the Presidency', 'Meetings postponed by COVID-19 restrictions', 'Consultant contract signed late')
    """
    if ILLUSTRATIVE_CAUSES[draw].fits(deadline):
        return ILLUSTRATIVE_CAUSES[draw].text
    fitting = [c.text for c in ILLUSTRATIVE_CAUSES if c.fits(deadline)]
    return fitting[int(deadline[-2:]) % len(fitting)]


def _is_deliverable(unit: object) -> bool:
    return "deliverable" in str(unit)


def generate_illustrative(
    plan_items: pd.DataFrame,
    members: Sequence[str],
    years: Iterable[int] = range(2019, 2025),
    *,
    seed: int = 6,
) -> pd.DataFrame:
    """Return an **illustrative** (invented) monitoring data set for the plans' items.

    Every row carries ``illustrative = ILLUSTRATIVE`` and ``source = "illustrative (seed N)"``. The
    figures are drawn from a seeded generator so the same call always gives the same table; they
    show how the workbench answers the evaluation questions and must never be quoted.

    How it is made, per member and year: each indicator is reported with probability 0.85 (a
    gap otherwise; qualitative indicators are never filled); counts follow a Poisson law whose mean
    grows by 10 % a year from a base drawn per member and indicator (0.2 to 4 a year for campaigns,
    workshops, materials and the like; 24 to 480 for people); deliverables (concept notes, reports) are 0 or 1; the amount of
    resources managed is a multiple of 5,000. Evidence is available for 75 % of the rows. Each
    activity of the prevention and resource-mobilization plans is scheduled with probability 0.5,
    with a deadline in the year; 80 % are completed, a quarter of those late (up to 120 days), and
    each late or unfinished activity gets one of :data:`ILLUSTRATIVE_CAUSES` that fits its deadline
    (no COVID-19 restriction before March 2020). Each objective of the
    resource-mobilization plan gets a yes/no evidence row (Chart 3).

    Parameters
    ----------
    plan_items
        The table from :func:`corett_lib.raw.plans.read_plan_items`.
    members
        ISO3 codes of the members (never ``CORETT``).
    years
        Years to generate.
    seed
        Seed of the generator.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, sorted by :data:`KEY`.

    Examples
    --------
    >>> from corett_lib.core.paths import raw_path
    >>> from corett_lib.raw.plans import read_plan_items
    >>> items, _ = read_plan_items(raw_path("plan_items"), "raw/plan_items.csv")
    >>> a = generate_illustrative(items, ["GTM"], [2020], seed=1)
    >>> a.equals(generate_illustrative(items, ["GTM"], [2020], seed=1)), set(a["illustrative"])
    (True, {'ILLUSTRATIVE'})
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    items = monitored_items(plan_items)
    years = list(years)
    source = f"illustrative (seed {seed})"
    rows: list[dict[str, Any]] = []
    for iso3 in members:
        base = {iid: float(rng.uniform(2, 40)) for iid in items["id"]}
        for year in years:
            growth = 1.1 ** (year - years[0])
            for _, it in items.iterrows():
                rec: dict[str, Any] = dict.fromkeys(COLUMNS, "")
                rec.update(illustrative=ILLUSTRATIVE, plan_item_id=it["id"], iso3=iso3, year=year)
                rec["value"] = float("nan")
                rec["source"] = source
                draw_report, draw_evidence = rng.random(), rng.random()
                if it["kind"] == "indicator":
                    if draw_report > 0.85:
                        continue
                    unit = str(it["unit"])
                    if "qualitative" in unit:
                        continue  # a judgement, not a number: left for members to describe
                    if _is_deliverable(unit):
                        value = float(rng.random() < 0.35)
                    elif "resources managed" in unit:
                        value = float(rng.integers(0, 40) * 5000)
                    elif "people" in unit:
                        value = float(rng.poisson(base[it["id"]] * 12 * growth))
                    else:
                        value = float(rng.poisson(base[it["id"]] / 10 * growth))
                    rec["value"] = value
                elif it["kind"] == "activity":
                    if draw_report > 0.5:
                        continue
                    deadline = _dt.date(year, 1, 1) + _dt.timedelta(days=int(rng.integers(30, 360)))
                    rec["deadline"] = deadline.isoformat()
                    done, late = rng.random() < 0.8, rng.random() < 0.25
                    if done:
                        shift = int(rng.integers(1, 121)) if late else -int(rng.integers(0, 60))
                        rec["completed"] = (deadline + _dt.timedelta(days=shift)).isoformat()
                    rec["on_time"] = on_time_of(rec["deadline"], rec["completed"], year)
                    if rec["on_time"] == "no":
                        rec["cause_of_delay"] = cause_for(
                            int(rng.integers(0, len(ILLUSTRATIVE_CAUSES))), rec["deadline"]
                        )
                else:
                    if it["plan"] != "resource_mobilization":
                        continue
                rec["evidence_available"] = "yes" if draw_evidence < 0.75 else "no"
                rows.append(rec)
    df = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    df["year"] = df["year"].astype(int)
    df["value"] = df["value"].astype(float)
    return finish(df, list(KEY), name="illustrative_monitoring")


def write_illustrative(data: str | os.PathLike[str] | None = None, *, seed: int = 6) -> Path:
    """Regenerate ``monitoring/illustrative_actuals.csv`` for the configured members, 2019-2024.

    Returns the path written (written aside, then renamed into place).
    """
    items, _ = read_plan_items(paths.raw_path("plan_items", data), "raw/plan_items.csv")
    df = generate_illustrative(items, config.members(), range(2019, 2025), seed=seed)
    path = paths.monitoring_dir(data) / ILLUSTRATIVE_FILE
    write_table(df, path)
    return path


if __name__ == "__main__":  # pragma: no cover - regenerates the shipped illustrative file
    print(write_illustrative())
