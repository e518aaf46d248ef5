"""Render the payments report's charts to docs/charts/*.png, from the demo month in an embedded sandbox.

    .venv/bin/python scripts/render_report_charts.py [--out docs/charts] [--seed 7] [--chromium PATH]

Each figure comes from billkit's own chart code (`billkit.report.build`, the same figures `billkit report`
draws), for the fixed demo month (`billkit.demo.DEMO_MONTH`), so a rerun on any day gives the same charts.
The images are drawn by plotly.js itself (`Plotly.toImage`, as kaleido does) in a headless Chromium driven by
Playwright: the system's `/usr/bin/chromium` (what the browser tests use), or `--chromium PATH`. No browser is
downloaded and nothing is loaded from the network: plotly.js is the copy bundled with the plotly package.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
from pathlib import Path

import plotly.graph_objects as go
from playwright.sync_api import Page, sync_playwright
from plotly.offline import get_plotlyjs

from billkit.notebook.specs import PaymentsReportParameters
from billkit.report.build import build_report, resolve_scope
from billkit.report.source import load_source

CHROMIUM = "/usr/bin/chromium"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT, SCALE = 1000, 560, 1.5
# Balances list one bar per entity in stacked panels: they need more room than the others.
HEIGHTS = {"balances": 820}
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "charts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--chromium", default=CHROMIUM, help=f"the Chromium to draw with ({CHROMIUM})"
    )
    args = parser.parse_args()
    if shutil.which(args.chromium) is None:
        parser.error(
            f"no Chromium at {args.chromium} (apt-get install chromium, or give --chromium)"
        )
    params = PaymentsReportParameters(demo_seed=args.seed)
    data = load_source(params)
    figures = build_report(data.ledger, resolve_scope(params, data)).figures()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, headless=True, args=LAUNCH_ARGS
        )
        page = browser.new_page()
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=get_plotlyjs())
        for name, figure in figures.items():
            target = out / f"{name}.png"
            target.write_bytes(_png(page, figure, HEIGHTS.get(name, HEIGHT)))
            shown = (
                target.relative_to(PROJECT_ROOT) if target.is_relative_to(PROJECT_ROOT) else target
            )
            print(shown)
        browser.close()
    return 0


def _png(page: Page, figure: go.Figure, height: int) -> bytes:
    """The figure as PNG bytes, drawn by plotly.js at WIDTH x `height` CSS pixels times SCALE."""
    # The charts are transparent for JupyterLab's themes; an image needs a background of its own.
    figure.update_layout(paper_bgcolor="white", plot_bgcolor="white")
    url: str = page.evaluate(
        """async ([figure, options]) => {
            const div = document.createElement("div");
            document.body.appendChild(div);
            await Plotly.newPlot(div, figure.data, figure.layout, {staticPlot: true});
            const url = await Plotly.toImage(div, options);
            Plotly.purge(div);
            div.remove();
            return url;
        }""",
        [
            json.loads(figure.to_json()),
            {"format": "png", "width": WIDTH, "height": height, "scale": SCALE},
        ],
    )
    return base64.b64decode(url.split(",", 1)[1])


if __name__ == "__main__":
    raise SystemExit(main())
