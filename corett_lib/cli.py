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


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="corett")
def main() -> None:
    """CORETT workbench: validate the data, compute indicators, build reports.

    \b
    Typical use:
      corett validate                      check every input, report all problems
      corett indicators --country GTM --year 2019 --lang es
      corett build                         build every report of parameters/build.yaml
    """


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
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Output folder for the HTML/JSON result (default outputs/).",
)
def validate(data: str | None, fmt: str, out: str | None) -> None:
    """Validate every input; report every problem at once (exit 1 on any error)."""
    _quiet_gx()
    from corett_lib.validation.runner import run_cli

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
def indicators(
    data: str | None,
    lang: str,
    countries: tuple[str, ...],
    years: tuple[int, ...],
    indicators: tuple[str, ...],
    disaggregation: str | None,
    fmt: str,
) -> None:
    """Compute declared indicators for countries and years."""
    _quiet_gx()
    from corett_lib.indicators.cli import run_cli

    sys.exit(
        run_cli(
            data=data,
            lang=lang,
            countries=countries,
            years=years,
            indicators=indicators,
            disaggregation=disaggregation,
            fmt=fmt,
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
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Output folder (default outputs/).",
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
) -> None:
    """Build the report matrix of parameters/build.yaml into the output folder."""
    _quiet_gx()
    from corett_lib.build import run_cli

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
        )
    )


if __name__ == "__main__":  # pragma: no cover
    main()
