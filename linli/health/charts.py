"""Trend charts of a card's readings as inline SVG, drawn on the server from
``selectors.reading_trend`` data: no script and nothing fetched by the browser, so they work
on an old phone and on paper. Blood pressure is two lines (systolic, diastolic) with the
140/90 mmHg reference lines, glucose is points coloured by their level, weight a line. Each
scales to its container (a viewBox, 100 % wide), and its axis ticks at round values."""

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .display import number, value_text
from .models import Level, ReadingKind

# A phone's width in CSS pixels, so that the 11 px labels stay readable on a phone.
WIDTH = 360
HEIGHT = 200
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 10, 24
INSET = 8  # keeps the first and last point off the plot's edges

SYSTOLIC_COLOUR = "#c0392b"
DIASTOLIC_COLOUR = "#2c6fbb"
WEIGHT_COLOUR = "#5b6770"
REFERENCE_COLOUR = "#e67e22"
GRID_COLOUR = "#d5dbe0"
TEXT_COLOUR = "#555"
LEVEL_COLOURS = {
    Level.NORMAL: "#2e8b57",
    Level.IMPAIRED: "#e6a000",
    Level.RAISED: "#e67e22",
    Level.DIABETIC: "#d35400",
    Level.URGENT: "#c0392b",
    Level.DANGEROUS: "#8e0000",
}


@dataclass
class Series:
    name: str
    colour: str
    points: list[tuple[datetime, float, str]]  # (when, value, level)
    line: bool = True
    value: str = ""  # the reading's value drawn (``glucose``…), for its unit and precision

    def text(self, value: float) -> str:
        return value_text(self.value, value)


@dataclass
class Reference:
    value: float
    label: str


def _number(value) -> float | None:
    if value is None or value == "":
        return None
    return float(Decimal(str(value)))


def _points(trend: dict, name: str) -> list[tuple[datetime, float, str]]:
    out = []
    for point in trend["points"]:
        value = _number(point.get(name))
        if value is not None:
            out.append((datetime.fromisoformat(point["at"]), value, point.get("level", "")))
    return out


def _fmt(value: float) -> str:
    return f"{value:g}"


NICE_STEPS = (1, 2, 2.5, 5, 10)


