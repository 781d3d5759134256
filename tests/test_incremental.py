"""Rebuilds as small as the change (issue 19): a report's key is the content of the data it reads,
so a change to one member's rows rebuilds that member's pages and the region's, and says why."""

from __future__ import annotations

import json
import re
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


def _gtm_2021_total(obs: pd.DataFrame) -> pd.Index:
    return obs.index[
        obs["source"].eq("UNODC")
        & obs["iso3"].eq("GTM")
        & obs["year"].eq(2021)
        & obs["indicator"].eq("Detected trafficking victims")
        & obs["dimension"].eq("Total")
        & obs["sex"].eq("Total")
        & obs["age"].eq("Total")
    ]


def test_a_change_to_one_member_rekeys_the_members_whose_suppression_it_changes() -> None:
    """GTM 2021 falling to 2 victims moves the complementary suppression the regional sum of members
    needs: CRI's total, hidden before, is shown now. CRI's page key changes, though its rows did not."""
    from corett_lib.core import config
    from corett_lib.facts.table import facts_from_dataset
    from corett_lib.publishing.fact_disclosure import decision_digests, decision_for

    ds = load()
    obs = ds.observations.copy()
    row = _gtm_2021_total(obs)
    assert len(row) == 1 and obs.loc[row[0], "value"] == 425
    obs.loc[row, ["value", "value_low", "value_high"]] = 2.0
    changed = type(ds)(**{**ds.__dict__, "observations": obs})
    coalition = config.coalition()
    members, region = coalition.members, coalition.region_code

    keys = {}
    for name, d in (("before", ds), ("after", changed)):
        facts = facts_from_dataset(d)
        assert decision_for(facts, 5).status("GTM|2021|victims|total|Total") == (
            "" if name == "before" else "primary"
        )
        cri = decision_for(facts, 5).status("CRI|2021|victims|total|Total")
        assert cri == ("complementary" if name == "before" else "")
        inputs = build.Inputs(paths.data_dir(), {}, {}, "lib", {"annual": "nb"})
        inputs.slices = slice_digests(d, members, region)
        inputs.disclosure = build.disclosure_digests(decision_digests(facts, 5), members, region)
        keys[name] = {c: inputs.key(build.Job(2021, c, "annual", "en")) for c in [*members, region]}
    rekeyed = {c for c in keys["before"] if keys["before"][c] != keys["after"][c]}
    # GTM's own rows changed; CRI's did not, but its total is now hidden to protect GTM's.
    assert {"GTM", "CRI", region} <= rekeyed
    assert (
        slice_digests(ds, members, region)["CRI"] == slice_digests(changed, members, region)["CRI"]
    )
    # A member whose published statuses did not change keeps its key.
    assert "HND" not in rekeyed


@pytest.mark.slow
def test_an_incremental_rebuild_shows_every_count_as_a_full_rebuild_does(tmp_path: Path) -> None:
    """A declared correction to one member; the pages it leaves alone must still be right."""
    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    kwargs = {
        "data": str(data),
        "countries": ["GTM", "CRI", "HND", "CORETT"],
        "years": [2021],
        "reports": ["annual"],
        "langs": ["en"],
        "jobs": 2,
    }
    build.build(**kwargs, out=str(tmp_path / "out"))
    shown = re.compile(r'data-corett-fact="([^"]+)"[^>]*>([^<]*)<')
    cri_page = tmp_path / "out" / "2021/CRI/annual.en.html"
    assert dict(shown.findall(cri_page.read_text("utf-8")))["CRI|2021|victims|total|Total"] == (
        "suppressed"  # complementary: hidden so that a small count cannot be derived
    )
    corrections = data / "corrections.yaml"
    corrections.write_text(
        corrections.read_text(encoding="utf-8")
        + """  - id: test-gtm-2021-total
    table: observations
    where:
      source: UNODC
      iso3: GTM
      year: 2021
      indicator: Detected trafficking victims
      dimension: Total
      category: Total
      sex: Total
      age: Total
      value_text: "425"
    action: override
    value: 2
    reason: a test of incremental rebuilds
    publisher_informed: "no"
""",
        encoding="utf-8",
    )
    second = build.build(**kwargs, out=str(tmp_path / "out"))
    assert second.reasons == {
        "2021/GTM/annual.en": ["data slice", "disclosure"],
        "2021/CORETT/annual.en": ["data slice", "disclosure"],
        "2021/CRI/annual.en": ["disclosure"],
    }
    assert second.skipped == ["2021/HND/annual.en"]
    build.build(**kwargs, out=str(tmp_path / "fresh"))
    for country in ("GTM", "CRI", "HND", "CORETT"):
        page = f"2021/{country}/annual.en.html"
        incremental = set(shown.findall((tmp_path / "out" / page).read_text(encoding="utf-8")))
        fresh = set(shown.findall((tmp_path / "fresh" / page).read_text(encoding="utf-8")))
        assert incremental == fresh, page
    cri = dict(shown.findall(cri_page.read_text("utf-8")))
    assert cri["CRI|2021|victims|total|Total"] == "21"  # GTM's <5 is now protected otherwise


@pytest.mark.slow
def test_pages_are_rebuilt_for_the_configuration_and_links_they_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new sibling report rebuilds the page that now links to it; a wider matrix or new ingest
    limits rebuild nothing; a new disclosure threshold rebuilds every page."""
    params = tmp_path / "parameters"
    shutil.copytree(paths.PROJECT_ROOT / "parameters", params)
    monkeypatch.setenv("CORETT_PARAMETERS", str(params))
    out = tmp_path / "out"
    kwargs = {"countries": ["GTM"], "years": [2019], "langs": ["en"], "jobs": 2, "out": str(out)}
    first = build.build(**kwargs, reports=["annual"])
    assert first.built == ["2019/GTM/annual.en"]
    page = out / "2019/GTM/annual.en.html"
    assert 'href="sdg.en.html"' not in page.read_text(encoding="utf-8")
    second = build.build(**kwargs, reports=["annual", "sdg"])
    assert second.reasons == {"2019/GTM/annual.en": ["navigation"], "2019/GTM/sdg.en": ["new"]}
    assert 'href="sdg.en.html"' in page.read_text(encoding="utf-8")

    matrix = params / "build.yaml"
    text = matrix.read_text(encoding="utf-8")
    matrix.write_text(text.replace("{from: 2017, to: 2022}", "{from: 2010, to: 2022}"), "utf-8")
    limits = params / "limits.yaml"
    limits.write_text(
        limits.read_text("utf-8").replace("max_rows: 5000", "max_rows: 6000"), "utf-8"
    )
    third = build.build(**kwargs, reports=["annual", "sdg"])
    assert third.built == [] and len(third.skipped) == 2

    matrix.write_text(
        matrix.read_text("utf-8").replace("disclosure_k: 5", "disclosure_k: 6"), "utf-8"
    )
    fourth = build.build(**kwargs, reports=["annual", "sdg"])
    assert sorted(fourth.built) == ["2019/GTM/annual.en", "2019/GTM/sdg.en"]
    assert all("config" in why for why in fourth.reasons.values())
