"""Sections of the evaluation report (``notebooks/evaluation.ipynb``), one function per section.

:func:`open_evaluation` loads the report's context (:func:`corett_lib.reporting.context.open_context`),
the evaluation framework (Chart 5, Chart 4, Chart 3 of the Resource Mobilization Strategy), the
monitoring data (:func:`corett_lib.dataset.monitoring.load_monitoring`) and the published series the
effects question reads, and answers every question once, each in the form it asks for
(:mod:`corett_lib.analysis.evaluation`). Each section function takes that :class:`EvaluationContext`
and returns a :class:`~corett_lib.reporting.context.Block`.

Illustrative data is marked where people copy from: every table row, list item and answer that rests
on it says ILLUSTRATIVE in its own text (a ``Data`` column, or a prefix), so the mark survives print,
copy and paste; nothing the evaluator needs sits in a collapsed element. The page also carries the
illustrative banner while any monitoring figure in scope is illustrative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from corett_lib.analysis.evaluation import (
    CHAIN_STATUSES,
    EFFECT_SERIES,
    FORMS,
    GRADES,
    PLAN_START,
    VERDICTS,
    Answer,
    AnswerSet,
    Evidence,
    answer_questions,
    answer_set,
    followup_activities,
    grade_text,
    monitoring_matrix,
    rule_text,
    verdict_text,
)
from corett_lib.analysis.status import STATUSES, status_text
from corett_lib.core import config, i18n, paths
from corett_lib.core.problems import DataError, errors
from corett_lib.facts.view import indicator_table
from corett_lib.publishing.downloads import PRODUCT_MIME, product_bundle
from corett_lib.publishing.fact_disclosure import fact_key
from corett_lib.publishing.publish import excel_bytes, publish_table
from corett_lib.raw import evaluation_framework as fw
from corett_lib.raw.evaluation_framework import dac_coverage
from corett_lib.reporting import charts, fact_notes
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
    publish_chart,
    table_block,
    with_downloads,
    wrap,
)
from corett_lib.reporting.context import monitoring as monitoring_table

REPORT = "evaluation"


@dataclass
class EvaluationContext:
    """One evaluation report: the report context, the framework, the evidence and the answers."""

    ctx: Context
    evidence: Evidence
    questions: pd.DataFrame  #: evaluation questions (Chart 5 and internal evaluation)
    followup: pd.DataFrame  #: follow-up questions (Chart 4)
    matrix: pd.DataFrame  #: monitoring matrix (Chart 3)
    result: AnswerSet  #: every answer, with its chain and items
    series: pd.DataFrame  #: published facts of the effects series (:func:`effect_facts`)
    illustrative: bool  #: True when any monitoring row in scope is illustrative

    @property
    def lang(self) -> str:
        """The report's language."""
        return self.ctx.lang

    @property
    def answers(self) -> pd.DataFrame:
        """One row per answered question (:data:`corett_lib.analysis.evaluation.ANSWER_COLUMNS`)."""
        return self.result.table

    @property
    def chain(self) -> pd.DataFrame:
        """Every answer's evidence chain."""
        return self.result.chain


def _t(key: str, lang: str, **kwargs: Any) -> str:
    return i18n.t(f"evaluation.{key}", lang, **kwargs)


def effect_series(ctx: Context) -> pd.DataFrame:
    """Return the published totals the effects question reads.

    Return the published totals the effects question reads (detected victims, prosecutions,
    convictions, repatriations) for the report's country, every year up to the report's year.
    """
    return effect_facts(ctx)[["indicator_id", "year", "value", "source"]].reset_index(drop=True)


def effect_facts(ctx: Context) -> pd.DataFrame:
    """Return the published facts of the effects series, as the annual report shows them.

    The indicator table's columns, every year up to the report's year with a figure: a number or,
    for a regional sum that includes censored counts, a range (``value`` empty,
    ``value_low``-``value_high``).
    """
    years = sorted({int(y) for y in ctx.ds.observations["year"].dropna() if int(y) <= ctx.year})
    t = indicator_table(
        ctx.facts,
        countries=[ctx.country],
        years=years,
        indicators=list(EFFECT_SERIES),
        disaggregations=("total",),
        lang=ctx.lang,
    )
    return t[t["value"].notna() | t["value_low"].notna()].reset_index(drop=True)


