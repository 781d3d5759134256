"""Executed notebook -> one self-contained HTML page for evaluators, readable offline.

* No code: inputs and prompts are excluded; the ``parameters`` and ``injected-parameters`` cells and
  papermill's error markers are removed whole.
* Nothing from the network: the page is rendered with the workbench's own nbconvert template
  (``batch/templates/corett``: about 6 KB of inline CSS instead of JupyterLab's 263 KB, no script, no
  require.js, MathJax or Mermaid loaders), then scrubbed of any ``<script src="http…">`` an output
  carried; :func:`offline_violations` checks the result and :func:`export_html` refuses a page that
  still loads anything.
* Charts are SVG: :func:`chart_svg` renders a Vega-Lite spec (or an Altair chart) with vl-convert in the
  kernel, so the page needs no Vega runtime.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

from corett_lib.batch import page

if TYPE_CHECKING:
    from nbformat import NotebookNode

#: Cells tagged with any of these are removed from the HTML.
HIDDEN_TAGS: tuple[str, ...] = (
    "parameters",
    "injected-parameters",
    "papermill-error-cell-tag",
    "notebook-only",  # notes for the notebook reader, not part of the report
)


_SCRIPT_SRC = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", re.IGNORECASE | re.DOTALL
)
_NETWORK_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("script src", re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//", re.I)),
    ("stylesheet link", re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//", re.I)),
    ("module import", re.compile(r"\bimport\b[^;\n]*\bfrom\s*[\"'](?:https?:)?//", re.I)),
    ("css import", re.compile(r"@import\s+(?:url\()?\s*[\"']?(?:https?:)?//", re.I)),
    (
        "CDN",
        re.compile(r"(?:cdnjs\.cloudflare\.com|cdn\.jsdelivr\.net|unpkg\.com|cdn\.mathjax)", re.I),
    ),
)


class RenderError(RuntimeError):
    """The rendered page would load something from the network."""


def offline_violations(html: str) -> list[str]:
    """Return a description of every reference in ``html`` that would be fetched from the network.

    Links a reader may click (``<a href="https://…">``) are not fetched and are allowed.

    Examples
    --------
    >>> offline_violations('<script src="https://cdn.example/x.js"></script>')
    ['script src: <script src="https://cdn.example/x.js">']
    >>> offline_violations('<a href="https://www.unodc.org">UNODC</a>')
    []
    """
    found: list[str] = []
    for what, pattern in _NETWORK_PATTERNS:
        for m in pattern.finditer(html):
            end = html.find(">", m.end())
            snippet = html[m.start() : (end + 1 if end != -1 else m.end() + 60)]
            found.append(f"{what}: {snippet[:160]}")
    return found


def strip_network_scripts(html: str) -> str:
    """Remove ``<script src="http…"></script>`` tags (nbconvert's CDN loaders) from ``html``."""
    return _SCRIPT_SRC.sub("", html)


_local = threading.local()


def _exporter() -> Any:
    """Return this thread's HTML exporter.

    It is created once: building one compiles the page templates, which took longer than rendering a
    report.
    """
    exporter = getattr(_local, "exporter", None)
    if exporter is None:
        exporter = _local.exporter = _new_exporter()
    return exporter


_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt\s*=)", re.IGNORECASE)
MISSING_ALT = "No description has been provided for this image"
"""The ``alt`` nbconvert gives an image that has none (a report should describe its images)."""


def add_missing_alt(html: str) -> str:
    """Give every ``<img>`` without an ``alt`` attribute nbconvert's placeholder text.

    Examples
    --------
    >>> add_missing_alt('<img src="a.png"><img alt="Map" src="b.png">')
    '<img alt="No description has been provided for this image" src="a.png"><img alt="Map" src="b.png">'
    """
    return _IMG_WITHOUT_ALT.sub(f'<img alt="{MISSING_ALT}"', html)


_BLANK_OR_KEPT = re.compile(
    r"(<(pre|textarea|script|style)\b.*?</\2\s*>)|(?<=>)([ \t\r\n\f]+)(?=<)",
    re.IGNORECASE | re.DOTALL,
)


