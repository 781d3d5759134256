"""The evaluator bundle: every approved page, and nothing else, in one zip with checksums.

``corett bundle --approved --to FILE.zip [--out DIR]`` (:func:`make_bundle`) packs, for each page whose
approval stands (:func:`corett_lib.batch.approval.approval_status` says ``approved``, i.e. the page on
disk still has the content that was signed):

* the page ``<year>/<country>/<report>.<lang>.html`` and, where the build made them, its companions
  with the same stem: PDF, downloads (``.xlsx``, ``.csv.zip``, ``.csv``) and the infographic's
  ``.svg`` / ``.png`` (the executed ``.ipynb`` is a build record, not a product: left out);
* ``index.html``: a list of only those pages, with who approved each and when (both languages);
* ``APPROVALS.json``: the approvals as recorded in the manifest;
* ``SHA256SUMS``: the sha256 of every other file of the zip (``sha256sum -c`` format).

The zip is written aside and renamed into place; with no approved page nothing is written.
"""

from __future__ import annotations

import hashlib
import html as _html
import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corett_lib.batch import approval, manifest
from corett_lib.core import atomic, i18n, paths

#: Companion files of a page packed with it when they exist (suffixes after ``<report>.<lang>``).
COMPANIONS: tuple[str, ...] = (".pdf", ".xlsx", ".csv.zip", ".csv", ".svg", ".png")
#: Fixed timestamp of every zip member, so the same pages give the same zip.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


class BundleError(ValueError):
    """No bundle can be made (nothing approved, or the destination is inside the output folder)."""


@dataclass
class BundleResult:
    """What :func:`make_bundle` packed."""

    path: Path
    pages: list[str] = field(default_factory=list)  #: approved page keys
    files: list[str] = field(default_factory=list)  #: every file in the zip


def page_files(out_root: Path, key: str) -> list[str]:
    """Return the page's HTML and its existing companions, relative to ``out_root``."""
    rel = [key + ".html"]
    rel += [key + sfx for sfx in COMPANIONS if (out_root / (key + sfx)).is_file()]
    return rel


def index_html(statuses: list[approval.PageStatus]) -> str:
    """Return the bundle's index page: the approved pages only, in English and Spanish."""
    esc = _html.escape
    rows = []
    for s in statuses:
        year, country, rest = s.key.split("/")
        report, lang = rest.rsplit(".", 1)
        name = i18n.t(f"report.{report}.name", lang)
        rows.append(
            f'<tr><td>{esc(year)}</td><td>{esc(country)}</td><td><a href="{esc(s.key)}.html">'
            f"{esc(name)}</a></td><td>{esc(lang)}</td><td>{esc(s.by)}</td><td>{esc(s.at[:10])}</td></tr>"
        )
    heads = {
        lang: [
            i18n.t(f"bundle.{c}", lang)
            for c in ("year", "country", "page", "lang", "approved_by", "approved_on")
        ]
        for lang in ("en", "es")
    }
    head = "".join(
        f"<th>{esc(en)} / {esc(es)}</th>" for en, es in zip(heads["en"], heads["es"], strict=True)
    )
    title = f"{i18n.t('bundle.title', 'en')} / {i18n.t('bundle.title', 'es')}"
    intro = f'<p>{esc(i18n.t("bundle.intro", "en"))}</p><p lang="es">{esc(i18n.t("bundle.intro", "es"))}</p>'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:.3em .6em;text-align:left}</style>"
        f"</head><body><main><h1>{esc(title)}</h1>{intro}"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "</main></body></html>\n"
    )


def make_bundle(
    to: str | os.PathLike[str], out: str | os.PathLike[str] | None = None
) -> BundleResult:
    """Write the zip of every approved page (see the module docstring).

    Parameters
    ----------
    to
        The zip to write.
    out
        The output folder (default ``outputs/``).

    Raises
    ------
    BundleError
        When no page is approved, or ``to`` is inside the output folder.
    """
    out_root = paths.outputs_dir(out)
    target = Path(to).resolve()
    if out_root.resolve() in target.parents:
        raise BundleError(
            f"{target} is inside the output folder {out_root}; write the bundle elsewhere"
        )
    approved = [s for s in approval.approval_status(out_root) if s.status == approval.APPROVED]
    if not approved:
        raise BundleError(f"no approved page in {out_root} (see corett approve --list)")
    man = manifest.read_manifest(out_root)
    members: dict[str, bytes] = {}
    for s in approved:
        for rel in page_files(out_root, s.key):
            members[rel] = (out_root / rel).read_bytes()
    members["index.html"] = index_html(approved).encode("utf-8")
    records = {s.key: man["approvals"][s.key]["current"] for s in approved}
    members["APPROVALS.json"] = (
        json.dumps(records, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    ).encode("utf-8")
    sums = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(members.items())
    )
    members["SHA256SUMS"] = sums.encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, members[name])
    atomic.write_bytes(target, buf.getvalue())
    return BundleResult(path=target, pages=[s.key for s in approved], files=sorted(members))


def read_sums(text: str) -> dict[str, Any]:
    """Return ``{name: sha256}`` of a ``SHA256SUMS`` text."""
    out: dict[str, Any] = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        out[name] = digest
    return out
