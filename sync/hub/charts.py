"""Charts as SVG text, drawn on the server: no script, no CDN, nothing for a browser to fetch.

Each chart carries a <title> and <desc> for screen readers, and the page puts the same numbers
in a table beside it. Colours are a fixed list readable in print; a site past the list's end
reuses a colour, and the legend still names it.
"""

from html import escape

W, H = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 64, 170, 44, 56
COLOURS = ["#1b6ca8", "#d9822b", "#3a9a5b", "#a23b72", "#6c5ce7", "#8c6d31", "#c0392b", "#16a085"]


def nice_max(value):
    """An axis top of 1, 2 or 5 times a power of ten, at or above value."""
    if value <= 0:
        return 1
    power = 1
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _open(title, desc):
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'role="img" aria-labelledby="t d" font-family="sans-serif" font-size="12">',
        f'<title id="t">{escape(title)}</title><desc id="d">{escape(desc)}</desc>',
        f'<rect width="{W}" height="{H}" fill="white"/>',
        f'<text x="{LEFT}" y="24" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]


def _y_axis(top, unit, sy):
    out = []
    for i in range(5):
        value = top * i / 4
        y = sy(value)
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>'
        )
    out.append(
        f'<text transform="translate(16 {(TOP + H - BOTTOM) / 2}) rotate(-90)" text-anchor="middle">'
        f"{escape(unit)}</text>"
    )
    return out


def _legend(names):
    out = []
    for i, name in enumerate(names[:14]):
        y = TOP + i * 20
        out.append(
            f'<rect x="{W - RIGHT + 14}" y="{y}" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>'
            f'<text x="{W - RIGHT + 32}" y="{y + 10}">{escape(name[:18])}</text>'
        )
    if len(names) > 14:
        out.append(f'<text x="{W - RIGHT + 14}" y="{TOP + 14 * 20 + 10}">+{len(names) - 14} more</text>')
    return out


def _labels(xs, x_of):
    step = max(1, len(xs) // 12)  # at most about twelve labels under the axis
    return [
        f'<text x="{x_of(i):.1f}" y="{H - BOTTOM + 16}" text-anchor="middle">{escape(str(x))}</text>'
        for i, x in enumerate(xs)
        if i % step == 0
    ]


def stacked_bars(title, unit, xs, series):
    """Bars per x (a month), stacked by series {name: [value per x]}."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(xs))]
    top = nice_max(max(totals, default=0))
    plot_h, plot_w = H - TOP - BOTTOM, W - LEFT - RIGHT
    slot = plot_w / max(len(xs), 1)

    def sy(value):
        return TOP + plot_h * (1 - value / top)

    out = _open(title, f"{unit}, stacked by site, for {len(xs)} months; the table beside it has each number")
    out += _y_axis(top, unit, sy)
    for i in range(len(xs)):
        base = 0
        for n, values in enumerate(series.values()):
            if values[i] > 0:
                y0, y1 = sy(base), sy(base + values[i])
                out.append(
                    f'<rect x="{LEFT + i * slot + slot * 0.15:.1f}" y="{y1:.1f}" width="{slot * 0.7:.1f}" '
                    f'height="{y0 - y1:.1f}" fill="{COLOURS[n % len(COLOURS)]}"/>'
                )
                base += values[i]
    out += _labels(xs, lambda i: LEFT + (i + 0.5) * slot)
    out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{sy(0)}" y2="{sy(0)}" stroke="black"/>')
    out += _legend(list(series))
    out.append("</svg>")
    return "\n".join(out)


def line(title, unit, xs, values):
    """One line over xs (months), with a dot on each value."""
    top = nice_max(max(values, default=0))
    plot_h, plot_w = H - TOP - BOTTOM, W - LEFT - RIGHT
    step = plot_w / max(len(xs) - 1, 1)

    def sy(value):
        return TOP + plot_h * (1 - value / top)

    def sx(i):
        return LEFT + (i * step if len(xs) > 1 else plot_w / 2)

    out = _open(title, f"{unit} for {len(xs)} months; the table beside it has each number")
    out += _y_axis(top, unit, sy)
    points = " ".join(f"{sx(i):.1f},{sy(v):.1f}" for i, v in enumerate(values))
    out.append(f'<polyline fill="none" stroke="{COLOURS[0]}" stroke-width="2.5" points="{points}"/>')
    out += [
        f'<circle cx="{sx(i):.1f}" cy="{sy(v):.1f}" r="3.5" fill="{COLOURS[0]}"/>'
        for i, v in enumerate(values)
    ]
    out += _labels(xs, sx)
    out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{sy(0)}" y2="{sy(0)}" stroke="black"/>')
    out.append("</svg>")
    return "\n".join(out)


def rate_bars(title, rows):
    """Horizontal bars of a rate in percent: rows [(label, percent, note)], at most 16 shown."""
    shown = rows[:16]
    height = TOP + 24 * max(len(shown), 1) + 30
    label_w, plot_w = 200, W - 200 - 90
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" height="{height}" '
        f'role="img" aria-labelledby="t d" font-family="sans-serif" font-size="12">',
        f'<title id="t">{escape(title)}</title>'
        f'<desc id="d">Percent completed for {len(rows)} lessons; the table beside it has each number</desc>',
        f'<rect width="{W}" height="{height}" fill="white"/>',
        f'<text x="10" y="24" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, percent, note) in enumerate(shown):
        y = TOP + i * 24
        width = plot_w * max(0, min(percent, 100)) / 100
        out.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end">{escape(label[:30])}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{plot_w}" height="16" fill="#eef1f4"/>'
            f'<rect x="{label_w}" y="{y + 2}" width="{width:.1f}" height="16" fill="{COLOURS[2]}"/>'
            f'<text x="{label_w + plot_w + 6}" y="{y + 14}">{percent:.0f}% {escape(note)}</text>'
        )
    if len(rows) > len(shown):
        out.append(f'<text x="10" y="{height - 10}">+{len(rows) - len(shown)} more in the table</text>')
    out.append("</svg>")
    return "\n".join(out)
