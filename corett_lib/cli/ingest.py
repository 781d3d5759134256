"""``corett ingest``: print every problem with its cell, then what was merged; return the exit status."""

from __future__ import annotations

from collections.abc import Sequence

import click

from corett_lib.apps.workbook import ingest
from corett_lib.core.problems import errors


def run_ingest_cli(
    files: Sequence[str],
    *,
    data: str | None,
    country: str | None,
    year: int | None,
    dry_run: bool,
) -> int:
    """Run ``corett ingest``: print every problem with its cell, then what was merged.

    Returns the exit status: 0 merged (or valid in a dry run), 1 problems found.
    """
    res = ingest(files, data=data, country=country, year=year, dry_run=dry_run)
    for p in res.problems:
        click.echo(f"{p.severity.upper()} [{p.check}] {p.file}: {p.message}", err=True)
    if not res.ok:
        n = len(errors(res.problems))
        click.echo(f"{n} error(s): nothing merged.", err=True)
        return 1
    if dry_run:
        click.echo(f"valid: {res.rows} rows (dry run, nothing merged).")
    elif res.changed:
        click.echo(f"merged {res.rows} rows into monitoring/collected.csv.")
    else:
        click.echo(f"{res.rows} rows already held: nothing changed.")
    return 0
