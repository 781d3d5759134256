"""Products a report's notebook makes besides its page, written beside the page by the build.

A notebook output whose ``image/svg+xml`` carries the metadata ``corett_product: <name>`` is a product:
the build writes it as ``<out>/<year>/<country>/<report>.<lang>.svg`` and, for the infographic, its PNG
(:func:`corett_lib.reporting.raster.to_png`, cached by the SVG's content:
:func:`corett_lib.batch.raster_cache.cached_png`), atomically and recorded with the page's outputs in
the manifest (so a missing or changed file makes the page out of date).

A notebook output with the MIME type :data:`~corett_lib.publishing.downloads.PRODUCT_MIME` is a file
product (the evaluation's working file ``evaluation.<lang>.xlsx``): :func:`take_file_products` takes its
bytes out of the notebook (the executed ``.ipynb`` keeps only the file's name) and the build writes it
beside the page under the name it carries, which must be the page's own ``<report>.<lang>`` stem.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from corett_lib.batch.approval import stamp_svg
from corett_lib.batch.raster_cache import cached_png
from corett_lib.batch.reproducible import stable_product
from corett_lib.publishing.downloads import PRODUCT_MIME, product_data

if TYPE_CHECKING:
    from nbformat import NotebookNode

#: Products that also get a PNG rendering.
PNG_PRODUCTS: frozenset[str] = frozenset({"infographic"})


def notebook_products(nb: NotebookNode) -> dict[str, str]:
    """Return ``{product name: SVG}`` of the executed notebook's marked outputs."""
    found: dict[str, str] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = (out.get("metadata") or {}).get("image/svg+xml") or {}
            name = meta.get("corett_product") if isinstance(meta, dict) else None
            svg = (out.get("data") or {}).get("image/svg+xml")
            if name and svg:
                found[str(name)] = svg if isinstance(svg, str) else "".join(svg)
    return found


def product_files(nb: NotebookNode, html_path: Path, lang: str) -> dict[Path, bytes]:
    """Return ``{path: bytes}`` of the products to write beside the page at ``html_path``.

    ``annual.en.html`` → ``annual.en.svg`` (+ ``annual.en.png`` for a PNG product). Like its page, a
    product is written DRAFT (:func:`corett_lib.batch.approval.stamp_svg`); approving the page removes
    the mark from both.
    """
    files: dict[Path, bytes] = take_file_products(nb, html_path)
    stem = html_path.with_suffix("")
    for name, raw in notebook_products(nb).items():
        svg = stamp_svg(raw, lang)
        files[stem.with_name(stem.name + ".svg")] = svg.encode("utf-8")
        if name in PNG_PRODUCTS:
            files[stem.with_name(stem.name + ".png")] = cached_png(svg)
    return files


def take_file_products(nb: NotebookNode, html_path: Path) -> dict[Path, bytes]:
    """Return ``{path: bytes}`` of the file products in ``nb`` and strip their bytes from ``nb``.

    Each :data:`~corett_lib.publishing.downloads.PRODUCT_MIME` output names its file
    (``evaluation.en.xlsx``); the file goes beside the page at ``html_path`` and its name must start
    with the page's ``<report>.<lang>`` stem, so no report can write another's file. The output keeps
    ``{"name", "bytes"}`` only, so the executed notebook stays small.

    Raises
    ------
    ValueError
        A name that is not a plain product name or not the page's stem, undecodable data, or the same
        name twice.
    """
    stem = html_path.with_suffix("").name  # evaluation.en
    files: dict[Path, bytes] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []) or []:
            data = out.get("data") or {}
            if PRODUCT_MIME not in data:
                continue
            name, payload = product_data(dict(data[PRODUCT_MIME]))
            if not name.startswith(stem + "."):
                raise ValueError(
                    f"the page {stem} offers {name}, which is not one of its own files"
                )
            path = html_path.with_name(name)
            if path in files:
                raise ValueError(f"the page {stem} offers {name} twice")
            files[path] = payload = stable_product(path, payload)  # no time inside the file
            data[PRODUCT_MIME] = {"name": name, "bytes": len(payload)}
    return files
