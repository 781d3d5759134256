"""Writing files atomically: the one mechanism every product and cache of the workbench uses.

A file is written to a temporary name beside its destination (``.<name>.<random>.tmp``), flushed to
disk and renamed into place, so a reader sees the old file or the new one, never half of one; an
interrupted write leaves the previous file intact and no temporary behind (``corett build`` also sweeps
stale ``.*.tmp`` names from the output folder).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_with(path: str | os.PathLike[str], writer: Callable[[Path], object]) -> None:
    """Let ``writer(tmp_path)`` write a temporary file beside ``path``, then rename it into place.

    For writers that want a path of their own (``DataFrame.to_parquet``, ``Workbook.save``). The file
    is made readable by others (0644), since outputs are for people to open.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "a.txt"
    >>> write_with(target, lambda p: p.write_text("one"))
    >>> target.read_text()
    'one'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        writer(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    write_with(path, lambda p: p.write_bytes(data))


def write_text(path: str | os.PathLike[str], text: str) -> None:
    r"""Write ``text`` as UTF-8 with ``\n`` line ends to ``path`` atomically."""
    write_bytes(path, text.encode("utf-8"))
