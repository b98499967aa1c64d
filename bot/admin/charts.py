"""Bar charts drawn on the server as inline SVG: no script, no CDN, readable without internet."""
from dataclasses import dataclass

WIDTH, HEIGHT, BOTTOM, TOP = 640, 220, 28, 18


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int | None  # None: no data (drawn as "—", no bar), unlike a real 0


def bars(points: list[tuple[str, int | None]], peak: int | None = None) -> dict:
    """Geometry for a bar chart of (label, value) points, scaled to `peak` (default: the largest value)."""
    peak = peak or max((value or 0 for _, value in points), default=0) or 1
    slot = WIDTH / max(len(points), 1)
    plot = HEIGHT - BOTTOM - TOP
    shapes = []
    for index, (label, value) in enumerate(points):
        height = plot * (value or 0) / peak
        shapes.append(Bar(x=round(index * slot + slot * 0.15, 1), y=round(TOP + plot - height, 1),
                          width=round(slot * 0.7, 1), height=round(height, 1), label=label, value=value))
    return {"width": WIDTH, "height": HEIGHT, "baseline": HEIGHT - BOTTOM, "bars": shapes,
            "peak": peak, "plot": plot}
