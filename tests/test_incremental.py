"""Rebuilds as small as the change (issue 19): a report's key is the content of the data it reads,
so a change to one member's rows rebuilds that member's pages and the region's, and says why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from corett_lib.batch import build
from corett_lib.core import paths
from corett_lib.dataset.digest import frame_digest, shared_files, slice_digests
from corett_lib.validation.load import load


def test_each_member_has_its_own_digest_and_the_region_covers_them() -> None:
    ds = load()
    d = slice_digests(ds, ["GTM", "HND"], "CORETT")
    assert set(d) == {"GTM", "HND", "CORETT", "_shared"} and len(set(d.values())) == 4
    changed = ds.monitoring.copy()
    first_gtm = changed.index[changed["iso3"] == "GTM"][0]
    changed.loc[first_gtm, "notes"] = "revised"
    ds2 = type(ds)(**{**ds.__dict__, "monitoring": changed})
    d2 = slice_digests(ds2, ["GTM", "HND"], "CORETT")
    assert d2["HND"] == d["HND"] and d2["_shared"] == d["_shared"]
    assert d2["GTM"] != d["GTM"] and d2["CORETT"] != d["CORETT"]


def test_frame_digest_sees_values_columns_and_order() -> None:
    a = pd.DataFrame({"iso3": ["GTM", "HND"], "value": [1, 2]})
    assert frame_digest(a) == frame_digest(a.copy())
    assert frame_digest(a) != frame_digest(a.iloc[::-1])
    assert frame_digest(a) != frame_digest(a.rename(columns={"value": "v"}))


def test_sliced_files_are_left_out_of_the_shared_key() -> None:
    got = shared_files(
        {
            "raw/unodc_data_glotip.xlsx": "a",
            "monitoring/collected.csv": "b",
            "raw/sdg_targets.csv": "c",
        }
    )
    assert got == {"raw/sdg_targets.csv": "c"}


@pytest.mark.slow
def test_a_change_to_one_members_rows_rebuilds_that_member_and_the_region(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    out = tmp_path / "out"
    kwargs = {
        "data": str(data),
        "countries": ["GTM", "HND", "CORETT"],
        "years": [2019],
        "reports": ["annual"],
        "langs": ["en"],
        "jobs": 2,
        "out": str(out),
    }
    first = build.build(**kwargs)
    assert len(first.built) == 3 and all(r == ["new"] for r in first.reasons.values())
    csv = data / "monitoring" / "illustrative_actuals.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if ",PREV.A1.O1.IND1,GTM,2019,2," in line)
    lines[i] = lines[i].replace(",PREV.A1.O1.IND1,GTM,2019,2,", ",PREV.A1.O1.IND1,GTM,2019,3,")
    csv.write_text("".join(lines), encoding="utf-8")
    second = build.build(**kwargs)
    assert sorted(second.built) == ["2019/CORETT/annual.en", "2019/GTM/annual.en"]
    assert second.skipped == ["2019/HND/annual.en"]
    assert second.reasons == {k: ["data slice"] for k in second.built}
    records = json.loads((out / "manifest.json").read_text())["reports"]
    assert records["2019/GTM/annual.en"]["rebuilt_because"] == ["data slice"]
    third = build.build(**kwargs)  # nothing changed since: nothing rebuilt
    assert third.built == [] and len(third.skipped) == 3
