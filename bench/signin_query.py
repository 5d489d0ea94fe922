"""What ending sessions on the server costs the learner hot path: the signed-in learner's
query with and without the join on its sign-in row (kit.signins), on one kit database.

Run: .venv/bin/python -m bench.signin_query   (about 10 s; prints microseconds per query
and the ratio, interleaved rounds so a busy machine slows both alike).
"""

import statistics
import tempfile
import time
from pathlib import Path

LEARNERS = 300
ROUNDS = 7
QUERIES = 20000

WITHOUT = (
    "SELECT json_array(l.id, l.uuid, l.display_name, l.colour, l.avatar, l.classroom_id,"
    " l.language) FROM learner l JOIN classroom c ON c.id = l.classroom_id"
    " WHERE l.id = ? AND l.active AND c.active"
)
WITH = (
    "SELECT json_array(l.id, l.uuid, l.display_name, l.colour, l.avatar, l.classroom_id,"
    " l.language) FROM learner l JOIN classroom c ON c.id = l.classroom_id"
    " JOIN web_session s ON s.learner_id = l.id WHERE l.id = ? AND s.id = ? AND l.active AND c.active"
)


def main():
    from kit import signins
    from kit.datafolder import open_data
    from kit.db import database, fetch_json
    from kit.identity import create_identity
    from kit.roster import add_learner, create_class

    with tempfile.TemporaryDirectory() as tmp:
        open_data(Path(tmp) / "data")
        create_identity("Bench")
        room = create_class("Bench class")
        ids = [add_learner(room.id, name=f"Learner {i}").id for i in range(LEARNERS)]
        sids = [signins.start(31 * 86400, 7200, learner_id=i) for i in ids]

        def rate(sql, params):
            start = time.perf_counter()
            for k in range(QUERIES):
                fetch_json(sql, params(k % LEARNERS))
            return (time.perf_counter() - start) / QUERIES * 1e6

        without, with_row = [], []
        for _ in range(ROUNDS):
            without.append(rate(WITHOUT, lambda i: (ids[i],)))
            with_row.append(rate(WITH, lambda i: (ids[i], sids[i])))
        database.close()
    a, b = statistics.median(without), statistics.median(with_row)
    print(f"learner query without the sign-in join: {a:.1f} us; with it: {b:.1f} us; ratio {b / a:.2f}")


if __name__ == "__main__":
    main()