@dataclass
class _Answered:
    """The language-independent part of an evaluation, kept for the report's other language."""

    ds: Any  #: the dataset and
    facts: Any  #: the published facts it was computed from (compared by identity)
    key: tuple[Any, ...]  #: country, year, threshold, questions answered
    evidence: Evidence
    answers: list[Answer]


#: The last evaluation answered in this process: the English and Spanish pages of one country and
#: year (which ``corett build`` runs one after the other in the same kernel) answer the questions once.
_ANSWERED: list[_Answered] = []


def _answer_once(
    ctx: Context, monitoring: pd.DataFrame, series: pd.DataFrame, questions: pd.DataFrame
) -> tuple[Evidence, list[Answer]]:
    """Return the evidence and the answers of ``ctx``'s scope and year, computed once per data.

    The answers hold their rationale in both languages; only their layout depends on the language.
    A hit needs the very same dataset and facts objects (the kernel's snapshot), the same country,
    year, threshold and questions, and the same effects series.
    """
    values = series[["indicator_id", "year", "value", "source"]].reset_index(drop=True)
    key = (ctx.country, ctx.year, ctx.k, tuple(questions["id"]), tuple(questions["answer_type"]))
    facts = ctx.facts
    for hit in _ANSWERED:
        if (
            hit.ds is ctx.ds
            and hit.facts is facts
            and hit.key == key
            and hit.evidence.series.equals(values)
        ):
            return hit.evidence, hit.answers
    ev = Evidence(
        ctx.ds.plan_items,
        monitoring,
        country=ctx.country,
        year=ctx.year,
        members=config.members(),
        series=values,
        k=ctx.k,
    )
    answers = answer_questions(ev, questions)
    _ANSWERED[:] = [_Answered(ctx.ds, facts, key, ev, answers)]
    return ev, answers


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
    ctx = open_context(country=country, year=year, lang=lang, data=data, snapshot=snapshot)
    ds = ctx.ds
    folder = ds.data_dir
    problems = []
    # The build's dataset already holds the framework tables, read and validated once; a folder
    # without them (older layout) is read here so its file_missing problem is raised by name.
    readers = {
        "evaluation_questions": fw.read_evaluation_questions,
        "followup_questions": fw.read_followup_questions,
        "monitoring_matrix": fw.read_monitoring_matrix,
    }
    tables = {}
    for name, read in readers.items():
        held = getattr(ds, name, None)
        if held is None:
            held, found = read(paths.raw_path(name, folder), paths.RAW_FILES[name])
            problems += found
        tables[name] = held
    if errors(problems):
        raise DataError(errors(problems))
    q, f, mm = (tables[n] for n in readers)
    monitoring = monitoring_table(ds)
    series = effect_facts(ctx)  # read once: the rules and the effects section share it
    asked = pd.concat([q, f], ignore_index=True)
    ev, answers = _answer_once(ctx, monitoring, series, asked)
    result = answer_set(answers, asked, lang)
    return EvaluationContext(
        ctx=ctx,
        evidence=ev,
        questions=q,
        followup=f,
        matrix=mm,
        result=result,
        series=series,
        illustrative=bool((ev.rows["illustrative"] != "").any()),
    )


# --------------------------------------------------------------------------- wording


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


def _grade(g: str, lang: str) -> str:
    return _t(f"grade.{g}", lang)


def _form(answer_type: str, lang: str) -> str:
    return _t(f"form.{answer_type}", lang)


def _criterion(c: Any, lang: str) -> str:
    return i18n.t(f"criterion.{c}", lang) if isinstance(c, str) and c else ""


def _dac(c: Any, lang: str) -> str:
    return _t(f"dac.{c}", lang) if isinstance(c, str) and c else ""


def _data(kinds: str | Sequence[str], lang: str) -> str:
    """Return the ``Data`` cell: the kinds of data a row rests on; ILLUSTRATIVE first when any.

    The ``Data`` cell: the kinds of data a row rests on; ILLUSTRATIVE first when any.
    """
    found = [k for k in (kinds.split(";") if isinstance(kinds, str) else kinds) if k]
    if not found:
        return _t("data.none", lang)
    order = sorted(found, key=lambda k: (k != "illustrative", k))
    return " + ".join(_t(f"data.{k}", lang) for k in order)


