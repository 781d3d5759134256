"""Evaluation rules: evidence in, a verdict out, with its rationale, evidence chain and grade.

Each evaluation question (Chart 5 and the internal-evaluation questions of the Resource Mobilization
Strategy, ``raw/evaluation_questions.csv``) and each follow-up question (Chart 4,
``raw/followup_questions.csv``) is answered by one rule of :data:`RULES`. A rule reads the monitoring
data (:mod:`corett_lib.dataset.monitoring`) of the plan items the question is linked to and, for the effects
question, the published series (detected victims, prosecutions, convictions, repatriations). It
returns an :class:`Answer`:

* ``verdict``: one of :data:`VERDICTS` (``yes``, ``partly``, ``no``, ``not_enough_evidence``);
* ``rationale(lang)``: one sentence in English or Spanish saying why (catalogue keys
  ``evaluation.r.*``);
* ``chain``: the evidence chain, one row per linked indicator or activity group: question ->
  indicator -> values by year with their source -> validation state -> rule;
* ``grade``: evidence sufficiency, one of :data:`GRADES`, from the coverage of the expected data
  (share of indicator-member-years reported) and documentation (share of rows whose evidence is
  available); a rule that reads a proxy (the effects question) is graded at most ``moderate``.

Thresholds (written in each rule's docstring) are the workbench's, not the strategy's: the strategy
states the questions, not how to answer them. Questions that need data nobody collects yet get
``not_enough_evidence`` with the data they need (:data:`NEEDS`).

Scope: a member's rows, or for the region (``CORETT``) every member's rows summed; the period is
2019 (the plan's start) to the evaluation year, cumulative.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from corett_lib.analysis.status import plan_progress
from corett_lib.core import i18n
from corett_lib.dataset.monitoring import kind_of, monitored_items

if TYPE_CHECKING:
    import pandas as pd

VERDICTS: tuple[str, ...] = ("yes", "partly", "no", "not_enough_evidence")
GRADES: tuple[str, ...] = ("strong", "moderate", "weak", "none")
PLAN_START = 2019
REGION = "CORETT"

#: The published series the effects question reads (indicator engine ids -> catalogue key).
EFFECT_SERIES: dict[str, str] = {
    "victims": "indicator.detected_victims",
    "prosecuted": "indicator.persons_prosecuted",
    "convicted": "indicator.persons_convicted",
    "repatriated": "indicator.repatriated_victims",
}

#: Materials of the efficiency question: newsletters (objective 6) and technical sheets (objective 8).
MATERIAL_INDICATORS: tuple[str, ...] = ("RM.A4.O6.IND3", "RM.A4.O8.IND1")

#: Validation states shown in the evidence chain.
VALIDATION_PASSED = "passed checks"
VALIDATION_ILLUSTRATIVE = "passed checks (ILLUSTRATIVE data)"
VALIDATION_PUBLISHED = "passed checks (published series)"

#: Punctuality marks in the chain's ``values_by_year`` of activities: on time, late, pending.
_MARK: dict[str, str] = {"yes": "\u2713", "no": "\u2717", "": "\u2026"}

#: Chain ``status`` values: a plan status of :mod:`corett_lib.analysis.status`, or one of these.
CHAIN_STATUSES: tuple[str, ...] = ("rose", "did not rise", "on time", "late")

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
    "validation",
    "warnings",
    "rule",
)


def _n_warnings(rows: pd.DataFrame) -> int:
    """Return the number of rows with a validation warning (column ``warnings`` of ``load_monitoring``)."""
    if "warnings" not in rows:
        return 0
    return int((rows["warnings"].fillna("") != "").sum())


@dataclass
class Answer:
    """The answer to one question."""

    question_id: str
    rule: str
    verdict: str
    grade: str
    rationale_en: str
    rationale_es: str
    chain: pd.DataFrame = field(repr=False, default=None)  # pandas is untyped here (Any)

    def rationale(self, lang: str) -> str:
        """Return the rationale in ``lang`` (``en`` or ``es``)."""
        return self.rationale_es if lang == "es" else self.rationale_en


def _both(key: str, **kwargs: Any) -> tuple[str, str]:
    """Format message ``evaluation.r.<key>`` in both languages; numbers are formatted per language."""
    out = []
    for lang in ("en", "es"):
        args = {
            k: (
                v(lang)
                if callable(v)
                else i18n.number(v, lang)
                if isinstance(v, int | float)
                else v
            )
            for k, v in kwargs.items()
        }
        out.append(i18n.t(f"evaluation.r.{key}", lang, **args))
    return out[0], out[1]


def grade(coverage: float, documented: float, *, proxy: bool = False) -> str:
    """Return the evidence-sufficiency grade.

    ``none`` when nothing is reported; ``strong`` when at least 80 % of the expected data is
    reported and 80 % of it documented; ``moderate`` at 50 % and 50 %; ``weak`` otherwise. A proxy is
    at most ``moderate``.

    Examples
    --------
    >>> grade(0.9, 0.85), grade(0.6, 0.9), grade(0.3, 1.0), grade(0.0, 0.0), grade(1, 1, proxy=True)
    ('strong', 'moderate', 'weak', 'none', 'moderate')
    """
    if coverage <= 0:
        return "none"
    if coverage >= 0.8 and documented >= 0.8:
        g = "strong"
    elif coverage >= 0.5 and documented >= 0.5:
        g = "moderate"
    else:
        g = "weak"
    return "moderate" if proxy and g == "strong" else g


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
    ) -> None:
        import pandas as pd

        self.country, self.year = country, int(year)
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

    # ------------------------------------------------------------------ tables

    def indicators(self, plan: str = "resource_mobilization") -> pd.DataFrame:
        """Return one row per indicator of ``plan`` with its cumulative actual and status.

        Columns: ``id, objective_id, axis_id, unit, direction, target, actual, n_cells, n_expected,
        n_documented, years, values_by_year, source, illustrative, status``. ``status`` comes from
        :func:`corett_lib.analysis.status.plan_progress` where the plan sets a target; without a
        target an indicator is ``achieved`` when its actual is above zero, ``behind`` at zero;
        ``context`` for an ambiguous direction; ``no data`` when nothing is reported.
        """
        if plan not in self._indicators:
            self._indicators[plan] = self._compute_indicators(plan)
        return self._indicators[plan]

    def _compute_indicators(self, plan: str) -> pd.DataFrame:
        import pandas as pd

        items = self.items[(self.items["kind"] == "indicator") & (self.items["plan"] == plan)]
        rows = self.rows[self.rows["plan_item_id"].isin(items.index) & self.rows["value"].notna()]
        recs = []
        for iid, it in items.iterrows():
            r = rows[rows["plan_item_id"] == iid]
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
        status = prog["status"].reindex(df["id"]).to_numpy()
        no_target = status == "not applicable"
        df["status"] = [
            "context"
            if d == "ambiguous"
            else "no data"
            if a != a
            else ("achieved" if a > 0 else "behind")
            if nt
            else s
            for s, nt, a, d in zip(status, no_target, df["actual"], df["direction"], strict=True)
        ]
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
        """Return whether Chart 3's evidence is available for an objective, any year (``yes``/``no``/``""``)."""
        r = self.rows[self.rows["plan_item_id"] == objective_id]["evidence_available"]
        if (r == "yes").any():
            return "yes"
        return "no" if (r == "no").any() else ""

    # ------------------------------------------------------------------ chain

    def validation_state(self, illustrative: bool) -> str:
        """Return the validation state shown in the chain."""
        return VALIDATION_ILLUSTRATIVE if illustrative else VALIDATION_PASSED

    def chain(self, question_id: str, rule: str, ind: pd.DataFrame) -> pd.DataFrame:
        """Return the evidence chain rows of ``ind`` (from :meth:`indicators`) for a question."""
        import pandas as pd

        scope = f"{REGION} ({len(self.scope)} members)" if self.country == REGION else self.country
        rows = [
            {
                "question_id": question_id,
                "item_id": r["id"],
                "item": self.item_text.get(r["id"], ""),
                "scope": scope,
                "years": f"{PLAN_START}-{self.year}",
                "values_by_year": r["values_by_year"],
                "value": r["actual"],
                "status": r["status"],
                "source": r["source"],
                "validation": self.validation_state(bool(r["illustrative"]))
                if r["n_cells"]
                else "",
                "warnings": int(r["n_warnings"]),
                "rule": rule,
            }
            for _, r in ind.iterrows()
        ]
        return pd.DataFrame.from_records(rows, columns=list(CHAIN_COLUMNS))

    def activity_chain(self, question_id: str, rule: str, acts: pd.DataFrame) -> pd.DataFrame:
        """Return chain rows for activities: one per activity with its punctuality over the years."""
        import pandas as pd

        rows = []
        for aid, g in acts.groupby("plan_item_id", sort=True):
            rows.append(
                {
                    "question_id": question_id,
                    "item_id": aid,
                    "item": self.item_text.get(str(aid), ""),
                    "scope": ", ".join(sorted(set(g["iso3"]))),
                    "years": ", ".join(str(y) for y in sorted(set(g["year"]))),
                    "values_by_year": "; ".join(
                        f"{r.iso3} {r.year} {_MARK[r.on_time]}" for r in g.itertuples()
                    ),
                    "value": float((g["on_time"] == "yes").sum()),
                    "status": "late" if (g["on_time"] == "no").any() else "on time",
                    "source": "; ".join(sorted(set(g["source"]))),
                    "validation": self.validation_state(bool((g["illustrative"] != "").any())),
                    "warnings": _n_warnings(g),
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


def _answer(
    ev: Evidence,
    qid: str,
    rule: str,
    verdict: str,
    text: tuple[str, str],
    chain: pd.DataFrame,
    g: str,
) -> Answer:
    return Answer(qid, rule, verdict, g, text[0], text[1], chain)


def _share_verdict(good: int, total: int, high: float, low: float) -> str:
    share = good / total
    if share >= high:
        return "yes"
    return "partly" if share >= low else "no"


# ------------------------------------------------------------------------------------------ rules


def rule_effects(ev: Evidence, qid: str) -> Answer:
    """Answer question ``qid`` with rule R-EFFECTS.

    Compare each published series (:data:`EFFECT_SERIES`) in the last year before the
    plan (up to 2018) with the latest year of the period. ``yes``: 3 or more series rose; ``partly``:
    1 or 2 rose; ``no``: none rose; ``not_enough_evidence``: fewer than 2 series comparable. More
    detections can mean better detection rather than more trafficking, so the grade is at most
    ``moderate`` (a proxy for attitudes and behaviours).
    """
    import pandas as pd

    s = ev.series
    details_en: list[str] = []
    details_es: list[str] = []
    rows: list[dict] = []
    rose, compared = 0, 0
    for sid, key in EFFECT_SERIES.items():
        x = s[(s["indicator_id"] == sid) & s["value"].notna()]
        before = x[x["year"] < PLAN_START].sort_values("year")
        after = x[(x["year"] >= PLAN_START) & (x["year"] <= ev.year)].sort_values("year")
        if before.empty or after.empty:
            continue
        b, a = before.iloc[-1], after.iloc[-1]
        compared += 1
        rose += int(a["value"] > b["value"])
        for lang, out in (("en", details_en), ("es", details_es)):
            out.append(
                f"{i18n.t(key, lang)} {i18n.number(b['value'], lang)} ({int(b['year'])}) → "
                f"{i18n.number(a['value'], lang)} ({int(a['year'])})"
            )
        rows.append(
            {
                "question_id": qid,
                "item_id": sid,
                "item": i18n.t(key, "en"),
                "scope": ev.country,
                "years": f"{int(b['year'])}, {int(a['year'])}",
                "values_by_year": f"{int(b['year'])}: {b['value']:g}; {int(a['year'])}: {a['value']:g}",
                "value": float(a["value"]),
                "status": "rose" if a["value"] > b["value"] else "did not rise",
                "source": f"{b['source']}; {a['source']}"
                if b["source"] != a["source"]
                else a["source"],
                "validation": VALIDATION_PUBLISHED,
                "warnings": 0,
                "rule": "R-EFFECTS",
            }
        )
    chain = pd.DataFrame.from_records(rows, columns=list(CHAIN_COLUMNS))
    if compared < 2:
        text = _both("effects_nee", compared=compared, start=str(PLAN_START))
        return _answer(
            ev,
            qid,
            "R-EFFECTS",
            "not_enough_evidence",
            text,
            chain,
            grade(compared / 4, 1.0, proxy=True),
        )
    verdict = "yes" if rose >= 3 else "partly" if rose >= 1 else "no"
    text = (
        i18n.t(
            "evaluation.r.effects",
            "en",
            rose=rose,
            compared=compared,
            details="; ".join(details_en),
        ),
        i18n.t(
            "evaluation.r.effects",
            "es",
            rose=rose,
            compared=compared,
            details="; ".join(details_es),
        ),
    )
    return _answer(ev, qid, "R-EFFECTS", verdict, text, chain, grade(compared / 4, 1.0, proxy=True))


def _objective_status(ev: Evidence, ind: pd.DataFrame, objective_id: str) -> str:
    """Return the status of one objective: achieved / partly / not achieved / unknown."""
    mine = ind[(ind["objective_id"] == objective_id) & (ind["status"] != "context")]
    known = mine[mine["status"] != "no data"]
    if known.empty:
        evidence = ev.objective_evidence(objective_id)
        return {"yes": "achieved", "no": "not achieved"}.get(evidence, "unknown")
    good = known["status"].isin(["achieved", "on track"]).sum()
    if good == len(mine):
        return "achieved"
    return "partly" if good else "not achieved"


def rule_objectives(ev: Evidence, qid: str, objectives: Sequence[str]) -> Answer:
    """Answer question ``qid`` with rule R-OBJECTIVES.

    An objective is achieved when every indicator under it is achieved or on track;
    partly when some are; an objective without indicator figures is judged on Chart 3's evidence
    (available: achieved; not available: not achieved). ``yes``: every objective achieved;
    ``no``: none achieved nor partly; ``partly`` otherwise; ``not_enough_evidence``: fewer than half
    the objectives can be judged.
    """
    ind = ev.indicators()
    objectives = list(objectives) or sorted(
        ev.items[
            (ev.items["kind"] == "objective") & (ev.items["plan"] == "resource_mobilization")
        ].index
    )
    status = {o: _objective_status(ev, ind, o) for o in objectives}
    n = len(objectives)
    counts = {
        k: sum(1 for v in status.values() if v == k)
        for k in ("achieved", "partly", "not achieved", "unknown")
    }
    known = n - counts["unknown"]
    mine = ind[ind["objective_id"].isin(objectives)]
    chain = ev.chain(qid, "R-OBJECTIVES", mine)
    cov, doc = ev.coverage(mine[mine["status"] != "context"])
    if known * 2 < n:
        text = _both("objectives_nee", known=known, total=n)
        return _answer(ev, qid, "R-OBJECTIVES", "not_enough_evidence", text, chain, grade(cov, doc))
    if counts["achieved"] == n:
        verdict = "yes"
    elif counts["achieved"] + counts["partly"] == 0:
        verdict = "no"
    else:
        verdict = "partly"
    words = {
        "en": {
            "achieved": "achieved",
            "partly": "partly",
            "not achieved": "not achieved",
            "unknown": "no evidence",
        },
        "es": {
            "achieved": "logrado",
            "partly": "en parte",
            "not achieved": "no logrado",
            "unknown": "sin evidencia",
        },
    }

    def listing(lang: str) -> str:
        return ", ".join(f"{o}: {words[lang][s]}" for o, s in status.items())

    text = _both(
        "objectives",
        achieved=counts["achieved"],
        partly=counts["partly"],
        not_achieved=counts["not achieved"],
        unknown=counts["unknown"],
        total=n,
        listing=listing,
    )
    return _answer(ev, qid, "R-OBJECTIVES", verdict, text, chain, grade(cov, doc))


def rule_axes(ev: Evidence, qid: str, axes: Sequence[str]) -> Answer:
    """Answer question ``qid`` with rule R-AXES.

    An axis shows delivered products when an indicator under it is above zero, or (axes
    without indicator figures) when Chart 3's evidence of one of its objectives is available.
    ``yes``: every axis; ``partly``: some; ``no``: none; ``not_enough_evidence``: fewer than 2 axes
    with any data. Delivery is shown, its effect is not measured.
    """
    ind = ev.indicators()
    delivered, known = [], 0
    for axis in axes:
        mine = ind[(ind["axis_id"] == axis) & ind["actual"].notna()]
        objectives = [
            o
            for o in ev.items.index
            if ev.items.at[o, "kind"] == "objective" and ev.items.at[o, "axis_id"] == axis
        ]
        evidence = [ev.objective_evidence(o) for o in objectives]
        if len(mine) or any(evidence):
            known += 1
            if (mine["actual"] > 0).any() or "yes" in evidence:
                delivered.append(axis)
    mine = ind[ind["axis_id"].isin(axes)]
    chain = ev.chain(qid, "R-AXES", mine)
    cov, doc = ev.coverage(mine)
    if known < 2:
        text = _both("axes_nee", known=known, total=len(axes))
        return _answer(ev, qid, "R-AXES", "not_enough_evidence", text, chain, grade(cov, doc))
    verdict = "yes" if len(delivered) == len(axes) else "partly" if delivered else "no"
    text = _both(
        "axes", delivered=len(delivered), total=len(axes), axes=", ".join(delivered) or "-"
    )
    return _answer(ev, qid, "R-AXES", verdict, text, chain, grade(cov, doc))


def _materials(ev: Evidence) -> tuple[pd.DataFrame, float, float]:
    ind = ev.indicators()
    mat = ind[ind["id"].isin(MATERIAL_INDICATORS)].set_index("id")
    return (
        mat,
        float(mat.at[MATERIAL_INDICATORS[0], "actual"]),
        float(mat.at[MATERIAL_INDICATORS[1], "actual"]),
    )


def rule_materials_timely(ev: Evidence, qid: str) -> Answer:
    """Answer question ``qid`` with rule R-MATERIALS-TIMELY.

    Quantity: newsletters disseminated and technical sheets presented are
    above zero. Timeliness: the activities of objectives 6 and 8 were on time (80 % or more).
    ``yes``: both materials delivered and timely; ``no``: no material delivered and under 50 % on
    time (or no activity); ``partly`` otherwise; ``not_enough_evidence``: no figure and no activity.
    """
    import pandas as pd

    mat, news, sheets = _materials(ev)
    acts = pd.concat([ev.activities("RM.A4.O6."), ev.activities("RM.A4.O8.")])
    due = acts[acts["on_time"] != ""]
    on_time = int((due["on_time"] == "yes").sum())
    chain = ev.chain(qid, "R-MATERIALS-TIMELY", mat.reset_index())
    chain = pd.concat([chain, ev.activity_chain(qid, "R-MATERIALS-TIMELY", due)], ignore_index=True)
    cov, doc = ev.coverage(mat.reset_index())
    have_fig = [v for v in (news, sheets) if v == v]
    if not have_fig and due.empty:
        return _answer(
            ev,
            qid,
            "R-MATERIALS-TIMELY",
            "not_enough_evidence",
            _both("materials_nee"),
            chain,
            "none",
        )
    delivered = sum(1 for v in have_fig if v > 0)
    share = on_time / len(due) if len(due) else 0.0
    if delivered == 2 and share >= 0.8:
        verdict = "yes"
    elif delivered == 0 and share < 0.5:
        verdict = "no"
    else:
        verdict = "partly"
    text = _both(
        "materials",
        newsletters=_fmt(news),
        sheets=_fmt(sheets),
        on_time=on_time,
        activities=len(due),
    )
    return _answer(ev, qid, "R-MATERIALS-TIMELY", verdict, text, chain, grade(cov, doc))


def _fmt(value: float) -> Callable[[str], str]:
    return lambda lang: (
        i18n.number(value, lang) if value == value else i18n.t("label.no_data", lang)
    )


def rule_materials_sufficient(ev: Evidence, qid: str) -> Answer:
    """Answer question ``qid`` with rule R-MATERIALS.

    ``yes``: newsletters and technical sheets both above zero; ``partly``: one;
    ``no``: both reported at zero; ``not_enough_evidence``: neither reported.
    """
    mat, news, sheets = _materials(ev)
    chain = ev.chain(qid, "R-MATERIALS", mat.reset_index())
    cov, doc = ev.coverage(mat.reset_index())
    have = [v for v in (news, sheets) if v == v]
    if not have:
        return _answer(
            ev, qid, "R-MATERIALS", "not_enough_evidence", _both("materials_nee"), chain, "none"
        )
    delivered = sum(1 for v in have if v > 0)
    verdict = "yes" if delivered == 2 else "partly" if delivered else "no"
    text = _both("supplies", newsletters=_fmt(news), sheets=_fmt(sheets))
    return _answer(ev, qid, "R-MATERIALS", verdict, text, chain, grade(cov, doc))


def rule_sustained(ev: Evidence, qid: str) -> Answer:
    """Answer question ``qid`` with rule R-SUSTAINED.

    Of the indicators above zero in a year before the last year with figures,
    the share still above zero in that last year. ``yes``: 80 % or more; ``partly``: 40 % or more;
    ``no``: less; ``not_enough_evidence``: no indicator with figures in two or more years.
    """
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
    chain = ev.chain(qid, "R-SUSTAINED", ind)
    cov, doc = ev.coverage(ind)
    if eligible == 0:
        return _answer(
            ev,
            qid,
            "R-SUSTAINED",
            "not_enough_evidence",
            _both("sustained_nee"),
            chain,
            grade(cov, doc),
        )
    verdict = _share_verdict(sustained, eligible, 0.8, 0.4)
    text = _both("sustained", sustained=sustained, total=eligible, last_year=str(last_year))
    return _answer(ev, qid, "R-SUSTAINED", verdict, text, chain, grade(cov, doc))


def rule_progress(ev: Evidence, qid: str) -> Answer:
    """Answer question ``qid`` with rule R-PROGRESS.

    Of the plan's indicators with figures (ambiguous ones are context only), the share
    achieved or on track. ``yes``: 75 % or more; ``partly``: 25 % or more; ``no``: less;
    ``not_enough_evidence``: fewer than half the indicators have figures.
    """
    ind = ev.indicators()
    judged = ind[ind["status"] != "context"]
    known = judged[judged["status"] != "no data"]
    good = int(known["status"].isin(["achieved", "on track"]).sum())
    chain = ev.chain(qid, "R-PROGRESS", ind)
    cov, doc = ev.coverage(judged)
    if len(known) * 2 < len(judged) or known.empty:
        text = _both("progress_nee", known=len(known), total=len(judged))
        return _answer(ev, qid, "R-PROGRESS", "not_enough_evidence", text, chain, grade(cov, doc))
    verdict = _share_verdict(good, len(known), 0.75, 0.25)
    text = _both(
        "progress", good=good, known=len(known), total=len(ind), context=len(ind) - len(judged)
    )
    return _answer(ev, qid, "R-PROGRESS", verdict, text, chain, grade(cov, doc))


def rule_contribute(ev: Evidence, qid: str) -> Answer:
    """Answer question ``qid`` with rule R-CONTRIBUTE.

    Of the objectives with at least one completed activity and indicator figures,
    the share whose indicators are above zero. ``yes``: 75 % or more; ``partly``: 25 % or more;
    ``no``: less; ``not_enough_evidence``: no such objective.
    """
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
    chain = ev.chain(qid, "R-CONTRIBUTE", mine)
    cov, doc = ev.coverage(mine)
    if total == 0:
        return _answer(
            ev,
            qid,
            "R-CONTRIBUTE",
            "not_enough_evidence",
            _both("contribute_nee"),
            chain,
            grade(cov, doc),
        )
    verdict = _share_verdict(good, total, 0.75, 0.25)
    return _answer(
        ev,
        qid,
        "R-CONTRIBUTE",
        verdict,
        _both("contribute", good=good, total=total),
        chain,
        grade(cov, doc),
    )


def rule_deadlines(ev: Evidence, qid: str) -> Answer:
    """Answer question ``qid`` with rule R-DEADLINES.

    Of the activities due in the period (``on_time`` yes or no), the share on time.
    ``yes``: 90 % or more; ``partly``: 50 % or more; ``no``: less; ``not_enough_evidence``: none.
    """
    due = ev.activities()
    due = due[due["on_time"] != ""]
    chain = ev.activity_chain(qid, "R-DEADLINES", due)
    if due.empty:
        return _answer(
            ev, qid, "R-DEADLINES", "not_enough_evidence", _both("deadlines_nee"), chain, "none"
        )
    on_time = int((due["on_time"] == "yes").sum())
    verdict = _share_verdict(on_time, len(due), 0.9, 0.5)
    documented = float((due["evidence_available"] == "yes").mean())
    text = _both(
        "deadlines", on_time=on_time, total=len(due), late=len(due) - on_time, year=str(ev.year)
    )
    return _answer(ev, qid, "R-DEADLINES", verdict, text, chain, grade(1.0, documented))


def rule_causes(ev: Evidence, qid: str, *, none_late: str) -> Answer:
    """Answer question ``qid`` with rule R-CAUSES.

    The late activities and their recorded causes. ``yes``: every late activity has a
    cause; ``partly``: some; ``no``: none; no late activity: ``none_late`` (``no`` for "were there
    circumstances that hindered?", ``not_enough_evidence`` where there is no delay to explain);
    ``not_enough_evidence``: no activity reported.
    """
    acts = ev.activities()
    late = acts[acts["on_time"] == "no"]
    chain = ev.activity_chain(qid, "R-CAUSES", late)
    if acts.empty:
        return _answer(
            ev, qid, "R-CAUSES", "not_enough_evidence", _both("causes_nee"), chain, "none"
        )
    if late.empty:
        return _answer(
            ev,
            qid,
            "R-CAUSES",
            none_late,
            _both("causes_none_late"),
            chain,
            grade(1.0, float((acts["evidence_available"] == "yes").mean())),
        )
    recorded = late[late["cause_of_delay"].str.strip() != ""]
    counts = recorded["cause_of_delay"].value_counts()
    causes = "; ".join(f"{c} ({n})" for c, n in counts.items()) or "-"
    verdict = _share_verdict(len(recorded), len(late), 1.0, 1e-9)
    text = _both("causes", recorded=len(recorded), late=len(late), causes=causes)
    return _answer(ev, qid, "R-CAUSES", verdict, text, chain, grade(len(recorded) / len(late), 1.0))


def rule_not_collected(ev: Evidence, qid: str) -> Answer:
    """R-NOT-COLLECTED. The question needs data nobody collects yet (:data:`NEEDS`)."""
    import pandas as pd

    need = NEEDS[qid]
    text = (
        i18n.t("evaluation.r.needs", "en", needs=i18n.t(f"evaluation.needs.{need}", "en")),
        i18n.t("evaluation.r.needs", "es", needs=i18n.t(f"evaluation.needs.{need}", "es")),
    )
    chain = pd.DataFrame(columns=list(CHAIN_COLUMNS))
    return _answer(ev, qid, "R-NOT-COLLECTED", "not_enough_evidence", text, chain, "none")


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

RM_AXES = ("RM.A1", "RM.A2", "RM.A3", "RM.A4")
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

#: Question id -> rule. Every question of the framework files except FQ7 (a placeholder row).
RULES: dict[str, Callable[[Evidence, str], Answer]] = {
    "EQ1": rule_effects,
    "EQ3": lambda ev, q: rule_objectives(ev, q, RM_OBJECTIVES),
    "EQ4": lambda ev, q: rule_axes(ev, q, RM_AXES),
    "EQ5": rule_materials_timely,
    "EQ8": rule_sustained,
    "EQ9": lambda ev, q: rule_objectives(ev, q, RM_OBJECTIVES),
    "EQ11": lambda ev, q: rule_causes(ev, q, none_late="no"),
    "EQ13": lambda ev, q: rule_objectives(ev, q, RM_OBJECTIVES),
    "EQ14": lambda ev, q: rule_causes(ev, q, none_late="not_enough_evidence"),
    "EQ18": lambda ev, q: rule_objectives(ev, q, RM_OBJECTIVES),
    "EQ20": lambda ev, q: rule_causes(ev, q, none_late="no"),
    "FQ1": rule_progress,
    "FQ2": rule_contribute,
    "FQ3": rule_deadlines,
    "FQ4": rule_materials_sufficient,
    "FQ5": lambda ev, q: rule_causes(ev, q, none_late="not_enough_evidence"),
    **dict.fromkeys(NEEDS, rule_not_collected),
}

ANSWER_COLUMNS: tuple[str, ...] = (
    "question_id",
    "criterion",
    "oecd_dac_2019",
    "question",
    "verdict",
    "rationale",
    "grade",
    "rule",
    "illustrative",
)


def answer(ev: Evidence, question_id: str) -> Answer:
    """Return the answer to one question (``EQ1``...``EQ20``, ``FQ1``...``FQ6``).

    Raises
    ------
    KeyError
        For a question without a rule (``FQ7`` is a placeholder row of Chart 4).
    """
    try:
        rule = RULES[question_id]
    except KeyError:
        raise KeyError(f"no rule answers {question_id!r}; known: {', '.join(RULES)}") from None
    return rule(ev, question_id)


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


def answer_all(
    ev: Evidence, questions: pd.DataFrame, lang: str = "en"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Answer every question of ``questions`` that has a rule.

    Parameters
    ----------
    ev
        The evidence.
    questions
        Rows of ``evaluation_questions`` or ``followup_questions`` (``id``, ``text_en`` and, for
        evaluation questions, ``criterion`` and ``oecd_dac_2019``).
    lang
        Language of the rationale column.

    Returns
    -------
    answers, chain
        ``answers``: :data:`ANSWER_COLUMNS`, one row per question, in the questions' order (verdict
        and grade as ids; ``illustrative`` True when any monitoring row read is illustrative).
        ``chain``: :data:`CHAIN_COLUMNS`, every question's evidence chain.
    """
    import pandas as pd

    rows, chains = [], []
    for _, q in questions.iterrows():
        if q["id"] not in RULES:
            continue
        a = answer(ev, q["id"])
        illustrative = bool(
            len(a.chain) and a.chain["validation"].astype(str).str.contains("ILLUSTRATIVE").any()
        )
        rows.append(
            {
                "question_id": q["id"],
                "criterion": q.get("criterion", ""),
                "oecd_dac_2019": q.get("oecd_dac_2019", ""),
                "question": question_text(q, lang),
                "verdict": a.verdict,
                "rationale": a.rationale(lang),
                "grade": a.grade,
                "rule": a.rule,
                "illustrative": illustrative,
            }
        )
        chains.append(a.chain)
    chain = (
        pd.concat([c for c in chains if len(c)], ignore_index=True)
        if any(len(c) for c in chains)
        else pd.DataFrame(columns=list(CHAIN_COLUMNS))
    )
    return pd.DataFrame.from_records(rows, columns=list(ANSWER_COLUMNS)), chain


def monitoring_matrix(ev: Evidence, matrix: pd.DataFrame) -> pd.DataFrame:
    """Return Chart 3 filled in for the scope and period.

    Per axis and objective: the evidence expected and whether it is available in the scope and period
    (``yes`` / ``no`` / ``""`` not reported), with the number of member-years reporting it available.

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
    available, counts = [], []
    for o in out["objective_id"]:
        r = ev.rows[ev.rows["plan_item_id"] == o]
        available.append(ev.objective_evidence(o))
        counts.append(f"{int((r['evidence_available'] == 'yes').sum())}/{len(r)}")
    out["available"] = available
    out["member_years_available"] = counts
    return out.reset_index(drop=True)


def followup_activities(ev: Evidence) -> pd.DataFrame:
    """Return the activities due in the scope and period.

    On time, late (with the recorded cause) and pending, sorted by deadline. Columns: ``plan_item_id,
    activity, iso3, year, deadline, completed, on_time, cause_of_delay, illustrative``.
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
