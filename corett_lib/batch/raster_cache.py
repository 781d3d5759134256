"""The infographic's PNG, cached by the content of its SVG.

Rasterising the 1080×1350 infographic (:func:`corett_lib.reporting.raster.to_png`, vl-convert/resvg)
takes about 0.1 s of CPU per page. The PNG depends only on the SVG (data, labels, approval mark), the
scale, vl-convert's version and the fonts it draws with
(:func:`corett_lib.reporting.renderer.font_policy`), so it is kept in the project cache
(:mod:`corett_lib.core.cache`, folder ``png``) under that key: a page rebuilt with the same content
(``--force``, a library change that does not change the image, an approval mark put back) gets the
same bytes without rasterising again. A ``FONTCONFIG_FILE`` of the user's is keyed by its path, not its
content: after changing the fonts it lists, remove the cache's ``png`` folder to redraw.

An entry that fails its integrity check is removed and the PNG drawn again; a cache that cannot be
written only costs the rendering.
"""

from __future__ import annotations

import base64
import hashlib
import warnings

from corett_lib.core import cache
from corett_lib.reporting.raster import MIN_PNG_SIDE, to_png

PNG_CACHE_FOLDER = "png"
KEEP = 400
"""Entries kept (newest first): the infographics of the default matrix, both languages, with room."""

_STORE = cache.Store(PNG_CACHE_FOLDER, keep=KEEP)


def png_key(svg: str) -> dict[str, str]:
    """Return the cache key of the PNG of ``svg``: its sha256, the PNG size, vl-convert's version and fonts.

    Examples
    --------
    >>> png_key("<svg/>")["svg_sha256"][:12]
    'd4dc56669143'
    """
    from corett_lib.reporting import renderer

    vlc = renderer.vl_convert()
    return {
        "svg_sha256": hashlib.sha256(svg.encode("utf-8")).hexdigest(),
        "min_side": str(MIN_PNG_SIDE),
        "vl_convert": str(getattr(vlc, "__version__", "")),
        "fonts": renderer.font_policy(),
    }


def cached_png(svg: str) -> bytes:
    """Return :func:`~corett_lib.reporting.raster.to_png` of ``svg``, from the cache when drawn before."""
    key = png_key(svg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cache.CacheWarning)  # a damaged entry is drawn again
        entry = _STORE.get(key, prefix="png", tables=False)
    meta = entry.meta if entry is not None else None
    if isinstance(meta, dict) and isinstance(meta.get("png"), str):
        data = base64.b64decode(meta["png"])
        if hashlib.sha256(data).hexdigest() == meta.get("png_sha256"):
            return data
    data = to_png(svg)
    _STORE.put(
        key,
        meta={
            "png": base64.b64encode(data).decode("ascii"),
            "png_sha256": hashlib.sha256(data).hexdigest(),
        },
        prefix="png",
    )
    return data
