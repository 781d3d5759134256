"""``corett quality``: the data-quality review for analysts.

The flagged figures, or the scorecard, the external comparisons or the questions, from
:mod:`corett_lib.analysis.quality`.

Figures are shown as published (this is the analysts' view, like ``corett indicators``; the
``quality`` report is the published one, through disclosure control).
Exit status: 0 success, 1 the data or the rules could not be read (every problem is printed), 2 a
usage error (unknown country, a view that needs a year or a member).
"""

from __future__ import annotations

import json
import sys

import click

#: What ``--show`` can print.
VIEWS = ("flags", "scorecard", "external", "questions")


def run_cli(
    data: str | None,
    lang: str,
    country: str | None,
    year: int | None,
    fmt: str,
    show: str = "flags",
) -> int:
    """Print the quality review of the shipped (or ``data``) observations; return the exit status.

    Parameters
    ----------
    data
        Data folder (default: ``$CORETT_DATA`` or the shipped ``data/``).
    lang
        ``en`` or ``es``: the words of figures, rules and evidence.
    country
        A member's ISO3 (default: every member; ``CORETT`` also means every member).
    year
        Only this year (default: every year; ``scorecard`` and ``questions`` need one).
    fmt
        ``table`` (people), ``csv`` or ``json`` (machines).
    show
        ``flags`` (default), ``scorecard``, ``external`` or ``questions`` (needs ``--country``).

    Returns
    -------
    int
        0 success, 1 data or rules problems, 2 usage error.
    """
    import pandas as pd

    from corett_lib.analysis import quality
    from corett_lib.core.config import ConfigError, coalition
    from corett_lib.core.problems import DataError
    from corett_lib.validation.load import load

    members = coalition().members
    code = country.upper() if country else None
    if code == coalition().region_code:
        code = None
    if code and code not in members:
        click.echo(
            f"unknown country {country!r}; use a member ({', '.join(members)}) "
            f"or {coalition().region_code}",
            err=True,
        )
        return 2
    if show in ("scorecard", "questions") and year is None:
        click.echo(f"--show {show} needs --year", err=True)
        return 2
    if show == "questions" and code is None:
        click.echo("--show questions needs --country (a member)", err=True)
        return 2
    try:
        rules = quality.load_rules()
        ds = load(data)
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        return 1
    except DataError as exc:
        for p in exc.problems:
            click.echo(str(p), err=True)
        return 1
    result = quality.review(ds.observations, members, rules)
    if show == "questions":
        lines = quality.questions(result, int(year), code, lang, k=1)  # type: ignore[arg-type]
        if fmt == "json":
            click.echo(json.dumps(lines, ensure_ascii=False, indent=1))
        else:
            click.echo("\n".join(f"- {q}" for q in lines))
        return 0
    if show == "scorecard":
        table = quality.scorecard(result, int(year))  # type: ignore[arg-type]
        if code:
            table = table[table["iso3"] == code]
    elif show == "external":
        table = result.external
        if len(table) and year is not None:
            table = table[table["year"] == year]
        if len(table) and code:
            table = table[table["iso3"] == code]
    else:
        table = quality.describe(quality.flags_for(result, year, code), lang, k=1)
    table = pd.DataFrame(table).reset_index(drop=True)
    if fmt == "csv":
        click.echo(table.to_csv(index=False), nl=False)
    elif fmt == "json":
        if "evidence_data" in table.columns:
            table = table.assign(evidence_data=[json.loads(e) for e in table["evidence_data"]])
        click.echo(table.to_json(orient="records", force_ascii=False, indent=1))
    elif table.empty:
        click.echo(quality_message("cli.none", lang))
    else:
        if show == "flags":
            click.echo(quality_message("cli.header", lang, n=len(table)))
            table = table[
                ["iso3", "year", "source", "figure", "value", "rule", "evidence", "source_row"]
            ]
        click.echo(table.to_string(index=False))
    sys.stdout.flush()
    return 0


def quality_message(key: str, lang: str, **kwargs: object) -> str:
    """Return a ``quality.*`` message of the catalogue."""
    from corett_lib.core import i18n

    return i18n.t(f"quality.{key}", lang, **kwargs)
