"""Small server-rendered SVG charts for the dashboards: geometry here, markup in the templates.
No script and no style attribute (the CSP forbids both): sizes are SVG attributes, colours
come from classes in portal.css."""

BAR_WIDTH = 300  # the viewBox width of a horizontal bar
BAR_HEIGHT = 16


def seat_bar(used: int, total: int) -> dict:
    """One horizontal bar: the used part and the free part of `total` seats."""
    total = max(int(total or 0), 0)
    used = min(max(int(used or 0), 0), total) if total else 0
    used_w = round(BAR_WIDTH * used / total) if total else 0
    return {
        "width": BAR_WIDTH,
        "height": BAR_HEIGHT,
        "used_w": used_w,
        "free_x": used_w,
        "free_w": BAR_WIDTH - used_w,
        "used": used,
        "free": total - used,
        "total": total,
    }


DAY_WIDTH, COLUMN_GAP, CHART_HEIGHT, LABEL_SPACE = 48, 8, 120, 20


def day_columns(days: list, series: dict[str, list[int]]) -> dict:
    """Columns per day, the series side by side (e.g. failures and locks), scaled to the
    largest value. `series` maps a CSS class to one value per day."""
    top = max([1, *(v for values in series.values() for v in values)])
    names = list(series)
    group = DAY_WIDTH  # the same width per day whatever the number of series: same scale
    column = (DAY_WIDTH - COLUMN_GAP) // max(len(names), 1)
    bars, labels = [], []
    for index, day in enumerate(days):
        x0 = index * group
        for offset, name in enumerate(names):
            value = series[name][index]
            height = round(CHART_HEIGHT * value / top)
            bars.append(
                {
                    "cls": name,
                    "x": x0 + offset * column,
                    "y": CHART_HEIGHT - height,
                    "w": column - 2,
                    "h": height,
                    "value": value,
                    "day": day,
                }
            )
        labels.append({"x": x0 + group // 2 - COLUMN_GAP // 2, "day": day})
    return {
        "width": max(group * len(days), 1),
        "height": CHART_HEIGHT + LABEL_SPACE,
        "plot_height": CHART_HEIGHT,
        "label_y": CHART_HEIGHT + LABEL_SPACE - 4,
        "bars": bars,
        "labels": labels,
        "top": top,
    }
