"""Approval of published pages: DRAFT until signed off, approved only while unchanged.

* Every page the build renders carries a mark between ``<!-- corett:approval -->`` and
  ``<!-- /corett:approval -->`` right after ``<body>``: "DRAFT" / "BORRADOR" (a banner and a faint
  diagonal watermark, both printed) until the page is approved, then "Approved by … on …".
* ``corett approve <year>/<country>/<report>.<lang> --by NAME [--note TEXT]`` (:func:`approve`)
  records who, when, the note and the page's **content checksum** in ``manifest.json`` under
  ``approvals``, and rewrites the page's mark.
* The content checksum (:func:`content_checksum`) is the sha256 of the page with what changes from
  one run to the next masked: the approval mark itself, run ids (``20261201T003000Z-ab12cd``),
  timestamps (``2026-12-01T00:30:00``), nbconvert's cell anchors (``id="cell-id=…"``) and any element
  marked ``data-corett-volatile`` (the page template should mark its build time so).
* After each build, :func:`reconcile` looks at every page the build rewrote: same content checksum →
  the approval stands and the mark is put back (a page approved before the build stopped normalising
  its markup with BeautifulSoup counts as the same when its ``legacy_content_sha256``, the checksum
  of the page in that markup, matches: the approval then records the new checksum); different → the approval moves to the page's history
  (``lapsed`` with the run that changed it) and the page stays DRAFT. A build that skips a page (no-op)
  does not touch it.
* :func:`approval_status` says, per page: ``approved``, ``pending`` (never approved) or ``changed``
  (approved once, changed since).
"""

from __future__ import annotations

import hashlib
import html as _html
import os
import re
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corett_lib.batch import manifest
from corett_lib.batch.raster_cache import cached_png
from corett_lib.core import i18n, paths
from corett_lib.reporting.raster import FONT

START, END = "<!-- corett:approval -->", "<!-- /corett:approval -->"
_REGION = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_VOLATILE: tuple[tuple[re.Pattern[str], str], ...] = (
    (_REGION, START + END),
    (
        re.compile(r"(<(\w+)\b[^>]*\bdata-corett-volatile\b[^>]*>).*?(</\2>)", re.DOTALL),
        r"\1…\3",
    ),
    (re.compile(r"\b\d{8}T\d{6}Z-[0-9a-f]{4,}\b"), "RUN-ID"),
    # nbconvert's cell anchors come from notebook cell ids, which are random unless set in the notebook
    (re.compile(r'id="cell-id=[^"]*"'), 'id="cell-id"'),
    (
        re.compile(
            r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
        ),
        "TIMESTAMP",
    ),
)
KEY = re.compile(r"^(\d{4})/([A-Za-z0-9_]+)/([A-Za-z0-9_]+)\.([a-z]{2})$")

APPROVED, PENDING, CHANGED = "approved", "pending", "changed"
STATUSES: tuple[str, ...] = (APPROVED, CHANGED, PENDING)


class ApprovalError(ValueError):
    """An approval cannot be recorded (unknown page, page not built, page edited outside a build)."""


def content_text(html: str) -> str:
    """Return ``html`` with the approval mark, run ids, timestamps and volatile elements masked."""
    for pattern, repl in _VOLATILE:
        html = pattern.sub(repl, html)
    return html


def content_checksum(html: str | bytes) -> str:
    """Return the sha256 of a page's content (:func:`content_text`).

    Equal for two builds of the same page that differ only in run id, build time or approval mark.

    Examples
    --------
    >>> a = '<body><p>434</p><span data-corett-volatile>run 20261201T003000Z-ab12cd</span></body>'
    >>> b = '<body><p>434</p><span data-corett-volatile>run 20261202T010000Z-ffffff</span></body>'
    >>> content_checksum(a) == content_checksum(b), content_checksum(a) == content_checksum(b.replace("434", "435"))
    (True, False)
    """
    text = html.decode("utf-8") if isinstance(html, bytes) else html
    return hashlib.sha256(content_text(text).encode("utf-8")).hexdigest()


