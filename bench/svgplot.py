"""A small line chart written as SVG: no plotting library to install on a Pi or in CI."""

from html import escape

W, H = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 170, 40, 50
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def _nice_max(value):
    """Round an axis maximum up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    power = 10 ** len(str(int(value))) / 10
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def line_chart(title, xlabel, ylabel, series, hline=None):
    """Return SVG text: series is {name: [(x, y), ...]}; hline = (y, label) for a target."""
    points = [p for values in series.values() for p in values if p[1] is not None]
    xmax = max((x for x, _ in points), default=1)
    ymax = _nice_max(max([y for _, y in points] + [hline[0] if hline else 0]) * 1.05)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def sx(x):
        return LEFT + pw * x / xmax

    def sy(y):
        return TOP + ph * (1 - y / ymax)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{W}" height="{H}" fill="white"/>',
        f'<text x="{W / 2 - 60}" y="22" font-size="15">{escape(title)}</text>',
    ]
    out += _axes(xmax, ymax, sx, sy, xlabel, ylabel)
    if hline:
        y = sy(hline[0])
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{y}" y2="{y}" stroke="#888" '
            f'stroke-dasharray="6 4"/><text x="{LEFT + 4}" y="{y - 4}" fill="#555">'
            f"{escape(hline[1])}</text>"
        )
    for index, (name, values) in enumerate(series.items()):
        out += _series(index, name, [p for p in values if p[1] is not None], sx, sy)
    out.append("</svg>")
    return "\n".join(out)


def _axes(xmax, ymax, sx, sy, xlabel, ylabel):
    pw_end, ph_end = sx(xmax), sy(0)
    out = [
        f'<line x1="{LEFT}" y1="{ph_end}" x2="{pw_end}" y2="{ph_end}" stroke="black"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{ph_end}" stroke="black"/>',
    ]
    for i in range(6):
        y = ymax * i / 5
        out.append(
            f'<text x="{LEFT - 8}" y="{sy(y) + 4}" text-anchor="end">{y:g}</text>'
            f'<line x1="{LEFT}" x2="{pw_end}" y1="{sy(y)}" y2="{sy(y)}" stroke="#eee"/>'
        )
    for i in range(6):
        x = xmax * i / 5
        out.append(f'<text x="{sx(x)}" y="{ph_end + 18}" text-anchor="middle">{x:g}</text>')
    out.append(f'<text x="{(LEFT + pw_end) / 2}" y="{H - 12}" text-anchor="middle">{escape(xlabel)}</text>')
    out.append(
        f'<text transform="translate(18 {(TOP + ph_end) / 2}) rotate(-90)" '
        f'text-anchor="middle">{escape(ylabel)}</text>'
    )
    return out


def _series(index, name, values, sx, sy):
    colour = COLOURS[index % len(COLOURS)]
    path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in values)
    out = [f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>']
    out += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{colour}"/>' for x, y in values]
    ly = TOP + 10 + 18 * index
    out.append(
        f'<line x1="{W - RIGHT + 10}" x2="{W - RIGHT + 30}" y1="{ly}" y2="{ly}" '
        f'stroke="{colour}" stroke-width="2"/><text x="{W - RIGHT + 36}" y="{ly + 4}">'
        f"{escape(name)}</text>"
    )
    return out
