"""The evaluation framework of the Resource Mobilization Strategy as data.

Three transcriptions of the *CORETT Regional Strategy on Resources Mobilization* (seed ``001``):

``raw/evaluation_questions.csv``
    6.4 Evaluation. ``EQ1``-``EQ8`` are Chart 5 (*Guiding evaluation questions*), each with the
    criterion as published (``criterion_published``, verbatim, blank where the chart's cell is
    merged with the row above), the criterion read (``effects``, ``effectiveness``, ``efficiency``,
    ``relevance``, ``sustainability``) and its OECD-DAC 2019 criterion (``effects`` -> ``impact``;
    the others keep their name; no Chart 5 question concerns *coherence*). ``EQ9``-``EQ20`` are the
    guiding questions of the internal evaluation (``question_set`` ``internal_compare`` and
    ``internal_conclusions``), to which the document assigns no criterion. ``answer_type`` (one of
    :data:`ANSWER_TYPES`) is the form of answer each question asks for.
``raw/followup_questions.csv``
    6.3 Follow-up, Chart 4 (*Follow-up guiding questions*), ``FQ1``-``FQ7`` (``FQ7`` is the chart's
    "Other similar" placeholder row, whose ``answer_type`` is empty).
``raw/monitoring_matrix.csv``
    6.2 Monitoring, Chart 3 (*Collection of supplies for monitoring*), ``MM1``-``MM8``: per strategic
    axis and objective, the evidence expected and whether it is available. The Yes/No columns are
    blank in the published chart, so ``available`` is empty (allowed values: ``yes``, ``no``, empty).

Links to :mod:`corett_lib.raw.plans` are plan item ids: ``plan_item_ids`` (``;``-separated) in
the question files, ``axis_id`` and ``objective_id`` in the monitoring matrix. The readers check each
file alone (ids, allowed values, id syntax); :func:`check_plan_links` checks the links against the
plan items, since a reader sees one file only. Each reader returns ``(table, problems)`` with the
CSV line of each row in ``source_row``; rows with an error are left out; tables are sorted by the
number in their id (``seq``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from corett_lib.core.problems import Problem
from corett_lib.core.tables import finish
from corett_lib.raw.csvio import CsvRow, error, read_csv_rows, stripped_records
from corett_lib.raw.plans import ITEM_ID, PLANS

if TYPE_CHECKING:
    import pandas as pd

#: The criteria of Chart 5, as read (lower case).
CRITERIA: tuple[str, ...] = (
    "effects",
    "effectiveness",
    "efficiency",
    "relevance",
    "sustainability",
)

#: The OECD-DAC evaluation criteria as revised in 2019.
OECD_DAC_2019: tuple[str, ...] = (
    "relevance",
    "coherence",
    "effectiveness",
    "efficiency",
    "impact",
    "sustainability",
)

#: Chart 5 criterion -> OECD-DAC 2019 criterion.
CRITERION_TO_DAC: dict[str, str] = {
    "effects": "impact",
    "effectiveness": "effectiveness",
    "efficiency": "efficiency",
    "relevance": "relevance",
    "sustainability": "sustainability",
}

QUESTION_SETS: tuple[str, ...] = ("chart5", "internal_compare", "internal_conclusions")

#: The form of answer a question asks for: a judgement (yes / partly / no), an extent, a list of
#: items ("what was not achieved?") or an explanation ("why?", "how?": findings with their evidence).
ANSWER_TYPES: tuple[str, ...] = ("judgement", "extent", "list", "explanation")
AVAILABILITY: tuple[str, ...] = ("yes", "no", "")

EVALUATION_COLUMNS: tuple[str, ...] = (
    "id",
    "question_set",
    "answer_type",
    "criterion_published",
    "criterion",
    "oecd_dac_2019",
    "text_en",
    "text_es",
    "plan",
    "plan_item_ids",
    "source_ref",
    "notes",
)
FOLLOWUP_COLUMNS: tuple[str, ...] = (
    "id",
    "doc_number",
    "answer_type",
    "text_en",
    "text_es",
    "plan",
    "plan_item_ids",
    "source_ref",
    "notes",
)
MONITORING_COLUMNS: tuple[str, ...] = (
    "id",
    "axis_published",
    "axis_id",
    "objective_text_en",
    "objective_id",
    "evidence_en",
    "available",
    "source_ref",
    "notes",
)

RowCheck = Callable[[dict[str, str]], list[tuple[str, str, str, str]]]
"""A check of one row: returns ``(check, column, message, why)`` for each problem found."""


def _links(text: str) -> list[str]:
    return [t.strip() for t in text.split(";") if t.strip()]


def _read(
    path: Path,
    rel: str,
    *,
    table: str,
    columns: Sequence[str],
    prefix: str,
    row_check: RowCheck,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one framework file: id syntax and uniqueness, then ``row_check`` on every row."""
    import pandas as pd

    _header, rows = read_csv_rows(path, rel, columns, table=table)
    id_re = re.compile(rf"^{prefix}([1-9][0-9]*)$")
    problems: list[Problem] = []
    bad: set[int] = set()

    def add(row: CsvRow, check: str, column: str, message: str, why: str) -> None:
        sample = (row.fields.get(column, ""),)
        problems.append(error(rel, check, message, (row.line,), column, why, sample, table=table))
        bad.add(row.line)

    lines: dict[str, list[int]] = {}
    for row in rows:
        item_id = row.fields["id"].strip()
        if not id_re.match(item_id):
            add(
                row,
                "id_format",
                "id",
                f"id {item_id!r} is not {prefix} followed by a number (e.g. {prefix}1)",
                "questions and matrix rows are cited by stable ids",
            )
        else:
            lines.setdefault(item_id, []).append(row.line)
        for check, column, message, why in row_check(row.fields):
            add(row, check, column, message, why)
    for item_id, found in lines.items():
        if len(found) > 1:
            problems.append(
                error(
                    rel,
                    "id_unique",
                    f"id {item_id!r} is used by {len(found)} rows",
                    found,
                    "id",
                    "an id names one question or matrix row",
                    (item_id,),
                    table=table,
                )
            )
            bad.update(found)

    records = stripped_records(rows, columns, skip=bad)
    for rec in records:
        rec["seq"] = int(rec["id"][len(prefix) :])
    df = pd.DataFrame.from_records(records, columns=[*columns, "seq", "source_row"])
    df = df.astype({"seq": int, "source_row": int})
    return finish(df, ["seq"], name=table), problems


