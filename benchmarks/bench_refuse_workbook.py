"""Refusing an oversized workbook: the time and memory ``corett ingest`` spends on a zip bomb.

A real template written by ``corett template`` gets one extra part of zero bytes (default 1 GiB
uncompressed, about 1 MB on disk), so the file looks like a workbook. ``corett ingest`` must refuse
it before the spreadsheet reader sees it (:func:`corett_lib.raw.workbook_guard.check_workbook`).

Figures printed (JSON): the file's size on disk and inflated, the command's exit status and its
first line, its wall time and its peak resident memory (``ru_maxrss`` of the child process), and
the same for ``corett ingest`` of the honest template (the baseline: importing pandas and openpyxl
costs most of both).

Run: ``python benchmarks/bench_refuse_workbook.py [--gib 1]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from corett_lib.apps.workbook import write_template
from corett_lib.core import paths


def make_bomb(template: Path, out: Path, inflated: int) -> Path:
    """Copy ``template`` to ``out`` with one part of ``inflated`` zero bytes."""
    shutil.copy(template, out)
    with (
        zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("xl/media/image1.bin", "w", force_zip64=True) as part,
    ):
        chunk = bytes(1 << 20)
        for _ in range(inflated >> 20):
            part.write(chunk)
    return out


def measure(args: list[str]) -> dict[str, object]:
    """Run ``args``; return exit status, first output line, wall seconds and peak RSS (MiB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    output = proc.stdout.read() if proc.stdout else ""
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "first_line": output.strip().splitlines()[0] if output.strip() else "",
        "seconds": round(wall, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
    }


def main() -> None:
    """Build the bomb, run ``corett ingest`` on it and on the honest template, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--gib", type=float, default=1.0, help="Uncompressed size of the bomb part."
    )
    opts = parser.parse_args()
    corett = str(Path(sys.executable).parent / "corett")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = root / "data"
        (data / "raw").mkdir(parents=True)
        shutil.copy(paths.raw_path("plan_items"), data / "raw" / "plan_items.csv")
        template = write_template("GTM", 2024, "en", path=root / "template.xlsx")
        inflated = int(opts.gib * (1 << 30))
        bomb = make_bomb(template, root / "monitoring_GTM_2024.xlsx", inflated)
        figures = {
            "bomb_bytes_on_disk": bomb.stat().st_size,
            "bomb_bytes_inflated": inflated
            + sum(i.file_size for i in zipfile.ZipFile(template).infolist()),
            "refuse_bomb": measure([corett, "ingest", "--dry-run", "--data", str(data), str(bomb)]),
            "honest_template": measure(
                [corett, "ingest", "--dry-run", "--data", str(data), str(template)]
            ),
        }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
