"""What a build may do to its output folder: which folders it accepts, and which files it removes.

* :func:`check_output_folder` refuses the filesystem root, the home folder and a non-empty folder that
  holds something other than the workbench's products (a "foreign" folder), unless the person asks
  for it explicitly (``corett build --out-ok``).
* :func:`unrecorded_rewrite` tells a report whose files a killed build replaced after its record
  was made (whole files, but not the recorded ones): the next build rebuilds it.
* :func:`stale_temporaries` lists the temporary files an interrupted write left beside a product the
  build knows of (a report of its matrix, a product its manifest records, the manifest and the
  index): ``.<name>.<random>.tmp`` (:mod:`corett_lib.core.atomic`). Nothing else is ever removed: no
  sweep of every ``.*.tmp`` under the folder.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

#: Top-level names the workbench writes in an output folder (a 4-digit year folder too).
KNOWN_NAMES = frozenset(
    {"manifest.json", "index.html", ".build.lock", "validation", "templates", "_failed"}
)
_YEAR = re.compile(r"^\d{4}$")
#: ``tempfile.mkstemp`` names: ``.<name>.<8 random characters>.tmp`` (see ``atomic.write_with``).
_TMP_SUFFIX = re.compile(r"^\.[A-Za-z0-9_]{8}\.tmp$")


class OutputFolderError(ValueError):
    """The output folder is not one a build may write into (without ``--out-ok``)."""


def foreign_entries(out_root: Path) -> list[str]:
    """Return the top-level entries of ``out_root`` that no build of the workbench writes."""
    if not out_root.is_dir():
        return []
    return sorted(
        p.name for p in out_root.iterdir() if p.name not in KNOWN_NAMES and not _YEAR.match(p.name)
    )


def check_output_folder(out_root: Path, *, out_ok: bool = False) -> None:
    """Refuse an output folder a build should not write into, unless ``out_ok``.

    Parameters
    ----------
    out_root
        The resolved output folder.
    out_ok
        The person said explicitly that this folder is right (``--out-ok``).

    Raises
    ------
    OutputFolderError
        For the filesystem root, the home folder, or a non-empty folder without a build manifest
        holding entries the workbench does not write (the first few are named), with the hint.
    """
    if out_ok:
        return
    out_root = Path(out_root)
    hint = "choose an empty or new folder, or pass --out-ok if this folder is really meant"
    if out_root == Path(out_root.anchor):
        raise OutputFolderError(f"--out {out_root} is the filesystem root; {hint}")
    if out_root == Path.home().resolve():
        raise OutputFolderError(f"--out {out_root} is the home folder; {hint}")
    if (out_root / "manifest.json").is_file():
        return  # a folder a build already wrote into
    foreign = foreign_entries(out_root)
    if foreign:
        shown = ", ".join(foreign[:5]) + (
            f" (+{len(foreign) - 5} more)" if len(foreign) > 5 else ""
        )
        raise OutputFolderError(
            f"--out {out_root} is not empty and holds files no build wrote ({shown}); {hint}"
        )


def known_products(
    out_root: Path, manifest: Mapping[str, Any], planned: Iterable[Path]
) -> set[Path]:
    """Return every product path the build knows of.

    The ``planned`` paths, every output and kept notebook the manifest records, the manifest and
    the index.
    """
    known = {out_root / "manifest.json", out_root / "index.html", *planned}
    for record in (manifest.get("reports") or {}).values():
        for rel in (record.get("outputs") or {}, record.get("previous_outputs") or {}):
            known.update(out_root / r for r in rel)
        if record.get("failed_notebook"):
            known.add(out_root / record["failed_notebook"])
    return known


def unrecorded_rewrite(out_root: Path, record: Mapping[str, Any]) -> bool:
    """Return True when an output of ``record`` was replaced after the record was made.

    A build killed after renaming a report's files into place but before saving their record leaves
    whole files whose bytes are not the recorded ones (the notebook carries that run's id). Only
    files modified after the record's ``finished`` time (plus one second: it is kept to the second)
    are hashed, so an unchanged folder costs a ``stat`` per output.
    """
    try:
        finished = datetime.fromisoformat(str(record["finished"])).timestamp() + 1.0
    except (KeyError, ValueError):
        return False  # a record without its time: nothing to compare with
    for rel, recorded in (record.get("outputs") or {}).items():
        p = out_root / rel
        try:
            if p.stat().st_mtime <= finished:
                continue
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
        except OSError:
            return True
        if digest != recorded.get("sha256"):
            return True
    return False


def stale_temporaries(products: Iterable[Path]) -> list[Path]:
    """Return the temporary files an interrupted atomic write of one of ``products`` left behind."""
    by_folder: dict[Path, set[str]] = {}
    for product in products:
        by_folder.setdefault(product.parent, set()).add(product.name)
    found: list[Path] = []
    for folder, names in by_folder.items():  # each folder listed once, not once per product
        try:
            entries = [e for e in os.scandir(folder) if e.name.startswith(".")]
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            # ``.<product name>.<8 characters>.tmp``: the product's name is what precedes the suffix
            name = entry.name[1:-13] if len(entry.name) > 14 else ""
            if (
                name in names
                and _TMP_SUFFIX.match(entry.name[len(name) + 1 :])
                and entry.is_file(follow_symlinks=True)
            ):
                found.append(folder / entry.name)
    return sorted(set(found))


__all__ = [
    "KNOWN_NAMES",
    "OutputFolderError",
    "check_output_folder",
    "foreign_entries",
    "known_products",
    "stale_temporaries",
    "unrecorded_rewrite",
]
