"""Sections of the evaluation report (``notebooks/evaluation.ipynb``), one function per section.

(Named ``evaluation_report`` because ``corett_lib.reporting.context.evaluation`` is the package's function that
caches the indicator engine's evaluation; a submodule of that name would replace it.)

:func:`open_evaluation` loads the report's context (:func:`corett_lib.reporting.context.open_context`), the
evaluation framework (Chart 5, Chart 4, Chart 3 of the Resource Mobilization Strategy), the monitoring
data (:func:`corett_lib.dataset.monitoring.load_monitoring`) and the published series the effects question
reads, and answers every question once (:mod:`corett_lib.analysis.evaluation`). Each section function takes
that :class:`EvaluationContext` and returns a :class:`~corett_lib.reporting.context.Block`. Every page that shows
monitoring figures carries the illustrative banner while any of them is illustrative.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from corett_lib.analysis import evaluation as ev
from corett_lib.analysis.evaluation import (
    CHAIN_STATUSES,
    EFFECT_SERIES,
    PLAN_START,
    Evidence,
    answer_all,
    followup_activities,
    monitoring_matrix,
)
from corett_lib.analysis.indicators import indicator_table
from corett_lib.core import config, i18n, paths
from corett_lib.core.problems import DataError, Problem
from corett_lib.raw.evaluation_framework import dac_coverage
from corett_lib.reporting.context import (
    Block,
    Context,
    bullet_list,
    esc,
    heading,
    html_block,
    open_context,
    paragraph,
    publish,
    table_block,
    wrap,
)
from corett_lib.reporting.context import monitoring as monitoring_table

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class EvaluationContext:
    """One evaluation report: the report context, the framework, the evidence and the answers."""

    ctx: Context
    evidence: Evidence
    questions: pd.DataFrame  #: evaluation questions (Chart 5 and internal evaluation)
    followup: pd.DataFrame  #: follow-up questions (Chart 4)
    matrix: pd.DataFrame  #: monitoring matrix (Chart 3)
    answers: pd.DataFrame  #: one row per answered question
    chain: pd.DataFrame  #: every answer's evidence chain
    series: pd.DataFrame  #: published series of the effects question
    illustrative: bool  #: True when any monitoring row in scope is illustrative

    @property
    def lang(self) -> str:
        """The report's language."""
        return self.ctx.lang


def _t(key: str, lang: str, **kwargs: Any) -> str:
    return i18n.t(f"evaluation.{key}", lang, **kwargs)


def effect_series(ctx: Context) -> pd.DataFrame:
    """Return the published totals the effects question reads.

    Detected victims, prosecutions, convictions and repatriations, for the report's country, every
    year up to the report's year.
    """
    years = sorted({int(y) for y in ctx.ds.observations["year"].dropna() if int(y) <= ctx.year})
    t = indicator_table(
        ctx.evaluation,
        countries=[ctx.country],
        years=years,
        indicators=list(EFFECT_SERIES),
        disaggregations=("total",),
        lang=ctx.lang,
    )
    t = t[t["value"].notna()]
    return t[["indicator_id", "year", "value", "source"]].reset_index(drop=True)


def open_evaluation(
    country: str, year: int, lang: str, data: str = "", snapshot: str = ""
) -> EvaluationContext:
    """Check the parameters, load everything the evaluation reads and answer every question.

    Parameters are those of :func:`corett_lib.reporting.context.open_context`.

    Raises
    ------
    DataError
        When the monitoring data or a framework file has an error (every problem listed).
    """
    import pandas as pd

    ctx = open_context(country=country, year=year, lang=lang, data=data, snapshot=snapshot)
    ds = ctx.ds
    # The framework tables were read and validated with the dataset; a folder without them (older
    # layout) has its file_missing problem in the dataset's problems, raised here by name.
    names = ("evaluation_questions", "followup_questions", "monitoring_matrix")
    tables = {name: getattr(ds, name) for name in names}
    missing = [n for n, t in tables.items() if t is None]
    if missing:
        files = {paths.RAW_FILES[n] for n in missing}
        found = [p for p in ds.problems if p.file in files]
        raise DataError(
            found
            or [
                Problem(
                    severity="error",
                    check="file_missing",
                    file=f,
                    message="the file could not be read",
                    why="the evaluation report needs the evaluation framework",
                )
                for f in sorted(files)
            ]
        )
    q, f, mm = (tables[n] for n in names)
    monitoring = monitoring_table(ds)
    series = effect_series(ctx)
    ev = Evidence(
        ctx.ds.plan_items,
        monitoring,
        country=ctx.country,
        year=ctx.year,
        members=config.members(),
        series=series,
    )
    answers, chain = answer_all(ev, pd.concat([q, f], ignore_index=True), lang)
    return EvaluationContext(
        ctx=ctx,
        evidence=ev,
        questions=q,
        followup=f,
        matrix=mm,
        answers=answers,
        chain=chain,
        series=series,
        illustrative=bool((ev.rows["illustrative"] != "").any()),
    )