def _status(value: Any, lang: str) -> str:
    if value in CHAIN_STATUSES:
        return _t(f"chain_status.{str(value).replace(' ', '_')}", lang)
    if value in STATUSES:
        return status_text(str(value), lang)
    return str(value)


def _marked(text: str, illustrative: bool, lang: str) -> str:
    """``text`` with the ILLUSTRATIVE mark in front when it rests on illustrative data."""
    return f"[{_t('illustrative_mark', lang)}] {text}" if illustrative else text


def _table(df: pd.DataFrame, why: str, caption: str = "") -> Block:
    """Return ``df`` as an HTML table marked ``data-corett-exempt=why`` for the disclosure scanner.

    Return ``df`` as an HTML table marked ``data-corett-exempt=why`` for the disclosure scanner:
    the evaluation's own tables hold verdicts, dates and counts of activities and outputs (campaigns,
    newsletters, people trained), not counts of victims; counts of victims go through
    :func:`corett_lib.reporting.context.publish` (see :func:`effects`), and where the evidence chain
    quotes a published series, counts below the threshold are shown as ``<k``.
    """
    block = table_block(df, caption)
    marked = block.html.replace("<table", f'<table data-corett-exempt="{esc(why)}"', 1)
    return Block(marked, block.text)


def _text_on(background: str) -> str:
    """Return black or white, whichever contrasts more with ``background`` (WCAG 2 luminance).

    Examples
    --------
    >>> _text_on("#009E73"), _text_on("#0072B2")
    ('#000000', '#FFFFFF')
    """

    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (int(background.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"


def _badge(verdict: str, lang: str) -> str:
    colour = charts.VERDICT_COLOURS[verdict]
    text_colour = _text_on(colour)  # readable (axe colour-contrast) on every verdict colour
    return (
        f'<span class="corett-verdict corett-verdict-{esc(verdict)}" style="background:{colour};'
        f'color:{text_colour};padding:0 0.4em;border-radius:3px;font-weight:bold">'
        f"{esc(verdict_text(verdict, lang))}</span>"
    )


# --------------------------------------------------------------------------- sections


def title(e: EvaluationContext) -> Block:
    """Title, the illustrative banner (when any monitoring figure is illustrative) and the scope."""
    lang = e.lang
    return wrap(
        heading(i18n.t("report.evaluation.title", lang, country=_scope(e), year=e.ctx.year), 1),
        _banner(e),
        paragraph(_t("intro", lang, scope=_scope(e), start=PLAN_START, year=e.ctx.year)),
    )


def verdict_overview(e: EvaluationContext) -> Block:
    """Return the verdict overview chart: questions × verdict, coloured, with its text alternative.

    The verdict overview chart: questions × verdict, coloured, with its text alternative.
    """
    lang = e.lang
    a = e.answers
    present = [v for v in VERDICTS if v in set(a["verdict"])]
    df = pd.DataFrame(
        {
            "question_id": a["question_id"],
            "verdict": a["verdict"],
            "marker": [_t("illustrative_mark", lang) if i else "" for i in a["illustrative"]],
        }
    )
    title_ = _t("chart_title", lang)
    data = publish_chart(e.ctx, df, chart_id="evaluation_verdicts", title=title_, count_columns=[])
    chart, alt_text = charts.verdict_chart(df, lang=lang, title=title_, verdicts=present)
    return wrap(
        html_block(charts.to_html_fragment(chart, alt_text), alt_text),
        html_block(data.html_data()),
        paragraph(_t("chart_note", lang), css="corett-note") if e.illustrative else None,
    )


def summary(e: EvaluationContext) -> Block:
    """Return every answered question at a glance: the overview chart, then a table.

    Every answered question: the overview chart, then a table with, on every row, the kind of
    data the answer rests on (ILLUSTRATIVE where it is), the form, the answer and the grade.
    """
    lang = e.lang
    a = e.answers
    n_missing = int((a["rule"] == "R-NOT-COLLECTED").sum())
    n_answered = int((a["verdict"] != "not_enough_evidence").sum())
    df = pd.DataFrame(
        {
            _t("col_data", lang): [_data(d, lang) for d in a["data"]],
            i18n.t("a11y.code", lang): a["question_id"],
            _t("col_question", lang): a["question"],
            _t("col_form", lang): [_form(f, lang) for f in a["answer_type"]],
            _t("col_answer", lang): [verdict_text(v, lang) for v in a["verdict"]],
            _t("col_grade", lang): [_grade(g, lang) for g in a["grade"]],
            _t("col_rule", lang): a["rule"],
        }
    )
    return wrap(
        heading(_t("section_summary", lang), 2, "summary"),
        _banner(e),
        paragraph(_t("answered_today", lang, n=n_answered, total=len(a), missing=n_missing)),
        verdict_overview(e),
        _table(df, "evaluation summary"),
    )


def dac_frame(e: EvaluationContext) -> Block:
    """Chart 5's criteria against the six OECD-DAC criteria (2019)."""
    lang = e.lang
    cov = dac_coverage(e.questions)
    df = cov.assign(oecd_dac_2019=[_dac(c, lang) for c in cov["oecd_dac_2019"]])
    df.columns = [_t("col_dac", lang), _t("col_n_questions", lang), i18n.t("a11y.codes", lang)]
    return wrap(
        heading(_t("section_dac", lang), 2, "dac"),
        paragraph(_t("dac_note", lang)),
        _table(df, "evaluation framework"),
    )


def _chain_frame(chain: pd.DataFrame, lang: str) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            _t("col_data", lang): [_data([d], lang) if d else "" for d in chain["data"]],
            i18n.t("a11y.code", lang): chain["item_id"],
            _t("col_item", lang): chain["item"],
            _t("col_scope", lang): chain["scope"],
            _t("col_years", lang): chain["years"],
            _t("col_values", lang): chain["values_by_year"],
            i18n.t("label.value", lang): [
                "" if v != v else i18n.number(v, lang) for v in chain["value"]
            ],
            i18n.t("label.status", lang): [_status(v, lang) for v in chain["status"]],
            i18n.t("label.source", lang): chain["source"],
            _t("col_validation", lang): [
                (_t("validation.passed", lang) if v else "")
                + (f"; {_t('validation.warnings', lang, n=n)}" if n else "")
                for v, n in zip(chain["validation"], chain["warnings"], strict=True)
            ],
        }
    )
    return df


