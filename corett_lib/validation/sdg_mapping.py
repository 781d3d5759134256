"""Cross-table checks of the SDG mapping, and :func:`load_mapping` (read + check, raising on errors)."""

from __future__ import annotations

import pandas as pd

from corett_lib.core.problems import DataError, Problem, errors
from corett_lib.dataset.model import Dataset
from corett_lib.dataset.registry import Registry, load_registry
from corett_lib.dataset.sdg_mapping import (
    Mapping,
    _code_key,
    _problem,
    mapping_path,
    read_mapping,
    sdg_reference,
    target_of,
)


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


def load_mapping(ds: Dataset) -> Mapping:
    """Read and check the mapping of a loaded dataset's data folder.

    Parameters
    ----------
    ds
        The loaded dataset (:func:`corett_lib.validation.load.load`).

    Raises
    ------
    DataError
        Every error :func:`read_mapping` and :func:`check_mapping` find.
    """
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
