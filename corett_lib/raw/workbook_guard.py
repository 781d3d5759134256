"""Checks on a workbook *before* it is read: a real zip, not encrypted, bounded in size.

An ``.xlsx`` file is a zip of XML parts. A file that is not one (a text file named ``.xlsx``, a
legacy ``.xls``), an encrypted Office file (an OLE2 container holding ``EncryptionInfo``), a
password-protected zip, a truncated file, or a small file that inflates to gigabytes (a zip bomb)
must be refused with a one-line problem naming the file, without handing it to the spreadsheet
reader. The limits are configuration: ``parameters/limits.yaml`` (:class:`WorkbookLimits`).

Sizes are *measured* while inflating each part in chunks (never trusting the sizes the zip
declares), and inflation stops at the first limit crossed, so refusing a bomb costs at most the
limit in time and one chunk in memory.

:func:`text_problem` and :func:`number_problem` check one cell's text length and number
(finite, within range) while a workbook is read.
"""

from __future__ import annotations

import math
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from corett_lib.core import config, i18n, paths
from corett_lib.core.problems import Problem

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 16
WHY_SAFE = "a returned workbook is read only when it is a plain .xlsx within the limits of parameters/limits.yaml"


class WorkbookLimits(BaseModel):
    """The ``workbook`` section of ``parameters/limits.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    max_file_bytes: int = Field(gt=0)
    max_parts: int = Field(gt=0)
    max_part_bytes: int = Field(gt=0)
    max_total_bytes: int = Field(gt=0)
    max_ratio: float = Field(gt=1)
    ratio_from_bytes: int = Field(ge=0)
    max_rows: int = Field(gt=0)
    max_text_chars: int = Field(gt=0, le=32767)
    max_value: float = Field(gt=0)


class _LimitsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    workbook: WorkbookLimits


def limits(path: str | os.PathLike[str] | None = None) -> WorkbookLimits:
    """Return the workbook limits of ``parameters/limits.yaml`` (or ``path``).

    Raises
    ------
    corett_lib.core.config.ConfigError
        When the file is missing, not YAML, or breaks the schema (unknown keys included).
    """
    p = Path(path) if path else paths.parameters_dir() / "limits.yaml"
    data = config.read_yaml(p)
    try:
        return _LimitsFile.model_validate(data).workbook
    except ValueError as exc:
        raise config.ConfigError(f"{p}: {exc}") from None


def _problem(file: str, check: str, message: str, sheet: str | None = None) -> Problem:
    return Problem("error", check, file, message, why=WHY_SAFE, table=sheet)


def _t(key: str, **kwargs: Any) -> str:
    return i18n.t(f"workbook.{key}", "en", **kwargs)


def check_workbook(
    path: str | os.PathLike[str], lim: WorkbookLimits | None = None
) -> list[Problem]:
    """Return the problems that make ``path`` unsafe to read (empty: it may be opened).

    Checks, in order, stopping at the first that fails (each names the file): size on disk; a zip
    (else: encrypted Office file, or not a workbook, with its first bytes); a readable zip directory;
    no encrypted part; the number of parts; each part inflated in chunks within the per-part limit,
    the total limit and the compression ratio limit, with its CRC checked (a truncated part fails).
    """
    lim = lim or limits()
    p = Path(path)
    name = p.name
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        return [_problem(name, "workbook_readable", f"cannot be read ({exc.strerror or exc})")]
    if size > lim.max_file_bytes:
        msg = _t("too_large", what="the file", size=size, limit=lim.max_file_bytes)
        return [_problem(name, "workbook_size", msg)]
    if head.startswith(OLE2_MAGIC):
        with p.open("rb") as fh:
            body = fh.read(min(size, 1 << 20))
        if "EncryptionInfo".encode("utf-16-le") in body:
            return [_problem(name, "workbook_not_encrypted", _t("encrypted"))]
        return [_problem(name, "workbook_is_xlsx", _t("not_zip", start=repr(head[:4])))]
    if not head.startswith(ZIP_MAGIC):
        return [_problem(name, "workbook_is_xlsx", _t("not_zip", start=repr(head[:4])))]
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return [_problem(name, "workbook_intact", _t("truncated", reason=exc))]
    with zf:
        infos = zf.infolist()
        if len(infos) > lim.max_parts:
            msg = _t("too_many_parts", n=len(infos), limit=lim.max_parts)
            return [_problem(name, "workbook_parts", msg)]
        for info in infos:
            if info.flag_bits & 0x1:
                return [
                    _problem(
                        name, "workbook_not_encrypted", _t("zip_encrypted", part=info.filename)
                    )
                ]
        total = 0
        for info in infos:
            found = _inflate(zf, info, lim, total, name)
            if isinstance(found, Problem):
                return [found]
            total += found
    return []


def _inflate(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, lim: WorkbookLimits, total: int, name: str
) -> int | Problem:
    """Inflate one part in chunks; return its size, or the problem of the first limit crossed."""
    if info.file_size > lim.max_part_bytes:  # declared: refuse without inflating
        return _problem(
            name,
            "workbook_size",
            _t(
                "too_large",
                what=f"part {info.filename}",
                size=info.file_size,
                limit=lim.max_part_bytes,
            ),
        )
    n = 0
    try:
        with zf.open(info) as part:
            while chunk := part.read(_CHUNK):
                n += len(chunk)
                if n > lim.max_part_bytes:
                    what = f"part {info.filename} (at least)"
                    return _problem(
                        name,
                        "workbook_size",
                        _t("too_large", what=what, size=n, limit=lim.max_part_bytes),
                    )
                if total + n > lim.max_total_bytes:
                    what = "the workbook uncompressed (at least)"
                    return _problem(
                        name,
                        "workbook_size",
                        _t("too_large", what=what, size=total + n, limit=lim.max_total_bytes),
                    )
                if n > lim.ratio_from_bytes and n / max(info.compress_size, 1) > lim.max_ratio:
                    ratio = round(n / max(info.compress_size, 1))
                    return _problem(
                        name,
                        "workbook_ratio",
                        _t("ratio", part=info.filename, ratio=ratio, limit=round(lim.max_ratio)),
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        return _problem(name, "workbook_intact", _t("truncated", reason=exc))
    return n


def text_problem(text: str, lim: WorkbookLimits) -> str | None:
    """Return why ``text`` is refused (too long), or None."""
    if len(text) > lim.max_text_chars:
        return _t("text_too_long", n=len(text), limit=lim.max_text_chars)
    return None


def number_problem(number: float, lim: WorkbookLimits, shown: str | None = None) -> str | None:
    """Return why ``number`` is refused (not finite, or larger than the limit), or None.

    ``shown`` is the text the member typed, named in the message.

    Examples
    --------
    >>> lim = WorkbookLimits(max_file_bytes=1, max_parts=1, max_part_bytes=1, max_total_bytes=1,
    ...     max_ratio=2, ratio_from_bytes=0, max_rows=1, max_text_chars=1, max_value=1e12)
    >>> number_problem(float("inf"), lim), number_problem(5.0, lim)
    ("'inf' is not a finite number", None)
    >>> number_problem(float("inf"), lim, shown="1e999")
    "'1e999' is not a finite number"
    """
    if not math.isfinite(number):
        return _t("not_finite", value=shown if shown is not None else repr(number))
    if abs(number) > lim.max_value:
        shown = shown if shown is not None else repr(number)
        return _t("out_of_range", value=shown, limit=f"{lim.max_value:g}")
    return None


__all__ = [
    "WorkbookLimits",
    "check_workbook",
    "limits",
    "number_problem",
    "text_problem",
]
