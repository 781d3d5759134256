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
#: Font stack: system fonts only (nothing is fetched).
FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"


def to_png(svg: str) -> bytes:
    """Return the SVG as a PNG of at least :data:`MIN_PNG_SIDE` pixels on its short side.

    vl-convert rasterises it with resvg and the system fonts; no browser.
    """
    import vl_convert as vlc  # third-party, heavy: only when a PNG is made

    scale = MIN_PNG_SIDE / min(WIDTH, HEIGHT)
    return bytes(vlc.svg_to_png(svg, scale=scale))
