"""Same inputs, same bytes: what a build writes differs from one run to the next only by its stamp.

A report's HTML is a function of its inputs alone. Its executed notebook would also carry the time
each cell ran (Jupyter's ``execution`` timestamps, papermill's start, end and duration): those are
removed (the manifest keeps the cell timings), and the build's run id and start time are written in
one place, the notebook's ``metadata.corett`` (:func:`stamp_notebook`). Cell ids come from the
notebooks themselves (every notebook carries fixed ids; nbformat would invent random ones).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: Cell metadata written by the kernel client with wall-clock times.
VOLATILE_CELL_KEYS: tuple[str, ...] = ("execution",)
#: Papermill metadata (cell and notebook level) that are times or durations.
VOLATILE_PAPERMILL_KEYS: tuple[str, ...] = ("start_time", "end_time", "duration")
STAMP_KEY = "corett"
#: A default Python repr names the object's memory address (``<x.Image at 0x7f5b...>``): it differs
#: on every run, so the address is dropped from text outputs.
_ADDRESS = re.compile(r"<([\w.]+(?: object)?) at 0x[0-9a-f]+>")


def stamp_notebook(nb: Any, stamp: Mapping[str, str]) -> Any:
    """Remove the wall-clock times of an executed notebook and write its ``stamp``.

    ``stamp`` (the run id and the build's start time) goes to ``metadata.corett``; memory addresses
    in default reprs are dropped; the notebook is changed in place and returned.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1", id="a")])
    >>> nb.cells[0].outputs = [nbformat.v4.new_output(
    ...     "display_data", data={"text/plain": "<m.Image at 0x7f5ba8a59850>"})]
    >>> nb.cells[0].metadata["execution"] = {"shell.execute_reply": "2026-12-01T00:00:00Z"}
    >>> nb.metadata["papermill"] = {"duration": 1.5, "parameters": {"year": 2019}}
    >>> nb = stamp_notebook(nb, {"run_id": "r1", "build_started": "2026-12-01T00:00:00+00:00"})
    >>> dict(nb.cells[0].metadata), dict(nb.metadata["papermill"]), nb.metadata["corett"]["run_id"]
    ({}, {'parameters': {'year': 2019}}, 'r1')
    >>> nb.cells[0].outputs[0]["data"]["text/plain"]
    '<m.Image>'
    """
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            text = data.get("text/plain")
            if isinstance(text, str):
                data["text/plain"] = _ADDRESS.sub(r"<\1>", text)
            elif isinstance(text, list):
                data["text/plain"] = [_ADDRESS.sub(r"<\1>", t) for t in text]
        meta = cell.get("metadata", {})
        for key in VOLATILE_CELL_KEYS:
            meta.pop(key, None)
        for key in VOLATILE_PAPERMILL_KEYS:
            meta.get("papermill", {}).pop(key, None)
    for key in VOLATILE_PAPERMILL_KEYS:
        nb.metadata.get("papermill", {}).pop(key, None)
    nb.metadata[STAMP_KEY] = dict(stamp)
    return nb


#: The time an Office file (a zip) says its parts and itself were made: the zip format's own epoch,
#: the same on every build (the build's time is in the manifest and ``metadata.corett`` only).
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_TIMES = re.compile(
    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)"
)


def stable_product(path: Path, data: bytes) -> bytes:
    """Return a product's bytes without the time it was made (an ``.xlsx``); others unchanged.

    An Office file is a zip whose entries carry their write time and whose ``docProps/core.xml``
    says when it was created and modified: all are set to :data:`FIXED_TIME`, the entries kept in
    their order with their compression.

    Examples
    --------
    >>> import io, zipfile
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as zf:
    ...     zf.writestr("docProps/core.xml", "<dcterms:created x='1'>2026-12-01T00:52:00Z</dcterms:created>")
    >>> fixed = stable_product(Path("a.xlsx"), buf.getvalue())
    >>> zipfile.ZipFile(io.BytesIO(fixed)).read("docProps/core.xml")
    b"<dcterms:created x='1'>1980-01-01T00:00:00Z</dcterms:created>"
    >>> zipfile.ZipFile(io.BytesIO(fixed)).infolist()[0].date_time
    (1980, 1, 1, 0, 0, 0)
    """
    if path.suffix.lower() != ".xlsx":
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                body = _CORE_TIMES.sub(rb"\g<1>1980-01-01T00:00:00Z\g<2>", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, body)
    return out.getvalue()


__all__ = ["FIXED_TIME", "STAMP_KEY", "stable_product", "stamp_notebook"]