_CSS = """<style>
.corett-approval{font:600 1rem/1.4 system-ui,sans-serif;padding:.5em .9em;margin:0 0 1em 0;
 border:2px solid;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.corett-approval-draft{color:#8a1c1c;background:#fdecea;border-color:#8a1c1c}
.corett-approval-ok{color:#1b5e20;background:#e8f5e9;border-color:#1b5e20}
.corett-draft-watermark{position:fixed;top:40%;left:0;right:0;text-align:center;z-index:1000;
 font:700 9rem/1 system-ui,sans-serif;color:rgba(138,28,28,.10);transform:rotate(-30deg);
 pointer-events:none;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.corett-draft-watermark::after{content:attr(data-corett-word)}
@media print{.corett-approval,.corett-draft-watermark{display:block!important;visibility:visible!important}}
</style>"""


def mark_html(lang: str, approval: Mapping[str, Any] | None = None) -> str:
    """Return the approval mark of a page: DRAFT (``approval`` None) or "approved by … on …"."""
    if approval is None:
        word = i18n.t("approval.draft", lang)
        body = (
            f'<div class="corett-approval corett-approval-draft" role="region" '
            f'aria-label="{_html.escape(word)}" '
            f'data-corett-approval="draft"><strong>{_html.escape(word)}</strong> — '
            f"{_html.escape(i18n.t('approval.draft_note', lang))}</div>"
            # the watermark's word is drawn by CSS (::after): decoration, not text to contrast-check
            f'<div class="corett-draft-watermark" aria-hidden="true" '
            f'data-corett-word="{_html.escape(word)}"></div>'
        )
    else:
        text = i18n.t(
            "approval.approved",
            lang,
            by=approval.get("by", ""),
            date=i18n.date(str(approval.get("at", ""))[:10], lang),
        )
        body = (
            f'<div class="corett-approval corett-approval-ok" role="region" '
            f'aria-label="{_html.escape(text)}" '
            f'data-corett-approval="approved">{_html.escape(text)}</div>'
        )
    return f"{START}{_CSS}{body}{END}"


def stamp(html: str, lang: str, approval: Mapping[str, Any] | None = None) -> str:
    """Return ``html`` with its approval mark set (replaced when present, else put after ``<body>``)."""
    mark = mark_html(lang, approval)
    if _REGION.search(html):
        return _REGION.sub(lambda _m: mark, html, count=1)
    m = _BODY.search(html)
    return html[: m.end()] + mark + html[m.end() :] if m else mark + html


def stamp_svg(svg: str, lang: str, approval: Mapping[str, Any] | None = None) -> str:
    """Return a product image (the infographic's SVG) marked DRAFT until approved.

    A diagonal DRAFT / BORRADOR overlay until approved, none once approved, so an unapproved image
    is not mistaken for a final one.

    Examples
    --------
    >>> s = stamp_svg('<svg width="10" height="10"></svg>', "es")
    >>> "BORRADOR" in s, stamp_svg(s, "es", {"by": "A", "at": "2026-12-01"})
    (True, '<svg width="10" height="10"></svg>')
    """
    svg = _REGION.sub("", svg)
    if approval is not None:
        return svg
    word = _html.escape(i18n.t("approval.draft", lang))
    overlay = (
        f'{START}<g data-corett-approval="draft" pointer-events="none">'
        f'<text x="540" y="720" text-anchor="middle" font-family="{FONT}" font-size="150" '
        'font-weight="bold" fill="#8a1c1c" fill-opacity="0.16" transform="rotate(-35 540 675)">'
        f"{word}</text></g>{END}"
    )
    end = svg.rfind("</svg>")
    return svg[:end] + overlay + svg[end:] if end != -1 else svg


# --------------------------------------------------------------------------- the record


