"""Bar charts drawn on the server as SVG: no script, no inline style, with a text
alternative (role="img", a title and a description naming every value).

The same markup goes inline in the report page and into the PDF, so both show one
drawing. Colours and type are presentation attributes, which the page's Content
Security Policy allows where it forbids style attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil, log10

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 24, 44
BAR_COLOUR = "#1d3557"
AXIS_COLOUR = "#57606a"
GRID_COLOUR = "#d0d7de"
TEXT_COLOUR = "#1b1f23"
FONT = 'font-family="Helvetica, Arial, sans-serif"'
MAX_LABELS = 12  # more bars than this: label every other one (or fewer)
MAX_BAR_WIDTH = 64
GRID_STEPS = 5


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar
    value: int
    name: str = ""  # in the text alternative, when the label is abbreviated

    @property
    def spoken(self) -> str:
        return self.name or self.label


def scale(value: int) -> tuple[int, int]:
    """(top, step) of a whole-number scale reaching value, in at most five steps of
    1, 2 or 5 times a power of ten."""
    value = max(value, 1)
    power = 10 ** int(log10(value / GRID_STEPS)) if value >= GRID_STEPS else 1
    for step in (power, 2 * power, 5 * power, 10 * power):
        if step * GRID_STEPS >= value:
            return step * ceil(value / step), step
    raise AssertionError("unreachable: ten times the power always covers value")


def description(bars: list[Bar], unit: str) -> str:
    return "; ".join(f"{bar.spoken}: {bar.value} {unit}" for bar in bars) + "."


def bar_chart(chart_id: str, title: str, bars: list[Bar], unit: str) -> Markup:
    """A vertical bar chart as an SVG element; unit names what the values count."""
    top, step = scale(max((bar.value for bar in bars), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(bars), 1)
    bar_w = min(slot * 0.7, MAX_BAR_WIDTH)
    every = ceil(len(bars) / MAX_LABELS) if bars else 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description(bars, unit))}</desc>',
    ]
    for value in range(0, top + 1, step):
        y = TOP + plot_h - plot_h * value / top
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" {FONT} '
            f'fill="{AXIS_COLOUR}">{value}</text>'
        )
    for number, bar in enumerate(bars):
        height = plot_h * bar.value / top
        x = LEFT + slot * number + (slot - bar_w) / 2
        y = TOP + plot_h - height
        centre = x + bar_w / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" '
            f'fill="{BAR_COLOUR}"/>'
        )
        if bar.value:
            parts.append(
                f'<text x="{centre:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11" '
                f'{FONT} fill="{TEXT_COLOUR}">{bar.value}</text>'
            )
        if number % every == 0:
            parts.append(
                f'<text x="{centre:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" '
                f'font-size="12" {FONT} fill="{TEXT_COLOUR}">{escape(bar.label)}</text>'
            )
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1.5"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def attendance_by_month(report) -> Markup:
    bars = [Bar(row.short_label, row.attended, row.label) for row in report.by_month]
    return bar_chart("chart-month", "Attendance by month", bars, "attended")


def attendance_by_sector(report) -> Markup:
    bars = [Bar(row.label, row.attended) for row in report.by_sector]
    return bar_chart("chart-sector", "Attendance by sector", bars, "attended")