def _in_set(
    fields: dict[str, str], column: str, allowed: Iterable[str], check: str, why: str
) -> list[tuple[str, str, str, str]]:
    allowed = tuple(allowed)
    value = fields[column].strip()
    if value in allowed:
        return []
    shown = ", ".join(a or "(empty)" for a in allowed)
    return [(check, column, f"{column} {value!r} is not one of {shown}", why)]


def _plan_and_links(
    fields: dict[str, str], link_columns: Sequence[str]
) -> list[tuple[str, str, str, str]]:
    out: list[tuple[str, str, str, str]] = []
    if "plan" in fields:
        out += _in_set(fields, "plan", PLANS, "plan_known", "each row belongs to one strategy")
    for column in link_columns:
        bad = [t for t in _links(fields[column]) if not ITEM_ID.match(t)]
        if bad:
            out.append(
                (
                    "plan_link_format",
                    column,
                    f"{column} holds {bad[0]!r}, which is not a plan item id (e.g. RM.A4.O6)",
                    "links to the plan are plan item ids separated by ';'",
                )
            )
    if not fields.get("text_en", "x").strip():
        out.append(
            ("text_present", "text_en", "the row has no text", "a question is shown by its text")
        )
    return out


def _check_question(fields: dict[str, str]) -> list[tuple[str, str, str, str]]:
    out = _in_set(
        fields, "question_set", QUESTION_SETS, "question_set_known", "questions are grouped by set"
    )
    out += _in_set(
        fields,
        "criterion",
        (*CRITERIA, ""),
        "criterion_known",
        "evaluation questions are grouped by the strategy's criteria",
    )
    out += _in_set(
        fields,
        "oecd_dac_2019",
        (*OECD_DAC_2019, ""),
        "dac_criterion_known",
        "the OECD-DAC 2019 criteria are the common frame of the evaluation",
    )
    criterion, dac = fields["criterion"].strip(), fields["oecd_dac_2019"].strip()
    if criterion in CRITERION_TO_DAC and dac != CRITERION_TO_DAC[criterion]:
        out.append(
            (
                "criterion_dac_mapping",
                "oecd_dac_2019",
                f"criterion {criterion!r} maps to OECD-DAC {CRITERION_TO_DAC[criterion]!r}, not {dac!r}",
                "one fixed mapping keeps the evaluation's criteria comparable",
            )
        )
    if fields["question_set"].strip() == "chart5" and not criterion:
        out.append(
            (
                "criterion_present",
                "criterion",
                "a Chart 5 question has no criterion",
                "every question of Chart 5 is published under a criterion",
            )
        )
    out += _check_answer_type(fields, required=True)
    return out + _plan_and_links(fields, ["plan_item_ids"])


