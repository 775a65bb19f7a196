"""Charts drawn on the server as SVG: nothing loads from the internet, nothing needs JavaScript."""
from decimal import Decimal
from html import escape
from typing import Callable, Optional, Sequence

BAR_COLOURS = {"green": "#3c9a3c", "yellow": "#e0a800", "red": "#c9302c", None: "#337ab7"}


def bar_chart_svg(bars: Sequence[tuple[str, Optional[Decimal], Optional[str]]],
                  width: int = 560, bar_height: int = 22, unit: str = "",
                  show: Optional[Callable[[Decimal], str]] = None) -> str:
    """Return a horizontal bar chart: (label, value, colour key) per bar, labels on the left;
    show writes a value as the page shows its numbers (views/formatting.py)."""
    values = [v for _, v, _ in bars if v is not None]
    top = max(values, default=Decimal(1)) or Decimal(1)
    label_width, value_width = 220, 110
    plot = width - label_width - value_width
    rows = []
    for index, (label, value, colour) in enumerate(bars):
        y = index * (bar_height + 6)
        length = 0 if value is None else int(plot * float(value) / float(top))
        shown = "—" if value is None else show(value) if show else \
            f"{value:,}".replace(",", "\u00a0") + unit
        rows.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 6}" text-anchor="end">'
            f"{escape(str(label))}</text>"
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" '
            f'fill="{BAR_COLOURS.get(colour, BAR_COLOURS[None])}">'
            f'<title>{escape(shown)}</title></rect>'
            f'<text x="{label_width + length + 6}" y="{y + bar_height - 6}">{escape(shown)}</text>')
    height = max(len(bars), 1) * (bar_height + 6)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="irm-chart" width="{width}" '
            f'height="{height}" font-family="sans-serif" font-size="12" role="img">'
            + "".join(rows) + "</svg>")