def _approvals(man: MutableMapping[str, Any]) -> dict[str, Any]:
    return man.setdefault("approvals", {})


def approved_checksums(man: Mapping[str, Any]) -> dict[str, str]:
    """Return ``{report key: content checksum}`` of every page with a current approval."""
    out: dict[str, str] = {}
    for key, entry in (man.get("approvals") or {}).items():
        current = (entry or {}).get("current") or {}
        if current.get("content_sha256"):
            out[key] = str(current["content_sha256"])
    return out


def _html_rel(key: str) -> str:
    return key + ".html"


def _lang(key: str) -> str:
    return key.rsplit(".", 1)[-1]


def _restamp(
    man: MutableMapping[str, Any], key: str, out_root: Path, approval: Mapping[str, Any] | None
) -> None:
    """Rewrite a page's mark, its product image's (re-rendering the PNG) and their output records."""
    rel = _html_rel(key)
    p = out_root / rel
    data = stamp(p.read_text(encoding="utf-8"), _lang(key), approval).encode("utf-8")
    manifest.atomic_write_bytes(p, data)
    record = man["reports"][key]
    _, out = manifest.output_record(p, data, out_root)
    record.setdefault("outputs", {})[rel] = out
    svg_path = out_root / f"{key}.svg"  # a product image beside the page (the infographic)
    if svg_path.is_file():
        svg = stamp_svg(svg_path.read_text(encoding="utf-8"), _lang(key), approval)
        files = {svg_path: svg.encode("utf-8")}
        png_path = svg_path.with_suffix(".png")
        if png_path.is_file():
            files[png_path] = cached_png(svg)
        for path, data in files.items():
            manifest.atomic_write_bytes(path, data)
            rel_p, out_p = manifest.output_record(path, data, out_root)
            record["outputs"][rel_p] = out_p


def reconcile(
    man: MutableMapping[str, Any], out_root: Path, built: Iterable[str], run_id: str
) -> dict[str, list[str]]:
    """Keep or lapse approvals after a build.

    Keep the approval of every page whose content did not change (and put its "approved" mark back
    if the build rewrote it as DRAFT); lapse it for a page whose content changed (kept in the history).

    Parameters
    ----------
    man
        The manifest being written by the build (changed in place).
    out_root
        The output folder.
    built
        Keys of the pages this build rendered.
    run_id
        The build's run id (recorded with a lapsed approval).

    Returns
    -------
    dict
        ``{"kept": [...], "lapsed": [...]}``.
    """
    done: dict[str, list[str]] = {"kept": [], "lapsed": []}
    built = set(built)
    for key, entry in sorted(_approvals(man).items()):
        current = entry.get("current")
        record = man["reports"].get(key) or {}
        if current is None or record.get("status") != "ok":
            continue
        legacy = record.pop("legacy_content_sha256", None)
        if legacy is not None and legacy == current.get("content_sha256"):
            # Same content in the markup of an earlier version (nbconvert's BeautifulSoup pass): the
            # approval stands, with the checksum of the page as it is now written.
            current["content_sha256"] = record.get("content_sha256")
            current["markup_checksum_before"] = legacy
        if record.get("content_sha256") == current.get("content_sha256"):
            # re-mark a page this build (or an interrupted one) rewrote as DRAFT
            page = out_root / _html_rel(key)
            if page.is_file() and 'data-corett-approval="approved"' not in page.read_text(
                encoding="utf-8"
            ):
                _restamp(man, key, out_root, current)
            if key in built:
                done["kept"].append(key)
        else:
            entry.setdefault("history", []).append(
                {
                    **current,
                    "lapsed": datetime.now(UTC).isoformat(timespec="seconds"),
                    "lapsed_run_id": run_id,
                    "reason": "content changed",
                }
            )
            entry["current"] = None
            done["lapsed"].append(key)
    return done


