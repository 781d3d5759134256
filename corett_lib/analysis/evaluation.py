"""Evaluation rules: evidence in, an answer out, in the form the question asks for.

Each evaluation question (Chart 5 and the internal-evaluation questions of the Resource Mobilization
Strategy, ``raw/evaluation_questions.csv``) and each follow-up question (Chart 4,
``raw/followup_questions.csv``) declares the form of answer it asks for (``answer_type``, one of
:data:`~corett_lib.raw.evaluation_framework.ANSWER_TYPES`) and is answered by one rule of
:data:`RULES`. Each form has its own verdicts (:data:`FORMS`):

* a **judgement** ("Were all the objectives achieved?"): ``yes``, ``partly``, ``no``;
* an **extent** ("To what extent ...?"): ``fully``, ``largely``, ``partly``, ``not_at_all``;
* a **list** ("What was not achieved?"): ``items`` (the items, listed) or ``no_items``, never a
  yes/no;
* an **explanation** ("Why ...?", "How ...?"): ``findings`` (each with its evidence) or
  ``nothing_to_explain``;

and every form may be ``not_enough_evidence``, which names what is missing. :func:`answer` refuses a
verdict that is not of the question's form.

A rule reads the monitoring data (:mod:`corett_lib.dataset.monitoring`) of the plan items in scope
and, for the effects question, the published series (detected victims, prosecutions, convictions,
repatriations). It returns an :class:`Answer`: verdict, rationale (en/es), the evidence chain (one row
per indicator, activity or series read, each with its years, values, source and whether it is
published, reported by members or illustrative), the list items or findings, what is missing, and
the evidence-sufficiency grade (:func:`grade`). Every rule is stated in words with its thresholds
(:func:`rule_text`, catalogue ``evaluation.rule_text.*``, thresholds from :data:`RULE_PARAMS`, the
same numbers the code uses); every grade has its definition (:func:`grade_text`).

Statuses of plan indicators are those of the annual report (:func:`corett_lib.analysis.status.plan_progress`,
worded by :func:`corett_lib.analysis.status.status_text`): an indicator without a target is
``not applicable`` ("No target"), never achieved. An output reported above zero without a target is
*delivered*, and the answers say so.

Thresholds are the workbench's, not the strategy's: the strategy states the questions, not how to
answer them. Scope: a member's rows, or for the region (``CORETT``) every member's rows summed; the
period is 2019 (the plan's start) to the evaluation year.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from corett_lib.analysis.status import GOOD_STATUSES, plan_progress, status_text
from corett_lib.core import i18n
from corett_lib.dataset.monitoring import kind_of, monitored_items
from corett_lib.raw.evaluation_framework import ANSWER_TYPES

#: The verdicts of each form of answer (``not_enough_evidence`` is common to all).
FORMS: dict[str, tuple[str, ...]] = dict(
    zip(
        ANSWER_TYPES,  # judgement, extent, list, explanation
        (
            ("yes", "partly", "no", "not_enough_evidence"),
            ("fully", "largely", "partly", "not_at_all", "not_enough_evidence"),
            ("items", "no_items", "not_enough_evidence"),
            ("findings", "nothing_to_explain", "not_enough_evidence"),
        ),
        strict=True,
    )
)

#: Every verdict, in the order of the overview chart.
VERDICTS: tuple[str, ...] = (
    "yes",
    "fully",
    "largely",
    "partly",
    "no",
    "not_at_all",
    "items",
    "no_items",
    "findings",
    "nothing_to_explain",
    "not_enough_evidence",
)

GRADES: tuple[str, ...] = ("strong", "moderate", "weak", "none")

#: Shares (percent) of expected figures reported and of reported figures documented, per grade.
GRADE_THRESHOLDS: dict[str, int] = {"strong": 80, "moderate": 50}

PLAN_START = 2019
REGION = "CORETT"

#: Where a piece of evidence comes from: a published series, figures reported by members
#: (collected workbooks), or the illustrative (invented) monitoring set.
DATA_KINDS: tuple[str, ...] = ("published", "reported", "illustrative")

#: The published series the effects question reads (indicator engine ids -> catalogue key).
EFFECT_SERIES: dict[str, str] = {
    "victims": "indicator.detected_victims",
    "prosecuted": "indicator.persons_prosecuted",
    "convicted": "indicator.persons_convicted",
    "repatriated": "indicator.repatriated_victims",
}

#: Materials of the efficiency question: newsletters (objective 6) and technical sheets (objective 8).
MATERIAL_INDICATORS: tuple[str, ...] = ("RM.A4.O6.IND3", "RM.A4.O8.IND1")

#: Each rule's thresholds: the code reads them and :func:`rule_text` writes them into the rule.
RULE_PARAMS: dict[str, dict[str, int]] = {
    "R-EFFECTS": {"pre_years": 5, "min_pre": 3, "min_plan": 2, "min_series": 2, "yes_series": 3},
    "R-OBJECTIVES": {"min_share": 50},
    "R-EXTENT": {"largely": 75, "partly": 25, "min_share": 50},
    "R-ACHIEVED": {},
    "R-NOT-ACHIEVED": {},
    "R-WHY-NOT": {},
    "R-AXES": {},
    "R-MATERIALS-TIMELY": {"high": 80, "low": 50},
    "R-MATERIALS": {},
    "R-SUSTAINED": {"high": 80, "low": 40},
    "R-PROGRESS": {"high": 75, "low": 25, "min_share": 50},
    "R-CONTRIBUTE": {"high": 75, "low": 25},
    "R-DEADLINES": {"high": 90, "low": 50},
    "R-CIRCUMSTANCES": {},
    "R-CAUSES": {},
    "R-NOT-COLLECTED": {},
}

#: Validation state shown in the evidence chain (every row read has passed the load's checks).
VALIDATION_PASSED = "passed checks"

#: Punctuality marks in the chain's ``values_by_year`` of activities: on time, late, pending.
_MARK: dict[str, str] = {"yes": "\u2713", "no": "\u2717", "": "\u2026"}

#: Chain ``status`` values besides the plan statuses: activities and published series.
CHAIN_STATUSES: tuple[str, ...] = ("on time", "late", "faster", "not faster", "not comparable")

CHAIN_COLUMNS: tuple[str, ...] = (
    "question_id",
    "item_id",
    "item",
    "scope",
    "years",
    "values_by_year",
    "value",
    "status",
    "source",
    "data",
    "validation",
    "warnings",
    "rule",
)

#: Items of a list answer and findings of an explanation, one row each.
ITEM_COLUMNS: tuple[str, ...] = (
    "question_id",
    "item_id",
    "text_en",
    "text_es",
    "years",
    "source",
    "data",
)

ANSWER_COLUMNS: tuple[str, ...] = (
    "question_id",
    "answer_type",
    "criterion",
    "oecd_dac_2019",
    "question",
    "verdict",
    "rationale",
    "missing",
    "grade",
    "rule",
    "data",
    "illustrative",
)


# ------------------------------------------------------------------------------------- wording


def _fmt(value: Any, lang: str) -> str:
    if callable(value):
        return str(value(lang))
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return i18n.t("label.no_data", lang)
        return i18n.number(value, lang, 0 if float(value).is_integer() else 1)
    return str(value)


def _both(key: str, **kwargs: Any) -> tuple[str, str]:
    """Format message ``evaluation.a.<key>`` in English and Spanish.

    Format message ``evaluation.a.<key>`` in English and Spanish; numbers per language;
    a callable argument is called with the language.
    """
    return tuple(  # type: ignore[return-value]
        i18n.t(f"evaluation.a.{key}", lang, **{k: _fmt(v, lang) for k, v in kwargs.items()})
        for lang in ("en", "es")
    )


def rule_text(rule: str, lang: str) -> str:
    """Return rule ``rule`` stated in words, with its thresholds, in ``lang``.

    Examples
    --------
    >>> rule_text("R-DEADLINES", "en")[:60]
    'Of the activities due in the period (deadline passed), the s'
    >>> "90%" in rule_text("R-DEADLINES", "en") and "90 %" not in rule_text("R-DEADLINES", "en")
    True
    """
    params = {k: i18n.number(v, lang) for k, v in RULE_PARAMS[rule].items()}
    return i18n.t(f"evaluation.rule_text.{rule}", lang, start=str(PLAN_START), **params)


def grade_text(g: str, lang: str) -> str:
    """Return the definition of evidence grade ``g`` in ``lang``.

    Examples
    --------
    >>> grade_text("moderate", "en")
    'Moderate: at least 50% of the figures the rule expects are reported and at least 50% of them documented (below 80%).'
    """
    return i18n.t(
        f"evaluation.grade_def.{g}",
        lang,
        strong=str(GRADE_THRESHOLDS["strong"]),
        moderate=str(GRADE_THRESHOLDS["moderate"]),
    )


def verdict_text(verdict: str, lang: str) -> str:
    """Return the words of a verdict in ``lang`` (catalogue ``verdict.*``)."""
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}")
    return i18n.t(f"verdict.{verdict}", lang)


def grade(coverage: float, documented: float, *, proxy: bool = False) -> str:
    """Return the evidence-sufficiency grade.

    ``none`` when nothing is reported; ``strong`` when at least 80 % of the expected data is
    reported and 80 % of it documented; ``moderate`` at 50 % and 50 %; ``weak`` otherwise
    (:data:`GRADE_THRESHOLDS`). A proxy is at most ``moderate``.

    Examples
    --------
    >>> grade(0.9, 0.85), grade(0.6, 0.9), grade(0.3, 1.0), grade(0.0, 0.0), grade(1, 1, proxy=True)
    ('strong', 'moderate', 'weak', 'none', 'moderate')
    """
    strong, moderate = GRADE_THRESHOLDS["strong"] / 100, GRADE_THRESHOLDS["moderate"] / 100
    if coverage <= 0:
        return "none"
    if coverage >= strong and documented >= strong:
        g = "strong"
    elif coverage >= moderate and documented >= moderate:
        g = "moderate"
    else:
        g = "weak"
    return "moderate" if proxy and g == "strong" else g


def slope(years: Sequence[float], values: Sequence[float]) -> float:
    """Return the average annual change of a series: the least-squares slope, per year.

    Examples
    --------
    >>> slope([2014, 2015, 2016], [10, 20, 30]), slope([2019], [5])
    (10.0, nan)
    """
    n = len(years)
    if n < 2:
        return float("nan")
    mx, my = sum(years) / n, sum(values) / n
    sxx = sum((x - mx) ** 2 for x in years)
    return sum((x - mx) * (y - my) for x, y in zip(years, values, strict=True)) / sxx


# ------------------------------------------------------------------------------------- answers


def _empty(columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns))


@dataclass
class Answer:
    """The answer to one question, in the form the question asks for."""

    question_id: str
    answer_type: str
    rule: str
    verdict: str
    grade: str
    rationale_en: str
    rationale_es: str
    chain: pd.DataFrame = field(repr=False, default_factory=lambda: _empty(CHAIN_COLUMNS))
    items: pd.DataFrame = field(repr=False, default_factory=lambda: _empty(ITEM_COLUMNS))
    missing_en: str = ""
    missing_es: str = ""

    def rationale(self, lang: str) -> str:
        """Return the rationale in ``lang`` (``en`` or ``es``)."""
        return self.rationale_es if lang == "es" else self.rationale_en

    def missing(self, lang: str) -> str:
        """Return what is missing to answer (empty unless the verdict is not enough evidence)."""
        return self.missing_es if lang == "es" else self.missing_en

    @property
    def data(self) -> tuple[str, ...]:
        """The kinds of data the answer rests on (:data:`DATA_KINDS`), in that order."""
        found = set(self.chain["data"]) | set(self.items["data"])
        return tuple(k for k in DATA_KINDS if k in found)

    @property
    def illustrative(self) -> bool:
        """True when any evidence the answer reads is illustrative."""
        return "illustrative" in self.data


@dataclass
class _Draft:
    """What a rule decides; :func:`answer` adds the question's id and form."""

    rule: str
    verdict: str
    grade: str
    text: tuple[str, str]
    chain: pd.DataFrame
    items: list[dict[str, Any]] = field(default_factory=list)
    missing: tuple[str, str] = ("", "")


