"""One-line failures for the person at the terminal: the file, what went wrong and the hint.

:func:`one_line` turns an exception no command handled into one line (``corett --debug`` shows the
traceback instead). The words come from the message catalogue (``failure.*``), in English or Spanish.
"""

from __future__ import annotations

from corett_lib.core import i18n
from corett_lib.core.cache import CacheError
from corett_lib.core.failures import os_error_line
from corett_lib.core.problems import DataError


def one_line(exc: BaseException, lang: str = "en") -> str:
    """Return what the terminal shows for ``exc``.

    Every problem of a :class:`DataError` (one line each), one line for a file-system error or a
    damaged cache entry, else the exception's kind and text with the ``--debug`` hint.
    """
    if isinstance(exc, DataError):
        return "\n".join(str(p) for p in exc.problems)
    if isinstance(exc, OSError):
        return os_error_line(exc, lang)
    if isinstance(exc, CacheError):
        return str(exc)
    reason = " ".join(str(exc).split()) or "-"
    return i18n.t("failure.unexpected", lang, kind=type(exc).__name__, reason=reason)


__all__ = ["one_line", "os_error_line"]
