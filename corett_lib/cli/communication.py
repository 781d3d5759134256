"""``corett approve`` and ``corett bundle``: the terminal side of approval and the evaluator bundle.

The work is done by :mod:`corett_lib.batch.approval` and :mod:`corett_lib.batch.bundle`; these functions
print the result and return the exit status (0 done, 1 nothing to bundle, 2 usage error).
"""

from __future__ import annotations

import json
import sys

from corett_lib.batch import approval, bundle
from corett_lib.core import paths

EXIT_OK, EXIT_EMPTY, EXIT_USAGE = 0, 1, 2


def _err(message: str) -> None:
    sys.stderr.write(message + "\n")


def approve_cli(
    key: str | None, by: str | None, note: str, out: str | None, list_: bool, fmt: str = "text"
) -> int:
    """Run ``corett approve KEY --by NAME [--note TEXT]`` or ``corett approve --list``."""
    if list_:
        rows = approval.approval_status(out)
        if fmt == "json":
            sys.stdout.write(
                json.dumps([r.__dict__ for r in rows], indent=1, ensure_ascii=False) + "\n"
            )
            return EXIT_OK
        if not rows:
            _err(f"no built page in {paths.outputs_dir(out)}; run corett build first")
            return EXIT_OK
        width = max(len(r.key) for r in rows)
        for r in rows:
            who = f"  {r.by} {r.at}" if r.by else ""
            sys.stdout.write(f"{r.key:<{width}}  {r.status:<8}{who}\n")
        counts = {s: sum(r.status == s for r in rows) for s in approval.STATUSES}
        sys.stdout.write(", ".join(f"{n} {s}" for s, n in counts.items()) + "\n")
        return EXIT_OK
    if not key:
        _err("error: give a page (e.g. 2019/GTM/annual.en) or --list")
        return EXIT_USAGE
    try:
        record = approval.approve(key, by or "", note, out)
    except approval.ApprovalError as exc:
        _err(f"error: {exc}")
        return EXIT_USAGE
    _err(
        f"approved {key} by {record['by']} at {record['at']} (content {record['content_sha256'][:12]})"
    )
    return EXIT_OK


def bundle_cli(to: str, out: str | None) -> int:
    """Run ``corett bundle --approved --to FILE.zip``."""
    try:
        result = bundle.make_bundle(to, out)
    except bundle.BundleError as exc:
        _err(f"error: {exc}")
        return EXIT_EMPTY
    _err(f"{len(result.pages)} approved pages, {len(result.files)} files -> {result.path}")
    return EXIT_OK
