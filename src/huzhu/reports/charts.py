"""Hand-made SVG charts for the PDF annual report (WeasyPrint draws SVG; no JavaScript there). No Django.

Bars and a line, labelled in Chinese, sized in user units; the fonts come from the page's CSS.
"""
from collections.abc import Sequence
from html import escape

COLORS = ("#b42318", "#175cd3", "#027a48", "#b54708", "#6941c6", "#616e7c")


def _number(value: float) -> str:
    if value >= 100_000_000:
        return f"{value / 100_000_000:.2f}亿"
    if value >= 10_000:
        return f"{value / 10_000:.1f}万"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], *, width: int = 640, height: int = 260,
              color: str = COLORS[0], line: Sequence[float] | None = None, line_label: str = "") -> str:
    """Vertical bars with their values on top, and an optional line on its own scale (e.g. cumulative)."""
    left, right, top, bottom = 50, 20, 36, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max([float(v) for v in values] + [1.0])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" class="chart" role="img" aria-label="{escape(title)}">',
             f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#9aa5b1"/>']
    count = max(len(values), 1)
    slot = plot_w / count
    bar = slot * 0.6
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * float(value) / top_value
        x = left + index * slot + (slot - bar) / 2
        parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{color}"/>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_h - h - 4:.1f}" text-anchor="middle" '
                     f'font-size="10">{escape(_number(float(value)))}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 16:.1f}" text-anchor="middle" '
                     f'font-size="10">{escape(str(label))}</text>')
    if line:
        line_top = max([float(v) for v in line] + [1.0])
        points = " ".join(f"{left + i * slot + slot / 2:.1f},{top + plot_h - plot_h * float(v) / line_top:.1f}"
                          for i, v in enumerate(line))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{COLORS[1]}" stroke-width="2"/>')
        parts.append(f'<text x="{left}" y="{top - 6}" font-size="10" '
                     f'fill="{COLORS[1]}">{escape(line_label)} {escape(_number(float(line[-1])))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(title: str, labels: Sequence[str], values: Sequence[float], *, width: int = 640,
                    color: str = COLORS[2]) -> str:
    """Horizontal bars, one row per label (regions, diagnoses), longest first as given."""
    row, left, top = 20, 150, 30
    height = top + row * max(len(values), 1) + 10
    top_value = max([float(v) for v in values] + [1.0])
    plot_w = width - left - 80
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" class="chart" role="img" aria-label="{escape(title)}">',
             f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">{escape(title)}</text>']
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * row
        w = plot_w * float(value) / top_value
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" font-size="11">{escape(str(label))}</text>')
        parts.append(f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" fill="{color}"/>')
        parts.append(f'<text x="{left + w + 4:.1f}" y="{y + 13}" font-size="10">{escape(_number(float(value)))}</text>')
    parts.append("</svg>")
    return "".join(parts)