# ------------------------------------------------------------------------------------- evidence


class Evidence:
    """The evidence one evaluation reads: the plan, the monitoring rows in scope, the real series.

    Parameters
    ----------
    plan_items
        The plan items (:func:`corett_lib.raw.plans.read_plan_items`).
    monitoring
        The monitoring table (:func:`corett_lib.dataset.monitoring.load_monitoring`).
    country
        A member's ISO3, or ``CORETT`` for every member.
    year
        The evaluation year (the period is :data:`PLAN_START` to ``year``).
    members
        The coalition's members.
    series
        Published series for the effects question: ``indicator_id`` (keys of
        :data:`EFFECT_SERIES`), ``year``, ``value``, ``source``; for the evaluated scope. Optional.
    k
        Disclosure threshold: a count of victims from 1 to ``k - 1`` is written ``<k`` in the chain
        and rationale (default 5, as ``parameters/build.yaml``).
    """

    def __init__(
        self,
        plan_items: pd.DataFrame,
        monitoring: pd.DataFrame,
        *,
        country: str,
        year: int,
        members: Sequence[str],
        series: pd.DataFrame | None = None,
        k: int = 5,
    ) -> None:
        self.country, self.year, self.k = country, int(year), int(k)
        self.members = list(members)
        self.scope = self.members if country == REGION else [country]
        self.items = monitored_items(plan_items).set_index("id")
        self.item_text = dict(zip(plan_items["id"], plan_items["text_en"], strict=True))
        m = monitoring
        self.rows = m[
            m["iso3"].isin(self.scope) & (m["year"] >= PLAN_START) & (m["year"] <= self.year)
        ].copy()
        if "kind" not in self.rows:
            self.rows["kind"] = [kind_of(i) for i in self.rows["plan_item_id"]]
        self.years = list(range(PLAN_START, self.year + 1))
        self.series = (
            series
            if series is not None
            else pd.DataFrame(columns=["indicator_id", "year", "value", "source"])
        )
        self._indicators: dict[str, pd.DataFrame] = {}
        self._by_item: tuple[pd.DataFrame, dict[Any, pd.DataFrame]] | None = None

    def rows_of(self, plan_item_id: str) -> pd.DataFrame:
        """Return the monitoring rows in scope of one plan item, in their order.

        Taken from one grouping of :attr:`rows` (made on first use, made again if ``rows`` is
        replaced), not one selection per item.
        """
        if self._by_item is None or self._by_item[0] is not self.rows:
            groups = dict(iter(self.rows.groupby("plan_item_id", sort=False)))
            self._by_item = (self.rows, groups)
        return self._by_item[1].get(plan_item_id, self.rows.iloc[0:0])

    @property
    def scope_label(self) -> str:
        """``GTM``, or ``CORETT (9 members)``."""
        return f"{REGION} ({len(self.scope)} members)" if self.country == REGION else self.country

    def count_text(self, value: float, lang: str) -> str:
        """Return a count of victims as shown: ``<k`` from 1 to k - 1 (disclosure control).

        A count of victims as shown: ``<k`` from 1 to k - 1 (disclosure control).
        """
        if value == value and 0 < value < self.k:
            return f"<{self.k}"
        return i18n.number(value, lang)

    # ------------------------------------------------------------------ tables

    def indicators(self, plan: str = "resource_mobilization") -> pd.DataFrame:
        """Return one row per indicator of ``plan`` with its cumulative actual and status.

        Columns: ``id, objective_id, axis_id, unit, direction, target_value, actual, n_cells,
        n_expected, n_documented, years, values_by_year, last_value, source, illustrative,
        n_warnings, status, delivered``. ``status`` is
        :func:`corett_lib.analysis.status.plan_progress`'s, as in the annual report: ``not
        applicable`` without a target ("No target", never achieved), ``no data`` without a figure,
        ``context`` for an ambiguous direction. ``delivered``: the actual is above zero.
        """
        if plan not in self._indicators:
            self._indicators[plan] = self._compute_indicators(plan)
        return self._indicators[plan]

    def _compute_indicators(self, plan: str) -> pd.DataFrame:
        items = self.items[(self.items["kind"] == "indicator") & (self.items["plan"] == plan)]
        rows = self.rows[self.rows["plan_item_id"].isin(items.index) & self.rows["value"].notna()]
        recs = []
        # Each indicator's rows with a value, in their order (one grouping, not one selection per
        # indicator).
        by_item = dict(iter(rows.groupby("plan_item_id", sort=False)))
        for iid, it in items.iterrows():
            r = by_item.get(iid, rows.iloc[0:0])
            by_year = r.groupby("year")["value"].sum()
            recs.append(
                {
                    "id": iid,
                    "objective_id": it["objective_id"],
                    "axis_id": it["axis_id"],
                    "unit": it["unit"],
                    "direction": it["direction"] or "increase",
                    "target_value": it["target_value"],
                    "actual": float(r["value"].sum()) if len(r) else float("nan"),
                    "n_cells": len(r),
                    "n_expected": len(self.scope) * len(self.years),
                    "n_documented": int((r["evidence_available"] == "yes").sum()),
                    "years": sorted(int(y) for y in by_year.index),
                    "values_by_year": "; ".join(
                        f"{int(y)}: {i18n.number(v, 'en')}" for y, v in by_year.items()
                    ),
                    "last_value": float(by_year.iloc[-1]) if len(by_year) else float("nan"),
                    "source": "; ".join(sorted(set(r["source"]))),
                    "illustrative": bool((r["illustrative"] != "").any()),
                    "n_warnings": _n_warnings(r),
                }
            )
        df = pd.DataFrame.from_records(recs)
        if df.empty:
            return df
        acts = df.loc[df["actual"].notna(), ["id", "actual"]].rename(columns={"actual": "value"})
        prog = plan_progress(df[["id", "target_value", "direction"]], acts).set_index("id")
        df["status"] = prog["status"].reindex(df["id"]).to_numpy()
        df.loc[df["direction"] == "ambiguous", "status"] = "context"
        df["delivered"] = df["actual"].fillna(0) > 0
        return df

    def activities(self, prefix: str = "RM.") -> pd.DataFrame:
        """Return the activity rows in scope whose id starts with ``prefix`` and have a deadline."""
        r = self.rows
        return r[
            (r["kind"] == "activity")
            & r["plan_item_id"].str.startswith(prefix)
            & (r["deadline"] != "")
        ]

    def objective_evidence(self, objective_id: str) -> str:
        """Return whether Chart 3's evidence is available for an objective, any year (``yes``/``no``/``""``).

        Return ``yes``/``no``/``""``: is Chart 3's evidence available for an objective (any year)?
        """
        r = self.rows_of(objective_id)["evidence_available"]
        if (r == "yes").any():
            return "yes"
        return "no" if (r == "no").any() else ""

    def objectives(self, plan: str = "resource_mobilization") -> list[str]:
        """Return the objective ids of ``plan``, in plan order."""
        it = self.items
        return list(it[(it["kind"] == "objective") & (it["plan"] == plan)].index)

    def objective_status(self, objective_id: str) -> str:
        """Return an objective's status against the targets of its indicators.

        ``achieved``: every indicator with a target and a figure is achieved or on track;
        ``partly``: some are; ``behind``: none is; ``no target``: no indicator under it has a
        target; ``no data``: its indicators with a target have no figure.
        """
        ind = self.indicators()
        mine = ind[(ind["objective_id"] == objective_id) & (ind["status"] != "context")]
        targeted = mine[mine["status"] != "not applicable"]
        if targeted.empty:
            return "no target"
        known = targeted[targeted["status"] != "no data"]
        if known.empty:
            return "no data"
        good = int(known["status"].isin(GOOD_STATUSES).sum())
        if good == len(known):
            return "achieved"
        return "partly" if good else "behind"

    # ------------------------------------------------------------------ chain

    def data_kind(self, illustrative: bool) -> str:
        """``illustrative`` or ``reported`` for monitoring rows."""
        return "illustrative" if illustrative else "reported"

    def chain(self, rule: str, ind: pd.DataFrame) -> pd.DataFrame:
        """Return the evidence chain rows of ``ind`` (from :meth:`indicators`)."""
        rows = [
            {
                "question_id": "",
                "item_id": r["id"],
                "item": self.item_text.get(r["id"], ""),
                "scope": self.scope_label,
                "years": ", ".join(str(y) for y in r["years"]),
                "values_by_year": r["values_by_year"],
                "value": r["actual"],
                "status": r["status"],
                "source": r["source"],
                "data": self.data_kind(bool(r["illustrative"])) if r["n_cells"] else "",
                "validation": VALIDATION_PASSED if r["n_cells"] else "",
                "warnings": int(r["n_warnings"]),
                "rule": rule,
            }
            for _, r in ind.iterrows()
        ]
        return pd.DataFrame.from_records(rows, columns=list(CHAIN_COLUMNS))

    def activity_chain(self, rule: str, acts: pd.DataFrame) -> pd.DataFrame:
        """Return chain rows for activities: one per activity with its punctuality over the years."""
        # The masks are computed once over every row and each activity reads its rows by position:
        # slicing the frame per activity cost more than the rule itself.
        on_time = acts["on_time"]
        yes = (on_time == "yes").fillna(False).to_numpy(bool)
        no = (on_time == "no").fillna(False).to_numpy(bool)
        marked = (acts["illustrative"] != "").fillna(False).to_numpy(bool)
        warned = (
            (acts["warnings"].fillna("") != "").to_numpy(bool)
            if "warnings" in acts
            else np.zeros(len(acts), bool)
        )
        iso3, years, marks, sources = (
            acts[c].tolist() for c in ("iso3", "year", "on_time", "source")
        )
        rows = []
        groups = acts.groupby("plan_item_id", sort=True).indices
        for aid in sorted(groups):
            pos = groups[aid].tolist()
            rows.append(
                {
                    "question_id": "",
                    "item_id": aid,
                    "item": self.item_text.get(str(aid), ""),
                    "scope": ", ".join(sorted({iso3[i] for i in pos})),
                    "years": ", ".join(str(y) for y in sorted({years[i] for i in pos})),
                    "values_by_year": "; ".join(
                        f"{iso3[i]} {years[i]} {_MARK[marks[i]]}" for i in pos
                    ),
                    "value": float(yes[pos].sum()),
                    "status": "late" if no[pos].any() else "on time",
                    "source": "; ".join(sorted({sources[i] for i in pos})),
                    "data": self.data_kind(bool(marked[pos].any())),
                    "validation": VALIDATION_PASSED,
                    "warnings": int(warned[pos].sum()),
                    "rule": rule,
                }
            )
        return pd.DataFrame.from_records(rows, columns=list(CHAIN_COLUMNS))

    def coverage(self, ind: pd.DataFrame) -> tuple[float, float]:
        """Return (coverage, documented) of a set of indicators (see :func:`grade`)."""
        if ind.empty:
            return 0.0, 0.0
        expected = float(ind["n_expected"].sum())
        cells = float(ind["n_cells"].sum())
        return (cells / expected if expected else 0.0), (
            float(ind["n_documented"].sum()) / cells if cells else 0.0
        )

    def activity_grade(self, acts: pd.DataFrame) -> str:
        """Grade of a rule that reads activities: all due activities read, graded on documentation."""
        if acts.empty:
            return "none"
        return grade(1.0, float((acts["evidence_available"] == "yes").mean()))


