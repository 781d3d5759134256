"""The infographic's canvas and its rasterisation: light enough for the build's start-up.

The batch layer (approval marks, product files) needs the canvas size, the font stack and the SVG → PNG
step, but not the report sections; they live here so that ``corett build`` with nothing to rebuild does
not import the sections (and pandas, Altair) at all.
"""

from __future__ import annotations

#: Size of the image in SVG units; the PNG is rendered at one pixel per unit (4:5, short side 1080).
WIDTH, HEIGHT = 1080, 1350
#: Minimum short side of the PNG, in pixels (print and social media).
MIN_PNG_SIDE = 1080
#: Font stack (nothing is fetched). The PNG is drawn with Liberation Sans, the font vl-convert carries
#: (:mod:`corett_lib.reporting.renderer`); a browser showing the SVG takes it, or Arial or Helvetica,
#: which have the same metrics, so the page and the PNG look alike.
FONT = "Liberation Sans, Arial, Helvetica, DejaVu Sans, sans-serif"


def to_png(svg: str) -> bytes:
    """Return the SVG as a PNG of at least :data:`MIN_PNG_SIDE` pixels on its short side.

    vl-convert rasterises it with resvg and its own fonts (:mod:`corett_lib.reporting.renderer`); no
    browser.
    """
    from corett_lib.reporting import renderer  # vl-convert is heavy: only when a PNG is made

    vlc = renderer.vl_convert()

    scale = MIN_PNG_SIDE / min(WIDTH, HEIGHT)
    return bytes(vlc.svg_to_png(svg, scale=scale))
