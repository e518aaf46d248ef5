"""HTML copies of executed notebooks that work offline: no CDN, no internet, plotly figures included.

nbconvert's lab template loads require.js, MathJax, Mermaid and the widget manager from CDNs; the copy a
user opens from `out/` must render on a machine with no internet, so those blocks are emptied. Plotly
figures arrive as `application/vnd.plotly.v1+json`, which nbconvert cannot draw: each becomes an inline
`text/html` div, with plotly.js embedded once at the first figure. Live widgets cannot be replayed from a
file, so their outputs become a short note pointing at JupyterLab.
"""

from __future__ import annotations

import copy
import html
from pathlib import Path
from typing import Any

__all__ = ["WIDGET_NOTE", "export_html"]

PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
WIDGET_MIMETYPE = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = "Interactive widget: open the notebook in JupyterLab to use it."

_OFFLINE_TEMPLATE = "billkit_offline.html.j2"
_OFFLINE_TEMPLATE_SOURCE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def export_html(notebook: Any, path: Path, *, title: str, hide_code: bool = False) -> Path:
    """Write an offline HTML copy of `notebook` (a NotebookNode) to `path` and return the path."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(  # type: ignore[no-untyped-call]
        template_name="lab",
        template_file=_OFFLINE_TEMPLATE,
        extra_loaders=[DictLoader({_OFFLINE_TEMPLATE: _OFFLINE_TEMPLATE_SOURCE})],
        exclude_input=hide_code,
        exclude_input_prompt=hide_code,
        exclude_output_prompt=hide_code,
    )
    prepared = _for_html(notebook)
    prepared.metadata.pop("widgets", None)
    body, _ = exporter.from_notebook_node(prepared, resources={"metadata": {"name": title}})
    path.write_text(body, encoding="utf-8")
    return path


def _for_html(notebook: Any) -> Any:
    """A copy of `notebook` whose plotly and widget outputs are plain HTML."""
    prepared = copy.deepcopy(notebook)
    plotly_js_included = False
    for cell in prepared.cells:
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not data:
                continue
            if PLOTLY_MIMETYPE in data:
                data["text/html"] = _plotly_html(
                    data.pop(PLOTLY_MIMETYPE), include_js=not plotly_js_included
                )
                plotly_js_included = True
            if WIDGET_MIMETYPE in data:
                data.pop(WIDGET_MIMETYPE)
                data["text/html"] = f"<p><em>{html.escape(WIDGET_NOTE)}</em></p>"
    return prepared


def _plotly_html(figure: dict[str, Any], *, include_js: bool) -> str:
    import plotly.io as pio

    rendered: str = pio.to_html(
        dict(figure),
        include_plotlyjs=include_js,  # True embeds plotly.js inline (no CDN), once per document
        full_html=False,
        validate=False,
        config={"displaylogo": False},
    )
    return rendered