def _n_warnings(rows: pd.DataFrame) -> int:
    """Return the number of rows with a validation warning (column ``warnings`` of ``load_monitoring``).

    Number of rows with a validation warning (column ``warnings`` of ``load_monitoring``).
    """
    if "warnings" not in rows:
        return 0
    return int((rows["warnings"].fillna("") != "").sum())


def _concat(*frames: pd.DataFrame) -> pd.DataFrame:
    parts = [f for f in frames if len(f)]
    return (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(CHAIN_COLUMNS))
    )


def _share_verdict(good: int, total: int, high: float, low: float) -> str:
    share = good / total
    if share >= high / 100:
        return "yes"
    return "partly" if share >= low / 100 else "no"


def _ids(ids: Iterable[str]) -> str:
    out = ", ".join(ids)
    return out or "\u2013"


def _item(
    item_id: str,
    text: tuple[str, str],
    *,
    years: str = "",
    source: str = "",
    data: str = "",
) -> dict[str, Any]:
    return {
        "question_id": "",
        "item_id": item_id,
        "text_en": text[0],
        "text_es": text[1],
        "years": years,
        "source": source,
        "data": data,
    }


def _reasons(indicators: int, activities: int) -> tuple[str, str]:
    """Return what is missing to explain what was not achieved, in English and Spanish.

    What is missing to explain what was not achieved: reasons for indicators, causes for
    activities (only the parts that are missing).
    """
    parts = []
    if indicators:
        parts.append(_needs("reasons_indicators", n=indicators))
    if activities:
        parts.append(_needs("reasons_activities", n=activities))
    return ("; ".join(p[0] for p in parts), "; ".join(p[1] for p in parts))


