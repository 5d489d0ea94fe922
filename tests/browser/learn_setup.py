"""A served kit for the learner browser tests: the mini pack, a class, two learners."""

from kit.datafolder import open_data
from kit.db import database


def seed_class(data_dir):
    """Add "Class A" (Ada; Ben with the picture password sun+moon), assign the mini pack."""
    from kit.assignments import assign
    from kit.roster import add_learner, create_class

    open_data(data_dir)
    try:
        room = create_class("Class A")
        ids = {
            "class": room.id,
            "ada": add_learner(room.id, name="Ada", avatar="cat", colour="blue").id,
            "ben": add_learner(
                room.id, name="Ben", avatar="dog", colour="green", picture_password="sun+moon"
            ).id,
        }
        assign(room.id, "mini")
    finally:
        database.close()
    return ids


def count_events(data_dir, **where):
    """Count logged events (optionally of one kind / learner) straight from kit.db."""
    import sqlite3

    sql, args = "SELECT COUNT(*) FROM event WHERE 1=1", []
    for column, value in where.items():
        sql += f" AND {column} = ?"
        args.append(value)
    with sqlite3.connect(data_dir / "kit.db") as conn:
        return conn.execute(sql, args).fetchone()[0]


def sign_in_sign_first(page, server, ids):
    """Ada signs in on `page` and turns "Sign language first" on with her picture button."""
    from playwright.sync_api import expect

    page.goto(f"{server.url}/class/{ids['class']}")
    page.get_by_role("button", name="Ada").click()
    page.get_by_role("button", name="Sign language first").click()
    expect(page.get_by_role("button", name="Sign language first")).to_have_attribute("aria-pressed", "true")