def _banner(e: EvaluationContext) -> Block | None:
    if not e.illustrative:
        return None
    return html_block(
        f'<div class="corett-banner corett-illustrative" role="note"><strong>'
        f"{esc(i18n.t('banner.illustrative_short', e.lang))}</strong>: "
        f"{esc(_t('illustrative_note', e.lang))}</div>",
        _t("illustrative_note", e.lang),
    )


def _scope(e: EvaluationContext) -> str:
    if e.ctx.regional:
        return _t("scope_region", e.lang)
    return i18n.country_name(e.ctx.country, e.lang)


def _verdict(v: str, lang: str) -> str:
    return i18n.t(f"verdict.{v}", lang)


def _grade(g: str, lang: str) -> str:
    return _t(f"grade.{g}", lang)


def _criterion(c: Any, lang: str) -> str:
    return i18n.t(f"criterion.{c}", lang) if isinstance(c, str) and c else ""


def _chain_status(value: Any, lang: str) -> str:

    if value in CHAIN_STATUSES:
        return _t(f"chain_status.{str(value).replace(' ', '_')}", lang)
    return i18n.label("status", value, lang)


def _validation(value: Any, lang: str) -> str:

    keys = {
        ev.VALIDATION_PASSED: "passed",
        ev.VALIDATION_ILLUSTRATIVE: "illustrative",
        ev.VALIDATION_PUBLISHED: "published",
    }
    return _t(f"validation.{keys[value]}", lang) if value in keys else str(value)


def _table(df: pd.DataFrame, why: str, caption: str = "") -> Block:
    """Return ``df`` as an HTML table marked ``data-corett-exempt=why`` for the disclosure scanner.

    The evaluation's own tables hold verdicts, dates and counts of activities and outputs (campaigns,
    newsletters, people trained), not counts of victims; counts of victims go through
    :func:`corett_lib.reporting.context.publish` (see :func:`effects`).
    """
    block = table_block(df, caption)
    marked = block.html.replace("<table", f'<table data-corett-exempt="{esc(why)}"', 1)
    return Block(marked, block.text)


# --------------------------------------------------------------------------- sections


def title(e: EvaluationContext) -> Block:
    """Title, the illustrative banner (when any monitoring figure is illustrative) and the scope."""
    lang = e.lang
    return wrap(
        heading(i18n.t("report.evaluation.title", lang, country=_scope(e), year=e.ctx.year), 1),
        _banner(e),
        paragraph(_t("intro", lang, scope=_scope(e), start=PLAN_START, year=e.ctx.year)),
    )


def summary(e: EvaluationContext) -> Block:
    """Every answered question: verdict, evidence grade and rationale."""
    lang = e.lang
    a = e.answers
    n_missing = int((a["rule"] == "R-NOT-COLLECTED").sum())
    df = a.assign(
        verdict=[_verdict(v, lang) for v in a["verdict"]],
        grade=[_grade(g, lang) for g in a["grade"]],
    )[["question_id", "question", "verdict", "grade", "rationale"]]
    df.columns = [
        "",
        _t("col_question", lang),
        i18n.t("label.verdict", lang),
        _t("col_grade", lang),
        i18n.t("label.notes", lang),
    ]
    return wrap(
        heading(_t("section_summary", lang), 2, "summary"),
        _banner(e),
        paragraph(
            _t("answered_today", lang, n=len(a) - n_missing, total=len(a), missing=n_missing)
        ),
        _table(df, "evaluation summary"),
    )


def dac_frame(e: EvaluationContext) -> Block:
    """Chart 5's criteria against the six OECD-DAC criteria (2019)."""
    lang = e.lang
    cov = dac_coverage(e.questions)
    df = cov.assign(oecd_dac_2019=cov["oecd_dac_2019"].str.capitalize())
    df.columns = [_t("col_dac", lang), _t("col_n_questions", lang), ""]
    return wrap(
        heading(_t("section_dac", lang), 2, "dac"),
        paragraph(_t("dac_note", lang)),
        _table(df, "evaluation framework"),
    )


