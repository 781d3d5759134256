"""Print ``<report>.<lang>.pdf`` next to the HTML with headless Chromium.

The page's print
stylesheet (A4, margins, page numbers, no breaks inside tables or charts).

Chromium is optional: :func:`find_browser` returns None when it is absent and ``corett build --pdf``
then says so in one line and builds the HTML as usual. The browser runs with a fresh profile, no
network services and no header or footer of its own (which would print the ``file://`` path).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from corett_lib.core import atomic

#: Where Debian's ``chromium`` package (and common alternatives) put the browser.
CANDIDATES: tuple[str, ...] = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
)
#: The flags of every run: headless, no sandbox (containers), nothing fetched in the background.
FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)
TIMEOUT_SECONDS = 120


class PdfError(RuntimeError):
    """Chromium did not print the page."""


def find_browser() -> str | None:
    """Return the path of a Chromium to print with, or None.

    ``$CORETT_CHROMIUM`` when set (empty: none),
    else the first of :data:`CANDIDATES` that exists, else ``chromium`` on ``PATH``, else None.
    """
    if "CORETT_CHROMIUM" in os.environ:
        chosen = os.environ["CORETT_CHROMIUM"].strip()
        return chosen if chosen and Path(chosen).is_file() else None
    for candidate in CANDIDATES:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def browser_command(browser: str, page: Path, pdf: Path, profile: Path) -> list[str]:
    """Return the command that prints ``page`` to ``pdf`` with a fresh ``profile`` folder."""
    return [
        browser,
        *FLAGS,
        f"--user-data-dir={profile}",
        f"--print-to-pdf={pdf}",
        page.resolve().as_uri(),
    ]


def print_pdf(page: Path, pdf: Path, browser: str, timeout: float = TIMEOUT_SECONDS) -> int:
    """Print the HTML file ``page`` to ``pdf`` (written aside, then renamed into place); return its size.

    Raises
    ------
    PdfError
        When Chromium fails, times out or writes no PDF; ``pdf`` is then left as it was.
    """

    def write(tmp: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="corett-chromium-") as profile:
            try:
                done = subprocess.run(
                    browser_command(browser, page, tmp, Path(profile)),
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise PdfError(f"{page}: Chromium did not print it ({exc})") from None
        if not tmp.is_file() or tmp.read_bytes()[:5] != b"%PDF-":
            tail = (done.stderr or "").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
            raise PdfError(f"{page}: Chromium wrote no PDF ({tail[0][:200]})")

    atomic.write_with(pdf, write)
    return pdf.stat().st_size
