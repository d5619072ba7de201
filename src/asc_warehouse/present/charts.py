"""Charts drawn as inline SVG at build time: no script, no library, no network request."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

LINE_COLOUR = "#1d70b8"  # GOV.UK blue, 5.2:1 on white
AXIS_COLOUR = "#505a5f"  # GOV.UK secondary text, 7:1 on white


def _scale(values: Sequence[float], low: float, high: float) -> list[float]:
    span = (max(values) - min(values)) or 1.0
    return [high - (value - min(values)) / span * (high - low) for value in values]


def sparkline(values: Sequence[float | None], label: str, width: int = 120,
              height: int = 28) -> str:
    """A small line of the last months; gaps (no value) break the line. Labelled for readers."""
    known = [value for value in values if value is not None]
    title = escape(label)
    if len(known) < 2:
        return f'<span class="no-chart">{title}: too few values to draw</span>'
    ys = _scale(known, 3, height - 3)
    step = (width - 6) / max(len(values) - 1, 1)
    segments: list[list[str]] = [[]]
    position = 0
    for index, value in enumerate(values):
        if value is None:
            segments.append([])
            continue
        segments[-1].append(f"{3 + index * step:.1f},{ys[position]:.1f}")
        position += 1
    lines = "".join(
        f'<polyline fill="none" stroke="{LINE_COLOUR}" stroke-width="2" '
        f'points="{" ".join(points)}"/>'
        for points in segments if len(points) > 1
    )
    return (f'<svg class="sparkline" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><title>{title}</title>{lines}</svg>')


def line_chart(labels: Sequence[str], values: Sequence[float | None], title: str,
               unit: str, width: int = 560, height: int = 200) -> str:
    """A trend with its first and last period and the range of values on the axes."""
    known = [value for value in values if value is not None]
    if len(known) < 2:
        return f'<p class="no-chart">{escape(title)}: too few periods to draw a trend.</p>'
    left, right, top, bottom = 56, 12, 12, 28
    low, high = min(known), max(known)
    ys = _scale(known, top, height - bottom)
    step = (width - left - right) / max(len(values) - 1, 1)
    points, dots, position = [], [], 0
    for index, value in enumerate(values):
        if value is None:
            continue
        x, y = left + index * step, ys[position]
        points.append(f"{x:.1f},{y:.1f}")
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{LINE_COLOUR}">'
                    f"<title>{escape(labels[index])}: {value:g} {escape(unit)}</title></circle>")
        position += 1
    axis = (
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" '
        f'stroke="{AXIS_COLOUR}"/>'
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        f'stroke="{AXIS_COLOUR}"/>'
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{high:g}</text>'
        f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end">{low:g}</text>'
        f'<text x="{left}" y="{height - 8}">{escape(labels[0])}</text>'
        f'<text x="{width - right}" y="{height - 8}" text-anchor="end">'
        f"{escape(labels[-1])}</text>"
    )
    return (
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-size="11" fill="{AXIS_COLOUR}">'
        f"<title>{escape(title)}</title>{axis}"
        f'<polyline fill="none" stroke="{LINE_COLOUR}" stroke-width="2" '
        f'points="{" ".join(points)}"/>{"".join(dots)}</svg>'
    )
