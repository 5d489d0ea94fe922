"""The programme page: headline tiles and three charts, each with its table, SVG and CSV.

Everything here reads the summary tables (sync/hub/summaries.py). A person is a learner of
one kit: learner ids are made on the kit, so they are counted per kit. Filters come from the
query string and are checked before any query: a month is YYYY-MM, a site or a course
must be one the hub knows; anything else is refused with a message that names it.
"""

import re
from collections import defaultdict

from flask import Blueprint, Response, render_template, request, url_for

from kit.csv_export import csv_text
from kit.errors import KitError

from . import charts, ranges
from .db import database
from .models import Kit
from .reports import certificates
from .web import login_required

bp = Blueprint("programme", __name__)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CHARTS = ("hours", "learners", "completion")


class BadFilter(KitError):
    status = 400


class Filters:
    """Checked filters from a query string, and the SQL they add to a summary table's WHERE."""

    def __init__(self, args):
        self.since, self.until = args.get("from", "").strip(), args.get("to", "").strip()
        self.site, self.course = args.get("site", "").strip(), args.get("course", "").strip()
        for name, value in (("from", self.since), ("to", self.until)):
            if value and not MONTH.match(value):
                raise BadFilter(f"'{name}' must be a month written YYYY-MM, like 2026-03, not {value[:20]!r}")
        if self.since and self.until and self.since > self.until:
            raise BadFilter(f"'from' ({self.since}) is after 'to' ({self.until})")
        self.sites = sites()
        if self.site and self.site not in set(self.sites.values()):
            raise BadFilter(f"no site {self.site[:60]!r} at this hub")
        if self.course and self.course not in courses():
            raise BadFilter(f"no course {self.course[:60]!r} at this hub")

    def where(self):
        """(SQL after WHERE, parameters) for a summary table with kit_id, month and pack_id."""
        p, parts, params = database.param, ["1 = 1"], []
        if self.since:
            parts.append(f"month >= {p}")
            params.append(self.since)
        if self.until:
            parts.append(f"month <= {p}")
            params.append(self.until)
        if self.site:
            kits = [k for k, s in self.sites.items() if s == self.site]
            parts.append(f"kit_id IN ({', '.join([p] * len(kits))})")
            params += kits
        if self.course:
            parts.append(f"pack_id = {p}")
            params.append(self.course)
        return " AND ".join(parts), params

    def query(self):
        return {
            k: v
            for k, v in (
                ("from", self.since),
                ("to", self.until),
                ("site", self.site),
                ("course", self.course),
            )
            if v
        }


def sites():
    return {
        kit_id: site or name for kit_id, site, name in Kit.select(Kit.kit_id, Kit.site, Kit.name).tuples()
    }


def courses():
    """The packs with events, '' apart: a loose index scan (one index probe a pack), not a read of every row."""
    return [
        r[0]
        for r in database.execute_sql(
            "WITH RECURSIVE c(pack_id) AS (SELECT MIN(pack_id) FROM hub_sum_hours WHERE pack_id > '' "
            "UNION ALL SELECT (SELECT MIN(pack_id) FROM hub_sum_hours WHERE pack_id > c.pack_id) FROM c "
            "WHERE c.pack_id IS NOT NULL) SELECT pack_id FROM c WHERE pack_id IS NOT NULL"
        )
    ]


def site_months(f):
    """{(site, month): milliseconds on lessons}, summed per site by the database; a site with
    events but no time on lessons is there with 0 (it counts among the active sites).

    hub_sum_kit_hours (a row a kit and month) unless a course is chosen: hub_sum_hours has a row
    per pack as well, and sorting those to sum them per site was most of this page's time
    (docs/performance.md).
    """
    where, params = f.where()
    table = "hub_sum_hours" if f.course else "hub_sum_kit_hours"
    return {
        (site, month): int(ms)
        for site, month, ms in database.execute_sql(
            "SELECT COALESCE(NULLIF(k.site, ''), k.name, s.kit_id) AS site_name, s.month, CAST(SUM(s.ms) AS BIGINT) "
            f"FROM (SELECT kit_id, month, ms FROM {table} WHERE {where}) s "
            "LEFT JOIN hub_kit k ON k.kit_id = s.kit_id GROUP BY site_name, s.month",
            params,
        )
    }


def hours(f, cells=None):
    """(months, {site: [hours per month]}) on lessons."""
    cells = site_months(f) if cells is None else cells
    months = sorted({month for _, month in cells})
    names = sorted({site for site, _ in cells})
    return months, {site: [round(cells.get((site, m), 0) / 3_600_000, 2) for m in months] for site in names}


def learners(f):
    """(months, [distinct learners per month]): from the kept counts (hub_sum_reach) unless a course
    is chosen, which only hub_sum_learner knows (a learner in two courses is one person)."""
    where, params = f.where()
    table = "(SELECT month, kit_id, 1 AS learners FROM hub_sum_learner WHERE {where} GROUP BY month, kit_id, learner_uuid) d"
    if not f.course:
        table = "hub_sum_reach WHERE {where}"  # a learner is one kit's: kits' counts add up
    rows = database.execute_sql(
        f"SELECT month, SUM(learners) FROM {table.format(where=where)} GROUP BY month ORDER BY month", params
    ).fetchall()
    return [m for m, _ in rows], [int(n) for _, n in rows]