def nice_ticks(low: float, high: float, *, most: int = 6) -> list[Decimal]:
    """Values for the axis from ``low`` to ``high`` at a round step (1, 2, 2.5 or 5 times a
    power of ten), at most ``most`` of them, the first at or under ``low`` and the last at or
    over ``high``: the plot spans exactly the first to the last tick, so that each label sits
    on its value (a reference line at 7.0 crosses the axis where it reads 7)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(most - 1, 1)
    power = Decimal(10) ** math.floor(math.log10(raw))
    for factor in NICE_STEPS:
        step = Decimal(str(factor)) * power
        first = math.floor(Decimal(str(low)) / step) * step
        last = math.ceil(Decimal(str(high)) / step) * step
        if (last - first) / step + 1 <= most:
            break
    count = int((last - first) / step)
    return [first + step * i for i in range(count + 1)]


def _tick_label(value: Decimal, step: Decimal) -> str:
    places = max(0, -step.normalize().as_tuple().exponent)
    return number(value, places)


def _svg(
    *, testid: str, title: str, unit: str, series: list[Series], references: list[Reference]
) -> SafeString:
    points = [p for s in series for p in s.points]
    if not points:
        return mark_safe("")
    values = [p[1] for p in points] + [r.value for r in references]
    low, high = min(values), max(values)
    pad = max((high - low) * 0.05, 0.5 if high < 50 else 2.0)
    ticks = nice_ticks(max(low - pad, 0), high + pad)
    step = ticks[1] - ticks[0]
    low, high = float(ticks[0]), float(ticks[-1])
    times = [p[0].timestamp() for p in points]
    first, last = min(times), max(times)
    span_t = (last - first) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(moment: datetime) -> float:
        if last == first:
            return LEFT + plot_w / 2
        return LEFT + INSET + (moment.timestamp() - first) / span_t * (plot_w - 2 * INSET)

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * plot_h

    parts = [
        f'<svg class="health-chart" data-testid="{escape(testid)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" '
        f'role="img" aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet" '
        f'font-size="11" font-family="sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    # Grid lines at round values, labelled on the left; the dates of the first and last
    # reading under the plot.
    for tick in ticks:
        yy = y(float(tick))
        parts.append(
            f'<g class="health-tick" data-value="{tick.normalize():f}">'
            f'<line x1="{LEFT}" y1="{yy:.1f}" x2="{WIDTH - RIGHT}" y2="{yy:.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
            f'<text x="{LEFT - 4}" y="{yy + 4:.1f}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f"{_tick_label(tick, step)}</text></g>"
        )
    oldest = min(p[0] for p in points)
    newest = max(p[0] for p in points)
    parts.append(
        f'<text x="{LEFT}" y="{HEIGHT - 4}" fill="{TEXT_COLOUR}">'
        f"{oldest:%Y-%m-%d}</text>"
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" text-anchor="end" fill="{TEXT_COLOUR}">'
        f"{newest:%Y-%m-%d}</text>"
        f'<text x="{WIDTH / 2:.0f}" y="{HEIGHT - 4}" text-anchor="middle" '
        f'fill="{TEXT_COLOUR}">{escape(unit)}</text>'
    )
    for reference in references:
        yy = y(reference.value)
        parts.append(
            f'<g class="health-reference" data-value="{_fmt(reference.value)}" '
            f'data-y="{yy:.1f}">'
            f'<line x1="{LEFT}" y1="{yy:.1f}" x2="{WIDTH - RIGHT}" y2="{yy:.1f}" '
            f'stroke="{REFERENCE_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"/>'
            f'<text x="{WIDTH - RIGHT - 2}" y="{yy - 3:.1f}" text-anchor="end" '
            f'fill="{REFERENCE_COLOUR}">{escape(reference.label)}</text></g>'
        )
    for s in series:
        if s.line and len(s.points) > 1:
            coords = " ".join(f"{x(at):.1f},{y(v):.1f}" for at, v, _level in s.points)
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{s.colour}" '
                f'stroke-width="2" stroke-linejoin="round"/>'
            )
        for at, value, level in s.points:
            colour = s.colour if s.line else LEVEL_COLOURS.get(level, s.colour)
            label = f"{s.name} {s.text(value)} · {at.strftime('%Y-%m-%d %H:%M')}"
            parts.append(
                f'<circle cx="{x(at):.1f}" cy="{y(value):.1f}" r="{3.5 if s.line else 5}" '
                f'fill="{colour}" data-level="{escape(level)}"><title>{escape(label)}</title>'
                f"</circle>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _legend(items: list[tuple[str, str]]) -> list[dict]:
    return [{"label": label, "colour": colour} for label, colour in items]


def blood_pressure_chart(trend: dict) -> dict:
    series = [
        Series(_("systolic"), SYSTOLIC_COLOUR, _points(trend, "systolic"), value="systolic"),
        Series(_("diastolic"), DIASTOLIC_COLOUR, _points(trend, "diastolic"), value="diastolic"),
    ]
    references = [Reference(140, "140"), Reference(90, "90")]
    return {
        "kind": ReadingKind.BLOOD_PRESSURE,
        "title": _("Blood pressure"),
        "count": len(series[0].points),
        "svg": _svg(
            testid="chart-blood-pressure",
            title=_("Blood pressure"),
            unit="mmHg",
            series=series,
            references=references,
        ),
        "legend": _legend(
            [
                (_("systolic"), SYSTOLIC_COLOUR),
                (_("diastolic"), DIASTOLIC_COLOUR),
                (_("140/90: raised from here"), REFERENCE_COLOUR),
            ]
        ),
    }


def glucose_chart(trend: dict) -> dict:
    series = [
        Series(
            _("glucose"),
            LEVEL_COLOURS[Level.NORMAL],
            _points(trend, "glucose"),
            line=False,
            value="glucose",
        )
    ]
    references = [Reference(3.9, "3.9"), Reference(7.0, "7.0"), Reference(16.7, "16.7")]
    return {
        "kind": ReadingKind.GLUCOSE,
        "title": _("Blood glucose"),
        "count": len(series[0].points),
        "svg": _svg(
            testid="chart-glucose",
            title=_("Blood glucose"),
            unit="mmol/L",
            series=series,
            references=references,
        ),
        "legend": _legend(
            [(str(label), LEVEL_COLOURS[level]) for level, label in _glucose_levels()]
        ),
    }


def _glucose_levels():
    return [
        (Level(value), Level(value).label)
        for value in (Level.NORMAL, Level.IMPAIRED, Level.DIABETIC, Level.DANGEROUS)
    ]


def weight_chart(trend: dict) -> dict:
    series = [Series(_("weight"), WEIGHT_COLOUR, _points(trend, "weight_kg"), value="weight_kg")]
    return {
        "kind": ReadingKind.WEIGHT,
        "title": _("Weight"),
        "count": len(series[0].points),
        "svg": _svg(
            testid="chart-weight", title=_("Weight"), unit="kg", series=series, references=[]
        ),
        "legend": [],
    }


def card_charts(trends: dict) -> list[dict]:
    """The charts of a card with readings, from ``{kind: reading_trend(...)}``; kinds
    without a reading are left out."""
    builders = {
        ReadingKind.BLOOD_PRESSURE: blood_pressure_chart,
        ReadingKind.GLUCOSE: glucose_chart,
        ReadingKind.WEIGHT: weight_chart,
    }
    charts = [builders[kind](trend) for kind, trend in trends.items() if kind in builders]
    return [chart for chart in charts if chart["count"]]
