"""Monitoring rows exported for a spreadsheet, formula text neutralized."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from corett_lib.core.spreadsheet import neutralize

if TYPE_CHECKING:
    import pandas as pd

from corett_lib.dataset.monitoring import COLUMNS, _csv_value


def export_monitoring(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Export monitoring rows for a spreadsheet (``.csv`` or ``.xlsx``), formula text neutralized.

    Every text cell that starts with ``=``, ``+``, ``-`` or ``@`` gets a leading apostrophe
    (:func:`corett_lib.core.spreadsheet.neutralize`), and ``.xlsx`` cells are typed as text, so nothing a member
    typed is ever evaluated by the spreadsheet that opens the export.
    """
    p = Path(path)
    cols = [c for c in COLUMNS if c in df.columns]
    frame = df[cols].copy()
    frame["value"] = frame["value"].map(_csv_value) if "value" in frame else frame.get("value")
    frame = frame.map(lambda v: neutralize(_csv_value(v)))
    if p.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "monitoring"
        ws.append(cols)
        for rec in frame.itertuples(index=False, name=None):
            ws.append(list(rec))
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        wb.save(p)
    else:
        frame.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\n")
    return p
