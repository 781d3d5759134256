"""The offline result page of ``corett validate`` (``outputs/validation/index.html``).

One self-contained HTML file: inline CSS, no script, nothing fetched from the network. Every problem
is a table row with its severity, check, file, row(s), column, message, why and a sample of the
offending values. Every piece of text from the data is HTML-escaped, so a ``<script>`` in a source
file is shown as text and never run.
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from corett_lib.core.problems import Problem

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1a1a1a;
 max-width:80rem}
h1{font-size:1.5rem;margin:0 0 .25rem}
.summary{margin:.5rem 0 1.5rem;padding:.75rem 1rem;border-radius:.375rem}
.failed{background:#fde8e8;border-left:.375rem solid #b91c1c}
.passed{background:#e6f4ea;border-left:.375rem solid #1e7a3a}
table{border-collapse:collapse;width:100%;font-size:.875rem}
th,td{border-bottom:1px solid #ddd;padding:.375rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3;position:sticky;top:0}
td.rows,td.sample{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-word}
.sev-error{color:#b91c1c;font-weight:600}
.sev-warning{color:#8a5a00;font-weight:600}
.why{color:#555}
caption{text-align:left;font-weight:600;margin:.5rem 0}
"""

MAX_ROWS_SHOWN = 50


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _rows(rows: tuple[int, ...]) -> str:
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_SHOWN])
    more = f" (+{len(rows) - MAX_ROWS_SHOWN} more)" if len(rows) > MAX_ROWS_SHOWN else ""
    return shown + more


def _problem_row(p: Problem) -> str:
    sample = ", ".join(repr(s) for s in p.sample)
    return (
        "<tr>"
        f'<td class="sev-{_e(p.severity)}">{_e(p.severity)}</td>'
        f"<td><code>{_e(p.check)}</code></td>"
        f"<td>{_e(p.file)}</td>"
        f'<td class="rows">{_e(_rows(p.rows))}</td>'
        f"<td>{_e(p.column or '')}</td>"
        f"<td>{_e(p.message)}</td>"
        f'<td class="why">{_e(p.why)}</td>'
        f'<td class="sample">{_e(sample)}</td>'
        "</tr>"
    )


def render_page(problems: list[Problem], summary: dict[str, Any]) -> str:
    """Return the result page for ``problems`` as one self-contained HTML document.

    Parameters
    ----------
    problems
        Every problem, in the order to show them.
    summary
        ``status``, ``errors``, ``warnings``, ``data_dir``, ``generated_at`` (as written by
        :func:`corett_lib.cli.validate.run_cli`).

    Examples
    --------
    >>> p = Problem("error", "text_no_markup", "raw/x.csv", "markup", rows=(3,), sample=("<b>",))
    >>> page = render_page([p], {"status": "failed", "errors": 1, "warnings": 0})
    >>> "<b>" in page, "&#x27;&lt;b&gt;&#x27;" in page
    (False, True)
    """
    status = summary.get(
        "status", "failed" if any(p.severity == "error" for p in problems) else "passed"
    )
    by_check = Counter((p.severity, p.check) for p in problems)
    counts = "".join(
        f"<li><span class='sev-{_e(sev)}'>{_e(sev)}</span> <code>{_e(check)}</code>: {n}</li>"
        for (sev, check), n in sorted(by_check.items())
    )
    rows = "\n".join(_problem_row(p) for p in problems)
    table = (
        "<table><caption>Every problem found</caption><thead><tr><th>severity</th><th>check</th>"
        "<th>file</th><th>row(s)</th><th>column</th><th>what</th><th>why</th><th>sample</th>"
        f"</tr></thead><tbody>\n{rows}\n</tbody></table>"
        if problems
        else "<p>No problem found.</p>"
    )
    verdict = (
        "Validation failed: fix the errors below (or declare them in corrections.yaml)."
        if status == "failed"
        else "Validation passed. Warnings (declared corrections, known differences) are listed below."
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>CORETT data validation: {_e(status)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>CORETT data validation</h1>
<div class="summary {"failed" if status == "failed" else "passed"}">
<p><strong>{_e(verdict)}</strong></p>
<p>{_e(summary.get("errors", 0))} error(s), {_e(summary.get("warnings", 0))} warning(s).
Data folder: <code>{_e(summary.get("data_dir", ""))}</code>. Generated {_e(summary.get("generated_at", ""))}.</p>
<ul>{counts}</ul>
</div>
{table}
</body>
</html>
"""
