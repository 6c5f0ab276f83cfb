#!/usr/bin/env python3
"""Overlays the per-epoch curves of several Cohort runs in one SVG (no third-party packages).

    python3 scripts/overlay_curves.py OUT.svg LABEL=runs/a/metrics.jsonl LABEL=runs/b/metrics.jsonl ...

Left panel: training loss (solid) and validation loss (dashed); right panel: validation accuracy.
"""
import json
import sys

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
WIDTH, HEIGHT, MARGIN = 420, 300, 48


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def panel(x0, title, series, y_label):
    """series: list of (color, dashed, [(epoch, value)]) → SVG elements of one panel."""
    points = [p for _, _, values in series for p in values]
    if not points:
        return []
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x_lo, x_hi = min(xs), max(max(xs), min(xs) + 1)
    y_lo, y_hi = min(ys), max(ys)
    pad = (y_hi - y_lo) * 0.05 or 0.01
    y_lo, y_hi = y_lo - pad, y_hi + pad
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN

    def sx(x):
        return x0 + MARGIN + (x - x_lo) / (x_hi - x_lo) * plot_w

    def sy(y):
        return MARGIN + (y_hi - y) / (y_hi - y_lo) * plot_h

    out = [f'<rect x="{x0 + MARGIN}" y="{MARGIN}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#888"/>',
           f'<text x="{x0 + WIDTH / 2}" y="{MARGIN - 16}" text-anchor="middle" font-size="14">{title}</text>',
           f'<text x="{x0 + WIDTH / 2}" y="{HEIGHT - 10}" text-anchor="middle" font-size="12">epoch</text>',
           f'<text x="{x0 + 12}" y="{HEIGHT / 2}" font-size="12" transform="rotate(-90 {x0 + 12} {HEIGHT / 2})" '
           f'text-anchor="middle">{y_label}</text>']
    for i in range(5):
        y = y_lo + (y_hi - y_lo) * i / 4
        out.append(f'<text x="{x0 + MARGIN - 4}" y="{sy(y) + 4:.1f}" text-anchor="end" font-size="10">{y:.3f}</text>')
    for epoch in sorted(set(xs)):
        out.append(f'<text x="{sx(epoch):.1f}" y="{MARGIN + plot_h + 14}" text-anchor="middle" font-size="10">{epoch}</text>')
    for color, dashed, values in series:
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in values)
        dash = ' stroke-dasharray="5,3"' if dashed else ""
        out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
    return out


def main():
    if len(sys.argv) < 3 or any("=" not in a for a in sys.argv[2:]):
        sys.exit(__doc__)
    runs = [(label, load(path)) for label, path in (a.split("=", 1) for a in sys.argv[2:])]
    loss, accuracy, legend = [], [], []
    for i, (label, rows) in enumerate(runs):
        color = COLORS[i % len(COLORS)]
        loss.append((color, False, [(r["epoch"], r["loss"]) for r in rows]))
        loss.append((color, True, [(r["epoch"], r["val_loss"]) for r in rows if "val_loss" in r]))
        accuracy.append((color, False, [(r["epoch"], r["val_accuracy"]) for r in rows if "val_accuracy" in r]))
        legend.append(f'<text x="{MARGIN + 160 * i}" y="{HEIGHT + 16}" font-size="12" fill="{color}">■ {label}</text>')
    body = panel(0, "loss (train solid, validation dashed)", loss, "loss") \
        + panel(WIDTH, "validation accuracy", accuracy, "accuracy") + legend
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * WIDTH}" height="{HEIGHT + 28}" '
           f'font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>' + "".join(body) + "</svg>\n")
    with open(sys.argv[1], "w") as f:
        f.write(svg)


if __name__ == "__main__":
    main()