def _question_blocks(e: EvaluationContext, ids: list[str]) -> list[Block]:
    lang = e.lang
    blocks: list[Block] = []
    table = e.answers.set_index("question_id")
    for qid in ids:
        if qid not in table.index:
            continue
        row = table.loc[qid]
        a = e.result.get(qid)
        crit = _criterion(row["criterion"], lang)
        head = f"{qid}. {row['question']}" + (f" ({crit})" if crit else "")
        blocks.append(heading(_marked(head, a.illustrative, lang), 3, qid))
        answer_line = _t("answer_line", lang, form=_form(a.answer_type, lang), verdict="{v}")
        before, after = answer_line.split("{v}")
        blocks.append(
            html_block(
                f"<p><strong>{esc(before)}</strong>{_badge(a.verdict, lang)}{esc(after)} "
                f"{esc(a.rationale(lang))}</p>\n",
                f"{before}{verdict_text(a.verdict, lang)}{after} {a.rationale(lang)}",
            )
        )
        if len(a.items):
            title_key = "findings_title" if a.answer_type == "explanation" else "items_title"
            lis = "".join(
                f"<li>{esc(_marked(text, d == 'illustrative', lang))}"
                + (f' <span class="corett-note">({esc(src)})</span>' if src else "")
                + "</li>"
                for text, d, src in zip(
                    a.items[f"text_{lang}"], a.items["data"], a.items["source"], strict=True
                )
            )
            blocks.append(
                html_block(
                    f"<p><strong>{esc(_t(title_key, lang))}</strong></p><ul>{lis}</ul>\n",
                    "\n".join(f"- {x}" for x in a.items[f"text_{lang}"]),
                )
            )
        if a.missing(lang):
            blocks.append(paragraph(_t("missing_line", lang, missing=a.missing(lang))))
        blocks.append(
            paragraph(
                _t("rule_line", lang, rule=a.rule, text=rule_text(a.rule, lang)), "corett-note"
            )
        )
        blocks.append(
            paragraph(_t("grade_line", lang, definition=grade_text(a.grade, lang)), "corett-note")
        )
        if a.chain.empty:
            blocks.append(paragraph(_t("no_chain", lang), css="corett-note"))
            continue
        blocks.append(
            _table(
                _chain_frame(a.chain, lang),
                "evidence chain",
                _t("evidence_title", lang, question=qid),
            )
        )
    return blocks