def _check_answer_type(
    fields: dict[str, str], *, required: bool
) -> list[tuple[str, str, str, str]]:
    why = "each question is answered in the form it asks for (a list question never gets a yes/no)"
    if not fields["answer_type"].strip():
        if not required:
            return []
        return [("answer_type_present", "answer_type", "the question has no answer_type", why)]
    return _in_set(fields, "answer_type", ANSWER_TYPES, "answer_type_known", why)


def _check_followup(fields: dict[str, str]) -> list[tuple[str, str, str, str]]:
    # Chart 4's last row ("Other similar") is a placeholder, not a question: its type may be empty.
    return _check_answer_type(fields, required=False) + _plan_and_links(fields, ["plan_item_ids"])


def _check_monitoring(fields: dict[str, str]) -> list[tuple[str, str, str, str]]:
    out = _in_set(
        fields,
        "available",
        AVAILABILITY,
        "availability_known",
        "availability of evidence is yes, no, or not yet filled in (empty)",
    )
    for column in ("axis_id", "objective_id"):
        if not fields[column].strip():
            out.append(
                (
                    "plan_link_present",
                    column,
                    f"the row has no {column}",
                    "each row of Chart 3 concerns one axis and one objective of the plan",
                )
            )
    if not fields["evidence_en"].strip():
        out.append(
            (
                "evidence_present",
                "evidence_en",
                "the row names no evidence",
                "Chart 3 lists evidence",
            )
        )
    return out + _plan_and_links(fields, ["axis_id", "objective_id"])


