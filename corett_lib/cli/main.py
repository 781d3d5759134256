"""The ``corett`` command line.

Each command is a thin shell over one library module, imported inside the command so that
``corett --help`` answers without loading pandas, Great Expectations or Jupyter.
Exit status: 0 success, 1 data/report problems found, 2 usage or configuration error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from corett_lib import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def data_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--data DIR`` (env ``CORETT_DATA``) to a command."""
    return click.option(
        "--data",
        "data",
        type=click.Path(file_okay=False, path_type=str),
        envvar="CORETT_DATA",
        default=None,
        help="Data folder with the same layout as the shipped data/ (env CORETT_DATA).",
    )(f)


def out_option(help: str = "Output folder (default outputs/).") -> Callable[..., Any]:
    """Return the ``--out DIR`` option every command that reads or writes the output folder takes."""
    return click.option("--out", type=click.Path(file_okay=False), default=None, help=help)


def lang_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--lang en|es``."""
    return click.option(
        "--lang",
        type=click.Choice(["en", "es"]),
        default="en",
        show_default=True,
        help="Language of labels and messages.",
    )(f)


def _quiet_gx() -> None:
    # Great Expectations must never phone home; this is also set in the Makefile.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


class _Group(click.Group):
    """The command group, with one-line failures.

    An exception no command handled is shown as one line (the file, what went wrong, the hint), not
    a traceback, unless ``--debug`` is given.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            from corett_lib.cli.errors import one_line  # lazy: start-up time of corett --help

            click.echo(f"error: {one_line(exc)}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="corett")
@click.option("--debug", is_flag=True, help="Show the traceback of an unexpected failure.")
def main(debug: bool) -> None:
    """CORETT workbench: validate the data, compute indicators, build reports.

    \b
    Typical use:
      corett validate                      check every input, report all problems
      corett indicators --country GTM --year 2019 --lang es
      corett build                         build every report of parameters/build.yaml
    """  # noqa: D301 -- "\b" (a backspace) is click's marker for a paragraph it must not rewrap
    from corett_lib.batch.execute import (
        skip_unused_slow_imports,  # lazy: keeps `corett --help` fast
    )

    skip_unused_slow_imports()


@main.command()
@data_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format (json for machines).",
)
@out_option("Output folder for the HTML/JSON result (default outputs/).")
def validate(data: str | None, fmt: str, out: str | None) -> None:
    """Validate every input; report every problem at once (exit 1 on any error)."""
    _quiet_gx()
    from corett_lib.cli.validate import run_cli  # lazy: keeps `corett --help` fast

    sys.exit(run_cli(data=data, fmt=fmt, out=out))


@main.command()
@data_option
@lang_option
@click.option(
    "--country",
    "countries",
    multiple=True,
    help="ISO3 code of a member or CORETT; repeat for several (default: all + CORETT).",
)
@click.option("--year", "years", multiple=True, type=int, help="Year; repeat for several.")
@click.option("--indicator", "indicators", multiple=True, help="Indicator id; repeat for several.")
@click.option(
    "--by",
    "disaggregation",
    default=None,
    help="Breakdown(s), comma-separated: sex, age, sex_age, form, citizenship, or all.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--source",
    type=click.Choice(["chosen", "all"]),
    default="chosen",
    show_default=True,
    help="chosen: the figure reports show; all: every source's figure with its difference.",
)
def indicators(
    data: str | None,
    lang: str,
    countries: tuple[str, ...],
    years: tuple[int, ...],
    indicators: tuple[str, ...],
    disaggregation: str | None,
    fmt: str,
    source: str,
) -> None:
    """Compute declared indicators for countries and years."""
    _quiet_gx()
    from corett_lib.cli.indicators import run_cli  # lazy: keeps `corett --help` fast

    sys.exit(
        run_cli(
            data=data,
            lang=lang,
            countries=countries,
            years=years,
            indicators=indicators,
            disaggregation=disaggregation,
            fmt=fmt,
            source=source,
        )
    )


@main.command()
@data_option
@click.option("--country", "countries", multiple=True, help="Only these countries (repeatable).")
@click.option("--year", "years", multiple=True, type=int, help="Only these years (repeatable).")
@click.option("--report", "reports", multiple=True, help="Only these reports (repeatable).")
@click.option("--lang", "langs", multiple=True, help="Only these languages (repeatable).")
@click.option("--jobs", type=int, default=None, help="Parallel workers (default: CPU count).")
@click.option("--force", is_flag=True, help="Rebuild even when nothing changed.")
@out_option("Output folder (default outputs/).")
@click.option(
    "--cluster",
    default=None,
    metavar="ADDRESS",
    help="Run on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' to start a "
    "LocalCluster of --jobs workers here. Default: this machine's own pool of kernels.",
)
@click.option(
    "--shared-storage",
    is_flag=True,
    help="With --cluster: the workers read the driver's cache folder, so the validated snapshot "
    "is not shipped to them.",
)
@click.option("--pdf", is_flag=True, help="Also print each report to PDF (headless Chromium).")
@click.option(
    "--out-ok",
    is_flag=True,
    help="Accept an output folder that is the root, the home folder or holds other files.",
)
def build(
    data: str | None,
    countries: tuple[str, ...],
    years: tuple[int, ...],
    reports: tuple[str, ...],
    langs: tuple[str, ...],
    jobs: int | None,
    force: bool,
    out: str | None,
    cluster: str | None,
    shared_storage: bool,
    pdf: bool,
    out_ok: bool,
) -> None:
    """Build the report matrix of parameters/build.yaml into the output folder."""
    _quiet_gx()
    from corett_lib.cli.build import run_cli  # lazy: keeps `corett --help` fast

    sys.exit(
        run_cli(
            data=data,
            countries=countries,
            years=years,
            reports=reports,
            langs=langs,
            jobs=jobs,
            force=force,
            out=out,
            cluster=cluster,
            ship_snapshot=not shared_storage,
            pdf=pdf,
            out_ok=out_ok,
        )
    )


