"""Server-rendered SVG charts: geometry here, markup in the template. No script and no style
attribute (the CSP forbids both); colours come from classes in portal.css."""

WIDTH, HEIGHT = 600, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 10, 30


def _nice_max(value: int) -> int:
    """The smallest of 4, 10, 20, 40, 100, 200, 400, 1000, ... at least `value`: an even top,
    so the middle tick is a whole number too."""
    scale = 1
    while True:
        for top in (4 * scale, 10 * scale, 20 * scale, 40 * scale):
            if value <= top:
                return top
        scale *= 10


def line_chart(bought: list[int], assigned: list[int], months) -> dict:
    """Two series over the same months: points for <polyline>, ticks for the axes."""
    top = _nice_max(max([*bought, *assigned, 0]))
    count = len(months)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i):
        return LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(v):
        return TOP + plot_h - plot_h * v / top

    def points(series):
        return " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(series))

    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bought": points(bought),
        "assigned": points(assigned),
        "dots_bought": [
            {"x": f"{x(i):.1f}", "y": f"{y(v):.1f}", "v": v} for i, v in enumerate(bought)
        ],
        "dots_assigned": [
            {"x": f"{x(i):.1f}", "y": f"{y(v):.1f}", "v": v} for i, v in enumerate(assigned)
        ],
        "x_ticks": [{"x": f"{x(i):.1f}", "label": f"{m:%b}"} for i, m in enumerate(months)],
        "y_ticks": [{"y": f"{y(v):.1f}", "label": v} for v in (0, top // 2, top)],
        "x_axis_y": f"{y(0):.1f}",
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "label_y": HEIGHT - 8,
    }
