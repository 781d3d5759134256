"""Communication products and approval (issue 17): the infographic's figures are the published
figures, the image is offline and large enough, approval survives an unchanged rebuild and lapses on a
changed one, and the bundle holds exactly the approved pages."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import struct
import zipfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from corett_lib.batch import approval, bundle, manifest, products
from corett_lib.batch.render import offline_violations
from corett_lib.cli.main import main
from corett_lib.core import paths
from corett_lib.facts.view import indicator_table
from corett_lib.reporting import infographic, raster
from corett_lib.reporting.context import open_context

# --------------------------------------------------------------------------- the infographic's figures


@pytest.fixture(scope="module")
def gtm_en() -> tuple[object, infographic.InfographicFacts]:
    ctx = open_context("GTM", 2019, "en")
    return ctx, infographic.infographic_facts(ctx)


@pytest.fixture(scope="module")
def corett_es() -> tuple[object, infographic.InfographicFacts]:
    ctx = open_context("CORETT", 2019, "es")
    return ctx, infographic.infographic_facts(ctx)


def _indicator(ctx: object, ind: str, country: str, year: int, disagg: str = "total") -> dict:
    t = indicator_table(
        ctx.facts,  # type: ignore[attr-defined]
        countries=[country],
        years=[year],
        indicators=[ind],
        disaggregations=("total", disagg),
    )
    return {str(r.category): r for r in t[t["disaggregation"] == disagg].itertuples()}


def test_gtm_2019_headline_figures_equal_the_indicators(gtm_en) -> None:
    ctx, facts = gtm_en
    victims = _indicator(ctx, "victims", "GTM", 2019)["Total"]
    rate = _indicator(ctx, "victims_rate", "GTM", 2019)["Total"]
    change = _indicator(ctx, "victims_change", "GTM", 2019)["Total"]
    assert facts.victims.value == victims.value == 434
    assert facts.victims.text == "434" and facts.source == "UNODC (GLOTIP)"
    assert facts.rate.value == pytest.approx(rate.value) and facts.rate.text == "2.54"
    assert facts.change.value == pytest.approx(change.value)
    assert facts.previous.text == "371"
    assert round(facts.change.value, 1) == 17.0  # (434 - 371) / 371


def test_gtm_2019_breakdowns_and_trend_equal_the_indicators(gtm_en) -> None:
    ctx, facts = gtm_en
    age = _indicator(ctx, "victims", "GTM", 2019, "age")
    form = _indicator(ctx, "victims", "GTM", 2019, "form")
    assert [(f.label, f.value) for f in facts.age] == [
        ("0 to 17 years", age["0 to 17 years"].value),
        ("18 years or over", age["18 years or over"].value),
    ]
    assert [f.value for f in facts.age] == [377, 57]
    assert [(f.label, f.text) for f in facts.forms] == [
        ("Sexual exploitation", "137"),
        ("Forced labour", "5"),
    ]
    assert form["Sexual exploitation"].value == 137
    assert facts.sex == []  # UNODC publishes no breakdown by sex for GTM 2019
    years = [f.label for f in facts.trend]
    assert years == [str(y) for y in range(2010, 2020)]
    by_year = {f.label: f for f in facts.trend}
    assert by_year["2015"].status == "no_data" and by_year["2015"].drawn is None  # a gap, not 0
    assert by_year["2016"].text == "484" and by_year["2010"].text == "14"


def test_regional_figures_keep_source_coverage_ranges_and_suppression(corett_es) -> None:
    _, facts = corett_es
    assert facts.victims.text == "1,582"
    assert facts.source.startswith("OIM y CORETT")
    assert facts.coverage == "9 de 9 países miembros informaron"
    assert facts.breakdown_coverage == "8 de 9 países miembros informaron"
    sex = {f.label: f for f in facts.sex}
    # a sum with censored parts is its bounds, drawn at the midpoint; a count below k is suppressed
    assert sex["Mujeres"].text == "320–323" and sex["Mujeres"].drawn == 321.5
    assert sex["Otro"].text == "<17" and sex["Otro"].status == "primary" and not sex["Otro"].shown
    assert facts.suppressed == 1
    notes = " ".join(infographic.footnotes(facts))
    # 2015: 2,017–2,020 since the declared correction of Mexico 2015 (2,015, its own year -> 1,679)
    assert "8 de 9" in notes and "suprimen" in notes and "Un intervalo como 2,017–2,020" in notes


def test_the_image_shows_the_published_texts_and_is_offline(gtm_en, corett_es) -> None:
    _, gtm = gtm_en
    svg = infographic.render_svg(gtm)
    for text in ("434", "+17.0%", "2.54", "377", "137", "Source: UNODC (GLOTIP)", "no data"):
        assert f">{text}<" in svg, text
    assert "Sustainable Development Goals 5, 8, 10 and 16" in svg
    assert offline_violations(svg) == []
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<image" not in svg  # no logo supplied: the slot stays empty
    es = infographic.render_svg(corett_es[1])
    assert ">&lt;17<" in es and "Objetivos de Desarrollo Sostenible 5, 8, 10 y 16" in es


def test_png_is_at_least_1080_pixels_on_its_short_side(gtm_en) -> None:
    png = raster.to_png(infographic.render_svg(gtm_en[1]))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert min(width, height) >= 1080 and (width, height) == (1080, 1350)


def test_a_supplied_logo_is_embedded_not_linked(tmp_path: Path, gtm_en) -> None:
    assert infographic.logo_data_uri(tmp_path) == ""
    (tmp_path / "identity").mkdir()
    logo = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    (tmp_path / "identity" / "logo.svg").write_bytes(logo)
    uri = infographic.logo_data_uri(tmp_path)
    assert uri.startswith("data:image/svg+xml;base64,")
    svg = infographic.render_svg(gtm_en[1], uri)
    assert f'href="{uri}"' in svg and offline_violations(svg) == []


def test_the_build_takes_the_marked_svg_output_and_adds_its_png(gtm_en, tmp_path: Path) -> None:
    image = infographic.image(*gtm_en)
    data, meta = image._repr_mimebundle_()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/plain": "x"}),
        nbformat.v4.new_output("display_data", data=data, metadata=meta),
    ]
    nb.cells = [cell]
    files = products.product_files(nb, tmp_path / "2019" / "GTM" / "infographic.en.html", "en")
    assert sorted(p.name for p in files) == ["infographic.en.png", "infographic.en.svg"]
    svg = files[tmp_path / "2019" / "GTM" / "infographic.en.svg"].decode()
    assert ">DRAFT<" in svg and approval.stamp_svg(svg, "en", {"by": "A"}) == image.svg
    assert 'aria-label="' in data["text/html"] and "<svg" in data["text/html"]


# --------------------------------------------------------------------------- approval


def _page(body: str, run_id: str = "20261201T003000Z-ab12cd") -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body class="jp-Notebook">'
        f'<p data-corett-volatile="">Run {run_id}, built 2026-12-01T00:30:00+00:00</p>{body}'
        "</body></html>"
    )


def _fake_build(out: Path, pages: dict[str, str], run_id: str = "run-1") -> list[str]:
    """Write pages as ``build_one`` does (DRAFT mark, content checksum) and record them."""
    man = manifest.read_manifest(out)
    for key, html in pages.items():
        html = approval.stamp(html, key.rsplit(".", 1)[1])
        data = html.encode()
        p = out / f"{key}.html"
        manifest.atomic_write_bytes(p, data)
        man["reports"][key] = {
            "status": "ok",
            "run_id": run_id,
            "content_sha256": approval.content_checksum(data),
            "outputs": dict([manifest.output_record(p, data, out)]),
        }
    approval.reconcile(man, out, list(pages), run_id)
    manifest.write_manifest(man, out)
    return list(pages)


def _status(out: Path) -> dict[str, str]:
    return {s.key: s.status for s in approval.approval_status(out)}


def test_content_checksum_ignores_run_id_time_and_mark_not_figures() -> None:
    a = approval.stamp(_page("<p>434</p>"), "en")
    b = approval.stamp(
        _page("<p>434</p>", "20261202T101010Z-ffffff"), "en", {"by": "X", "at": "2026-12-02"}
    )
    assert approval.content_checksum(a) == approval.content_checksum(b)
    assert approval.content_checksum(a) != approval.content_checksum(a.replace("434", "435"))
    cells = a.replace("<p>434</p>", '<div id="cell-id=c857ffe5"><p>434</p></div>')
    assert approval.content_checksum(cells) == approval.content_checksum(
        cells.replace("c857ffe5", "3adff4da")
    )


def test_draft_mark_in_both_languages_and_in_print() -> None:
    en, es = approval.stamp(_page("x"), "en"), approval.stamp(_page("x"), "es")
    assert 'data-corett-approval="draft"' in en and ">DRAFT<" in en and ">BORRADOR<" in es
    assert "@media print" in en and "position:fixed" in en
    assert en.index("<body") < en.index(approval.START) < en.index("<p")
    ok = approval.stamp(en, "es", {"by": "Ana Pérez", "at": "2026-12-01T00:40:00+00:00"})
    assert "Aprobado por Ana Pérez el 1 de diciembre de 2026" in ok
    assert "BORRADOR" not in ok and ok.count(approval.START) == 1


def test_approval_survives_an_unchanged_rebuild_and_lapses_on_a_change(tmp_path: Path) -> None:
    out = tmp_path / "out"
    key = "2019/GTM/annual.en"
    _fake_build(out, {key: _page("<p>434 detected victims</p>"), "2019/GTM/annual.es": _page("x")})
    assert _status(out) == {key: "pending", "2019/GTM/annual.es": "pending"}
    record = approval.approve(key, "Ana Pérez", "checked", out)
    page = (out / f"{key}.html").read_text()
    assert "Approved by Ana Pérez" in page and "DRAFT" not in page
    assert _status(out)[key] == "approved"
    # the recorded output is the stamped page, so the next build still sees it as up to date
    rec = manifest.read_manifest(out)["reports"][key]["outputs"][f"{key}.html"]
    assert rec["bytes"] == len(page.encode())

    # a rebuild with another run id and build time but the same figures keeps the approval
    _fake_build(
        out, {key: _page("<p>434 detected victims</p>", "20261205T000000Z-000000")}, "run-2"
    )
    assert _status(out)[key] == "approved"
    assert "Approved by Ana Pérez" in (out / f"{key}.html").read_text()

    # a rebuild that changes a figure: DRAFT again, the approval kept in the history
    _fake_build(out, {key: _page("<p>435 detected victims</p>")}, "run-3")
    assert _status(out)[key] == "changed"
    page = (out / f"{key}.html").read_text()
    assert ">DRAFT<" in page and "Approved by" not in page
    entry = manifest.read_manifest(out)["approvals"][key]
    assert entry["current"] is None
    assert entry["history"][-1]["by"] == "Ana Pérez"
    assert entry["history"][-1]["content_sha256"] == record["content_sha256"]
    assert entry["history"][-1]["lapsed_run_id"] == "run-3"


def test_approve_refuses_unknown_unbuilt_unnamed_and_edited_pages(tmp_path: Path) -> None:
    out = tmp_path / "out"
    key = "2019/GTM/annual.en"
    _fake_build(out, {key: _page("<p>434</p>")})
    with pytest.raises(approval.ApprovalError, match="not a page key"):
        approval.approve("GTM/annual", "Ana", out=out)
    with pytest.raises(approval.ApprovalError, match="no such page"):
        approval.approve("2019/HND/annual.en", "Ana", out=out)
    with pytest.raises(approval.ApprovalError, match="--by"):
        approval.approve(key, "  ", out=out)
    p = out / f"{key}.html"
    p.write_text(p.read_text().replace("434", "999"))  # edited by hand after the build
    with pytest.raises(approval.ApprovalError, match="differs from what the build wrote"):
        approval.approve(key, "Ana", out=out)
    assert "approvals" not in manifest.read_manifest(out) or not manifest.read_manifest(out)[
        "approvals"
    ].get(key)


def test_cli_approve_and_list(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _fake_build(out, {"2019/GTM/annual.en": _page("a"), "2019/GTM/annual.es": _page("b")})
    runner = CliRunner()
    res = runner.invoke(
        main, ["approve", "2019/GTM/annual.es", "--by", "Luis", "--note", "ok", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["approve", "--list", "--format", "json", "--out", str(out)])
    rows = {r["key"]: r for r in json.loads(res.output)}
    assert rows["2019/GTM/annual.es"]["status"] == "approved"
    assert rows["2019/GTM/annual.es"]["by"] == "Luis" and rows["2019/GTM/annual.es"]["note"] == "ok"
    assert rows["2019/GTM/annual.en"]["status"] == "pending"
    res = runner.invoke(main, ["approve", "2019/GTM/sdg.en", "--by", "Luis", "--out", str(out)])
    assert res.exit_code == 2


# --------------------------------------------------------------------------- bundle


def test_bundle_holds_exactly_the_approved_pages_with_their_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    keys = ["2019/GTM/infographic.en", "2019/GTM/annual.en", "2019/HND/annual.es"]
    _fake_build(out, {k: _page(k) for k in keys})
    (out / "2019/GTM/infographic.en.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    )
    (out / "2019/GTM/infographic.en.png").write_bytes(b"png")
    (out / "2019/GTM/annual.en.pdf").write_bytes(b"%PDF")
    (out / "2019/GTM/annual.en.xlsx").write_bytes(b"xlsx")
    (out / "2019/GTM/annual.en.ipynb").write_text("{}")
    (out / "2019/HND/annual.es.pdf").write_bytes(b"%PDF-unapproved")
    with pytest.raises(bundle.BundleError, match="no approved page"):
        bundle.make_bundle(tmp_path / "b.zip", out)
    assert not (tmp_path / "b.zip").exists()

    approval.approve("2019/GTM/infographic.en", "Ana", out=out)
    approval.approve("2019/GTM/annual.en", "Ana", out=out)
    approval.approve("2019/HND/annual.es", "Ana", out=out)
    _fake_build(out, {"2019/HND/annual.es": _page("changed")}, "run-2")  # lapses
    res = CliRunner().invoke(
        main, ["bundle", "--approved", "--to", str(tmp_path / "b.zip"), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        names = sorted(zf.namelist())
        files = {n: zf.read(n) for n in names}
    assert names == [
        "2019/GTM/annual.en.html",
        "2019/GTM/annual.en.pdf",
        "2019/GTM/annual.en.xlsx",
        "2019/GTM/infographic.en.html",
        "2019/GTM/infographic.en.png",
        "2019/GTM/infographic.en.svg",
        "APPROVALS.json",
        "SHA256SUMS",
        "index.html",
    ]
    sums = bundle.read_sums(files["SHA256SUMS"].decode())
    assert set(sums) == set(names) - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest
    index = files["index.html"].decode()
    assert 'href="2019/GTM/annual.en.html"' in index and "HND" not in index
    assert set(json.loads(files["APPROVALS.json"])) == {
        "2019/GTM/annual.en",
        "2019/GTM/infographic.en",
    }


def test_bundle_is_not_written_inside_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _fake_build(out, {"2019/GTM/annual.en": _page("a")})
    approval.approve("2019/GTM/annual.en", "Ana", out=out)
    with pytest.raises(bundle.BundleError, match="inside the output folder"):
        bundle.make_bundle(out / "b.zip", out)


# --------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_build_approve_rebuild_bundle_end_to_end(tmp_path: Path) -> None:
    """The README's commands on the shipped data: the infographic is built with its SVG and PNG, an
    approval survives a forced rebuild of the same content and lapses when the data change."""
    from corett_lib.batch.build import build

    out = tmp_path / "out"
    args = {"countries": ["GTM"], "years": [2019], "reports": ["infographic"], "jobs": 1}
    result = build(**args, langs=["en"], out=str(out), progress=False)
    assert result.failed == {} and result.built == ["2019/GTM/infographic.en"]
    rec = manifest.read_manifest(out)["reports"]["2019/GTM/infographic.en"]
    assert set(rec["outputs"]) == {  # and the downloads of its published figures (issue 16)
        f"2019/GTM/infographic.en.{ext}"
        for ext in ("html", "ipynb", "svg", "png", "xlsx", "csv.zip")
    }
    svg = (out / "2019/GTM/infographic.en.svg").read_text()
    assert ">434<" in svg and ">2.54<" in svg and ">DRAFT<" in svg
    approval.approve("2019/GTM/infographic.en", "Ana Pérez", out=out)
    assert ">DRAFT<" not in (out / "2019/GTM/infographic.en.svg").read_text()

    again = build(**args, langs=["en"], out=str(out), progress=False)  # no-op: skipped
    assert again.skipped == ["2019/GTM/infographic.en"]
    forced = build(**args, langs=["en"], out=str(out), force=True, progress=False)
    assert forced.built == ["2019/GTM/infographic.en"]
    assert _status(out)["2019/GTM/infographic.en"] == "approved"

    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    pop = data / "raw" / "population_all.csv"
    lines = pop.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    i_iso, i_year, i_pop = header.index("iso3"), header.index("year"), header.index("population")
    for n, line in enumerate(lines[1:], 1):
        cells = line.rstrip("\n").split(",")
        if cells[i_iso] == "GTM" and cells[i_year] == "2019":
            cells[i_pop] = str(int(float(cells[i_pop])) * 2)  # the rate halves: 2.54 -> 1.27
            lines[n] = ",".join(cells) + "\n"
    pop.write_text("".join(lines), encoding="utf-8")
    changed = build(**args, langs=["en"], data=str(data), out=str(out), progress=False)
    assert changed.built == ["2019/GTM/infographic.en"]
    assert ">1.27<" in (out / "2019/GTM/infographic.en.svg").read_text()
    assert _status(out)["2019/GTM/infographic.en"] == "changed"

    with pytest.raises(bundle.BundleError):
        bundle.make_bundle(tmp_path / "b.zip", out)
    approval.approve("2019/GTM/infographic.en", "Ana Pérez", out=out)
    made = bundle.make_bundle(tmp_path / "b.zip", out)
    with zipfile.ZipFile(io.BytesIO((tmp_path / "b.zip").read_bytes())) as zf:
        assert "2019/GTM/infographic.en.png" in zf.namelist()
    assert made.pages == ["2019/GTM/infographic.en"]


def test_a_page_rewritten_as_draft_by_an_interrupted_build_gets_its_approval_mark_back(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    key = "2019/GTM/annual.en"
    _fake_build(out, {key: _page("<p>434</p>")})
    approval.approve(key, "Ana", out=out)
    p = out / f"{key}.html"
    p.write_text(approval.stamp(p.read_text(), "en"))  # as build_one writes it; no reconcile ran
    assert ">DRAFT<" in p.read_text()
    man = manifest.read_manifest(out)
    assert approval.reconcile(man, out, [], "run-9") == {"kept": [], "lapsed": []}
    assert "Approved by Ana" in p.read_text() and ">DRAFT<" not in p.read_text()


def test_approving_an_infographic_removes_the_draft_mark_from_its_svg_and_png(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    key = "2019/GTM/infographic.es"
    _fake_build(out, {key: _page("<p>434</p>")})
    svg = approval.stamp_svg(
        '<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="1350"></svg>', "es"
    )
    man = manifest.read_manifest(out)
    for name, data in (("svg", svg.encode()), ("png", raster.to_png(svg))):
        p = out / f"{key}.{name}"
        p.write_bytes(data)
        man["reports"][key]["outputs"][f"{key}.{name}"] = manifest.output_record(p, data, out)[1]
    manifest.write_manifest(man, out)
    draft_png = (out / f"{key}.png").read_bytes()
    assert ">BORRADOR<" in svg

    approval.approve(key, "Ana", out=out)
    assert "BORRADOR" not in (out / f"{key}.svg").read_text()
    png = (out / f"{key}.png").read_bytes()
    assert png != draft_png and png[:4] == b"\x89PNG"
    rec = manifest.read_manifest(out)["reports"][key]["outputs"]
    assert rec[f"{key}.png"]["sha256"] == hashlib.sha256(png).hexdigest()


def test_an_approval_stands_when_only_the_markup_of_an_earlier_version_changed(
    tmp_path: Path,
) -> None:
    """Pages were normalised by BeautifulSoup before; the build records the checksum in that markup."""
    out = tmp_path / "out"
    key, other = "2019/GTM/annual.en", "2019/GTM/sdg.en"
    old = {
        key: _page('<svg viewbox="0 0 1 1"></svg><p>434</p>'),
        other: _page('<svg viewbox="0 0 1 1"></svg><p>12</p>'),
    }
    _fake_build(out, old)
    approved = {k: approval.approve(k, "Ana Pérez", "", out)["content_sha256"] for k in old}
    assert approval.approved_checksums(manifest.read_manifest(out)) == approved

    man = manifest.read_manifest(out)
    for k, body in ((key, "<p>434</p>"), (other, "<p>13</p>")):  # the second changed a figure
        new = approval.stamp(_page(f'<svg viewBox="0 0 1 1"></svg>{body}'), "en")
        legacy = approval.stamp(_page(f'<svg viewbox="0 0 1 1"></svg>{body}'), "en")
        manifest.atomic_write_bytes(out / f"{k}.html", new.encode())
        man["reports"][k].update(
            content_sha256=approval.content_checksum(new),
            legacy_content_sha256=approval.content_checksum(legacy),
        )
    done = approval.reconcile(man, out, [key, other], "run-2")
    manifest.write_manifest(man, out)
    assert done == {"kept": [key], "lapsed": [other]}
    current = man["approvals"][key]["current"]
    assert current["content_sha256"] == man["reports"][key]["content_sha256"] != approved[key]
    assert current["markup_checksum_before"] == approved[key]
    assert "legacy_content_sha256" not in man["reports"][key]
    assert _status(out) == {key: "approved", other: "changed"}
    assert "Approved by Ana Pérez" in (out / f"{key}.html").read_text()