def collapse_blank_text(html: str) -> str:
    r"""Collapse whitespace-only text between two tags to one newline (or one space without a newline).

    What BeautifulSoup did to nbconvert's pages (pandas tables are indented, which adds about 10 %
    to a table-heavy page); the text inside ``pre``, ``textarea``, ``script`` and ``style`` is kept.

    Examples
    --------
    >>> collapse_blank_text("<table>\n  <tr>\n    <td>a  b</td> <td>c</td>\n  </tr>\n</table>")
    '<table>\n<tr>\n<td>a  b</td> <td>c</td>\n</tr>\n</table>'
    >>> collapse_blank_text("<pre>\n  x\n</pre>\n  <p>y</p>")
    '<pre>\n  x\n</pre>\n<p>y</p>'
    """

    def repl(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return m.group(1)
        return "\n" if "\n" in m.group(3) else " "

    return _BLANK_OR_KEPT.sub(repl, html)


def _new_exporter() -> Any:
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        """nbconvert's HTML exporter without its BeautifulSoup pass over the whole page.

        :meth:`HTMLExporter.from_notebook_node` parses the rendered page with BeautifulSoup and
        serialises it again (about two thirds of the time of a report's page) only to add ``alt`` to
        images that have none and ``tabindex`` to JupyterLab's ``.jp-Notebook`` cells. The ``corett``
        template writes no ``.jp-Notebook`` markup, so only the ``alt`` remains, added by
        :func:`add_missing_alt`; whitespace between tags is collapsed as BeautifulSoup did
        (:func:`collapse_blank_text`). Otherwise the page is the template's output as written
        (BeautifulSoup normalised it: lower-cased SVG attribute names such as ``viewBox``,
        ``<br/>``, re-quoted attributes, decoded entities).
        """

        def from_notebook_node(  # type: ignore[override]
            self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
        ) -> tuple[str, dict[str, Any]]:
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter(
                "highlight_code",
                self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
                ),
            )
            resources = self._init_resources(resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return collapse_blank_text(add_missing_alt(html)), resources

    return PageExporter(
        **exporter_settings(),
        # validate the notebook once after the preprocessors, not after each of the eleven
        optimistic_validation=True,
    )


def exporter_settings() -> dict[str, Any]:
    """Return the HTML exporter's settings for a page: the workbench template, no code, no prompts."""
    return {
        "template_name": page.TEMPLATE_NAME,
        "extra_template_basedirs": [str(page.TEMPLATES_DIR)],
        "exclude_input": True,
        "exclude_input_prompt": True,
        "exclude_output_prompt": True,
        "embed_images": False,
    }


def evaluator_notebook(nb: NotebookNode) -> NotebookNode:
    """Return a copy of ``nb`` for the evaluator.

    The copy has no hidden cells (parameters, injected parameters, error markers), no code-cell
    inputs, no stream output of warnings (stderr), and its SVG outputs inline. ``nb`` is not changed;
    the copy shares the parts it does not change with ``nb`` (nbconvert deep-copies what it renders).
    """
    from nbformat import NotebookNode

    kept = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & set(HIDDEN_TAGS):
            continue
        if cell.get("cell_type") == "code":
            cell = NotebookNode(cell)  # a new cell: its source and outputs are replaced below
            outputs = []
            for o in cell.get("outputs", []):
                if o.get("output_type") == "stream" and o.get("name") == "stderr":
                    continue
                data = o.get("data", {})
                if "image/svg+xml" in data and "text/html" not in data:
                    # inline SVG (nbconvert would base64 it into an <img>, losing its text)
                    data = NotebookNode(data)
                    data["text/html"] = data.pop("image/svg+xml")
                    o = NotebookNode(o, data=data)
                outputs.append(o)
            cell["outputs"] = outputs
            cell["source"] = ""
        kept.append(cell)
    out = NotebookNode(nb)
    out["cells"] = kept
    return out


def nbconvert_markup(html: str) -> str:
    """Return ``html`` as nbconvert's own HTML exporter left it: parsed and re-serialised by BeautifulSoup.

    Pages built before the ``corett`` exporter skipped that pass (:func:`_new_exporter`) have this
    markup; their approvals record its content checksum. The content is the same; only the markup
    is normalised (``viewbox`` for ``viewBox``, ``<br/>``, entities decoded, attributes re-quoted).
    """
    from bs4 import BeautifulSoup

    return str(BeautifulSoup(html, features="html.parser"))


def export_html(
    nb: NotebookNode,
    *,
    title: str,
    lang: str = "en",
    info: page.PageInfo | None = None,
    legacy_markup: bool = False,
) -> str:
    """Render the executed notebook ``nb`` as one offline HTML page without code.

    The page uses the workbench's own nbconvert template (``batch/templates/corett``: slim stylesheet,
    phone layout, print stylesheet, no script). With ``info`` it also carries the navigation, the
    download links, a table of contents and the identity block (:mod:`corett_lib.batch.page`).

    Parameters
    ----------
    nb
        The executed notebook.
    title
        The page title (``<title>``).
    lang
        Language of the page (``<html lang>``); ``info.lang`` when ``info`` is given.
    info
        The page around the report; ``None`` renders the report alone.
    legacy_markup
        Normalise the rendered cells as nbconvert's exporter did before (:func:`nbconvert_markup`):
        to check that an approved page built by an earlier version has the same content.

    Raises
    ------
    RenderError
        When the page would still load something from the network.
    """
    corett = (
        page.template_resources(info)
        if info is not None
        else {
            "lang": lang,
            "css": page.stylesheet(),
            "generator": "CORETT workbench",
            "skip_label": "",
            "header_html": "",
            "identity_html": "",
            "toc_placeholder": "",
        }
    )
    body, _ = _exporter().from_notebook_node(
        evaluator_notebook(nb),
        resources={"metadata": {"name": title}, "corett": corett},
    )
    html = strip_network_scripts(nbconvert_markup(body) if legacy_markup else body)
    if info is not None:
        html = page.finish_page(html, info)
    problems = offline_violations(html)
    if problems:
        raise RenderError("the page would load from the network: " + "; ".join(problems[:5]))
    return html


def chart_svg(chart: Any) -> str:
    """Return a Vega-Lite chart (an Altair chart or a spec dict) as an SVG string (vl-convert).

    The SVG is static: the page needs no Vega runtime and nothing from the network.
    """
    from corett_lib.reporting import renderer

    vlc = renderer.vl_convert()
    spec = chart.to_dict() if hasattr(chart, "to_dict") else chart
    return vlc.vegalite_to_svg(spec)
