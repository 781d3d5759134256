"""Files a report offers next to its page (e.g. the evaluator's working file ``evaluation.en.xlsx``).

A report section cannot write into the output folder (it does not know it, and a build writes every
product atomically with its checksum in the manifest). Instead it returns a *product bundle*: a
display output with the MIME type :data:`PRODUCT_MIME` that carries the file's name and bytes. The
batch build (:mod:`corett_lib.batch.products`) takes these bundles out of the executed notebook and
writes each file next to the page, atomically, recording it in the manifest.

Every sheet of a workbook made here is a :class:`~corett_lib.publishing.publish.PublishedTable`
exported by :func:`~corett_lib.publishing.publish.export_frame`: the same publishing function as every
download, so disclosure control and formula neutralization apply.
"""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Sequence
from typing import Any

from corett_lib.publishing.publish import PublishedTable, export_frame

#: MIME type of a product bundle in a notebook's outputs.
PRODUCT_MIME = "application/vnd.corett.product+json"

#: A product's file name: ``<report>.<lang>.<ext>``, a plain name (never a path).
PRODUCT_NAME = re.compile(r"^[a-z][a-z0-9_]*\.(en|es)\.(xlsx|csv)$")


def excel_bytes(sheets: Sequence[tuple[str, PublishedTable]]) -> bytes:
    """Return an Excel workbook with one sheet per published table.

    Parameters
    ----------
    sheets
        ``(sheet name, published table)`` pairs; names are cut to Excel's 31 characters.

    Returns
    -------
    bytes
        The ``.xlsx`` file. Text cells are typed as text (never formulas) and text that starts like
        a formula carries the apostrophe of :func:`~corett_lib.publishing.publish.neutralize`.

    Examples
    --------
    >>> import pandas as pd
    >>> from corett_lib.publishing.publish import publish_table
    >>> t = publish_table(pd.DataFrame({"q": ["EQ1"], "note": ["=1+1"]}), table_id="t", count_columns=[])
    >>> excel_bytes([("Answers", t)])[:2]
    b'PK'
    """
    from openpyxl import Workbook  # third-party, 0.2 s to import: only when a workbook is written

    wb = Workbook()
    wb.remove(wb.active)
    for name, published in sheets:
        frame = export_frame(published, machine=True)
        ws = wb.create_sheet(title=name[:31])
        ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])
        for row in ws.iter_rows(min_row=1):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


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
