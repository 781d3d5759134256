"""``corett validate``: load, validate and report every problem (text or JSON), and the HTML page."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from corett_lib.core import atomic, paths
from corett_lib.core.config import ConfigError
from corett_lib.core.problems import DataError, Problem
from corett_lib.validation.html import render_page
from corett_lib.validation.load import load
from corett_lib.validation.rows import _plural

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe_text(text: str) -> str:
    r"""Return ``text`` safe to print and to paste into a page: markup escaped, control characters shown.

    Examples
    --------
    >>> safe_text("<script>alert(1)</script>\x1b[31m")
    '&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[31m'
    """
    import html

    text = html.escape(text, quote=False)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def format_text(problems: list[Problem], summary: dict[str, Any]) -> str:
    """Return the text report: one block per problem, then a summary line."""
    lines: list[str] = []
    for p in problems:
        line = str(p)
        if p.sample:
            line += " e.g. " + ", ".join(repr(s) for s in p.sample)
        lines.append(safe_text(line))
    n_err, n_warn = summary["errors"], summary["warnings"]
    status = "FAILED" if n_err else "passed"
    lines.append(
        safe_text(
            f"validation {status}: {_plural(n_err, 'error')}, {_plural(n_warn, 'warning')} "
            f"in {summary['data_dir']} ({summary['seconds']:.1f} s); page: {summary['page']}"
        )
    )
    return "\n".join(lines) + "\n"


def to_json(payload: dict[str, Any]) -> str:
    r"""Return ``payload`` as JSON safe to embed in HTML (``<``, ``>``, ``&`` escaped as ``\uXXXX``)."""
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder, then rename it into place."""
    atomic.write_text(path, text)


def _sort_key(p: Problem) -> tuple[Any, ...]:
    return (p.severity != "error", p.file, p.rows[:1] or (0,), p.check, p.column or "")


def run_cli(data: str | None, fmt: str, out: str | None) -> int:
    """Validate the data folder, print the result, write the result page; return the exit status.

    Parameters
    ----------
    data
        Data folder (default ``$CORETT_DATA`` or the shipped ``data/``).
    fmt
        ``"text"`` or ``"json"``.
    out
        Output folder (default ``$CORETT_OUT`` or ``outputs/``); only ``<out>/validation/`` is
        written.

    Returns
    -------
    int
        1 when any error was found, 0 otherwise (warnings do not fail).
    """
    t0 = time.perf_counter()
    root = paths.data_dir(data)
    try:
        dataset = load(root, strict=False, use_cache=False)
        problems, timings, checksums = dataset.problems, dataset.timings, dataset.checksums
    except DataError as exc:  # a failure outside any one file, e.g. the corrections file
        problems, timings, checksums = exc.problems, {}, {}
    except ConfigError as exc:
        click_echo_err(f"corett validate: {exc}")
        return 2
    problems = sorted(problems, key=_sort_key)
    folder = paths.validation_dir(out)
    n_err = sum(p.severity == "error" for p in problems)
    summary: dict[str, Any] = {
        "status": "failed" if n_err else "passed",
        "data_dir": str(root),
        "errors": n_err,
        "warnings": len(problems) - n_err,
        "seconds": time.perf_counter() - t0,
        "page": str(folder / "index.html"),
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    payload = {
        **summary,
        "problems": [p.to_dict() for p in problems],
        "checksums": checksums,
        "timings": {k: round(v, 3) for k, v in timings.items()},
    }
    write_atomic(folder / "validation.json", to_json(payload))
    write_atomic(folder / "index.html", render_page(problems, summary))
    if fmt == "json":
        sys.stdout.write(to_json(payload) + "\n")
    else:
        sys.stdout.write(format_text(problems, summary))
    return 1 if n_err else 0


def click_echo_err(message: str) -> None:
    """Print ``message`` on standard error."""
    import click

    click.echo(message, err=True)
