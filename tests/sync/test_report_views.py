"""The read-only report views (issue 20) agree with the report pages, on SQLite and PostgreSQL, and
a read-only PostgreSQL role made as the operators' guide shows can read them and change nothing."""

import uuid
from contextlib import closing

import psycopg2
import pytest

from .conftest import HUB_ENV, Hub
from .test_summaries import _reports, _send_history


def test_report_views_agree_with_the_report_pages(hub):
    _send_history(hub)
    hours, reached, completion = _reports(hub)
    view = {
        (s, m): round(float(h), 2)
        for s, m, h in hub.query("SELECT site, month, SUM(hours) FROM report_hours GROUP BY site, month")
    }
    assert view == {(r["site"], r["month"]): r["hours"] for r in hours}
    learners = hub.query("SELECT site, month, learners FROM report_learners")
    assert sorted(learners) == sorted((r["site"], r["month"], r["learners"]) for r in reached)
    assert hub.query("SELECT pack, lesson, started, completed FROM report_completion") == [
        (r["pack"], r["lesson"], r["started"], r["completed"]) for r in completion
    ]
    assert sorted(r[1] for r in hub.query("SELECT name, status FROM report_kits")) == ["active", "active"]


@pytest.mark.postgres
def test_a_read_only_role_reads_the_views_and_changes_nothing(postgres, tmp_path):
    hub = Hub(tmp_path / "hub", postgres(), env=HUB_ENV).setup()
    try:
        _send_history(hub)
        role, database = f"bi_{uuid.uuid4().hex[:8]}", hub.database_url.rsplit("/", 1)[1]
        with closing(psycopg2.connect(hub.database_url)) as conn:  # the guide's statements, as written there
            conn.autocommit = True
            conn.cursor().execute(
                f"CREATE ROLE {role} LOGIN PASSWORD 'read-only-pw';"
                f"GRANT CONNECT ON DATABASE {database} TO {role};"
                f"GRANT USAGE ON SCHEMA public TO {role};"
                f"GRANT SELECT ON report_hours, report_learners, report_completion, report_kits TO {role};"
                f"ALTER ROLE {role} SET default_transaction_read_only = on;"
            )
        url = hub.database_url.replace("postgres@", f"{role}:read-only-pw@")
        with closing(psycopg2.connect(url)) as conn:
            cur = conn.cursor()
            cur.execute("SELECT COUNT(*) FROM report_hours")
            assert cur.fetchone()[0] > 0
            conn.rollback()
            for sql in (
                "SELECT uuid FROM hub_event LIMIT 1",
                "SELECT secret_hash FROM hub_kit",
                "DELETE FROM hub_kit",
            ):
                with pytest.raises(psycopg2.Error) as refused:
                    cur.execute(sql)
                conn.rollback()
                assert "permission denied" in str(refused.value) or "read-only" in str(refused.value)
    finally:
        hub.stop()
