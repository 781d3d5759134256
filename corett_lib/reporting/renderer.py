"""vl-convert, the one renderer of the charts (SVG) and the infographic (PNG), with its fonts pinned.

vl-convert measures every label of a chart (axis labels, legends, titles) and draws the infographic's
text with the fonts of its font database. Left to itself it loads the machine's fonts, which has two
costs:

* **Different pictures on different machines.** Label widths, truncation and the PNG's letters depend
  on which fonts happen to be installed (Arial on one machine, DejaVu Sans on another, none on a bare
  CI image), so the same inputs did not give the same chart everywhere.
* **Time.** A system font is a file: vl-convert opens, maps and unmaps it for every text it measures
  or draws (about 2,000 times a second per process during a build, seen with ``strace``). A cold
  build of the default matrix spent 53 of its 194 CPU seconds in the operating system, mostly on
  that; 24 once the fonts came from memory (115.8 → 97.3 s on 2 CPUs).

So before vl-convert is first used in a process, :func:`vl_convert` points its font lookup
(``FONTCONFIG_FILE``, which vl-convert's font database reads once, when it is first needed) at
:data:`BUNDLED_FONTS_CONFIG`, a configuration whose only font folder cannot exist, has vl-convert
load its font database right then (one tiny drawing), and puts the variable back as it was: the
processes the workbench starts later (Chromium for PDFs, the browser tests) see the machine's
fonts as before. vl-convert then uses the fonts it carries in memory, Liberation Sans
(metric-compatible with Arial), on every machine. The chart SVGs keep their
CSS font stack (the reader's browser picks the font it has); the infographic's stack starts with
Liberation Sans and Arial so that its page and its PNG look alike.

A ``FONTCONFIG_FILE`` already set by the user is left alone (to draw with a coalition's own fonts,
point it at a configuration listing their folder); :func:`font_policy` names what is in force, and it
is part of the SVG and PNG cache keys, so a cached picture drawn with other fonts is never reused.
The pin only works before vl-convert first draws text in the process: in a notebook that already
drew a chart with vl-convert directly (``chart.save("x.png")``), restart the kernel.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

#: The font configuration that leaves vl-convert with the fonts it carries (package data).
BUNDLED_FONTS_CONFIG = Path(__file__).with_name("renderer_fonts.conf")

_ENV = "FONTCONFIG_FILE"
_POLICY: str | None = None

#: A drawing with text: rasterising it makes vl-convert load its font database.
_TEXT_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
    '<text x="0" y="6" font-size="6" font-family="sans-serif">a</text></svg>'
)


def pin_fonts() -> None:
    """Have vl-convert load its font database now, from its own fonts unless the user chose some.

    Idempotent. ``FONTCONFIG_FILE`` is set only while the database loads, then put back, so
    processes started afterwards do not inherit it.
    """
    global _POLICY
    if _POLICY is not None:
        return
    chosen = os.environ.get(_ENV)
    if chosen:
        _POLICY = f"fontconfig:{chosen}"
        return
    import vl_convert as vlc  # third-party, heavy: imported when something is drawn

    os.environ[_ENV] = str(BUNDLED_FONTS_CONFIG)
    try:
        vlc.svg_to_png(_TEXT_SVG)
    finally:
        os.environ.pop(_ENV, None)
    _POLICY = "bundled"


def vl_convert() -> ModuleType:
    """Return the ``vl_convert`` module, its fonts pinned first (:func:`pin_fonts`).

    Every use of vl-convert in the workbench goes through here.
    """
    pin_fonts()
    import vl_convert as vlc

    return vlc


def font_policy() -> str:
    """Return which fonts vl-convert draws with: ``"bundled"`` or ``"fontconfig:<path>"``.

    Examples
    --------
    >>> font_policy() in ("bundled",) or font_policy().startswith("fontconfig:")
    True
    """
    pin_fonts()
    assert _POLICY is not None
    return _POLICY
