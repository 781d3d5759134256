"""Files a report offers next to its page (e.g. the evaluator's working file ``evaluation.en.xlsx``).

A report section cannot write into the output folder (it does not know it, and a build writes every
product atomically with its checksum in the manifest). Instead it returns a *product bundle*: a
display output with the MIME type :data:`PRODUCT_MIME` that carries the file's name and bytes. The
batch build (:mod:`corett_lib.batch.products`) takes these bundles out of the executed notebook and
writes each file next to the page, atomically, recording it in the manifest.

A workbook offered this way is made by :func:`corett_lib.publishing.publish.excel_bytes`, from
published tables: the same publishing function as every download, so disclosure control and formula
neutralization apply.
"""

from __future__ import annotations

import base64
import re
from typing import Any

#: MIME type of a product bundle in a notebook's outputs.
PRODUCT_MIME = "application/vnd.corett.product+json"

#: A product's file name: ``<report>.<lang>.<ext>``, a plain name (never a path).
PRODUCT_NAME = re.compile(r"^[a-z][a-z0-9_]*\.(en|es)\.(xlsx|csv)$")


def product_bundle(name: str, data: bytes) -> dict[str, Any]:
    """Return the :data:`PRODUCT_MIME` payload that asks the build to write ``data`` as ``name``.

    Raises
    ------
    ValueError
        When ``name`` is not a plain product name (:data:`PRODUCT_NAME`).
    """
    check_product_name(name)
    return {"name": name, "base64": base64.b64encode(data).decode("ascii"), "bytes": len(data)}


def check_product_name(name: str) -> str:
    """Return ``name`` if it is a plain product name, else raise :class:`ValueError`.

    Examples
    --------
    >>> check_product_name("evaluation.es.xlsx")
    'evaluation.es.xlsx'
    >>> check_product_name("../index.html")
    Traceback (most recent call last):
    ...
    ValueError: product name '../index.html' is not <report>.<en|es>.<xlsx|csv>
    """
    if not PRODUCT_NAME.match(name):
        raise ValueError(f"product name {name!r} is not <report>.<en|es>.<xlsx|csv>")
    return name


def product_data(payload: dict[str, Any]) -> tuple[str, bytes]:
    """Return ``(name, bytes)`` of a product bundle (checked: plain name, declared length)."""
    name = check_product_name(str(payload.get("name", "")))
    data = base64.b64decode(str(payload.get("base64", "")), validate=True)
    if len(data) != int(payload.get("bytes", -1)):
        raise ValueError(f"product {name}: {len(data)} bytes, declared {payload.get('bytes')}")
    return name, data