def questions(e: EvaluationContext) -> Block:
    """Return each evaluation question (Chart 5, then the internal evaluation) with its answer.

    Each evaluation question (Chart 5, then the internal evaluation): its answer in the form it
    asks for, the rationale, the items or findings, what is missing, the rule in words, the grade
    with its definition, and the evidence read (visible, one row per indicator, activity or series,
    each marked with the kind of data).
    """
    ids = e.questions["id"].tolist()
    return wrap(
        heading(_t("section_questions", e.lang), 2, "questions"),
        _banner(e),
        *_question_blocks(e, ids),
    )


def effects(e: EvaluationContext) -> Block:
    """Return the published series the effects question reads, with the detection caveat.

    The published series the effects question reads, with the detection caveat.
    """
    lang = e.lang
    s = e.series  # the same facts, ranges included, as the annual report shows
    head = heading(_t("section_effects", lang), 2, "effects")
    if s.empty:
        return head + paragraph(i18n.t("label.no_data", lang))
    s = s.assign(cell=[fact_notes.count_cell(r) for _, r in s.iterrows()])
    wide = s.pivot(index="year", columns="indicator_id", values="cell")
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
        facts={  # the country's totals by year: the annual report's facts
            (r, names[c]): fact_key(e.ctx.country, year, c, "total", "Total")
            for r, year in enumerate(wide.index)
            for c in wide.columns
        },
    )
    sources = "; ".join(sorted({fact_notes.source_label(x, lang) for x in s["source"]}))
    lines = fact_notes.coverage_lines(e.ctx, s[s["year"] == e.ctx.year]) if e.ctx.regional else []
    return wrap(
        head,
        paragraph(_t("effects_caveat", lang), css="corett-note"),
        html_block(pub.to_html()),
        paragraph(i18n.t("source.line", lang, source=sources), css="corett-note"),
        bullet_list(lines) if lines else None,
    )


def followup(e: EvaluationContext) -> Block:
    """Return the follow-up questions of Chart 4, answered as the evaluation questions are.

    The follow-up questions of Chart 4, answered as the evaluation questions are.
    """
    ids = e.followup["id"].tolist()
    return wrap(
        heading(_t("section_followup", e.lang), 2, "followup"),
        _banner(e),
        *_question_blocks(e, ids),
    )


def activities(e: EvaluationContext) -> Block:
    """Return the activities on time, late (with the recorded cause) and pending.

    Activities on time, late (with the recorded cause) and pending, every row marked with its
    kind of data; the late ones first, then (for a member) every activity, all visible.
    """
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
    df = pd.DataFrame(
        {
            _t("col_data", lang): [
                _data(["illustrative" if i else "reported"], lang) for i in acts["illustrative"]
            ],
            i18n.t("a11y.code", lang): acts["plan_item_id"],
            _t("col_activity", lang): acts["activity"],
            i18n.t("label.country", lang): acts["iso3"],
            i18n.t("label.year", lang): acts["year"],
            _t("col_deadline", lang): acts["deadline"],
            _t("col_completed", lang): acts["completed"],
            _t("col_on_time", lang): [on_time_word[v] for v in acts["on_time"]],
            _t("col_cause", lang): acts["cause_of_delay"],
        }
    )
    late = df[(acts["on_time"] == "no").to_numpy()]
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
        # every activity for a member; the region's would run to hundreds of rows (the late ones,
        # above, and the evidence tables of FQ3 cover it)
        None if e.ctx.regional else _table(df, "activity dates", _t("section_activities", lang)),
    )


