"""The reviewed SDG mapping (``sdg_mapping.yaml``): SDG codes, the :class:`Mapping` and its reader.

:func:`read_mapping` checks the file's structure and returns :class:`~corett_lib.core.problems.Problem` s naming
the file, the line of the entry, the key and why. Cross-table checks live in
:mod:`corett_lib.validation.sdg_mapping`; progress and alignment tables in :mod:`corett_lib.analysis.sdg`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from corett_lib.core import paths
from corett_lib.core.problems import Problem

if TYPE_CHECKING:
    pass


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


#: :func:`sdg_title`'s lookup of the last SDG table: the table (compared by identity), then per title
#: column ``{code: title}`` (the first row of each code).
_TITLES: list[Any] = []


def sdg_title(sdg: pd.DataFrame, code: str, lang: str) -> str:
    """Return the title of an SDG goal, target or indicator in ``lang`` (empty when unknown)."""
    col = "title_es" if lang == "es" else "title_en"
    if not _TITLES or _TITLES[0] is not sdg:
        _TITLES[:] = [sdg, {}]  # one table at a time
    by_column: dict[str, dict[str, Any]] = _TITLES[1]
    if col not in by_column:
        titles: dict[str, Any] = {}
        for c, title in zip(sdg["code"].astype(str).tolist(), sdg[col].tolist(), strict=True):
            titles.setdefault(c, title)
        by_column[col] = titles
    titles = by_column[col]
    return str(titles[str(code)]) if str(code) in titles else ""


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
