"""One line for a file-system failure: the file, the cause and the hint (``failure.*`` messages).

Used by every command that reports a failure to write or read a file (``corett build``, ``corett
ingest``, the command group's catch-all in :mod:`corett_lib.cli.errors`).
"""

from __future__ import annotations

import errno

from corett_lib.core import i18n

_READ_ONLY = {errno.EACCES, errno.EPERM, errno.EROFS}


def os_error_line(exc: OSError, lang: str = "en") -> str:
    """Return one line for an :class:`OSError`: the file, the cause and the hint.

    Examples
    --------
    >>> import errno
    >>> os_error_line(OSError(errno.ENOSPC, "No space left on device", "/o/a.html"))
    '/o/a.html: the disk is full (no space left); free some space and run the command again'
    """
    file = exc.filename or "(a file)"
    if exc.errno == errno.ENOSPC:
        return i18n.t("failure.no_space", lang, file=file)
    if exc.errno in _READ_ONLY:
        return i18n.t("failure.read_only", lang, file=file, reason=exc.strerror or str(exc))
    if exc.errno == errno.ENOENT:
        return i18n.t("failure.not_found", lang, file=file)
    return i18n.t("failure.os_other", lang, file=file, reason=exc.strerror or str(exc))


__all__ = ["os_error_line"]
