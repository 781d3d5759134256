"""vl-convert's fonts are pinned to the ones it carries (corett_lib.reporting.renderer)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from corett_lib.reporting import renderer

ROOT = Path(__file__).resolve().parents[1]


def _in_fresh_process(code: str, fontconfig_file: str | None) -> dict[str, object]:
    """Run ``code`` (which prints one JSON line) in a new interpreter, with or without FONTCONFIG_FILE."""
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    if fontconfig_file is not None:
        env["FONTCONFIG_FILE"] = fontconfig_file
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_shipped_configuration_lists_only_a_folder_that_cannot_exist() -> None:
    tree = ET.parse(renderer.BUNDLED_FONTS_CONFIG)
    dirs = [d.text or "" for d in tree.getroot().iter("dir")]
    assert dirs == ["/dev/null/corett-bundled-fonts-only"]
    assert not any(Path(d).exists() for d in dirs)


def test_fonts_are_pinned_unless_the_user_chose_a_configuration(tmp_path: Path) -> None:
    """The pin does not leak: a process started afterwards (Chromium for PDFs) sees no pin."""
    code = (
        "import json, os, subprocess, sys\n"
        "from corett_lib.reporting import renderer\n"
        "renderer.vl_convert()\n"
        "child = subprocess.run([sys.executable, '-c', "
        "'import os; print(os.environ.get(\"FONTCONFIG_FILE\"))'],"
        " capture_output=True, text=True).stdout.strip()\n"
        "print(json.dumps({'env': os.environ.get('FONTCONFIG_FILE'), 'child': child,"
        " 'policy': renderer.font_policy()}))\n"
    )
    pinned = _in_fresh_process(code, None)
    assert pinned == {"env": None, "child": "None", "policy": "bundled"}
    own = tmp_path / "fonts.conf"
    own.write_text("<fontconfig><dir>/usr/share/fonts</dir></fontconfig>", encoding="utf-8")
    chosen = _in_fresh_process(code, str(own))
    assert chosen == {"env": str(own), "child": str(own), "policy": f"fontconfig:{own}"}


_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="40">'
    '<text x="4" y="28" font-size="22" font-family="{family}">Víctimas 434</text></svg>'
)


@pytest.mark.slow
def test_pinned_pngs_draw_with_the_bundled_font_whatever_the_svg_asks_for() -> None:
    """With the fonts pinned, a stack starting with DejaVu Sans (installed on Debian) draws Liberation Sans."""
    code = (
        "import hashlib, json\n"
        "from corett_lib.reporting import renderer\n"
        "vlc = renderer.vl_convert()\n"
        f"svg = {_SVG!r}\n"
        "out = {f: hashlib.sha256(bytes(vlc.svg_to_png(svg.format(family=f)))).hexdigest()"
        " for f in ('DejaVu Sans, sans-serif', 'Liberation Sans', 'sans-serif')}\n"
        "print(json.dumps(out))\n"
    )
    drawn = _in_fresh_process(code, None)
    assert drawn["DejaVu Sans, sans-serif"] == drawn["Liberation Sans"] == drawn["sans-serif"]


def test_every_font_stack_ends_with_a_generic_family() -> None:
    """vl-convert draws no text at all for a stack none of whose fonts it has: a generic one must end it."""
    from corett_lib.reporting import charts, raster

    for stack in (charts.FONT, raster.FONT):
        assert stack.rsplit(",", 1)[-1].strip() == "sans-serif"


def test_cached_pictures_are_keyed_by_the_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    from corett_lib.batch import raster_cache
    from corett_lib.reporting import charts

    spec = {"mark": "bar", "data": {"values": [{"x": 1}]}}
    svg_bundled, png_bundled = charts.svg_cache_key(spec, "6.1"), raster_cache.png_key("<svg/>")
    assert png_bundled["fonts"] == renderer.font_policy()
    monkeypatch.setattr(renderer, "font_policy", lambda: "fontconfig:/etc/fonts/fonts.conf")
    assert charts.svg_cache_key(spec, "6.1") != svg_bundled
    assert raster_cache.png_key("<svg/>")["fonts"] == "fontconfig:/etc/fonts/fonts.conf"
    assert raster_cache.png_key("<svg/>") != png_bundled
