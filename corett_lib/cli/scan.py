"""``corett scan``: print every disclosure finding in the rendered reports; return the exit status."""

from __future__ import annotations

import os

import click

from corett_lib.core import config, paths
from corett_lib.publishing.scanner import check_k, scan_outputs


def run_cli(out: str | os.PathLike[str] | None = None, k: int | None = None) -> int:
    """Run ``corett scan``: print every finding.

    Return 0 when there is none, 1 otherwise, 2 when the output folder does not exist.
    """
    root = paths.outputs_dir(out)
    if not root.is_dir():
        click.echo(f"no output folder at {root}", err=True)
        return 2
    threshold = k if k is not None else config.build_matrix().disclosure_k
    try:
        check_k(threshold)
    except ValueError as exc:
        click.echo(f"error: --k: {exc}", err=True)
        return 2
    findings = scan_outputs(root, threshold)
    for f in findings:
        click.echo(str(f))
    pages = sum(1 for _ in root.glob("**/*.html"))
    click.echo(f"{len(findings)} finding(s) in {pages} page(s) under {root} (k={threshold})")
    return 1 if findings else 0