def _question_blocks(e: EvaluationContext, ids: list[str]) -> list[Block]:
    lang = e.lang
    blocks: list[Block] = []
    a = e.answers.set_index("question_id")
    for qid in ids:
        if qid not in a.index:
            continue
        row = a.loc[qid]
        crit = _criterion(row["criterion"], lang)
        head = f"{qid}. {row['question']}" + (f" ({crit})" if crit else "")
        blocks.append(heading(head, 3, qid))
        blocks.append(
            paragraph(
                f"{i18n.t('label.verdict', lang)}: {_verdict(row['verdict'], lang)}. "
                f"{_t('col_grade', lang)}: {_grade(row['grade'], lang)}. {row['rationale']}"
            )
        )
        chain = e.chain[e.chain["question_id"] == qid]
        if chain.empty:
            blocks.append(paragraph(_t("no_chain", lang), css="corett-note"))
            continue
        df = chain[
            [
                "item_id",
                "item",
                "scope",
                "values_by_year",
                "value",
                "status",
                "source",
                "validation",
                "rule",
            ]
        ].copy()
        df["value"] = [i18n.number(v, lang) for v in df["value"]]
        df["status"] = [_chain_status(v, lang) for v in df["status"]]
        df["validation"] = [
            _validation(v, lang) + (f"; {_t('validation.warnings', lang, n=n)}" if n else "")
            for v, n in zip(df["validation"], chain["warnings"], strict=True)
        ]
        df.columns = [
            "",
            _t("col_item", lang),
            _t("col_scope", lang),
            _t("col_values", lang),
            i18n.t("label.value", lang),
            i18n.t("label.status", lang),
            i18n.t("label.source", lang),
            _t("col_validation", lang),
            _t("col_rule", lang),
        ]
        blocks.append(
            html_block(
                f"<details><summary>{esc(_t('chain_title', lang, question=qid))}</summary>"
                f"{_table(df, 'evidence chain').html}</details>",
                _t("chain_title", lang, question=qid),
            )
        )
    return blocks


def questions(e: EvaluationContext) -> Block:
    """Return each evaluation question (Chart 5, then the internal evaluation).

    Each with its verdict, grade, rationale and the evidence chain (question -> indicators -> values
    by year and source -> validation -> rule).
    """
    ids = e.questions["id"].tolist()
    return wrap(
        heading(_t("section_questions", e.lang), 2, "questions"),
        _banner(e),
        *_question_blocks(e, ids),
    )


def effects(e: EvaluationContext) -> Block:
    """Return the published series the effects question reads, with the detection caveat."""
    lang = e.lang
    s = e.series
    head = heading(_t("section_effects", lang), 2, "effects")
    if s.empty:
        return head + paragraph(i18n.t("label.no_data", lang))

    wide = s.pivot_table(index="year", columns="indicator_id", values="value", aggfunc="first")
    wide = wide[[c for c in EFFECT_SERIES if c in wide.columns]]
    names = {c: i18n.t(EFFECT_SERIES[c], lang) for c in wide.columns}
    df = wide.rename(columns=names).reset_index()
    df.columns.name = None
    df = df.rename(columns={"year": i18n.t("label.year", lang)})
    df[i18n.t("label.year", lang)] = df[i18n.t("label.year", lang)].astype(int).astype(str)
    pub = publish(
        e.ctx,
        df,
        table_id="evaluation_effects",
        title=_t("section_effects", lang),
        count_columns=list(names.values()),
    )
    sources = "; ".join(sorted(set(s["source"].astype(str))))
    return wrap(
        head,
        paragraph(_t("effects_caveat", lang), css="corett-note"),
        html_block(pub.to_html()),
        paragraph(i18n.t("source.line", lang, source=sources), css="corett-note"),
    )


def followup(e: EvaluationContext) -> Block:
    """Return the follow-up questions of Chart 4 with their verdicts and evidence chains."""
    ids = e.followup["id"].tolist()
    return wrap(
        heading(_t("section_followup", e.lang), 2, "followup"),
        _banner(e),
        *_question_blocks(e, ids),
    )