def _needs(key: str, **kwargs: Any) -> tuple[str, str]:
    """Return what is missing, from catalogue ``evaluation.needs.<key>``, in English and Spanish.

    What is missing, from catalogue ``evaluation.needs.<key>``, in English and Spanish.
    """
    return tuple(  # type: ignore[return-value]
        i18n.t(f"evaluation.needs.{key}", lang, **{k: _fmt(v, lang) for k, v in kwargs.items()})
        for lang in ("en", "es")
    )


# ------------------------------------------------------------------------------------------ rules


def rule_effects(ev: Evidence) -> _Draft:
    """Answer with rule R-EFFECTS (a judgement over the whole series).

    For each published series of the response
    (:data:`EFFECT_SERIES`), the average annual change (least-squares slope) over the plan period
    is compared with the average annual change over the years before it. ``yes``: 3 or more series
    changed faster upwards during the plan; ``partly``: 1 or 2; ``no``: none;
    ``not_enough_evidence``: fewer than 2 series comparable (a series needs at least 3 years with
    figures before the plan and 2 in it). A proxy: graded at most ``moderate``.
    """
    p = RULE_PARAMS["R-EFFECTS"]
    s = ev.series
    rows: list[dict[str, Any]] = []
    details_en: list[str] = []
    details_es: list[str] = []
    compared, faster, plan_years_max = 0, 0, 0
    for sid, key in EFFECT_SERIES.items():
        x = s[(s["indicator_id"] == sid) & s["value"].notna()].sort_values("year")
        x = x[x["year"] <= ev.year]
        if x.empty:
            continue
        pre = x[(x["year"] >= PLAN_START - p["pre_years"]) & (x["year"] < PLAN_START)]
        during = x[x["year"] >= PLAN_START]
        plan_years_max = max(plan_years_max, len(during))
        comparable = len(pre) >= p["min_pre"] and len(during) >= p["min_plan"]
        before = slope(pre["year"].astype(float).tolist(), pre["value"].astype(float).tolist())
        after = slope(during["year"].astype(float).tolist(), during["value"].astype(float).tolist())
        status = "not comparable"
        if comparable:
            compared += 1
            status = "faster" if after > before else "not faster"
            faster += int(after > before)
            for lang, out in (("en", details_en), ("es", details_es)):
                out.append(
                    i18n.t(
                        "evaluation.a.effects_detail",
                        lang,
                        series=i18n.t(key, lang),
                        after=_signed(after, lang),
                        plan=f"{int(during['year'].min())}\u2013{int(during['year'].max())}",
                        before=_signed(before, lang),
                        pre=f"{int(pre['year'].min())}\u2013{int(pre['year'].max())}",
                    )
                )
        shown = x[x["year"] >= PLAN_START - p["pre_years"]]
        rows.append(
            {
                "question_id": "",
                "item_id": sid,
                "item": i18n.t(key, "en"),
                "scope": ev.country,
                "years": ", ".join(str(int(y)) for y in shown["year"]),
                "values_by_year": "; ".join(
                    f"{int(r.year)}: {ev.count_text(float(r.value), 'en')}"
                    for r in shown.itertuples()
                ),
                "value": float("nan"),
                "status": status,
                "source": "; ".join(sorted(set(shown["source"].astype(str)))),
                "data": "published",
                "validation": VALIDATION_PASSED,
                "warnings": 0,
                "rule": "R-EFFECTS",
            }
        )
    chain = pd.DataFrame.from_records(rows, columns=list(CHAIN_COLUMNS))
    g = grade(compared / len(EFFECT_SERIES), 1.0, proxy=True)
    if compared < p["min_series"]:
        text = _both(
            "effects_nee",
            compared=compared,
            min_series=p["min_series"],
            start=str(PLAN_START),
            year=str(ev.year),
            plan_years=plan_years_max,
            min_plan=p["min_plan"],
            min_pre=p["min_pre"],
            pre_years=p["pre_years"],
        )
        missing = _needs("effects_series", min_plan=p["min_plan"], min_pre=p["min_pre"])
        return _Draft("R-EFFECTS", "not_enough_evidence", g, text, chain, missing=missing)
    verdict = "yes" if faster >= p["yes_series"] else "partly" if faster else "no"
    text = (
        i18n.t(
            "evaluation.a.effects",
            "en",
            faster=str(faster),
            compared=str(compared),
            details="; ".join(details_en),
        ),
        i18n.t(
            "evaluation.a.effects",
            "es",
            faster=str(faster),
            compared=str(compared),
            details="; ".join(details_es),
        ),
    )
    return _Draft("R-EFFECTS", verdict, g, text, chain)


def _signed(value: float, lang: str) -> str:
    sign = "+" if value > 0 else "\u2212" if value < 0 else "\u00b1"
    return f"{sign}{i18n.number(abs(value), lang, 1)}"


