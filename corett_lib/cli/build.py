"""``corett build``: run the build with a progress bar and print its summary; return the exit status."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from corett_lib.batch.build import (
    EXIT_FAILED,
    EXIT_USAGE,
    BuildError,
    build,
    failure_line,
    kept_line,
)
from corett_lib.core import config, paths
from corett_lib.core.failures import os_error_line
from corett_lib.core.problems import DataError


class BarProgress:
    """A tqdm progress bar on stderr, fed by the build as reports finish."""

    def __init__(self) -> None:
        self.bar: Any = None

    def start(self, total: int) -> None:
        """Open the bar for ``total`` reports."""
        from tqdm import tqdm  # lazy: a no-op build opens no bar, and tqdm costs 0.05 s to import

        self.bar = tqdm(total=total, desc="reports", unit="report", file=sys.stderr)

    def report(self, key: str, status: str, failure: str = "") -> None:
        """Advance the bar by one finished report; a failure is written above the bar."""
        if status != "ok":
            self.bar.write(f"FAILED {key}: {failure}", file=sys.stderr)
        self.bar.set_postfix_str(f"{key} {status}")
        self.bar.update()

    def close(self) -> None:
        """Close the bar."""
        if self.bar is not None:
            self.bar.close()


def run_cli(
    data: str | None,
    countries: Sequence[str],
    years: Sequence[int],
    reports: Sequence[str],
    langs: Sequence[str],
    jobs: int | None,
    force: bool,
    out: str | None,
    cluster: str | None = None,
    ship_snapshot: bool = True,
    pdf: bool = False,
    out_ok: bool = False,
) -> int:
    """Run ``corett build`` and return its exit status.

    0: every report built or up to date; 1: a report failed, the data are invalid, a file could not
    be written (one line: the file, the cause, the hint) or the build was interrupted; 2: invalid
    parameters, a refused output folder, another build holds the output folder, or a cluster that
    cannot be reached.
    """
    if jobs is not None and jobs < 1:
        click_echo(f"error: --jobs must be at least 1 (got {jobs})")
        return EXIT_USAGE
    try:
        result = build(
            data,
            countries,
            years,
            reports,
            langs,
            jobs,
            force,
            out,
            progress=BarProgress(),
            cluster=cluster,
            ship_snapshot=ship_snapshot,
            pdf=pdf,
            out_ok=out_ok,
        )
    except (BuildError, config.ConfigError) as exc:
        click_echo(f"error: {exc}")
        return EXIT_USAGE
    except OSError as exc:  # a file that cannot be written (full disk, read-only), or a cluster
        click_echo(f"error: {os_error_line(exc) if exc.filename else exc}")
        return EXIT_FAILED if exc.filename else EXIT_USAGE
    except DataError as exc:
        click_echo(f"error: the data did not validate; no report was built.\n{exc}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        click_echo("interrupted: reports finished so far are in place; run the build again.")
        return 130
    out_root = paths.outputs_dir(out)
    click_echo(
        f"{len(result.built)} built, {len(result.skipped)} up to date, {len(result.failed)} failed "
        f"of {result.planned} in {result.wall_seconds:.1f}s -> {out_root / 'index.html'}"
    )
    if result.reasons:
        counts: dict[str, int] = {}
        for reasons in result.reasons.values():
            for reason in reasons:
                counts[reason] = counts.get(reason, 0) + 1
        click_echo("rebuilt because: " + ", ".join(f"{r} ({n})" for r, n in sorted(counts.items())))
    for key, record in sorted(result.failed.items()):
        click_echo(
            f"  FAILED {key}: {failure_line(record)}\n         {kept_line(record, out_root)}"
        )
    if result.pdf_note:
        click_echo(result.pdf_note)
    for key, error in sorted(result.pdf_errors.items()):
        click_echo(f"  no PDF for {key}: {error}")
    return result.exit_code


def click_echo(message: str) -> None:
    """Write a message for the person running the build (stderr)."""
    sys.stderr.write(message + "\n")