def read_evaluation_questions(path: Path, rel: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``evaluation_questions.csv`` (Chart 5 and the internal-evaluation questions).

    Parameters
    ----------
    path
        The CSV file.
    rel
        Its name relative to the data folder, used in problems.

    Returns
    -------
    questions, problems
        Columns :data:`EVALUATION_COLUMNS` plus ``seq`` (the id's number) and ``source_row``.

    Raises
    ------
    DataError
        When the file is empty or lacks a column.

    Examples
    --------
    >>> from corett_lib.core.paths import raw_path
    >>> q, problems = read_evaluation_questions(raw_path("evaluation_questions"), "x.csv")
    >>> q.loc[q["criterion"] == "effects", "oecd_dac_2019"].unique().tolist(), problems
    (['impact'], [])
    """
    return _read(
        path,
        rel,
        table="evaluation_questions",
        columns=EVALUATION_COLUMNS,
        prefix="EQ",
        row_check=_check_question,
    )


def read_followup_questions(path: Path, rel: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``followup_questions.csv`` (Chart 4).

    Parameters
    ----------
    path
        The CSV file.
    rel
        Its name relative to the data folder, used in problems.

    Returns
    -------
    questions, problems
        Columns :data:`FOLLOWUP_COLUMNS` plus ``seq`` and ``source_row``.

    Raises
    ------
    DataError
        When the file is empty or lacks a column.
    """
    return _read(
        path,
        rel,
        table="followup_questions",
        columns=FOLLOWUP_COLUMNS,
        prefix="FQ",
        row_check=_check_followup,
    )


def read_monitoring_matrix(path: Path, rel: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``monitoring_matrix.csv`` (Chart 3, evidence expected per axis and objective).

    Parameters
    ----------
    path
        The CSV file.
    rel
        Its name relative to the data folder, used in problems.

    Returns
    -------
    matrix, problems
        Columns :data:`MONITORING_COLUMNS` plus ``seq`` and ``source_row``.

    Raises
    ------
    DataError
        When the file is empty or lacks a column.
    """
    return _read(
        path,
        rel,
        table="monitoring_matrix",
        columns=MONITORING_COLUMNS,
        prefix="MM",
        row_check=_check_monitoring,
    )


def check_plan_links(
    frame: pd.DataFrame, plan_items: pd.DataFrame, *, rel: str, table: str
) -> list[Problem]:
    """Check that every plan item id a framework table cites exists in the plan items.

    Parameters
    ----------
    frame
        A table from one of the readers of this module.
    plan_items
        The table from :func:`corett_lib.raw.plans.read_plan_items`.
    rel
        The framework file's name relative to the data folder.
    table
        Its logical table name.

    Returns
    -------
    list of Problem
        One error per cited id that is not a plan item (``plan_link_exists``) and, in the monitoring
        matrix, one per objective that is not under the row's axis (``objective_under_axis``).
    """
    known = dict(zip(plan_items["id"], plan_items["parent_id"], strict=True))
    problems: list[Problem] = []
    columns = [c for c in ("plan_item_ids", "axis_id", "objective_id") if c in frame.columns]
    for _, row in frame.iterrows():
        for column in columns:
            for item_id in _links(str(row[column])):
                if item_id not in known:
                    problems.append(
                        error(
                            rel,
                            "plan_link_exists",
                            f"{column} cites {item_id!r}, which is not a plan item",
                            (int(row["source_row"]),),
                            column,
                            "a question or matrix row linked to a missing item loses its place "
                            "in the plan",
                            (item_id,),
                            table=table,
                        )
                    )
        if {"axis_id", "objective_id"} <= set(columns):
            axis, objective = row["axis_id"], row["objective_id"]
            if objective in known and axis in known:
                chain, p = [], known[objective]
                while isinstance(p, str) and p and p not in chain:
                    chain.append(p)
                    p = known.get(p)
                if axis not in chain:
                    problems.append(
                        error(
                            rel,
                            "objective_under_axis",
                            f"objective {objective!r} is not under axis {axis!r} in the plan",
                            (int(row["source_row"]),),
                            "objective_id",
                            "Chart 3 pairs each objective with its axis",
                            (objective, axis),
                            table=table,
                        )
                    )
    return problems


def question_links(frame: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (question id, linked plan item id), in question order.

    Examples
    --------
    >>> from corett_lib.core.paths import raw_path
    >>> q, _ = read_evaluation_questions(raw_path("evaluation_questions"), "x.csv")
    >>> question_links(q).query("id == 'EQ5'")["plan_item_id"].tolist()
    ['RM.A4.O6', 'RM.A4.O8']
    """
    import pandas as pd

    rows = [
        {"id": qid, "plan_item_id": item}
        for qid, links in zip(frame["id"], frame["plan_item_ids"], strict=True)
        for item in _links(str(links))
    ]
    return pd.DataFrame.from_records(rows, columns=["id", "plan_item_id"])


def dac_coverage(questions: pd.DataFrame) -> pd.DataFrame:
    """Return, per OECD-DAC 2019 criterion, how many evaluation questions address it.

    Parameters
    ----------
    questions
        The table from :func:`read_evaluation_questions`.

    Returns
    -------
    pandas.DataFrame
        ``oecd_dac_2019, n_questions, question_ids`` (ids joined by ``", "``), one row per criterion
        in :data:`OECD_DAC_2019` order, including criteria no question addresses.

    Examples
    --------
    >>> from corett_lib.core.paths import raw_path
    >>> q, _ = read_evaluation_questions(raw_path("evaluation_questions"), "x.csv")
    >>> dac_coverage(q).set_index("oecd_dac_2019")["n_questions"].to_dict()
    {'relevance': 1, 'coherence': 0, 'effectiveness': 2, 'efficiency': 2, 'impact': 2, 'sustainability': 1}
    """
    import pandas as pd

    rows = []
    for criterion in OECD_DAC_2019:
        ids = questions.loc[questions["oecd_dac_2019"] == criterion, "id"].tolist()
        rows.append(
            {"oecd_dac_2019": criterion, "n_questions": len(ids), "question_ids": ", ".join(ids)}
        )
    return pd.DataFrame.from_records(rows)
