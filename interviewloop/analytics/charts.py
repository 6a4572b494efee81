"""Small server-side SVG charts: geometry computed here, drawn by the templates
(analytics/templates/analytics/_charts.html) with presentation attributes and classes
from app.css, so they work under the strict CSP (no script, no inline style), print,
and carry a text alternative (<title>, <desc>, and the table beside each chart)."""

from __future__ import annotations

from dataclasses import dataclass

from interviewloop.analytics.funnel import FunnelRow
from interviewloop.analytics.service import AreaReliability, InterviewerReport

WIDTH, LEFT, ROW = 520, 190, 28  # px; LEFT holds the area names
PLOT = WIDTH - LEFT - 20
ALPHA_MIN, ALPHA_MAX = -0.2, 1.0  # below -0.2 is drawn at the edge
THRESHOLDS = (0.667, 0.8)  # Krippendorff's guide: tentative, then reliable


def _x(alpha: float) -> float:
    clipped = min(max(alpha, ALPHA_MIN), ALPHA_MAX)
    return round(LEFT + (clipped - ALPHA_MIN) / (ALPHA_MAX - ALPHA_MIN) * PLOT, 1)


@dataclass(frozen=True)
class IntervalMark:
    label: str
    y: float
    x: float | None  # the estimate; None: nothing to draw (too few, or undefined)
    low: float | None
    high: float | None
    text: str


@dataclass(frozen=True)
class IntervalChart:
    width: int
    height: int
    marks: list[IntervalMark]
    ticks: list[tuple[float, str]]
    thresholds: list[tuple[float, str]]
    top: int
    bottom: int
    description: str


def alpha_intervals(rows: list[AreaReliability]) -> IntervalChart:
    marks = []
    for n, r in enumerate(rows):
        y = 20 + n * ROW + ROW / 2
        a = r.alpha
        if a.value is None:
            text = (f"{r.area.name}: too few candidates ({r.units})" if not r.enough
                    else f"{r.area.name}: undefined (every rating the same)")
            marks.append(IntervalMark(r.area.name, y, None, None, None, text))
            continue
        interval = (f", 95% interval {a.low:.2f} to {a.high:.2f}" if a.low is not None
                    and a.high is not None else "")
        marks.append(IntervalMark(r.area.name, y, _x(a.value),
                                  _x(a.low) if a.low is not None else None,
                                  _x(a.high) if a.high is not None else None,
                                  f"{r.area.name}: alpha {a.value:.2f}{interval}, "
                                  f"{r.units} candidates"))
    bottom = 20 + len(rows) * ROW
    ticks = [(_x(v), f"{v:g}") for v in (-0.2, 0, 0.2, 0.4, 0.6, 0.8, 1.0)]
    return IntervalChart(WIDTH, bottom + 30, marks, ticks,
                         [(_x(t), f"{t:g}") for t in THRESHOLDS], 14, bottom,
                         "; ".join(m.text for m in marks))


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    rating: int


@dataclass(frozen=True)
class Bar:
    y: float
    label: str  # "You" / a name / "Pool"
    segments: list[Segment]
    text: str


@dataclass(frozen=True)
class AreaBars:
    area: str
    height: int
    bars: list[Bar]
    description: str


BAR_WIDTH, BAR_LEFT, BAR_ROW = 360, 150, 18


def rating_segments(counts: list[int], left: float, width: float) -> list[Segment]:
    """One stacked bar of the shares of ratings 1 to 4, ``width`` wide from ``left``."""
    total, x, segments = sum(counts), float(left), []
    for rating, count in enumerate(counts, start=1):
        part = round(count / total * width, 1)
        if part:
            segments.append(Segment(round(x, 1), part, rating))
        x += part
    return segments


def rating_text(counts: list[int]) -> str:
    parts = ", ".join(f"{c} rated {v}" for v, c in enumerate(counts, start=1))
    return f"{parts} (of {sum(counts)})"


def distribution_bars(report: InterviewerReport) -> list[AreaBars]:
    """Per area, one bar per shown row and the pool: the shares of ratings 1 to 4."""
    charts = []
    shown = [r for r in report.rows if r.enough] + [report.pool]
    for area in report.areas:
        bars: list[Bar] = []
        for row in shown:
            counts = row.distribution.get(area.id)
            if not counts or not sum(counts):
                continue
            bars.append(Bar(8 + len(bars) * BAR_ROW, row.label,
                            rating_segments(counts, BAR_LEFT, BAR_WIDTH),
                            f"{row.label}: {rating_text(counts)}"))
        if bars:
            charts.append(AreaBars(area.name, 16 + len(bars) * BAR_ROW, bars,
                                   "; ".join(b.text for b in bars)))
    return charts


# --- the question report: one small bar per question -----------------------------------------

MINI_WIDTH = 160


@dataclass(frozen=True)
class MiniBar:
    segments: list[Segment]
    text: str


def question_bar(counts: list[int]) -> MiniBar:
    return MiniBar(rating_segments(counts, 0, MINI_WIDTH), rating_text(counts))


# --- the funnel -------------------------------------------------------------------------------

FUNNEL_WIDTH, FUNNEL_LABEL, FUNNEL_ROW = 640, 250, 26
FUNNEL_LABEL_CHARS = 36  # a longer step name is cut on the chart (whole in its text)


def _short(label: str) -> str:
    return label if len(label) <= FUNNEL_LABEL_CHARS else label[:FUNNEL_LABEL_CHARS - 1] + "…"


@dataclass(frozen=True)
class FunnelBar:
    y: float
    x: float
    width: float
    label: str
    count: int
    text: str


@dataclass(frozen=True)
class FunnelChart:
    title: str
    width: int
    height: int
    bars: list[FunnelBar]
    description: str


def funnel(row: FunnelRow) -> FunnelChart:
    """Centred bars, each as wide as its step's candidates (the first step is full width)."""
    plot = FUNNEL_WIDTH - FUNNEL_LABEL - 10
    centre = FUNNEL_LABEL + plot / 2
    widest = max(row.steps[0].count, 1)
    bars = []
    for n, step in enumerate(row.steps):
        width = round(max(step.count / widest * plot, 1.0), 1)
        passed = (f", {step.passed.k} of {step.passed.n} from the step before"
                  if step.passed is not None else "")
        bars.append(FunnelBar(8 + n * FUNNEL_ROW, round(centre - width / 2, 1), width,
                              _short(step.label), step.count,
                              f"{step.label}: {step.count} candidates{passed}"))
    return FunnelChart(f"Funnel: {row.label}", FUNNEL_WIDTH, 16 + len(bars) * FUNNEL_ROW, bars,
                       "; ".join(b.text for b in bars))
