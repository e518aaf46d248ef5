"""Render the payments report's charts to docs/charts/*.png, from the demo month in an embedded sandbox.

    .venv/bin/python scripts/render_report_charts.py [--out docs/charts] [--seed 7]

kaleido draws the images with a headless Chrome; Debian's /usr/bin/chromium is used when present (set
BROWSER_PATH to use another). The data is the same seeded demo month `billkit report` uses by default.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import plotly.io as pio

from billkit.notebook.specs import PaymentsReportParameters
from billkit.report.build import build_report, resolve_scope
from billkit.report.source import load_source

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
PROJECT_ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT, SCALE = 1000, 560, 1.5
# Balances list one bar per entity in stacked panels: they need more room than the others.
HEIGHTS = {"balances": 820}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "charts")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if "BROWSER_PATH" not in os.environ and DEBIAN_CHROMIUM.is_file():
        os.environ["BROWSER_PATH"] = str(DEBIAN_CHROMIUM)
    params = PaymentsReportParameters(demo_seed=args.seed)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    data = load_source(params)
    report = build_report(data.ledger, resolve_scope(params, data))
    for name, figure in report.figures().items():
        # The charts are transparent for JupyterLab's themes; an image needs a background of its own.
        figure.update_layout(paper_bgcolor="white", plot_bgcolor="white")
        target = out / f"{name}.png"
        pio.write_image(
            figure,
            target,
            format="png",
            width=WIDTH,
            height=HEIGHTS.get(name, HEIGHT),
            scale=SCALE,
        )
        print(target.relative_to(PROJECT_ROOT) if target.is_relative_to(PROJECT_ROOT) else target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