def activities(e: EvaluationContext) -> Block:
    """Activities on time, late (with the recorded cause) and pending."""
    lang = e.lang
    head = heading(_t("section_activities", lang), 2, "activities")
    acts = followup_activities(e.evidence)
    if acts.empty:
        return head + paragraph(_t("no_activities", lang))
    counts = acts["on_time"].value_counts()
    on_time_word = {
        "yes": _t("on_time.yes", lang),
        "no": _t("on_time.no", lang),
        "": _t("on_time.pending", lang),
    }
    df = acts.assign(on_time=[on_time_word[v] for v in acts["on_time"]])[
        [
            "plan_item_id",
            "activity",
            "iso3",
            "year",
            "deadline",
            "completed",
            "on_time",
            "cause_of_delay",
        ]
    ]
    df.columns = [
        "",
        _t("col_activity", lang),
        i18n.t("label.country", lang),
        i18n.t("label.year", lang),
        _t("col_deadline", lang),
        _t("col_completed", lang),
        _t("col_on_time", lang),
        _t("col_cause", lang),
    ]
    late = df[acts["on_time"] == "no"]
    return wrap(
        head,
        _banner(e),
        paragraph(
            _t(
                "activities_summary",
                lang,
                on_time=i18n.number(int(counts.get("yes", 0)), lang),
                late=i18n.number(int(counts.get("no", 0)), lang),
                pending=i18n.number(int(counts.get("", 0)), lang),
            )
        ),
        _table(late, "activity dates", _t("on_time.no", lang)),
        # the full list for a member; the region's would run to hundreds of rows
        None
        if e.ctx.regional
        else html_block(
            f"<details><summary>{esc(_t('section_activities', lang))}</summary>"
            f"{_table(df, 'activity dates').html}</details>"
        ),
    )


def matrix(e: EvaluationContext) -> Block:
    """Chart 3: per strategic axis and objective, the evidence expected and whether it is available."""
    lang = e.lang
    m = monitoring_matrix(e.evidence, e.matrix)
    yes_no = {
        "yes": _verdict("yes", lang),
        "no": _verdict("no", lang),
        "": i18n.t("label.no_data", lang),
    }
    df = m.assign(available=[yes_no[v] for v in m["available"]])[
        [
            "axis_published",
            "objective_id",
            "objective_text_en",
            "evidence_en",
            "available",
            "member_years_available",
        ]
    ]
    df.columns = [
        _t("col_axis", lang),
        "",
        _t("col_objective", lang),
        _t("col_evidence_expected", lang),
        _t("col_available", lang),
        _t("col_member_years", lang),
    ]
    return wrap(
        heading(_t("section_matrix", lang), 2, "matrix"), _banner(e), _table(df, "evidence matrix")
    )


def targets(e: EvaluationContext) -> Block:
    """Return the targets and actuals of the resource-mobilization plan's indicators.

    Cumulative over the period, with the status of :func:`corett_lib.analysis.status.plan_progress`.
    """
    lang = e.lang
    ind = e.evidence.indicators()
    df = ind[["id", "unit", "target_value", "actual", "values_by_year", "status"]].copy()
    df["actual"] = [i18n.number(v, lang) for v in df["actual"]]
    df["status"] = [i18n.label("status", s, lang) for s in df["status"]]
    df.columns = [
        "",
        i18n.t("label.unit", lang),
        i18n.t("label.target", lang),
        _t("col_actual", lang),
        _t("col_values", lang),
        i18n.t("label.status", lang),
    ]
    return wrap(
        heading(_t("section_targets", lang), 2, "targets"),
        _banner(e),
        _table(df, "plan targets and monitoring actuals"),
    )


def method(e: EvaluationContext) -> Block:
    """How verdicts and grades are reached, and the rules by question."""
    lang = e.lang
    rules = sorted({r for r in e.answers["rule"]})
    items = [
        f"{r}: {', '.join(e.answers.loc[e.answers['rule'] == r, 'question_id'])}" for r in rules
    ]
    return wrap(
        heading(_t("section_method", lang), 2, "method"),
        paragraph(_t("method", lang)),
        paragraph(_t("question_note", lang), css="corett-note"),
        bullet_list(items),
    )


__all__ = [
    "EvaluationContext",
    "activities",
    "dac_frame",
    "effect_series",
    "effects",
    "followup",
    "matrix",
    "method",
    "open_evaluation",
    "questions",
    "summary",
    "targets",
    "title",
]