def matrix(e: EvaluationContext) -> Block:
    """Chart 3: per strategic axis and objective, the evidence expected and whether it is available."""
    lang = e.lang
    m = monitoring_matrix(e.evidence, e.matrix)
    yes_no = {
        "yes": verdict_text("yes", lang),
        "no": verdict_text("no", lang),
        "": i18n.t("label.no_data", lang),
    }
    df = pd.DataFrame(
        {
            _t("col_data", lang): [
                _data(["illustrative"] if i else [], lang) if a else ""
                for i, a in zip(m["illustrative"], m["available"], strict=True)
            ],
            _t("col_axis", lang): m["axis_published"],
            i18n.t("a11y.code", lang): m["objective_id"],
            _t("col_objective", lang): m["objective_text_en"],
            _t("col_evidence_expected", lang): m["evidence_en"],
            _t("col_available", lang): [yes_no[v] for v in m["available"]],
            _t("col_member_years", lang): m["member_years_available"],
        }
    )
    return wrap(
        heading(_t("section_matrix", lang), 2, "matrix"), _banner(e), _table(df, "evidence matrix")
    )


def targets(e: EvaluationContext) -> Block:
    """Return the targets and actuals of the resource-mobilization plan's indicators.

    Targets and actuals of the resource-mobilization plan's indicators (cumulative over the
    period), with the annual report's status (:func:`corett_lib.analysis.status.status_text`).
    """
    lang = e.lang
    ind = e.evidence.indicators()
    df = pd.DataFrame(
        {
            _t("col_data", lang): [
                _data(["illustrative" if i else "reported"], lang) if n else _data([], lang)
                for i, n in zip(ind["illustrative"], ind["n_cells"], strict=True)
            ],
            i18n.t("a11y.code", lang): ind["id"],
            i18n.t("label.unit", lang): ind["unit"],
            i18n.t("label.target", lang): ind["target_value"],
            _t("col_actual", lang): [i18n.number(v, lang) for v in ind["actual"]],
            _t("col_values", lang): ind["values_by_year"],
            i18n.t("label.status", lang): [status_text(s, lang) for s in ind["status"]],
        }
    )
    return wrap(
        heading(_t("section_targets", lang), 2, "targets"),
        _banner(e),
        _table(df, "plan targets and monitoring actuals"),
    )


def method(e: EvaluationContext) -> Block:
    """Return how answers are reached: forms, rules in words, grades with their definitions.

    How answers are reached: the forms, every rule used in words with its thresholds and the
    questions it answers, and the grades with their definitions.
    """
    lang = e.lang
    a = e.answers
    rules = list(dict.fromkeys(a["rule"]))
    rule_items = "".join(
        f"<li><strong>{esc(r)}</strong> ({esc(', '.join(a.loc[a['rule'] == r, 'question_id']))}): "
        f"{esc(rule_text(r, lang))}</li>"
        for r in rules
    )
    forms = "".join(
        f"<li><strong>{esc(_form(f, lang))}</strong>: "
        f"{esc(', '.join(verdict_text(v, lang) for v in verdicts))}</li>"
        for f, verdicts in FORMS.items()
    )
    grades = "".join(f"<li>{esc(grade_text(g, lang))}</li>" for g in GRADES)
    block = wrap(
        heading(_t("section_method", lang), 2, "method"),
        paragraph(_t("method", lang)),
        html_block(f"<ul>{forms}</ul>\n"),
        paragraph(_t("method_rules", lang)),
        html_block(f"<ul>{rule_items}</ul>\n"),
        paragraph(_t("method_grades", lang)),
        html_block(f"<ul>{grades}</ul>\n"),
        paragraph(_t("question_note", lang), css="corett-note"),
    )
    return with_downloads(block, e.ctx)  # the page's .csv.zip (its .xlsx is the working file)


# --------------------------------------------------------------------------- the working file


def working_file_name(lang: str) -> str:
    """``evaluation.<lang>.xlsx``: the working file's name, next to the page."""
    return f"{REPORT}.{lang}.xlsx"


