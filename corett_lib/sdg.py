"""SDG alignment: the reviewed mapping, progress status and alignment tables per country and year.

The Communication Strategy says CORETT contributes to SDGs 5, 8, 10 and 16; this module says what that
contribution rests on, from three kinds of evidence:

* **measures** — the workbench's indicators (:mod:`corett_lib.indicators`) and the plans' indicators
  (``raw/plan_items.csv``), linked to SDG targets and global indicators;
* **progress** — a progress status in the style of national SDG reporting platforms (Open SDG, after
  Statistics Canada's method): the compound annual growth rate (CAGR) of a series from its base year
  to its latest year, compared with the CAGR needed to reach a numeric target on time or, without a
  target, with fixed growth thresholds in the desired direction. An indicator whose desired direction
  is ambiguous (more detected victims can mean more trafficking or better identification) gets the
  status ``context``: its growth is shown, never judged;
* **norms** — the instruments of Chart 1 each member has ratified, linked to the targets they serve,
  with blank cells shown as gaps.

The mapping is data: ``sdg_mapping.yaml`` in the data folder (the shipped ``data/sdg_mapping.yaml``
when the folder has none). :func:`read_mapping` checks its structure, :func:`check_mapping` checks it
against the SDG reference, the plans, Chart 1 and the indicator registry; both return
:class:`~corett_lib.problems.Problem` s naming the file, the line of the entry, the key and why.
:func:`load_mapping` does both for a loaded dataset and raises on errors.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corett_lib import paths
from corett_lib.problems import DataError, Problem, errors
from corett_lib.schema import REGION_CODE
from corett_lib.tables import finish

if TYPE_CHECKING:
    from corett_lib.data import Dataset
    from corett_lib.indicators.registry import Registry

TABLE = "sdg_mapping"

#: File name of the mapping in the data folder.
MAPPING_FILE = "sdg_mapping.yaml"

FROM_KINDS: tuple[str, ...] = ("plan_item", "indicator", "instrument")
RELATIONS: tuple[str, ...] = ("direct", "contributes", "normative")

LINK_KEYS: tuple[str, ...] = (
    "from_kind",
    "from_id",
    "sdg_code",
    "relation",
    "rationale_en",
    "rationale_es",
    "reviewed_by",
    "reviewed_on",
)
_LINK_REQUIRED = LINK_KEYS[:6]
NOT_RELATED_KEYS: tuple[str, ...] = ("plan_item", "reason_en", "reason_es")
GLOBAL_KEYS: tuple[str, ...] = ("code", "workbench_indicator", "reason_en", "reason_es")
_TOP_KEYS = ("review", "targets", "links", "not_sdg_related", "global_indicators")

_CODE = re.compile(r"^\d{1,2}\.[0-9a-z]{1,2}(\.\d{1,2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: Base year of progress assessment: the 2030 Agenda's adoption (Open SDG's default).
PROGRESS_BASE_YEAR = 2015
#: With a target: ratio of observed to required CAGR for "on track" and "acceleration needed".
TARGET_RATIO_THRESHOLDS: tuple[float, float] = (0.95, 0.60)
#: Without a target: observed CAGR (in the desired direction) for "on track" and "acceleration needed".
TREND_CAGR_THRESHOLDS: tuple[float, float] = (0.015, 0.005)

#: Progress statuses, best first; ``context`` for ambiguous direction, ``insufficient_data`` when the
#: series has fewer than two usable years.
PROGRESS_STATUSES: tuple[str, ...] = (
    "target_achieved",
    "on_track",
    "acceleration_needed",
    "limited_progress",
    "deterioration",
    "context",
    "insufficient_data",
)

#: Workbench indicators assessed for progress (counts or ratios of counts).
PROGRESS_INDICATORS: tuple[str, ...] = (
    "victims_rate",
    "victims",
    "women_girls_share",
    "minors_share",
    "repatriated",
    "prosecuted",
    "convicted",
)

#: Statuses of an instrument for a country and year.
INSTRUMENT_STATUSES: tuple[str, ...] = ("ratified", "ratified_later", "gap")


# --------------------------------------------------------------------------- codes


def target_of(code: str) -> str:
    """Return the target of an SDG code (a target is its own target).

    Examples
    --------
    >>> target_of("16.2.2"), target_of("17.17")
    ('16.2', '17.17')
    """
    return ".".join(str(code).split(".")[:2])


def goal_of(code: str) -> str:
    """Return the goal of an SDG code.

    Examples
    --------
    >>> goal_of("16.2.2")
    '16'
    """
    return str(code).split(".")[0]


def _code_key(code: str) -> tuple[Any, ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in str(code).split("."))


def sort_codes(codes: Iterable[str]) -> list[str]:
    """Return SDG codes in numeric order.

    Examples
    --------
    >>> sort_codes(["16.2", "5.2", "10.7", "16.10"])
    ['5.2', '10.7', '16.2', '16.10']
    """
    return sorted(set(codes), key=_code_key)


def sdg_reference(sdg: pd.DataFrame) -> pd.DataFrame:
    """Return the SDG reference table (``level, code, title_en, title_es``) with one row per code."""
    ref = sdg.loc[:, ["level", "code", "title_en", "title_es"]].astype(str)
    ref = ref.drop_duplicates("code")
    ref["key"] = ref["code"].map(_code_key)
    return ref.sort_values("key", kind="mergesort").drop(columns="key").reset_index(drop=True)


def sdg_title(sdg: pd.DataFrame, code: str, lang: str) -> str:
    """Return the title of an SDG goal, target or indicator in ``lang`` (empty when unknown)."""
    col = "title_es" if lang == "es" else "title_en"
    hit = sdg.loc[sdg["code"].astype(str) == str(code), col]
    return str(hit.iloc[0]) if len(hit) else ""


# --------------------------------------------------------------------------- the mapping


@dataclass(frozen=True)
class Mapping:
    """The reviewed SDG mapping.

    Attributes
    ----------
    file
        The file, relative to the data folder where possible.
    targets
        Target codes the report covers, in numeric order.
    links
        ``from_kind, from_id, sdg_code, target, relation, rationale_en, rationale_es, reviewed_by,
        reviewed_on, line`` (``line``: 1-based line of the entry in the file).
    not_related
        ``plan_item, reason_en, reason_es, line``: plan indicators deliberately left unlinked.
    global_indicators
        ``code, target, workbench_indicator, reason_en, reason_es, line``.
    review
        The default ``reviewed_by`` and ``reviewed_on``.
    """

    file: str
    targets: tuple[str, ...]
    links: pd.DataFrame
    not_related: pd.DataFrame
    global_indicators: pd.DataFrame
    review: dict[str, str] = field(default_factory=dict)

    def links_of(self, target: str) -> pd.DataFrame:
        """Return the links whose code is ``target`` or one of its indicators."""
        return self.links[self.links["target"] == target]


def mapping_path(data: str | os.PathLike[str] | None = None) -> Path:
    """Return the mapping file: ``sdg_mapping.yaml`` of the data folder, else the shipped one."""
    own = paths.data_dir(data) / MAPPING_FILE
    return own if own.is_file() else paths.PROJECT_ROOT / "data" / MAPPING_FILE


def _problem(
    rel: str,
    check: str,
    message: str,
    line: int | None,
    column: str | None,
    why: str,
    sample: Iterable[object] = (),
    severity: str = "error",
) -> Problem:
    return Problem(
        severity,  # type: ignore[arg-type]
        check,
        rel,
        message,
        rows=(line,) if line else (),
        column=column,
        why=why,
        sample=tuple(sample),
        table=TABLE,
    )


def _item_lines(text: str, key: str) -> list[int]:
    """Return the 1-based line where each item of the top-level list ``key`` starts."""
    import yaml

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return []
    for k, v in root.value:
        if getattr(k, "value", None) == key and isinstance(v, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in v.value]
    return []


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read_mapping(
    path: str | os.PathLike[str], rel: str | None = None
) -> tuple[Mapping | None, list[Problem]]:
    """Read the mapping file and check its structure.

    Parameters
    ----------
    path
        The YAML file.
    rel
        Its name in problems (default: the file name).

    Returns
    -------
    mapping, problems
        The mapping (None when the file cannot be read as a mapping at all) and every structural
        problem: unknown or missing keys, empty rationales, an unknown ``from_kind`` or ``relation``,
        a ``normative`` relation from anything but an instrument (or an instrument with another
        relation), a malformed SDG code or date, a repeated link, a plan item both linked and listed
        as not SDG-related is left to :func:`check_mapping`.
    """
    import yaml

    p = Path(path)
    rel = rel or p.name
    why_file = "the SDG report is built from this reviewed mapping"
    try:
        text = p.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except FileNotFoundError:
        return None, [
            _problem(rel, "file_missing", "the mapping file is missing", None, None, why_file)
        ]
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        return None, [
            _problem(rel, "yaml_valid", f"not valid UTF-8 YAML: {exc}", None, None, why_file)
        ]
    if not isinstance(data, dict):
        return None, [
            _problem(rel, "yaml_mapping", "the file is not a YAML mapping", None, None, why_file)
        ]
    problems: list[Problem] = []
    for k in sorted(set(data) - set(_TOP_KEYS)):
        problems.append(
            _problem(
                rel,
                "known_keys",
                f"unknown top-level key {k!r}",
                None,
                k,
                "a misspelt key would be ignored",
            )
        )
    review = {k: _text(v) for k, v in (data.get("review") or {}).items()}
    for k in ("reviewed_by", "reviewed_on"):
        if not review.get(k):
            problems.append(
                _problem(
                    rel,
                    "review_stated",
                    f"review.{k} is missing",
                    None,
                    k,
                    "every link must say who reviewed it and when",
                )
            )
    if review.get("reviewed_on") and not _DATE.match(review["reviewed_on"]):
        problems.append(
            _problem(
                rel,
                "date_format",
                "review.reviewed_on is not YYYY-MM-DD",
                None,
                "reviewed_on",
                "dates are ISO",
                [review["reviewed_on"]],
            )
        )

    targets = [_text(t) for t in (data.get("targets") or [])]
    for t in targets:
        if not _CODE.match(t) or t.count(".") != 1:
            problems.append(
                _problem(
                    rel,
                    "target_code",
                    f"{t!r} is not an SDG target code",
                    None,
                    "targets",
                    "targets are written like 16.2",
                    [t],
                )
            )

    def records(
        key: str, keys: Sequence[str], required: Sequence[str]
    ) -> list[tuple[int, dict[str, str]]]:
        items = data.get(key) or []
        lines = _item_lines(text, key)
        out: list[tuple[int, dict[str, str]]] = []
        if not isinstance(items, list):
            problems.append(_problem(rel, "list", f"{key} must be a list", None, key, why_file))
            return out
        for i, item in enumerate(items):
            line = lines[i] if i < len(lines) else None
            if not isinstance(item, dict):
                problems.append(
                    _problem(
                        rel, "entry_mapping", f"{key} entry is not a mapping", line, key, why_file
                    )
                )
                continue
            for k in sorted(set(item) - set(keys)):
                problems.append(
                    _problem(
                        rel,
                        "known_keys",
                        f"unknown key {k!r} in {key}",
                        line,
                        k,
                        "a misspelt key would be ignored",
                    )
                )
            rec = {k: _text(item.get(k)) for k in keys}
            for k in required:
                if not rec[k]:
                    problems.append(
                        _problem(
                            rel,
                            "value_present",
                            f"{key} entry has no {k}",
                            line,
                            k,
                            "every entry must be complete and say why",
                        )
                    )
            out.append((line or 0, rec))
        return out

    link_rows = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, rec in records("links", LINK_KEYS, _LINK_REQUIRED):
        rec["reviewed_by"] = rec["reviewed_by"] or review.get("reviewed_by", "")
        rec["reviewed_on"] = rec["reviewed_on"] or review.get("reviewed_on", "")
        if rec["from_kind"] and rec["from_kind"] not in FROM_KINDS:
            problems.append(
                _problem(
                    rel,
                    "from_kind_known",
                    f"from_kind {rec['from_kind']!r} is not one of {', '.join(FROM_KINDS)}",
                    line,
                    "from_kind",
                    "the report looks links up by kind",
                    [rec["from_kind"]],
                )
            )
        if rec["relation"] and rec["relation"] not in RELATIONS:
            problems.append(
                _problem(
                    rel,
                    "relation_known",
                    f"relation {rec['relation']!r} is not one of {', '.join(RELATIONS)}",
                    line,
                    "relation",
                    "the relation says how strong the link is",
                    [rec["relation"]],
                )
            )
        elif rec["relation"] and (rec["relation"] == "normative") != (
            rec["from_kind"] == "instrument"
        ):
            problems.append(
                _problem(
                    rel,
                    "relation_fits_kind",
                    "normative links come from instruments, and instruments link normatively",
                    line,
                    "relation",
                    "a ratification is a commitment, not a measure",
                    [rec["from_kind"], rec["relation"]],
                )
            )
        if rec["sdg_code"] and not _CODE.match(rec["sdg_code"]):
            problems.append(
                _problem(
                    rel,
                    "sdg_code_format",
                    f"{rec['sdg_code']!r} is not an SDG target or indicator code",
                    line,
                    "sdg_code",
                    "codes are written like 16.2 or 16.2.2",
                    [rec["sdg_code"]],
                )
            )
        if rec["reviewed_on"] and not _DATE.match(rec["reviewed_on"]):
            problems.append(
                _problem(
                    rel,
                    "date_format",
                    "reviewed_on is not YYYY-MM-DD",
                    line,
                    "reviewed_on",
                    "dates are ISO",
                    [rec["reviewed_on"]],
                )
            )
        key = (rec["from_kind"], rec["from_id"], rec["sdg_code"])
        if key in seen:
            problems.append(
                _problem(
                    rel,
                    "link_unique",
                    f"the link {key} is also on line {seen[key]}",
                    line,
                    "sdg_code",
                    "one link, one rationale",
                    key,
                )
            )
            continue
        seen[key] = line
        link_rows.append({**rec, "target": target_of(rec["sdg_code"]), "line": line})

    nr_rows = []
    nr_seen: dict[str, int] = {}
    for line, rec in records("not_sdg_related", NOT_RELATED_KEYS, NOT_RELATED_KEYS):
        if rec["plan_item"] in nr_seen:
            problems.append(
                _problem(
                    rel,
                    "not_related_unique",
                    f"{rec['plan_item']} is also listed on line {nr_seen[rec['plan_item']]}",
                    line,
                    "plan_item",
                    "one reason per item",
                    [rec["plan_item"]],
                )
            )
            continue
        nr_seen[rec["plan_item"]] = line
        nr_rows.append({**rec, "line": line})

    gi_rows = []
    gi_seen: dict[str, int] = {}
    for line, rec in records("global_indicators", GLOBAL_KEYS, ("code", "reason_en", "reason_es")):
        if rec["code"] and (not _CODE.match(rec["code"]) or rec["code"].count(".") != 2):
            problems.append(
                _problem(
                    rel,
                    "indicator_code",
                    f"{rec['code']!r} is not a global indicator code",
                    line,
                    "code",
                    "indicators are written like 16.2.2",
                    [rec["code"]],
                )
            )
        if rec["code"] in gi_seen:
            problems.append(
                _problem(
                    rel,
                    "global_unique",
                    f"{rec['code']} is also listed on line {gi_seen[rec['code']]}",
                    line,
                    "code",
                    "one reason per indicator",
                    [rec["code"]],
                )
            )
            continue
        gi_seen[rec["code"]] = line
        gi_rows.append({**rec, "target": target_of(rec["code"]), "line": line})

    links = pd.DataFrame(link_rows, columns=[*LINK_KEYS, "target", "line"])
    mapping = Mapping(
        file=rel,
        targets=tuple(sort_codes(targets)),
        links=links,
        not_related=pd.DataFrame(nr_rows, columns=[*NOT_RELATED_KEYS, "line"]),
        global_indicators=pd.DataFrame(gi_rows, columns=[*GLOBAL_KEYS, "target", "line"]),
        review=review,
    )
    return mapping, problems


def check_mapping(
    mapping: Mapping,
    *,
    sdg: pd.DataFrame,
    plan_items: pd.DataFrame,
    instruments: pd.DataFrame,
    registry: Registry | None = None,
) -> list[Problem]:
    """Check the mapping against the SDG reference, the plans, Chart 1 and the indicator registry.

    Parameters
    ----------
    mapping
        From :func:`read_mapping`.
    sdg
        The SDG reference (``level, code``...; ``Dataset.sdg``).
    plan_items
        ``Dataset.plan_items`` (``id, level``...).
    instruments
        ``Dataset.instruments`` (``instrument_id, ratifiable``...).
    registry
        The indicator registry (default: the shipped one).

    Returns
    -------
    list of Problem
        Errors: a code or target not in the reference file, a link to a target the report does not
        cover, an unknown plan item, instrument or workbench indicator, a declaration linked
        normatively, a plan indicator neither linked nor listed as not SDG-related (or both), a global
        indicator of a covered target with no entry. Warnings: a registry indicator with no reviewed
        link, a registry SDG link the mapping does not confirm.
    """
    if registry is None:
        from corett_lib.indicators.registry import load_registry

        registry = load_registry()
    rel = mapping.file
    out: list[Problem] = []
    ref = sdg_reference(sdg)
    levels = dict(zip(ref["code"], ref["level"], strict=True))
    targets = set(mapping.targets)
    why_ref = "every SDG code must exist in raw/sdg_targets.csv, whose texts the report shows"
    for t in mapping.targets:
        if levels.get(t) != "target":
            out.append(
                _problem(
                    rel,
                    "target_in_reference",
                    f"target {t} is not in the SDG reference",
                    None,
                    "targets",
                    why_ref,
                    [t],
                )
            )
    items = plan_items.set_index("id")["level"].to_dict() if len(plan_items) else {}
    inst = instruments.set_index("instrument_id") if len(instruments) else pd.DataFrame()
    reg_ids = set(registry.ids())
    for _, ln in mapping.links.iterrows():
        line, code = int(ln["line"]) or None, ln["sdg_code"]
        if code and code not in levels:
            out.append(
                _problem(
                    rel,
                    "sdg_code_in_reference",
                    f"{code} is not in the SDG reference",
                    line,
                    "sdg_code",
                    why_ref,
                    [code],
                )
            )
        elif code and ln["target"] not in targets:
            out.append(
                _problem(
                    rel,
                    "target_covered",
                    f"{code} belongs to target {ln['target']}, which is not in `targets`",
                    line,
                    "sdg_code",
                    "the report shows only the listed targets; a link elsewhere would be silently dropped",
                    [code],
                )
            )
        kind, fid = ln["from_kind"], ln["from_id"]
        if kind == "plan_item" and fid not in items:
            out.append(
                _problem(
                    rel,
                    "plan_item_known",
                    f"plan item {fid} is not in raw/plan_items.csv",
                    line,
                    "from_id",
                    "links point at items by their stable id",
                    [fid],
                )
            )
        elif kind == "instrument":
            if fid not in inst.index:
                out.append(
                    _problem(
                        rel,
                        "instrument_known",
                        f"instrument {fid} is not in raw/chart1_instruments.csv",
                        line,
                        "from_id",
                        "links point at Chart 1 rows by their id",
                        [fid],
                    )
                )
            elif "ratifiable" in inst.columns and str(inst.at[fid, "ratifiable"]).lower() in (
                "false",
                "0",
            ):
                out.append(
                    _problem(
                        rel,
                        "instrument_ratifiable",
                        f"{fid} is a declaration, not ratified",
                        line,
                        "from_id",
                        "a normative link is a ratification",
                        [fid],
                    )
                )
        elif kind == "indicator" and fid not in reg_ids:
            out.append(
                _problem(
                    rel,
                    "indicator_known",
                    f"indicator {fid} is not in the registry",
                    line,
                    "from_id",
                    "links point at registry ids",
                    [fid],
                )
            )

    plan_inds = {i for i, lv in items.items() if lv == "indicator"}
    linked = set(mapping.links.loc[mapping.links["from_kind"] == "plan_item", "from_id"])
    nr_lines = dict(zip(mapping.not_related["plan_item"], mapping.not_related["line"], strict=True))
    for pid, line in nr_lines.items():
        if pid not in plan_inds:
            out.append(
                _problem(
                    rel,
                    "not_related_is_indicator",
                    f"{pid} is not a plan indicator",
                    int(line) or None,
                    "plan_item",
                    "the list accounts for plan indicators",
                    [pid],
                )
            )
        elif pid in linked:
            out.append(
                _problem(
                    rel,
                    "not_related_unlinked",
                    f"{pid} is listed as not SDG-related but is also linked",
                    int(line) or None,
                    "plan_item",
                    "an item is either linked or not",
                    [pid],
                )
            )
    for pid in sorted(plan_inds - linked - set(nr_lines)):
        out.append(
            _problem(
                rel,
                "plan_indicator_accounted",
                f"plan indicator {pid} is neither linked to a target nor listed in not_sdg_related",
                None,
                "from_id",
                "every plan indicator must be mapped or explicitly marked as not SDG-related",
                [pid],
            )
        )

    listed = set(mapping.global_indicators["code"])
    for _, g in mapping.global_indicators.iterrows():
        line = int(g["line"]) or None
        if g["code"] not in levels:
            out.append(
                _problem(
                    rel,
                    "sdg_code_in_reference",
                    f"{g['code']} is not in the SDG reference",
                    line,
                    "code",
                    why_ref,
                    [g["code"]],
                )
            )
        if g["workbench_indicator"] and g["workbench_indicator"] not in reg_ids:
            out.append(
                _problem(
                    rel,
                    "indicator_known",
                    f"indicator {g['workbench_indicator']} is not in the registry",
                    line,
                    "workbench_indicator",
                    "links point at registry ids",
                    [g["workbench_indicator"]],
                )
            )
    for code, level in levels.items():
        if level == "indicator" and target_of(code) in targets and code not in listed:
            out.append(
                _problem(
                    rel,
                    "global_indicator_listed",
                    f"global indicator {code} of a covered target has no entry in global_indicators",
                    None,
                    "code",
                    "the report says for every global indicator whether the workbench computes it, and why not",
                    [code],
                )
            )

    ind_links = mapping.links[mapping.links["from_kind"] == "indicator"]
    for ind in registry.indicators:
        mine = set(ind_links.loc[ind_links["from_id"] == ind.id, "target"])
        theirs = {target_of(c) for c in (getattr(ind, "sdg", None) or [])}
        if not mine:
            out.append(
                _problem(
                    rel,
                    "registry_indicator_mapped",
                    f"registry indicator {ind.id} has no reviewed SDG link",
                    None,
                    "from_id",
                    "the registry's links carry no rationale; the report shows reviewed links only",
                    [ind.id],
                    "warning",
                )
            )
        for t in sorted(theirs - mine, key=_code_key):
            out.append(
                _problem(
                    rel,
                    "registry_link_reviewed",
                    f"the registry links {ind.id} to {t}; the mapping does not",
                    None,
                    "sdg_code",
                    "the registry and the reviewed mapping should agree",
                    [ind.id, t],
                    "warning",
                )
            )
    return out


def load_mapping(
    ds: Dataset | None = None, *, data: str | os.PathLike[str] | None = None
) -> Mapping:
    """Read and check the mapping of a loaded dataset's data folder.

    Parameters
    ----------
    ds
        The loaded dataset (default: :func:`corett_lib.data.load` of ``data``).
    data
        Data folder, when ``ds`` is not given.

    Raises
    ------
    DataError
        Every error :func:`read_mapping` and :func:`check_mapping` find.
    """
    if ds is None:
        from corett_lib.data import load

        ds = load(data)
    held = getattr(ds, "sdg_mapping", None)
    if (
        held is not None
    ):  # read and checked once by the loader (corett validate reports its problems)
        return held
    path = mapping_path(ds.data_dir)
    try:
        rel = path.relative_to(ds.data_dir).as_posix()
    except ValueError:
        rel = path.as_posix()
    mapping, problems = read_mapping(path, rel)
    if mapping is not None:
        problems += check_mapping(
            mapping, sdg=ds.sdg, plan_items=ds.plan_items, instruments=ds.instruments
        )
    if mapping is None or errors(problems):
        raise DataError(errors(problems) or problems)
    return mapping


# --------------------------------------------------------------------------- progress status


def cagr(first: float, last: float, years: float) -> float:
    """Return the compound annual growth rate from ``first`` to ``last`` over ``years`` (a fraction).

    NaN when either value is missing or not positive, or ``years`` is not positive.

    Examples
    --------
    >>> round(cagr(100, 121, 2), 4)
    0.1
    >>> math.isnan(cagr(0, 5, 3))
    True
    """
    try:
        f, v, n = float(first), float(last), float(years)
    except (TypeError, ValueError):
        return math.nan
    if not (f > 0 and v > 0 and n > 0) or math.isnan(f) or math.isnan(v):
        return math.nan
    return (v / f) ** (1.0 / n) - 1.0


def progress_status(
    first: float,
    last: float,
    years: float,
    direction: str,
    *,
    target: float | None = None,
    years_to_target: float | None = None,
) -> tuple[float, float, str]:
    """Return ``(cagr, ratio, status)`` of a series in the style of national SDG platforms.

    Parameters
    ----------
    first, last
        The value in the base year and in the latest year.
    years
        Years between them.
    direction
        ``increase``, ``decrease`` or ``ambiguous``.
    target
        A numeric target, if the indicator has one.
    years_to_target
        Years from the base year to the target year (needed with ``target``).

    Returns
    -------
    cagr, ratio, status
        The observed CAGR (fraction), the ratio of observed to required CAGR (NaN without a target)
        and one of :data:`PROGRESS_STATUSES`:

        * ambiguous direction: ``context`` (growth shown, not judged);
        * with a target: ``target_achieved`` when the latest value meets it; else ratio
          >= 0.95 ``on_track``, >= 0.60 ``acceleration_needed``, >= 0 ``limited_progress``, below 0
          ``deterioration``;
        * without a target, the CAGR signed by the desired direction: >= 1.5 % ``on_track``,
          >= 0.5 % ``acceleration_needed``, >= 0 ``limited_progress``, below 0 ``deterioration``;
        * ``insufficient_data`` when the CAGR cannot be computed (a missing, zero or single value).

    Raises
    ------
    ValueError
        An unknown direction.

    Examples
    --------
    >>> progress_status(100, 110, 4, "increase")[2]
    'on_track'
    >>> progress_status(100, 90, 4, "increase")[2]
    'deterioration'
    >>> progress_status(100, 90, 4, "decrease")[2]
    'on_track'
    >>> progress_status(100, 150, 4, "ambiguous")[2]
    'context'
    >>> c, r, s = progress_status(100, 110, 5, "increase", target=200, years_to_target=10)
    >>> round(r, 2), s
    (0.27, 'limited_progress')
    """
    if direction not in ("increase", "decrease", "ambiguous"):
        raise ValueError(f"unknown direction {direction!r}; use increase, decrease or ambiguous")
    g = cagr(first, last, years)
    if math.isnan(g):
        return g, math.nan, "insufficient_data"
    if direction == "ambiguous":
        return g, math.nan, "context"
    d = 1.0 if direction == "increase" else -1.0
    if target is not None and not _isnan(target):
        t = float(target)
        if (d > 0 and float(last) >= t) or (d < 0 and float(last) <= t):
            return g, math.nan, "target_achieved"
        required = cagr(first, t, years_to_target or math.nan)
        if math.isnan(required) or required == 0:
            return g, math.nan, "insufficient_data"
        ratio = g / required
        hi, lo = TARGET_RATIO_THRESHOLDS
    else:
        ratio = math.nan
        hi, lo = TREND_CAGR_THRESHOLDS
    score = ratio if not math.isnan(ratio) else d * g
    eps = 1e-12
    if score >= hi - eps:
        return g, ratio, "on_track"
    if score >= lo - eps:
        return g, ratio, "acceleration_needed"
    if score >= -eps:
        return g, ratio, "limited_progress"
    return g, ratio, "deterioration"


def _is_range(row: Any) -> bool:
    """True when an engine row is a sum that includes censored counts (a range, not a ``<5``)."""
    return "range" in str(row.get("flags", "")).split(";")


def _isnan(v: Any) -> bool:
    try:
        return math.isnan(float(v))
    except (TypeError, ValueError):
        return True


def series_progress(
    series: pd.DataFrame,
    direction: str,
    *,
    until: int,
    base_year: int = PROGRESS_BASE_YEAR,
    target: float | None = None,
    target_year: int | None = None,
) -> dict[str, Any]:
    """Assess one series (``year, value``) up to ``until``.

    The base year is the first year from ``base_year`` with a positive value; the latest is the last
    year up to ``until`` with a value. Returns ``base_year, base_value, latest_year, latest_value,
    cagr, ratio, status`` (see :func:`progress_status`).

    Examples
    --------
    >>> s = pd.DataFrame({"year": [2014, 2015, 2017, 2019], "value": [5, 10, None, 12.1]})
    >>> r = series_progress(s, "increase", until=2019)
    >>> r["base_year"], r["latest_year"], round(r["cagr"], 4), r["status"]
    (2015, 2019, 0.0488, 'on_track')
    """
    s = series.loc[:, ["year", "value"]].copy()
    s["value"] = pd.to_numeric(s["value"], errors="coerce")
    s = s[(s["year"] <= until) & s["value"].notna()].sort_values("year")
    base = s[(s["year"] >= base_year) & (s["value"] > 0)]
    out: dict[str, Any] = {
        "base_year": None,
        "base_value": math.nan,
        "latest_year": None,
        "latest_value": math.nan,
        "cagr": math.nan,
        "ratio": math.nan,
        "status": "insufficient_data",
    }
    if base.empty:
        return out
    b = base.iloc[0]
    latest = s.iloc[-1]
    out.update(
        base_year=int(b["year"]),
        base_value=float(b["value"]),
        latest_year=int(latest["year"]),
        latest_value=float(latest["value"]),
    )
    years = int(latest["year"]) - int(b["year"])
    if years <= 0:
        return out
    to_target = (target_year - int(b["year"])) if target_year else None
    g, ratio, status = progress_status(
        b["value"], latest["value"], years, direction, target=target, years_to_target=to_target
    )
    out.update(cagr=g, ratio=ratio, status=status)
    return out


# --------------------------------------------------------------------------- tables


def _indicator_table(
    evaluation: Any,
    countries: Sequence[str],
    indicators: Sequence[str],
    *,
    years: Iterable[int] | None = None,
    disaggregations: Sequence[str] | None = ("total",),
    lang: str = "en",
    country_names: pd.DataFrame | None = None,
) -> pd.DataFrame:
    from corett_lib.indicators.engine import indicator_table

    return indicator_table(
        evaluation,
        countries=list(countries),
        years=years,
        indicators=list(indicators),
        disaggregations=disaggregations,
        lang=lang,
        country_names=country_names,
    )


def series_16_2_2(
    evaluation: Any,
    country: str,
    *,
    until: int,
    lang: str = "en",
    country_names: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the SDG 16.2.2 series of a country (or ``CORETT``): detected victims per 100,000.

    Returns
    -------
    pandas.DataFrame
        One row per year up to ``until`` with a figure: ``year, victims`` (the count the rate uses),
        ``censored`` (a published ``<5``), ``range_low``/``range_high`` (a regional sum that includes
        censored counts: its bounds; NaN otherwise), ``population``, ``rate``, ``source``,
        ``coverage``; sorted by year.

    Examples
    --------
    >>> obs = pd.DataFrame({"source": ["UNODC"], "iso3": ["GTM"], "year": [2019],
    ...     "indicator": ["Detected trafficking victims"], "dimension": ["Total"],
    ...     "category": ["Total"], "sex": ["Total"], "age": ["Total"], "unit": ["Counts"],
    ...     "value": [434.0], "censored": [False], "value_low": [434.0], "value_high": [434.0]})
    >>> pop = pd.DataFrame({"iso3": ["GTM"], "year": [2019], "population": [17103803]})
    >>> from corett_lib.indicators.engine import evaluate
    >>> s = series_16_2_2(evaluate(obs, pop, members=["GTM"]), "GTM", until=2019)
    >>> round(float(s["rate"].iloc[0]), 2)
    2.54
    """
    t = _indicator_table(
        evaluation, [country], ["victims_rate", "victims"], lang=lang, country_names=country_names
    )
    t = t[t["year"] <= until]
    rate = t[t["indicator_id"] == "victims_rate"].set_index("year")
    vic = t[t["indicator_id"] == "victims"].set_index("year")
    years = sorted(
        set(vic.index[vic["value"].notna() | vic["censored"]])
        | set(rate.index[rate["value"].notna()])
    )
    rows = []
    for y in years:
        r = rate.loc[y] if y in rate.index else None
        v = vic.loc[y] if y in vic.index else None
        rows.append(
            {
                "year": int(y),
                "victims": (
                    r["numerator"]
                    if r is not None and not _isnan(r["numerator"])
                    else (v["value"] if v is not None else math.nan)
                ),
                "censored": bool(v["censored"]) and not _is_range(v) if v is not None else False,
                "range_low": v["value_low"] if v is not None and _is_range(v) else math.nan,
                "range_high": v["value_high"] if v is not None and _is_range(v) else math.nan,
                "population": r["denominator"] if r is not None else math.nan,
                "rate": r["value"] if r is not None else math.nan,
                "source": (
                    r["source"]
                    if r is not None and r["source"]
                    else (v["source"] if v is not None else "")
                ),
                "coverage": (r["coverage"] if r is not None else ""),
            }
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "year",
            "victims",
            "censored",
            "range_low",
            "range_high",
            "population",
            "rate",
            "source",
            "coverage",
        ],
    )
    return finish(df, ["year"], name="sdg_16_2_2")