def completion(f):
    """[(pack, lesson, started, completed, percent)] per lesson."""
    where, params = f.where()
    table = "hub_sum_lesson_count WHERE {where}"  # a learner is one kit's: kits' counts add up
    if f.since or f.until:  # a learner of two months is one: counted at their first month in the range
        first, more = ranges.first_in_range(f.since)
        table, params = f"hub_sum_lesson_prev WHERE {{where}} AND {first}", params + more
    counts = defaultdict(dict)
    for pack, lesson, kind, n in database.execute_sql(
        f"SELECT pack_id, lesson_id, kind, SUM(learners) FROM {table.format(where=where)} "
        "GROUP BY pack_id, lesson_id, kind",
        params,
    ):
        counts[(pack, lesson)][kind] = int(n)
    rows = []
    for (pack, lesson), n in sorted(counts.items()):
        started, done = n.get("lesson_opened", 0), n.get("lesson_completed", 0)
        rows.append((pack, lesson, started, done, round(100 * done / started) if started else 0))
    return rows


def tiles(f, cells=None):
    """The numbers a programme puts in its annual report, under the same filters (`cells`: site_months(f))."""
    cells = site_months(f) if cells is None else cells
    return {
        "hours": round(sum(cells.values()) / 3_600_000, 1),
        "people": _people(f),
        "sites": len({site for site, _ in cells}),
        "teachers": _teachers_trained(f),
    }


def _people(f):
    """Distinct learners under the filters: the kept per-kit counts (hub_sum_people) when only a
    site is chosen, the range counts (ranges.py) for a month range; a course needs the distinct
    count over hub_sum_learner, the only table that knows a learner's packs."""
    where, params = f.where()
    if f.course:  # DISTINCT in a subquery: hashed, where COUNT(DISTINCT) sorts
        sql = f"SELECT COUNT(*) FROM (SELECT DISTINCT kit_id, learner_uuid FROM hub_sum_learner WHERE {where}) d"
    elif f.since or f.until:
        first, more = ranges.first_in_range(f.since)
        sql, params = (
            f"SELECT COALESCE(SUM(learners), 0) FROM hub_sum_reach_prev WHERE {where} AND {first}",
            params + more,
        )
    else:
        sql = f"SELECT COALESCE(SUM(learners), 0) FROM hub_sum_people WHERE {where}"
    return int(database.execute_sql(sql, params).fetchone()[0])


def _teachers_trained(f):
    """Valid certificates of Teacher-training learners (reports.certificates), under the month and site filters."""
    return sum(
        row["teachers_trained"]
        for row in certificates()
        if (not f.since or row["month"] >= f.since)
        and (not f.until or row["month"] <= f.until)
        and (not f.site or row["site"] == f.site)
    )


READERS = {"hours": hours, "learners": learners, "completion": completion}


def _table(name, data):
    """A chart's table (its CSV) from what its reader returned."""
    if name == "hours":
        months, by_site = data
        return [
            {"site": s, "month": m, "hours": v[i]} for s, v in by_site.items() for i, m in enumerate(months)
        ]
    if name == "learners":
        return [{"month": m, "learners": n} for m, n in zip(*data)]
    return [{"pack": p, "lesson": le, "started": s, "completed": d, "percent": r} for p, le, s, d, r in data]


def _svg(name, data):
    if name == "hours":
        return charts.stacked_bars("Hours of learning per site and month", "hours", *data)
    if name == "learners":
        return charts.line("Learners reached per month", "learners", *data)
    return charts.rate_bars(
        "Lesson completion", [(f"{p} / {le}", r, f"({d} of {s})") for p, le, s, d, r in data]
    )


@bp.get("/programme")
@login_required
def page():
    f = Filters(request.args)
    cells = site_months(f)
    data = {
        name: READERS[name](f) for name in CHARTS if name != "hours"
    }  # each read once for chart and table
    data["hours"] = hours(f, cells)
    return render_template(
        "hub/programme.html",
        tiles=tiles(f, cells),
        charts={name: _svg(name, data[name]) for name in CHARTS},
        tables={name: _table(name, data[name]) for name in CHARTS},
        filters=f,
        site_names=sorted(set(f.sites.values())),
        courses=courses(),
        links={
            name: (
                url_for("programme.chart_svg", name=name, **f.query()),
                url_for("programme.chart_csv", name=name, **f.query()),
            )
            for name in CHARTS
        },
    )


def _chart_name(name):
    if name not in CHARTS:
        raise BadFilter(f"no chart {name[:40]!r}: the charts are {', '.join(CHARTS)}")
    return name


@bp.get("/programme/<name>.svg")
@login_required
def chart_svg(name):
    name = _chart_name(name)
    return Response(
        _svg(name, READERS[name](Filters(request.args))),
        mimetype="image/svg+xml",
        headers={"Content-Disposition": f"attachment; filename=hub-{name}.svg"},
    )


@bp.get("/programme/<name>.csv")
@login_required
def chart_csv(name):
    name = _chart_name(name)
    return Response(
        csv_text(_table(name, READERS[name](Filters(request.args)))),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=hub-{name}.csv"},
    )


@bp.errorhandler(KitError)
def _refused(exc):
    return render_template("hub/error.html", status=exc.status, message=exc.message), exc.status


def init_app(app):
    app.register_blueprint(bp)