def working_file_tables(e: EvaluationContext) -> list[tuple[str, pd.DataFrame]]:
    """Return the working file's sheets as frames (sheet name, table), in the report's language.

    ``Answers``: one row per question with its criterion, OECD-DAC criterion, form, indicators and
    other items read, the evidence (values by year), sources, answer, rationale, grade, gaps (what is
    missing) and the kind of data (ILLUSTRATIVE where it is). ``Evidence``: every evidence row.
    ``About``: what the file is.
    """
    lang = e.lang
    rows = []
    for a, (_, q) in zip(e.result.answers, e.answers.iterrows(), strict=True):
        chain = a.chain
        rows.append(
            {
                _t("col_data", lang): _data(q["data"], lang),
                "Id": q["question_id"],
                _t("col_question", lang): q["question"],
                _t("col_criterion", lang): _criterion(q["criterion"], lang),
                _t("col_dac", lang): _dac(q["oecd_dac_2019"], lang),
                _t("col_form", lang): _form(a.answer_type, lang),
                _t("col_indicators", lang): ", ".join(chain["item_id"].astype(str)),
                _t("col_evidence", lang): " | ".join(
                    f"{i}: {v}"
                    for i, v in zip(chain["item_id"], chain["values_by_year"], strict=True)
                ),
                _t("col_sources", lang): "; ".join(
                    sorted({s for src in chain["source"] for s in str(src).split("; ") if s})
                ),
                _t("col_answer", lang): verdict_text(a.verdict, lang),
                _t("col_rationale", lang): a.rationale(lang),
                _t("col_grade", lang): _grade(a.grade, lang),
                _t("col_gaps", lang): a.missing(lang),
                _t("col_rule", lang): f"{a.rule}: {rule_text(a.rule, lang)}",
            }
        )
    answers = pd.DataFrame.from_records(rows)
    evidence = _chain_frame(e.chain, lang)
    evidence.insert(1, _t("col_question", lang), e.chain["question_id"])
    about = pd.DataFrame(
        {
            _t("working_file_sheet_about", lang): [
                _t(
                    "working_file_about",
                    lang,
                    scope=_scope(e),
                    start=PLAN_START,
                    year=e.ctx.year,
                ),
                _t("illustrative_note", lang) if e.illustrative else "",
            ]
        }
    )
    return [
        (_t("working_file_sheet_answers", lang), answers),
        (_t("working_file_sheet_evidence", lang), evidence),
        (_t("working_file_sheet_about", lang), about),
    ]


def working_file_bytes(e: EvaluationContext) -> bytes:
    """Return the working file (``.xlsx``).

    Return the working file (``.xlsx``); every sheet goes through the publishing function
    (:func:`corett_lib.publishing.publish.publish_table`; it holds no counts of people).
    """
    sheets = [
        (
            name,
            publish_table(
                df, table_id=f"evaluation_{i}", title=name, count_columns=[], k=e.ctx.k, lang=e.lang
            ),
        )
        for i, (name, df) in enumerate(working_file_tables(e))
    ]
    return excel_bytes(sheets)


class _Product(Block):
    """A block that also hands the build a file to write next to the page."""

    def __init__(self, html: str, text: str, bundle: dict[str, Any]) -> None:
        super().__init__(html, text)
        self.bundle = bundle

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.html, PRODUCT_MIME: self.bundle}


def working_file(e: EvaluationContext) -> Block:
    """Return the evaluator's working file ``evaluation.<lang>.xlsx`` as a page block.

    The evaluator's working file ``evaluation.<lang>.xlsx``: a link on the page, and the file,
    which ``corett build`` writes next to the page (atomically, recorded in the manifest).
    """
    lang = e.lang
    name = working_file_name(lang)
    text = _t("working_file", lang, file=name)
    link = f'<a href="{esc(name)}">{esc(name)}</a>'
    html = (
        heading(_t("section_working_file", lang), 2, "working-file").html
        + f"<p>{esc(text).replace(esc(name), link, 1)}</p>\n"
    )
    return _Product(html, text, product_bundle(name, working_file_bytes(e)))


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
    "verdict_overview",
    "working_file",
    "working_file_bytes",
    "working_file_name",
    "working_file_tables",
]