#: Disaggregations of 16.2.2 the report shows, in order.
DISAGGREGATIONS_16_2_2: tuple[str, ...] = ("sex", "age", "form")


def breakdown_16_2_2(
    evaluation: Any,
    country: str,
    year: int,
    *,
    lang: str = "en",
    country_names: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return 16.2.2 by sex, age group and form of exploitation for a country and year.

    Each category's rate is its detected victims per 100,000 of the *total* population (the
    indicator's definition: victims per 100,000 population, disaggregated). For the regional figure
    the rate is left empty: the members reporting a breakdown differ from those reporting the total.

    Returns
    -------
    pandas.DataFrame
        ``disaggregation, disaggregation_label, category, category_label, victims, censored,
        range_low, range_high, population, rate, source`` with each disaggregation's ``Total`` row first; empty when the
        source publishes no breakdown.
    """
    t = _indicator_table(
        evaluation,
        [country],
        ["victims", "victims_rate"],
        years=[year],
        disaggregations=("total", *DISAGGREGATIONS_16_2_2),
        lang=lang,
        country_names=country_names,
    )
    rate = t[(t["indicator_id"] == "victims_rate") & (t["disaggregation"] == "total")]
    pop = (
        float(rate["denominator"].iloc[0])
        if len(rate) and not _isnan(rate["denominator"].iloc[0])
        else math.nan
    )
    if country == REGION_CODE:
        pop = math.nan
    vic = t[t["indicator_id"] == "victims"]
    has = vic["value"].notna() | vic["censored"]
    total = vic[(vic["disaggregation"] == "total") & has]
    rows = []
    for d in DISAGGREGATIONS_16_2_2:
        part = vic[(vic["disaggregation"] == d) & has]
        if part.empty:
            continue
        for _, r in pd.concat(
            [total.assign(disaggregation_label=part["disaggregation_label"].iloc[0]), part]
        ).iterrows():
            value = float(r["value"]) if not _isnan(r["value"]) else math.nan
            rows.append(
                {
                    "disaggregation": d,
                    "disaggregation_label": r["disaggregation_label"],
                    "category": "Total" if r["disaggregation"] == "total" else r["category"],
                    "category_label": r["category_label"],
                    "victims": value,
                    "censored": bool(r["censored"]) and not _is_range(r),
                    "range_low": r["value_low"] if _is_range(r) else math.nan,
                    "range_high": r["value_high"] if _is_range(r) else math.nan,
                    "population": pop,
                    "rate": value / pop * 100000
                    if not _isnan(pop) and not _isnan(value)
                    else math.nan,
                    "source": r["source"],
                }
            )
    cols = [
        "disaggregation",
        "disaggregation_label",
        "category",
        "category_label",
        "victims",
        "censored",
        "range_low",
        "range_high",
        "population",
        "rate",
        "source",
    ]
    return pd.DataFrame(rows, columns=cols)


def progress_table(
    evaluation: Any,
    country: str,
    year: int,
    *,
    indicators: Sequence[str] = PROGRESS_INDICATORS,
    lang: str = "en",
    base_year: int = PROGRESS_BASE_YEAR,
    target_year: int | None = None,
    country_names: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the progress status of the workbench's SDG-linked indicators for a country and year.

    An indicator with a ``target`` in the registry is assessed against it, to be reached by
    ``target_year`` (default: the end of the coalition's plan period, ``parameters/coalition.yaml``);
    the others against the trend thresholds (:func:`progress_status`).

    Returns
    -------
    pandas.DataFrame
        One row per indicator (registry order of ``indicators``): ``indicator_id, label, direction,
        base_year, base_value, base_count, latest_year, latest_value, latest_count, cagr, ratio,
        status``. Counts are the persons behind each value (the value of a count, the numerator of a
        ratio), for disclosure control. Censored figures are treated as missing.
    """
    if target_year is None:
        from corett_lib import config

        target_year = int(config.coalition().plan_period.get("end", 2030))
    reg = evaluation.registry
    t = _indicator_table(evaluation, [country], indicators, lang=lang, country_names=country_names)
    t = t[t["year"] <= year]
    rows = []
    for ind in indicators:
        s = t[t["indicator_id"] == ind]
        if s.empty:
            continue
        direction = str(s["direction"].iloc[0])
        target = reg.get(ind).target
        res = series_progress(
            s[["year", "value"]],
            direction,
            until=year,
            base_year=base_year,
            target=target,
            target_year=target_year if target is not None else None,
        )
        counts = s.set_index("year")["numerator"]
        rows.append(
            {
                "indicator_id": ind,
                "label": s["label"].iloc[0],
                "direction": direction,
                "decimals": int(s["decimals"].iloc[0]),
                **res,
                "base_count": counts.get(res["base_year"], math.nan)
                if res["base_year"]
                else math.nan,
                "latest_count": counts.get(res["latest_year"], math.nan)
                if res["latest_year"]
                else math.nan,
            }
        )
    cols = [
        "indicator_id",
        "label",
        "direction",
        "decimals",
        "base_year",
        "base_value",
        "base_count",
        "latest_year",
        "latest_value",
        "latest_count",
        "cagr",
        "ratio",
        "status",
    ]
    return pd.DataFrame(rows, columns=cols)


def plan_links(
    mapping: Mapping, plan_items: pd.DataFrame, actuals: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return the plan items linked to each target, with the status of the plan's indicators.

    Parameters
    ----------
    mapping
        The mapping.
    plan_items
        ``Dataset.plan_items``.
    actuals
        Monitoring data on plan indicators (``plan_id, value`` and optionally ``iso3, year``); None
        when there is none: indicators with a target are then ``no data``, others ``not applicable``
        (:func:`corett_lib.indicators.status.plan_progress`).

    Returns
    -------
    pandas.DataFrame
        ``target, sdg_code, id, level, plan, text_en, text_es, unit, direction, target_value,
        relation, rationale_en, rationale_es, status`` (``status`` empty for axes and objectives),
        sorted by target and id.
    """
    from corett_lib.indicators.status import plan_progress

    links = mapping.links[mapping.links["from_kind"] == "plan_item"]
    cols = ["id", "level", "plan", "text_en", "text_es", "unit", "direction", "target_value"]
    items = plan_items.loc[:, [c for c in cols if c in plan_items.columns]].copy()
    for c in cols:
        if c not in items:
            items[c] = ""
    m = links.merge(items, left_on="from_id", right_on="id", how="inner")
    inds = items[items["level"] == "indicator"].copy()
    inds["direction"] = inds["direction"].replace("", np.nan)
    acts = (
        actuals
        if actuals is not None
        else pd.DataFrame({"plan_id": pd.Series(dtype=object), "value": pd.Series(dtype=float)})
    )
    st = plan_progress(inds, acts)
    latest = st.sort_values(["id", "year"], na_position="first").drop_duplicates("id", keep="last")
    m = m.merge(latest[["id", "status"]], on="id", how="left")
    m["status"] = m["status"].fillna("")
    out = m[
        [
            "target",
            "sdg_code",
            "id",
            "level",
            "plan",
            "text_en",
            "text_es",
            "unit",
            "direction",
            "target_value",
            "relation",
            "rationale_en",
            "rationale_es",
            "status",
        ]
    ].copy()
    out["_t"] = out["target"].map(_code_key)
    out = out.sort_values(["_t", "id"], kind="mergesort").drop(columns="_t").reset_index(drop=True)
    return out


def indicator_links(
    mapping: Mapping,
    evaluation: Any,
    country: str,
    year: int,
    *,
    lang: str = "en",
    country_names: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the workbench indicators linked to each target, with their value for the year.

    Returns
    -------
    pandas.DataFrame
        ``target, sdg_code, indicator_id, label, relation, rationale_en, rationale_es, value,
        numerator, censored, unit, decimals, source, flags``, sorted by target and registry order.
    """
    links = mapping.links[mapping.links["from_kind"] == "indicator"]
    ids = list(dict.fromkeys(links["from_id"]))
    if not ids:
        return pd.DataFrame()
    t = _indicator_table(
        evaluation, [country], ids, years=[year], lang=lang, country_names=country_names
    )
    keep = [
        "indicator_id",
        "label",
        "value",
        "numerator",
        "censored",
        "unit",
        "decimals",
        "source",
        "flags",
        "direction",
    ]
    m = links.merge(t[keep], left_on="from_id", right_on="indicator_id", how="left")
    order = {i: k for k, i in enumerate(t["indicator_id"].drop_duplicates())}
    m["_t"] = m["target"].map(_code_key)
    m["_o"] = m["indicator_id"].map(order)
    m = m.sort_values(["_t", "_o", "sdg_code"], kind="mergesort")
    cols = [
        "target",
        "sdg_code",
        "indicator_id",
        "label",
        "relation",
        "rationale_en",
        "rationale_es",
        "value",
        "numerator",
        "censored",
        "unit",
        "decimals",
        "direction",
        "source",
        "flags",
    ]
    return m[cols].reset_index(drop=True)


def instrument_status(
    mapping: Mapping,
    ratifications: pd.DataFrame,
    instruments: pd.DataFrame,
    country: str,
    year: int,
    *,
    members: Sequence[str] = (),
) -> pd.DataFrame:
    """Return the linked instruments and their status for a member (or every member, for ``CORETT``).

    A Chart 1 cell with a date up to the end of ``year`` is ``ratified``; a later date is
    ``ratified_later``; a blank cell (or no cell) is a ``gap`` — a gap in Chart 1, which may also
    mean the chart was not updated, so the report says "no date in Chart 1" rather than "not
    ratified".

    Returns
    -------
    pandas.DataFrame
        One row per linked instrument and member: ``instrument_id, row_order, short_name_en,
        short_name_es, targets`` (comma-separated codes), ``iso3, original_text, date_iso, accession,
        status``; sorted by Chart 1 order and member order.
    """
    links = mapping.links[mapping.links["from_kind"] == "instrument"]
    if links.empty:
        return pd.DataFrame()
    tg = links.groupby("from_id")["target"].agg(lambda s: ", ".join(sort_codes(s)))
    inst = instruments.set_index("instrument_id")
    countries = list(members) if country == REGION_CODE else [country]
    cells = ratifications.set_index(["instrument_id", "iso3"]) if len(ratifications) else None
    rows = []
    for iid, targets in tg.items():
        meta = inst.loc[iid] if iid in inst.index else {}
        for iso in countries:
            cell = (
                cells.loc[(iid, iso)] if cells is not None and (iid, iso) in cells.index else None
            )
            date = (
                _text(cell["date_iso"])
                if cell is not None and not _isnan_text(cell["date_iso"])
                else ""
            )
            blank = cell is None or not date or str(cell.get("blank", "")).lower() == "true"
            if blank:
                status = "gap"
            elif int(date[:4]) > int(year):
                status = "ratified_later"
            else:
                status = "ratified"
            rows.append(
                {
                    "instrument_id": iid,
                    "row_order": int(meta.get("row_order", 0)) if len(meta) else 0,
                    "short_name_en": meta.get("short_name_en", iid) if len(meta) else iid,
                    "short_name_es": meta.get("short_name_es", iid) if len(meta) else iid,
                    "targets": targets,
                    "iso3": iso,
                    "original_text": _text(cell["original_text"])
                    if cell is not None and not _isnan_text(cell["original_text"])
                    else "",
                    "date_iso": "" if blank else date,
                    "accession": bool(str(cell.get("accession", "")).lower() == "true")
                    if cell is not None
                    else False,
                    "status": status,
                }
            )
    df = pd.DataFrame(rows)
    df["_m"] = df["iso3"].map({c: i for i, c in enumerate(countries)})
    df = (
        df.sort_values(["row_order", "_m"], kind="mergesort")
        .drop(columns="_m")
        .reset_index(drop=True)
    )
    return df


def _isnan_text(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return str(v).strip() in ("", "nan", "None", "NaT")


def alignment_summary(
    mapping: Mapping,
    *,
    plans: pd.DataFrame,
    indicators: pd.DataFrame,
    instruments: pd.DataFrame,
    sdg: pd.DataFrame,
) -> pd.DataFrame:
    """Return one row per covered target: what the alignment rests on.

    Parameters
    ----------
    mapping
        The mapping.
    plans, indicators, instruments
        From :func:`plan_links`, :func:`indicator_links` and :func:`instrument_status`.
    sdg
        The SDG reference.

    Returns
    -------
    pandas.DataFrame
        ``target, title_en, title_es, global_computed`` (global indicators the workbench computes),
        ``global_total``, ``indicators_linked, indicators_with_value, plan_indicators, plan_items``
        (axes and objectives), ``instrument_cells, ratified, gaps`` (member x instrument cells).
    """
    rows = []
    gi = mapping.global_indicators
    for t in mapping.targets:
        g = gi[gi["target"] == t]
        p = plans[plans["target"] == t] if len(plans) else plans
        i = indicators[indicators["target"] == t] if len(indicators) else indicators
        ins = (
            instruments[instruments["targets"].str.split(", ").map(lambda xs, t=t: t in xs)]
            if len(instruments)
            else instruments
        )
        with_value = (
            i[i["value"].notna() | i["censored"].fillna(False).astype(bool)] if len(i) else i
        )
        rows.append(
            {
                "target": t,
                "title_en": sdg_title(sdg, t, "en"),
                "title_es": sdg_title(sdg, t, "es"),
                "global_computed": ", ".join(
                    sort_codes(g.loc[g["workbench_indicator"] != "", "code"])
                ),
                "global_total": len(g),
                "indicators_linked": int(i["indicator_id"].nunique()) if len(i) else 0,
                "indicators_with_value": int(with_value["indicator_id"].nunique())
                if len(with_value)
                else 0,
                "plan_indicators": int(p.loc[p["level"] == "indicator", "id"].nunique())
                if len(p)
                else 0,
                "plan_items": int(p.loc[p["level"] != "indicator", "id"].nunique())
                if len(p)
                else 0,
                "instrument_cells": len(ins),
                "ratified": int((ins["status"] == "ratified").sum()) if len(ins) else 0,
                "gaps": int((ins["status"] == "gap").sum()) if len(ins) else 0,
            }
        )
    return pd.DataFrame(rows)


def uncomputable_targets(mapping: Mapping) -> pd.DataFrame:
    """Return the covered targets none of whose global indicators the workbench computes, with the
    reasons given for each of their indicators (``target, code, reason_en, reason_es``)."""
    gi = mapping.global_indicators
    computed = set(gi.loc[gi["workbench_indicator"] != "", "target"])
    out = gi[~gi["target"].isin(computed) & gi["target"].isin(mapping.targets)]
    out = out.assign(_k=out["code"].map(_code_key)).sort_values("_k").drop(columns="_k")
    return out[["target", "code", "reason_en", "reason_es"]].reset_index(drop=True)


__all__ = [
    "FROM_KINDS",
    "INSTRUMENT_STATUSES",
    "MAPPING_FILE",
    "PROGRESS_BASE_YEAR",
    "PROGRESS_INDICATORS",
    "PROGRESS_STATUSES",
    "RELATIONS",
    "Mapping",
    "alignment_summary",
    "breakdown_16_2_2",
    "cagr",
    "check_mapping",
    "goal_of",
    "indicator_links",
    "instrument_status",
    "load_mapping",
    "mapping_path",
    "plan_links",
    "progress_status",
    "progress_table",
    "read_mapping",
    "sdg_reference",
    "sdg_title",
    "series_16_2_2",
    "series_progress",
    "sort_codes",
    "target_of",
    "uncomputable_targets",
]