@main.command()
@click.argument("page", required=False)
@click.option("--by", default=None, help="Who approves the page (a name).")
@click.option("--note", default="", help="A note kept with the approval.")
@click.option("--list", "list_", is_flag=True, help="List pages: approved, changed, pending.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@out_option("Output folder (default outputs/).")
def approve(
    page: str | None, by: str | None, note: str, list_: bool, fmt: str, out: str | None
) -> None:
    """Approve a built page (PAGE = <year>/<country>/<report>.<lang>), or --list the status of all.

    An approved page shows "approved by ... on ..." instead of DRAFT until a rebuild changes it.
    """
    from corett_lib.cli.communication import approve_cli  # lazy: keeps `corett --help` fast

    sys.exit(approve_cli(page, by, note, out, list_, fmt))


@main.command()
@click.option("--approved", is_flag=True, required=True, help="Pack the approved pages (required).")
@click.option(
    "--to", "to", type=click.Path(dir_okay=False), required=True, help="The zip to write."
)
@out_option("Output folder (default outputs/).")
def bundle(approved: bool, to: str, out: str | None) -> None:
    """Pack every approved page, its PDF and downloads, an index and SHA256SUMS into a zip."""
    from corett_lib.cli.communication import bundle_cli  # lazy: keeps `corett --help` fast

    sys.exit(bundle_cli(to, out))


@main.command()
@out_option("Output folder to scan (default outputs/).")
@click.option(
    "--k",
    "k",
    type=click.IntRange(min=2),
    default=None,
    help="Threshold, at least 2 (default: disclosure_k of build.yaml).",
)
def scan(out: str | None, k: int | None) -> None:
    """Scan rendered reports for small counts and cells derivable from totals (exit 1 on any)."""
    from corett_lib.cli.scan import run_cli  # lazy: keeps `corett --help` fast

    sys.exit(run_cli(out=out, k=k))


@main.command()
@data_option
@lang_option
@click.option("--country", required=True, help="ISO3 code of the member who fills it in.")
@click.option("--year", required=True, type=int, help="Year reported on.")
@out_option("Output folder (default outputs/); the workbook goes to <out>/templates/.")
@click.option(
    "--to",
    "to_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the workbook to this file instead "
    "(default <out>/templates/monitoring_<country>_<year>.<lang>.xlsx).",
)
def template(
    data: str | None, lang: str, country: str, year: int, out: str | None, to_file: str | None
) -> None:
    """Write the monitoring workbook a member fills in (plan indicators pre-filled)."""
    from corett_lib.apps.workbook import template_path, write_template  # lazy: `--help` stays fast

    target = to_file or template_path(country.upper(), year, lang, out)
    try:
        path = write_template(country.upper(), year, lang, path=target, data=data)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(str(path))


@main.command()
@data_option
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--country", default=None, help="Every workbook must be for this member.")
@click.option("--year", type=int, default=None, help="Every workbook must be for this year.")
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; merge nothing.")
@click.option(
    "--revert", "revert_id", type=int, default=None, help="Undo submission ID of the log."
)
@click.option("--who", default=None, help="Who submits, for the log (default: login name).")
def ingest(
    data: str | None,
    files: tuple[str, ...],
    country: str | None,
    year: int | None,
    dry_run: bool,
    revert_id: int | None,
    who: str | None,
) -> None:
    """Validate returned workbooks and merge them into the monitoring data (all or nothing).

    Each merge is logged in monitoring/submissions.jsonl with what it replaced (old -> new).
    """
    if bool(files) == (revert_id is not None):
        raise click.UsageError("give workbook FILES to ingest, or --revert ID (not both)")
    from corett_lib.cli.ingest import run_ingest_cli  # lazy: keeps `corett --help` fast

    sys.exit(
        run_ingest_cli(
            files,
            data=data,
            country=country,
            year=year,
            dry_run=dry_run,
            revert_id=revert_id,
            who=who,
        )
    )


@main.command()
@data_option
@lang_option
@click.option("--country", default=None, help="ISO3 code of a member (default: every member).")
@click.option("--year", type=int, default=None, help="Only this year (default: every year).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--show",
    type=click.Choice(["flags", "scorecard", "external", "questions"]),
    default="flags",
    show_default=True,
    help="What to print: the flagged figures, the scorecard or the UNODC/CORETT comparisons of a "
    "year, or the questions for a member and year.",
)
def quality(
    data: str | None, lang: str, country: str | None, year: int | None, fmt: str, show: str
) -> None:
    """Data-quality review: WHO-style checks on every member's series (parameters/quality.yaml)."""
    _quiet_gx()
    from corett_lib.cli.quality import run_cli  # lazy: keeps `corett --help` fast

    sys.exit(run_cli(data=data, lang=lang, country=country, year=year, fmt=fmt, show=show))


if __name__ == "__main__":  # pragma: no cover
    main()