def approve(
    key: str, by: str, note: str = "", out: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """Record the approval of one page and mark it approved.

    Parameters
    ----------
    key
        ``<year>/<country>/<report>.<lang>``, e.g. ``2019/GTM/annual.en``.
    by
        Who approves (a name).
    note
        Optional note kept with the approval.
    out
        Output folder (default ``outputs/``).

    Returns
    -------
    dict
        The approval: ``by, at, note, content_sha256, run_id``.

    Raises
    ------
    ApprovalError
        For a malformed key, a page that was not built (or failed), an empty name, or a page whose
        content no longer matches what the build recorded (edited by hand).
    """
    from filelock import FileLock, Timeout

    key = key.strip().removesuffix(".html")
    if not KEY.match(key):
        raise ApprovalError(
            f"{key!r} is not a page key <year>/<country>/<report>.<lang> (e.g. 2019/GTM/annual.en)"
        )
    if not by.strip():
        raise ApprovalError("--by NAME is required: who approves the page")
    out_root = paths.outputs_dir(out)
    lock = FileLock(str(out_root / ".build.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise ApprovalError(
            f"a corett build is writing to {out_root}; approve when it has finished"
        ) from None
    try:
        man = manifest.read_manifest(out_root)
        record = man["reports"].get(key)
        if not record:
            raise ApprovalError(f"{key}: no such page in {manifest.manifest_path(out_root)}")
        page = out_root / _html_rel(key)
        if record.get("status") != "ok" or not page.is_file():
            raise ApprovalError(f"{key}: the page was not built (status {record.get('status')!r})")
        checksum = content_checksum(page.read_bytes())
        if record.get("content_sha256") not in (None, checksum):
            raise ApprovalError(
                f"{key}: {page} differs from what the build wrote; rebuild it before approving"
            )
        record["content_sha256"] = checksum
        entry = _approvals(man).setdefault(key, {"current": None, "history": []})
        if entry.get("current"):
            entry.setdefault("history", []).append({**entry["current"], "superseded": True})
        approval = {
            "by": by.strip(),
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "note": note,
            "content_sha256": checksum,
            "run_id": record.get("run_id"),
        }
        entry["current"] = approval
        _restamp(man, key, out_root, approval)
        manifest.write_manifest(man, out_root)
    finally:
        lock.release()
    return approval


@dataclass(frozen=True)
class PageStatus:
    """One page's approval status."""

    key: str
    status: str  #: approved, pending or changed
    by: str = ""
    at: str = ""
    note: str = ""


def approval_status(out: str | os.PathLike[str] | None = None) -> list[PageStatus]:
    """Return the approval status of every page built successfully, sorted by key.

    A page is ``approved`` when its current approval's checksum equals the content of the page on
    disk; ``changed`` when it was approved once and is not now (rebuilt with other content, or edited);
    ``pending`` when it was never approved.
    """
    out_root = paths.outputs_dir(out)
    man = manifest.read_manifest(out_root)
    approvals = man.get("approvals", {})
    rows: list[PageStatus] = []
    for key, record in sorted(man["reports"].items()):
        if record.get("status") != "ok" or not (out_root / _html_rel(key)).is_file():
            continue
        entry = approvals.get(key) or {}
        current = entry.get("current")
        if current and is_approved(out_root, key, current):
            rows.append(
                PageStatus(
                    key,
                    APPROVED,
                    current.get("by", ""),
                    current.get("at", ""),
                    current.get("note", ""),
                )
            )
        elif current or entry.get("history"):
            last = current or entry["history"][-1]
            rows.append(
                PageStatus(
                    key, CHANGED, last.get("by", ""), last.get("at", ""), last.get("note", "")
                )
            )
        else:
            rows.append(PageStatus(key, PENDING))
    return rows


def is_approved(out_root: Path, key: str, approval: Mapping[str, Any]) -> bool:
    """Return True when the page on disk has the content the approval signed."""
    page = out_root / _html_rel(key)
    return page.is_file() and content_checksum(page.read_bytes()) == approval.get("content_sha256")
