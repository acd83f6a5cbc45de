"""Charts of the admin's insight pages, drawn on the server as SVG (no script needed to see
them, nothing loaded from elsewhere, allowed by the staff pages' strict CSP).

Every chart is an `<svg role="img">` with a title and a description; each data point is a
`<g class="pt">` with a `<title>` (shown on hover) and a `data-say` text that `insights.js`
reads out when the chart has focus and the arrow keys move along the points. Each chart on a
page also has its numbers in a table beside it. Colours come from classes in `insights.css`;
the only inline values are geometry and presentation attributes (no `style`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 720
_ids = itertools.count(1)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _nice(top: float) -> float:
    """A round upper bound for an axis."""
    if top <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(top))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if top <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _open(
    title: str, desc: str, height: int, cls: str, width: int = WIDTH
) -> tuple[str, list[str]]:
    uid = f"chart-{next(_ids)}"
    head = (
        f'<svg class="chart {cls}" viewBox="0 0 {width} {height}" role="img" tabindex="0" '
        f'aria-labelledby="{uid}-t {uid}-d" data-chart preserveAspectRatio="xMidYMid meet">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
    )
    return uid, [head]


def _point(title: str, inner: str) -> str:
    return f'<g class="pt" data-say="{escape(title)}"><title>{escape(title)}</title>{inner}</g>'


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    cls: str  # the colour class (s1 … s5)


def _y_axis(
    top: float, left: int, right: int, y0: int, plot_h: int, fmt: Callable[[float], str]
) -> list[str]:
    parts = []
    for i in range(5):
        value = top * i / 4
        y = y0 - plot_h * i / 4
        parts.append(
            f'<line class="grid" x1="{left}" x2="{right}" y1="{_n(y)}" y2="{_n(y)}"/>'
            f'<text class="axis" x="{left - 6}" y="{_n(y + 4)}" text-anchor="end">{escape(fmt(value))}</text>'
        )
    return parts


def _x_labels(labels: Sequence[str], xs: Sequence[float], y: float, every: int) -> list[str]:
    out = []
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if label and i % every == 0:
            out.append(
                f'<text class="axis" x="{_n(x)}" y="{_n(y)}" text-anchor="middle">{escape(label)}</text>'
            )
    return out


def bar_chart(
    values: Sequence[float],
    labels: Sequence[str],
    says: Sequence[str],
    *,
    title: str,
    desc: str,
    fmt: Callable[[float], str] = lambda v: f"{v:,.0f}",
    height: int = 220,
    axis_every: int = 1,
) -> Markup:
    """Vertical bars, one per label (a day, an hour)."""
    _uid, parts = _open(title, desc, height, "bars")
    left, right, top_pad, bottom = 56, WIDTH - 8, 10, 26
    plot_h = height - top_pad - bottom
    y0 = height - bottom
    top = _nice(max(values, default=0))
    parts += _y_axis(top, left, right, y0, plot_h, fmt)
    n = max(len(values), 1)
    slot = (right - left) / n
    gap = min(slot * 0.2, 4) if slot > 3 else 0
    xs: list[float] = []
    for value, say in zip(values, says, strict=True):
        i = len(xs)
        x = left + i * slot
        h = plot_h * (value / top) if top else 0
        xs.append(x + slot / 2)
        parts.append(
            _point(
                say,
                f'<rect class="hit" x="{_n(x)}" y="{top_pad}" width="{_n(slot)}" height="{plot_h}"/>'
                f'<rect class="bar" x="{_n(x + gap / 2)}" y="{_n(y0 - h)}" '
                f'width="{_n(max(slot - gap, 0.6))}" height="{_n(max(h, 0))}"/>',
            )
        )
    parts += _x_labels(labels, xs, height - 8, axis_every)
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    series: Sequence[Series],
    labels: Sequence[str],
    says: Sequence[str],
    *,
    title: str,
    desc: str,
    top: float | None = None,
    fmt: Callable[[float], str] = lambda v: f"{v:.0%}",
    height: int = 220,
    axis_every: int = 1,
) -> Markup:
    """Lines over shared points (days, versions); a gap where a value is None."""
    _uid, parts = _open(title, desc, height, "lines")
    left, right, top_pad, bottom = 56, WIDTH - 12, 10, 26
    plot_h = height - top_pad - bottom
    y0 = height - bottom
    peak = max((v for s in series for v in s.values if v is not None), default=0.0)
    top = top if top is not None else _nice(peak)
    parts += _y_axis(top, left, right, y0, plot_h, fmt)
    n = max(len(labels), 1)
    step = (right - left) / max(n - 1, 1)
    xs = [left + i * step if n > 1 else (left + right) / 2 for i in range(n)]

    def y_of(v: float) -> float:
        return y0 - plot_h * (min(v, top) / top if top else 0)

    for s in series:
        runs: list[list[str]] = [[]]
        for x, v in zip(xs, s.values, strict=True):
            if v is None:
                runs.append([])
            else:
                runs[-1].append(f"{_n(x)},{_n(y_of(v))}")
        for run in runs:
            if len(run) > 1:
                parts.append(f'<polyline class="line {s.cls}" points="{" ".join(run)}"/>')
            elif len(run) == 1:
                cx, cy = run[0].split(",")
                parts.append(f'<circle class="dot {s.cls}" cx="{cx}" cy="{cy}" r="3"/>')
    for i, (x, say) in enumerate(zip(xs, says, strict=True)):
        dots = "".join(
            f'<circle class="mark {s.cls}" cx="{_n(x)}" cy="{_n(y_of(v))}" r="3.5"/>'
            for s in series
            if (v := s.values[i]) is not None
        )
        half = step / 2 if n > 1 else (right - left) / 2
        x0, x1 = max(left, x - half), min(right, x + half)
        parts.append(
            _point(
                say,
                f'<rect class="hit" x="{_n(x0)}" y="{top_pad}" width="{_n(x1 - x0)}" '
                f'height="{plot_h}"/>{dots}',
            )
        )
    parts += _x_labels(labels, xs, height - 8, axis_every)
    parts.append("</svg>")
    return Markup("".join(parts))


def hbar_chart(
    rows: Sequence[tuple[str, float, str]],
    *,
    title: str,
    desc: str,
    fmt: Callable[[float], str] = lambda v: f"{v:,.0f}",
    label_width: int = 150,
    width: int = 520,
) -> Markup:
    """Horizontal bars: (label, value, what is read out), drawn at the width of half a page."""
    row_h = 26
    height = max(row_h * len(rows) + 8, 40)
    _uid, parts = _open(title, desc, height, "hbars", width)
    left, right = label_width, width - 64
    top = max((v for _l, v, _s in rows), default=0) or 1
    for i, (label, value, say) in enumerate(rows):
        y = 4 + i * row_h
        w = (right - left) * value / top
        short = label if len(label) <= 22 else label[:21] + "…"
        parts.append(
            _point(
                say,
                f'<text class="label" x="{left - 8}" y="{y + 17}" text-anchor="end">{escape(short)}</text>'
                f'<rect class="bar" x="{left}" y="{y + 4}" width="{_n(max(w, 1))}" height="{row_h - 8}" rx="3"/>'
                f'<text class="value" x="{_n(left + w + 6)}" y="{y + 17}">{escape(fmt(value))}</text>'
                f'<rect class="hit" x="0" y="{y}" width="{width}" height="{row_h}"/>',
            )
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def heatmap(
    grid: Sequence[Sequence[int]],
    rows: Sequence[str],
    says: Callable[[int, int, int], str],
    *,
    title: str,
    desc: str,
) -> Markup:
    """Weekday × hour: darker is busier."""
    cell_w, cell_h, left, top_pad = 26, 22, 92, 22
    height = top_pad + cell_h * len(rows) + 6
    _uid, parts = _open(title, desc, height, "heat")
    peak = max((v for row in grid for v in row), default=0) or 1
    for hour in range(0, 24, 3):
        parts.append(
            f'<text class="axis" x="{left + hour * cell_w + cell_w / 2}" y="14" text-anchor="middle">{hour:02d}</text>'
        )
    for r, name in enumerate(rows):
        y = top_pad + r * cell_h
        parts.append(
            f'<text class="label" x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(name)}</text>'
        )
        for hour in range(24):
            value = grid[r][hour]
            opacity = 0.06 + 0.94 * (value / peak) if value else 0.0
            parts.append(
                _point(
                    says(r, hour, value),
                    f'<rect class="cell-bg" x="{left + hour * cell_w + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" rx="3"/>'
                    f'<rect class="cell" x="{left + hour * cell_w + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" rx="3" fill-opacity="{opacity:.2f}"/>',
                )
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def sparkline(values: Sequence[float], label: str) -> Markup:
    """A small trend line (decorative: the numbers are beside it)."""
    w, h = 96, 24
    if not values:
        return Markup("")
    top = max(values) or 1
    step = w / max(len(values) - 1, 1)
    points = " ".join(
        f"{_n(i * step)},{_n(h - 2 - (h - 4) * v / top)}" for i, v in enumerate(values)
    )
    return Markup(
        f'<svg class="spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-hidden="true" '
        f'focusable="false"><title>{escape(label)}</title><polyline points="{points}"/></svg>'
    )