def _objective_counts(ev: Evidence, objectives: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {
        k: [] for k in ("achieved", "partly", "behind", "no target", "no data")
    }
    for o in objectives:
        out[ev.objective_status(o)].append(o)
    return out


def _delivered_objectives(ev: Evidence, objectives: Sequence[str]) -> list[str]:
    ind = ev.indicators()
    return [o for o in objectives if bool(ind.loc[ind["objective_id"] == o, "delivered"].any())]


def _objectives_nee(
    ev: Evidence, rule: str, objectives: Sequence[str], chain: pd.DataFrame, g: str
) -> _Draft:
    counts = _objective_counts(ev, objectives)
    judged = len(counts["achieved"]) + len(counts["partly"]) + len(counts["behind"])
    delivered = _delivered_objectives(ev, objectives)
    text = _both(
        "objectives_nee",
        judged=judged,
        total=len(objectives),
        no_target=len(counts["no target"]),
        no_data=len(counts["no data"]),
        delivered=len(delivered),
        delivered_ids=_ids(delivered),
    )
    return _Draft(rule, "not_enough_evidence", g, text, chain, missing=_needs("targets"))


def rule_objectives(ev: Evidence, objectives: Sequence[str] = ()) -> _Draft:
    """Answer with rule R-OBJECTIVES (a judgement).

    An objective is achieved when every indicator under it that has
    a target and a figure is achieved or on track (the annual report's statuses); partly when some
    are; behind when none is. ``yes``: every objective achieved; ``no``: none achieved nor partly;
    ``partly`` otherwise; ``not_enough_evidence``: fewer than half the objectives can be judged
    against a target (an output without a target is delivered, not achieved).
    """
    p = RULE_PARAMS["R-OBJECTIVES"]
    objectives = list(objectives) or ev.objectives()
    ind = ev.indicators()
    mine = ind[ind["objective_id"].isin(objectives)]
    chain = ev.chain("R-OBJECTIVES", mine)
    g = grade(*ev.coverage(mine[mine["status"] != "context"]))
    counts = _objective_counts(ev, objectives)
    judged = len(counts["achieved"]) + len(counts["partly"]) + len(counts["behind"])
    if judged * 100 < p["min_share"] * len(objectives) or judged == 0:
        return _objectives_nee(ev, "R-OBJECTIVES", objectives, chain, g)
    if len(counts["achieved"]) == len(objectives):
        verdict = "yes"
    elif not counts["achieved"] and not counts["partly"]:
        verdict = "no"
    else:
        verdict = "partly"
    text = _both(
        "objectives",
        total=len(objectives),
        achieved=len(counts["achieved"]),
        partly=len(counts["partly"]),
        behind=len(counts["behind"]),
        unjudged=len(objectives) - judged,
        achieved_ids=_ids(counts["achieved"]),
    )
    return _Draft("R-OBJECTIVES", verdict, g, text, chain)


def rule_extent(ev: Evidence, objectives: Sequence[str] = ()) -> _Draft:
    """Answer with rule R-EXTENT (an extent).

    The share of the objectives achieved against their targets (as
    R-OBJECTIVES; partly achieved counts one half). ``fully``: every objective achieved;
    ``largely``: 75 % or more; ``partly``: 25 % or more; ``not_at_all``: less;
    ``not_enough_evidence``: fewer than half the objectives can be judged against a target.
    """
    p = RULE_PARAMS["R-EXTENT"]
    objectives = list(objectives) or ev.objectives()
    ind = ev.indicators()
    mine = ind[ind["objective_id"].isin(objectives)]
    chain = ev.chain("R-EXTENT", mine)
    g = grade(*ev.coverage(mine[mine["status"] != "context"]))
    counts = _objective_counts(ev, objectives)
    judged = len(counts["achieved"]) + len(counts["partly"]) + len(counts["behind"])
    if judged * 100 < p["min_share"] * len(objectives) or judged == 0:
        return _objectives_nee(ev, "R-EXTENT", objectives, chain, g)
    share = (len(counts["achieved"]) + 0.5 * len(counts["partly"])) / judged
    if len(counts["achieved"]) == len(objectives):
        verdict = "fully"
    elif share >= p["largely"] / 100:
        verdict = "largely"
    elif share >= p["partly"] / 100:
        verdict = "partly"
    else:
        verdict = "not_at_all"
    text = _both(
        "extent",
        share=lambda lang: i18n.percent(share, lang),
        judged=judged,
        total=len(objectives),
        achieved=len(counts["achieved"]),
        partly=len(counts["partly"]),
        behind=len(counts["behind"]),
    )
    return _Draft("R-EXTENT", verdict, g, text, chain)


def _indicator_item(ev: Evidence, r: Any, key: str) -> dict[str, Any]:
    """Return a list item for one indicator: id, text, total over the period, its status.

    A list item for one indicator: id, text, total over the period, its status.
    """
    text = tuple(
        i18n.t(
            f"evaluation.a.{key}",
            lang,
            id=r["id"],
            item=ev.item_text.get(r["id"], ""),
            value=i18n.number(r["actual"], lang),
            years=", ".join(str(y) for y in r["years"]),
            status=status_text(r["status"], lang),
        )
        for lang in ("en", "es")
    )
    return _item(
        r["id"],
        text,  # type: ignore[arg-type]
        years=", ".join(str(y) for y in r["years"]),
        source=r["source"],
        data=ev.data_kind(bool(r["illustrative"])),
    )


def rule_achieved(ev: Evidence) -> _Draft:
    """Answer with rule R-ACHIEVED (a list).

    The plan's indicators achieved or on track against their target, then
    the outputs delivered (reported above zero) whose indicator has no target, each with its total,
    years and status. ``items`` when any; ``no_items`` when figures are reported but none is above
    zero or on target; ``not_enough_evidence`` when no indicator has a figure.
    """
    ind = ev.indicators()
    judged = ind[ind["status"] != "context"]
    chain = ev.chain("R-ACHIEVED", judged)
    g = grade(*ev.coverage(judged))
    reported = judged[judged["actual"].notna()]
    if reported.empty:
        return _Draft(
            "R-ACHIEVED",
            "not_enough_evidence",
            "none",
            _both("no_indicator_figures", total=len(judged)),
            chain,
            missing=_needs("indicator_figures"),
        )
    on_target = reported[reported["status"].isin(GOOD_STATUSES)]
    delivered = reported[(reported["status"] == "not applicable") & reported["delivered"]]
    items = [_indicator_item(ev, r, "item_indicator") for _, r in on_target.iterrows()]
    items += [_indicator_item(ev, r, "item_indicator") for _, r in delivered.iterrows()]
    text = _both(
        "achieved",
        on_target=len(on_target),
        delivered=len(delivered),
        reported=len(reported),
        total=len(judged),
    )
    return _Draft("R-ACHIEVED", "items" if items else "no_items", g, text, chain, items)


def _activity_groups(acts: pd.DataFrame) -> Iterable[tuple[str, pd.DataFrame]]:
    for aid, g in acts.groupby("plan_item_id", sort=True):
        yield str(aid), g


def _where(g: pd.DataFrame) -> str:
    pairs = sorted(zip(g["iso3"], g["year"], strict=True))
    return ", ".join(f"{iso3} {year}" for iso3, year in pairs)


def _not_achieved(ev: Evidence) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return what was not achieved, in four tables.

    Indicators behind target, indicators reported at zero, activities not completed by their
    deadline, activities completed late.
    """
    ind = ev.indicators()
    judged = ind[(ind["status"] != "context") & ind["actual"].notna()]
    behind = judged[judged["status"] == "behind"]
    zero = judged[(judged["actual"] == 0) & (judged["status"] != "behind")]
    acts = ev.activities()
    late = acts[acts["on_time"] == "no"]
    return behind, zero, late[late["completed"] == ""], late[late["completed"] != ""]


def rule_not_achieved(ev: Evidence) -> _Draft:
    """Answer with rule R-NOT-ACHIEVED (a list).

    What was not achieved: indicators behind their target, indicators
    reported at zero over the period, activities not completed by their deadline, and activities
    completed after it (not achieved on time), each with where and when. ``items`` when any;
    ``no_items`` when indicators or activities are reported and none of these occurs;
    ``not_enough_evidence`` when neither indicator figures nor activities are reported.
    """
    ind = ev.indicators()
    judged = ind[ind["status"] != "context"]
    acts = ev.activities()
    behind, zero, undone, late_done = _not_achieved(ev)
    chain = _concat(
        ev.chain("R-NOT-ACHIEVED", pd.concat([behind, zero])),
        ev.activity_chain("R-NOT-ACHIEVED", pd.concat([undone, late_done])),
    )
    reported = judged[judged["actual"].notna()]
    if reported.empty and acts.empty:
        return _Draft(
            "R-NOT-ACHIEVED",
            "not_enough_evidence",
            "none",
            _both("no_indicator_figures", total=len(judged)),
            chain,
            missing=_needs("indicator_figures"),
        )
    items = [_indicator_item(ev, r, "item_behind") for _, r in behind.iterrows()]
    items += [_indicator_item(ev, r, "item_zero") for _, r in zero.iterrows()]
    for key, frame in (("item_undone", undone), ("item_late", late_done)):
        for aid, g in _activity_groups(frame):
            text = tuple(
                i18n.t(
                    f"evaluation.a.{key}",
                    lang,
                    id=aid,
                    item=ev.item_text.get(aid, ""),
                    where=_where(g),
                )
                for lang in ("en", "es")
            )
            items.append(
                _item(
                    aid,
                    text,  # type: ignore[arg-type]
                    years=", ".join(str(y) for y in sorted(set(g["year"]))),
                    source="; ".join(sorted(set(g["source"]))),
                    data=ev.data_kind(bool((g["illustrative"] != "").any())),
                )
            )
    g = grade(*ev.coverage(judged)) if len(reported) else ev.activity_grade(acts)
    text = _both(
        "not_achieved",
        behind=len(behind),
        zero=len(zero),
        undone=undone["plan_item_id"].nunique(),
        late=late_done["plan_item_id"].nunique(),
        unreported=len(judged) - len(reported),
        no_target=int((reported["status"] == "not applicable").sum()),
    )
    return _Draft("R-NOT-ACHIEVED", "items" if items else "no_items", g, text, chain, items)


def _cause_items(ev: Evidence, late: pd.DataFrame, key: str) -> list[dict[str, Any]]:
    recorded = late[late["cause_of_delay"].str.strip() != ""]
    items = []
    for cause, g in sorted(
        recorded.groupby("cause_of_delay"), key=lambda kv: (-len(kv[1]), str(kv[0]))
    ):
        where = "; ".join(f"{aid} ({_where(gg)})" for aid, gg in _activity_groups(g))
        text = tuple(
            i18n.t(f"evaluation.a.{key}", lang, cause=str(cause), n=str(len(g)), where=where)
            for lang in ("en", "es")
        )
        items.append(
            _item(
                "",
                text,  # type: ignore[arg-type]
                years=", ".join(str(y) for y in sorted(set(g["year"]))),
                source="; ".join(sorted(set(g["source"]))),
                data=ev.data_kind(bool((g["illustrative"] != "").any())),
            )
        )
    return items


def rule_why_not(ev: Evidence) -> _Draft:
    """Answer with rule R-WHY-NOT (an explanation).

    Why what R-NOT-ACHIEVED lists was not achieved: the causes of
    delay recorded for its activities, each with the activities it explains. ``findings`` when a
    cause is recorded; ``nothing_to_explain`` when nothing is listed as not achieved;
    ``not_enough_evidence`` when no cause is recorded, naming what is missing (causes are collected
    for late activities only, not for indicators at zero or behind target).
    """
    behind, zero, undone, late_done = _not_achieved(ev)
    late = pd.concat([undone, late_done])
    chain = ev.activity_chain("R-WHY-NOT", late)
    items = _cause_items(ev, late, "item_cause")
    unexplained_ind = len(behind) + len(zero)
    no_cause = int((late["cause_of_delay"].str.strip() == "").sum()) if len(late) else 0
    missing: tuple[str, str] = ("", "")
    if unexplained_ind or no_cause:
        missing = _reasons(unexplained_ind, no_cause)
    if late.empty and not unexplained_ind:
        acts = ev.activities()
        if acts.empty and ev.indicators()["actual"].notna().sum() == 0:
            return _Draft(
                "R-WHY-NOT",
                "not_enough_evidence",
                "none",
                _both("no_indicator_figures", total=len(ev.indicators())),
                chain,
                missing=_needs("indicator_figures"),
            )
        return _Draft(
            "R-WHY-NOT", "nothing_to_explain", "none", _both("why_nothing"), chain, missing=missing
        )
    if not items:
        text = _both("why_nee", late=len(late), indicators=unexplained_ind)
        return _Draft("R-WHY-NOT", "not_enough_evidence", "none", text, chain, missing=missing)
    recorded = len(late) - no_cause
    text = _both("why", recorded=recorded, late=len(late), causes=len(items))
    if unexplained_ind:
        more = _both("why_indicators", indicators=unexplained_ind)
        text = (f"{text[0]} {more[0]}", f"{text[1]} {more[1]}")
    g = grade(recorded / len(late), float((late["evidence_available"] == "yes").mean()))
    return _Draft("R-WHY-NOT", "findings", g, text, chain, items, missing)


def rule_axes(ev: Evidence, axes: Sequence[str] = ("RM.A1", "RM.A2", "RM.A3", "RM.A4")) -> _Draft:
    """Answer with rule R-AXES (a judgement).

    The plan measures no outcome per strategic axis, so the effect of the
    products on the axes is ``not_enough_evidence``; the answer states under which axes products
    were delivered (an indicator above zero, or Chart 3's evidence of an objective available).
    """
    ind = ev.indicators()
    delivered = []
    for axis in axes:
        mine = ind[(ind["axis_id"] == axis) & ind["delivered"]]
        objectives = [
            o
            for o in ev.items.index
            if ev.items.at[o, "kind"] == "objective" and ev.items.at[o, "axis_id"] == axis
        ]
        if len(mine) or any(ev.objective_evidence(o) == "yes" for o in objectives):
            delivered.append(axis)
    mine = ind[ind["axis_id"].isin(axes)]
    chain = ev.chain("R-AXES", mine)
    text = _both("axes", delivered=len(delivered), total=len(axes), axes=_ids(delivered))
    return _Draft(
        "R-AXES", "not_enough_evidence", "none", text, chain, missing=_needs("axis_outcomes")
    )


def _materials(ev: Evidence) -> pd.DataFrame:
    ind = ev.indicators()
    return ind[ind["id"].isin(MATERIAL_INDICATORS)].set_index("id").reindex(MATERIAL_INDICATORS)


def rule_materials_timely(ev: Evidence) -> _Draft:
    """Answer with rule R-MATERIALS-TIMELY (a judgement).

    Timely: the share of the activities of objectives 6 and 8
    (newsletters, technical sheets) done by their deadline. In the necessary quantity: newsletters
    and technical sheets achieved or on track against a target. ``yes``: 80 % or more on time and
    both quantities on target; ``no``: under 50 % on time and no material delivered; ``partly``
    otherwise (a quantity without a target cannot be judged necessary, so without targets the
    verdict is at most ``partly``); ``not_enough_evidence``: no figure and no activity.
    """
    p = RULE_PARAMS["R-MATERIALS-TIMELY"]
    mat = _materials(ev)
    acts = pd.concat([ev.activities("RM.A4.O6."), ev.activities("RM.A4.O8.")])
    due = acts[acts["on_time"] != ""]
    on_time = int((due["on_time"] == "yes").sum())
    chain = _concat(
        ev.chain("R-MATERIALS-TIMELY", mat.reset_index()),
        ev.activity_chain("R-MATERIALS-TIMELY", due),
    )
    cov, doc = ev.coverage(mat.reset_index())
    figures = mat["actual"].notna()
    if not figures.any() and due.empty:
        return _Draft(
            "R-MATERIALS-TIMELY",
            "not_enough_evidence",
            "none",
            _both("materials_nee"),
            chain,
            missing=_needs("materials"),
        )
    delivered = int(mat["delivered"].fillna(False).astype(bool).sum())
    on_target = int(mat["status"].isin(GOOD_STATUSES).sum())
    share = on_time / len(due) if len(due) else 0.0
    if share >= p["high"] / 100 and on_target == len(MATERIAL_INDICATORS):
        verdict = "yes"
    elif share < p["low"] / 100 and delivered == 0:
        verdict = "no"
    else:
        verdict = "partly"
    text = _both(
        "materials",
        newsletters=float(mat.at[MATERIAL_INDICATORS[0], "actual"]),
        sheets=float(mat.at[MATERIAL_INDICATORS[1], "actual"]),
        status_n=lambda lang: status_text(str(mat.at[MATERIAL_INDICATORS[0], "status"]), lang),
        status_s=lambda lang: status_text(str(mat.at[MATERIAL_INDICATORS[1], "status"]), lang),
        on_time=on_time,
        activities=len(due),
    )
    return _Draft("R-MATERIALS-TIMELY", verdict, grade(cov, doc), text, chain)


def rule_materials(ev: Evidence) -> _Draft:
    """Answer with rule R-MATERIALS (a judgement).

    Sufficient materials: newsletters and technical sheets achieved or
    on track against their targets. ``yes``: both; ``partly``: one; ``no``: neither;
    ``not_enough_evidence``: a material has no target (sufficiency cannot be judged) or no figure.
    """
    mat = _materials(ev)
    chain = ev.chain("R-MATERIALS", mat.reset_index())
    cov, doc = ev.coverage(mat.reset_index())
    text = _both(
        "supplies",
        newsletters=float(mat.at[MATERIAL_INDICATORS[0], "actual"]),
        sheets=float(mat.at[MATERIAL_INDICATORS[1], "actual"]),
        status_n=lambda lang: status_text(str(mat.at[MATERIAL_INDICATORS[0], "status"]), lang),
        status_s=lambda lang: status_text(str(mat.at[MATERIAL_INDICATORS[1], "status"]), lang),
    )
    status = mat["status"]
    if (status == "not applicable").any():
        return _Draft(
            "R-MATERIALS",
            "not_enough_evidence",
            grade(cov, doc),
            text,
            chain,
            missing=_needs("material_targets"),
        )
    if (status == "no data").any():
        return _Draft(
            "R-MATERIALS", "not_enough_evidence", "none", text, chain, missing=_needs("materials")
        )
    good = int(status.isin(GOOD_STATUSES).sum())
    verdict = "yes" if good == len(status) else "partly" if good else "no"
    return _Draft("R-MATERIALS", verdict, grade(cov, doc), text, chain)


def rule_sustained(ev: Evidence) -> _Draft:
    """Answer with rule R-SUSTAINED (a judgement, a proxy).

    Of the indicators above zero in a year before the last
    year with figures, the share still above zero in that last year. ``yes``: 80 % or more;
    ``partly``: 40 % or more; ``no``: less; ``not_enough_evidence``: no indicator with figures in
    two or more years. Delivery that continues is a proxy for lasting results: graded at most
    ``moderate``.
    """
    p = RULE_PARAMS["R-SUSTAINED"]
    ind = ev.indicators()
    ind = ind[ind["status"] != "context"]
    rows = ev.rows[ev.rows["plan_item_id"].isin(ind["id"]) & ev.rows["value"].notna()]
    by = rows.groupby(["plan_item_id", "year"])["value"].sum().reset_index()
    last_year = int(by["year"].max()) if len(by) else ev.year
    eligible, sustained = 0, 0
    for _iid, g in by.groupby("plan_item_id"):
        if g["year"].nunique() < 2:
            continue
        earlier = g[(g["year"] < last_year) & (g["value"] > 0)]
        if earlier.empty:
            continue
        eligible += 1
        last = g[g["year"] == last_year]["value"]
        sustained += int(len(last) > 0 and float(last.iloc[0]) > 0)
    chain = ev.chain("R-SUSTAINED", ind)
    cov, doc = ev.coverage(ind)
    if eligible == 0:
        return _Draft(
            "R-SUSTAINED",
            "not_enough_evidence",
            grade(cov, doc, proxy=True),
            _both("sustained_nee", start=str(PLAN_START), year=str(ev.year)),
            chain,
            missing=_needs("two_years"),
        )
    verdict = _share_verdict(sustained, eligible, p["high"], p["low"])
    text = _both("sustained", sustained=sustained, total=eligible, last_year=str(last_year))
    return _Draft("R-SUSTAINED", verdict, grade(cov, doc, proxy=True), text, chain)


def rule_progress(ev: Evidence) -> _Draft:
    """Answer with rule R-PROGRESS (a judgement).

    Of the plan's indicators that have a target and a figure, the share
    achieved or on track. ``yes``: 75 % or more; ``partly``: 25 % or more; ``no``: less;
    ``not_enough_evidence``: fewer than half the indicators (ambiguous ones are context only) have
    a target and a figure.
    """
    p = RULE_PARAMS["R-PROGRESS"]
    ind = ev.indicators()
    judged = ind[ind["status"] != "context"]
    known = judged[judged["status"].isin(("achieved", "on track", "behind"))]
    good = int(known["status"].isin(GOOD_STATUSES).sum())
    chain = ev.chain("R-PROGRESS", ind)
    g = grade(*ev.coverage(judged))
    if known.empty or len(known) * 100 < p["min_share"] * len(judged):
        text = _both(
            "progress_nee",
            known=len(known),
            total=len(judged),
            no_target=int((judged["status"] == "not applicable").sum()),
            no_data=int((judged["status"] == "no data").sum()),
            delivered=int(judged["delivered"].sum()),
        )
        return _Draft(
            "R-PROGRESS", "not_enough_evidence", g, text, chain, missing=_needs("targets")
        )
    verdict = _share_verdict(good, len(known), p["high"], p["low"])
    text = _both(
        "progress", good=good, known=len(known), total=len(ind), context=len(ind) - len(judged)
    )
    return _Draft("R-PROGRESS", verdict, g, text, chain)


def rule_contribute(ev: Evidence) -> _Draft:
    """Answer with rule R-CONTRIBUTE (a judgement).

    Of the objectives with at least one completed activity and
    indicator figures, the share with an indicator above zero (delivery follows the activities; an
    association, not a measured contribution). ``yes``: 75 % or more; ``partly``: 25 % or more;
    ``no``: less; ``not_enough_evidence``: no such objective.
    """
    p = RULE_PARAMS["R-CONTRIBUTE"]
    ind = ev.indicators()
    acts = ev.activities()
    done = acts[acts["completed"] != ""]
    objectives = sorted({ev.items.at[a, "objective_id"] for a in done["plan_item_id"]})
    total, good = 0, 0
    for o in objectives:
        mine = ind[(ind["objective_id"] == o) & ind["actual"].notna()]
        if mine.empty:
            continue
        total += 1
        good += int((mine["actual"] > 0).any())
    mine = ind[ind["objective_id"].isin(objectives)]
    chain = _concat(ev.chain("R-CONTRIBUTE", mine), ev.activity_chain("R-CONTRIBUTE", done))
    g = grade(*ev.coverage(mine))
    if total == 0:
        return _Draft(
            "R-CONTRIBUTE",
            "not_enough_evidence",
            g,
            _both("contribute_nee"),
            chain,
            missing=_needs("contribute"),
        )
    verdict = _share_verdict(good, total, p["high"], p["low"])
    return _Draft("R-CONTRIBUTE", verdict, g, _both("contribute", good=good, total=total), chain)


def rule_deadlines(ev: Evidence) -> _Draft:
    """Answer with rule R-DEADLINES (a judgement).

    Of the activities due in the period (``on_time`` yes or no), the
    share done by their deadline. ``yes``: 90 % or more; ``partly``: 50 % or more; ``no``: less;
    ``not_enough_evidence``: none due.
    """
    p = RULE_PARAMS["R-DEADLINES"]
    due = ev.activities()
    due = due[due["on_time"] != ""]
    chain = ev.activity_chain("R-DEADLINES", due)
    if due.empty:
        return _Draft(
            "R-DEADLINES",
            "not_enough_evidence",
            "none",
            _both("deadlines_nee"),
            chain,
            missing=_needs("activities"),
        )
    on_time = int((due["on_time"] == "yes").sum())
    verdict = _share_verdict(on_time, len(due), p["high"], p["low"])
    text = _both(
        "deadlines", on_time=on_time, total=len(due), late=len(due) - on_time, year=str(ev.year)
    )
    return _Draft("R-DEADLINES", verdict, ev.activity_grade(due), text, chain)


def rule_circumstances(ev: Evidence) -> _Draft:
    """Answer with rule R-CIRCUMSTANCES (a judgement).

    Were there circumstances that hindered the plan? ``yes``: at
    least one late activity has a recorded cause; ``no``: activities are reported and none was late;
    ``not_enough_evidence``: no activity reported, or late activities without a recorded cause.
    Circumstances that favoured the plan are not collected.
    """
    acts = ev.activities()
    late = acts[acts["on_time"] == "no"]
    chain = ev.activity_chain("R-CIRCUMSTANCES", late)
    favoured = _needs("favourable")
    if acts.empty:
        return _Draft(
            "R-CIRCUMSTANCES",
            "not_enough_evidence",
            "none",
            _both("causes_nee"),
            chain,
            missing=_needs("activities"),
        )
    recorded = late[late["cause_of_delay"].str.strip() != ""]
    if late.empty:
        text = _both("circumstances_none", total=len(acts))
        return _Draft(
            "R-CIRCUMSTANCES", "no", ev.activity_grade(acts), text, chain, missing=favoured
        )
    causes = recorded["cause_of_delay"].nunique()
    text = _both(
        "circumstances", late=len(late), total=len(acts), recorded=len(recorded), causes=causes
    )
    if recorded.empty:
        return _Draft(
            "R-CIRCUMSTANCES", "not_enough_evidence", "none", text, chain, missing=favoured
        )
    g = grade(len(recorded) / len(late), float((late["evidence_available"] == "yes").mean()))
    return _Draft("R-CIRCUMSTANCES", "yes", g, text, chain, missing=favoured)


def rule_causes(ev: Evidence) -> _Draft:
    """Answer with rule R-CAUSES (a list).

    The causes of delay recorded for the late activities of the
    resource-mobilization plan, each with how many activities it explains and where. ``items`` when
    a cause is recorded; ``no_items`` when activities are reported and none was late;
    ``not_enough_evidence``: no activity reported, or no late activity has a recorded cause.
    """
    acts = ev.activities()
    late = acts[acts["on_time"] == "no"]
    chain = ev.activity_chain("R-CAUSES", late)
    if acts.empty:
        return _Draft(
            "R-CAUSES",
            "not_enough_evidence",
            "none",
            _both("causes_nee"),
            chain,
            missing=_needs("activities"),
        )
    if late.empty:
        return _Draft(
            "R-CAUSES", "no_items", ev.activity_grade(acts), _both("causes_none_late"), chain
        )
    items = _cause_items(ev, late, "item_cause")
    recorded = int((late["cause_of_delay"].str.strip() != "").sum())
    text = _both("causes", recorded=recorded, late=len(late), causes=len(items))
    missing = _reasons(0, len(late) - recorded)
    if not items:
        return _Draft("R-CAUSES", "not_enough_evidence", "none", text, chain, missing=missing)
    g = grade(recorded / len(late), float((late["evidence_available"] == "yes").mean()))
    return _Draft("R-CAUSES", "items", g, text, chain, items, missing)


def rule_not_collected(ev: Evidence, need: str) -> _Draft:
    """R-NOT-COLLECTED. The question needs data nobody collects yet (:data:`NEEDS`)."""
    return _Draft(
        "R-NOT-COLLECTED",
        "not_enough_evidence",
        "none",
        _both("not_collected"),
        _empty(CHAIN_COLUMNS),
        missing=_needs(need),
    )


#: Question id -> the data it needs that nobody collects yet (catalogue key ``evaluation.needs.*``).
NEEDS: dict[str, str] = {
    "EQ2": "unexpected_changes",
    "EQ6": "costs",
    "EQ7": "needs_assessment",
    "EQ10": "methods",
    "EQ12": "remedial_actions",
    "EQ15": "unexpected_changes",
    "EQ16": "unexpected_changes",
    "EQ17": "unexpected_changes",
    "EQ19": "methods",
    "FQ6": "events",
}

RM_OBJECTIVES = (
    "RM.A1.O1",
    "RM.A2.O2",
    "RM.A2.O3",
    "RM.A2.O4",
    "RM.A3.O5",
    "RM.A4.O6",
    "RM.A4.O7",
    "RM.A4.O8",
)


def _not_collected(qid: str) -> Callable[[Evidence], _Draft]:
    return lambda ev: rule_not_collected(ev, NEEDS[qid])


#: Question id -> rule. Every question of the framework files except FQ7 (a placeholder row).
RULES: dict[str, Callable[[Evidence], _Draft]] = {
    "EQ1": rule_effects,
    "EQ3": lambda ev: rule_objectives(ev, RM_OBJECTIVES),
    "EQ4": rule_axes,
    "EQ5": rule_materials_timely,
    "EQ8": rule_sustained,
    "EQ9": rule_achieved,
    "EQ11": rule_circumstances,
    "EQ13": rule_not_achieved,
    "EQ14": rule_why_not,
    "EQ18": lambda ev: rule_extent(ev, RM_OBJECTIVES),
    "EQ20": rule_causes,
    "FQ1": rule_progress,
    "FQ2": rule_contribute,
    "FQ3": rule_deadlines,
    "FQ4": rule_materials,
    "FQ5": rule_causes,
    **{q: _not_collected(q) for q in NEEDS},
}


def answer(ev: Evidence, question_id: str, answer_type: str) -> Answer:
    """Return the answer to one question (``EQ1``...``EQ20``, ``FQ1``...``FQ6``) in its form.

    Parameters
    ----------
    ev
        The evidence.
    question_id
        The question.
    answer_type
        The form the question asks for (``answer_type`` of the framework file).

    Raises
    ------
    KeyError
        For a question without a rule (``FQ7`` is a placeholder row of Chart 4).
    ValueError
        When the rule's verdict is not of the question's form (a list question never gets a yes/no).
    """
    try:
        rule = RULES[question_id]
    except KeyError:
        raise KeyError(f"no rule answers {question_id!r}; known: {', '.join(RULES)}") from None
    if answer_type not in FORMS:
        raise ValueError(f"{question_id}: unknown answer_type {answer_type!r}")
    d = rule(ev)
    if d.verdict not in FORMS[answer_type]:
        raise ValueError(
            f"{question_id} asks for {answer_type} ({', '.join(FORMS[answer_type])}); "
            f"rule {d.rule} answered {d.verdict!r}"
        )
    chain = d.chain.assign(question_id=question_id)
    items = pd.DataFrame.from_records(d.items, columns=list(ITEM_COLUMNS)).assign(
        question_id=question_id
    )
    return Answer(
        question_id=question_id,
        answer_type=answer_type,
        rule=d.rule,
        verdict=d.verdict,
        grade=d.grade,
        rationale_en=d.text[0],
        rationale_es=d.text[1],
        chain=chain,
        items=items,
        missing_en=d.missing[0],
        missing_es=d.missing[1],
    )


def question_text(question: Any, lang: str) -> str:
    """Return a question's text in ``lang``.

    The framework file's ``text_en``/``text_es``; in Spanish, while ``text_es`` is empty, the
    workbench's rendering (catalogue ``evaluation.question.<id>``).
    """
    if lang != "es":
        return str(question["text_en"])
    text = str(question.get("text_es") or "").strip()
    if text:
        return text
    key = f"evaluation.question.{question['id']}"
    return i18n.t(key, "es") if key in i18n.catalogue("es") else str(question["text_en"])


@dataclass
class AnswerSet:
    """Every answer of one evaluation, and the tables the report and the working file show."""

    answers: list[Answer]
    table: pd.DataFrame  #: :data:`ANSWER_COLUMNS`, one row per question, in the questions' order
    chain: pd.DataFrame  #: :data:`CHAIN_COLUMNS`, every answer's evidence chain
    items: pd.DataFrame  #: :data:`ITEM_COLUMNS`, every list item and finding

    def get(self, question_id: str) -> Answer:
        """Return the answer to ``question_id``."""
        for a in self.answers:
            if a.question_id == question_id:
                return a
        raise KeyError(question_id)


def answer_questions(ev: Evidence, questions: pd.DataFrame) -> list[Answer]:
    """Answer every question of ``questions`` that has a rule, each in the form it asks for.

    The answers carry their rationale in both languages: compute them once per evidence and lay
    them out per language with :func:`answer_set`.

    Parameters
    ----------
    ev
        The evidence.
    questions
        Rows of ``evaluation_questions`` or ``followup_questions`` (``id``, ``answer_type``).
    """
    return [
        answer(ev, qid, str(answer_type))
        for qid, answer_type in zip(questions["id"], questions["answer_type"], strict=True)
        if qid in RULES
    ]


def answer_set(answers: Sequence[Answer], questions: pd.DataFrame, lang: str = "en") -> AnswerSet:
    """Return the :class:`AnswerSet` of ``answers`` (from :func:`answer_questions`) in ``lang``.

    Parameters
    ----------
    answers
        The answers to the questions of ``questions`` that have a rule, in the questions' order.
    questions
        The questions answered (``id``, ``text_en``, ``text_es`` and, for evaluation questions,
        ``criterion`` and ``oecd_dac_2019``).
    lang
        Language of the text columns.
    """
    by_id = {a.question_id: a for a in answers}
    rows = []
    for _, q in questions.iterrows():
        if q["id"] not in RULES:
            continue
        a = by_id[q["id"]]
        rows.append(
            {
                "question_id": q["id"],
                "answer_type": a.answer_type,
                "criterion": q.get("criterion", ""),
                "oecd_dac_2019": q.get("oecd_dac_2019", ""),
                "question": question_text(q, lang),
                "verdict": a.verdict,
                "rationale": a.rationale(lang),
                "missing": a.missing(lang),
                "grade": a.grade,
                "rule": a.rule,
                "data": ";".join(a.data),
                "illustrative": a.illustrative,
            }
        )
    chain = _concat(*(a.chain for a in answers))
    parts = [a.items for a in answers if len(a.items)]
    items = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(ITEM_COLUMNS))
    )
    table = pd.DataFrame.from_records(rows, columns=list(ANSWER_COLUMNS))
    return AnswerSet(answers=list(answers), table=table, chain=chain, items=items)


def answer_all(ev: Evidence, questions: pd.DataFrame, lang: str = "en") -> AnswerSet:
    """Answer every question of ``questions`` that has a rule, each in the form it asks for.

    :func:`answer_questions` then :func:`answer_set`.

    Parameters
    ----------
    ev
        The evidence.
    questions
        Rows of ``evaluation_questions`` or ``followup_questions`` (``id``, ``answer_type``,
        ``text_en`` and, for evaluation questions, ``criterion`` and ``oecd_dac_2019``).
    lang
        Language of the text columns.

    Returns
    -------
    AnswerSet
        ``table`` has verdict and grade as ids, ``data`` the kinds of data read (``;``-joined) and
        ``illustrative`` True when any evidence read is illustrative.
    """
    return answer_set(answer_questions(ev, questions), questions, lang)


def monitoring_matrix(ev: Evidence, matrix: pd.DataFrame) -> pd.DataFrame:
    """Return Chart 3 filled in for the scope and period.

    Return Chart 3 filled in: per axis and objective, the evidence expected and whether it is
    available in the scope and period (``yes`` / ``no`` / ``""`` not reported), with the number of
    member-years reporting it available and whether the rows read are illustrative.

    Parameters
    ----------
    ev
        The evidence.
    matrix
        ``raw/monitoring_matrix.csv`` (:func:`corett_lib.raw.evaluation_framework.read_monitoring_matrix`).
    """
    out = matrix[
        ["id", "axis_published", "axis_id", "objective_id", "objective_text_en", "evidence_en"]
    ].copy()
    available, counts, illustrative = [], [], []
    for o in out["objective_id"]:
        r = ev.rows_of(o)
        available.append(ev.objective_evidence(o))
        counts.append(f"{int((r['evidence_available'] == 'yes').sum())}/{len(r)}")
        illustrative.append(bool((r["illustrative"] != "").any()))
    out["available"] = available
    out["member_years_available"] = counts
    out["illustrative"] = illustrative
    return out.reset_index(drop=True)


def followup_activities(ev: Evidence) -> pd.DataFrame:
    """Return the activities due in the scope and period.

    Return the activities due in the scope and period: on time, late (with the recorded cause)
    and pending, sorted by deadline. Columns: ``plan_item_id, activity, iso3, year, deadline,
    completed, on_time, cause_of_delay, illustrative``.
    """
    acts = ev.activities(prefix="")
    out = acts[
        [
            "plan_item_id",
            "iso3",
            "year",
            "deadline",
            "completed",
            "on_time",
            "cause_of_delay",
            "illustrative",
        ]
    ].copy()
    out.insert(1, "activity", [ev.item_text.get(i, "") for i in out["plan_item_id"]])
    return out.sort_values(["deadline", "plan_item_id", "iso3"], kind="mergesort").reset_index(
        drop=True
    )
