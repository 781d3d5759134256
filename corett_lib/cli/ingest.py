"""``corett ingest``: print every problem with its cell, then what changed; return the exit status."""

from __future__ import annotations

from collections.abc import Sequence

import click
from filelock import Timeout

from corett_lib.apps import ingest_history
from corett_lib.apps.workbook import ingest, revert
from corett_lib.core import i18n, paths
from corett_lib.core.failures import os_error_line
from corett_lib.core.problems import errors


def run_ingest_cli(
    files: Sequence[str],
    *,
    data: str | None,
    country: str | None,
    year: int | None,
    dry_run: bool,
    revert_id: int | None = None,
    who: str | None = None,
) -> int:
    """Run ``corett ingest``: print every problem with its cell, then what changed (old -> new).

    Returns the exit status: 0 merged, reverted or valid in a dry run; 1 problems found, a revert
    refused, or a file that could not be written (one line naming it).
    """
    try:
        if revert_id is not None:
            res = revert(revert_id, data=data, who=who)
        else:
            res = ingest(files, data=data, country=country, year=year, dry_run=dry_run, who=who)
    except ingest_history.HistoryError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    except Timeout:
        folder = paths.monitoring_dir(data)
        click.echo(f"error: {i18n.t('ingest.lock_busy', 'en', folder=folder)}", err=True)
        return 1
    except OSError as exc:
        click.echo(f"error: {os_error_line(exc)}; nothing merged", err=True)
        return 1
    for p in res.problems:
        click.echo(f"{p.severity.upper()} [{p.check}] {p.file}: {p.message}", err=True)
    if not res.ok:
        n = len(errors(res.problems))
        click.echo(f"{n} error(s): nothing merged.", err=True)
        return 1
    for change in res.changes:
        click.echo(f"  {change.line()}")
    log = ingest_history.log_path(data)
    if revert_id is not None and res.submission:
        click.echo(
            i18n.t(
                "ingest.reverted",
                "en",
                id=revert_id,
                n=len(res.changes),
                new_id=res.submission["id"],
            )
        )
    elif dry_run:
        click.echo(
            f"valid: {res.rows} rows, {len(res.changes)} change(s) (dry run, nothing merged)."
        )
    elif res.changed:
        click.echo(f"merged {res.rows} rows into monitoring/collected.csv.")
        if res.submission:
            click.echo(i18n.t("ingest.logged", "en", id=res.submission["id"], log=log))
    else:
        click.echo(f"{res.rows} rows already held: nothing changed.")
    return 0
