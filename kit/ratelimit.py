"""Failed tries counted in a database table, for the kit's and the hub's sign-in limits.

A limit kept in a process's memory forgets everything when the server restarts (a
power cut, or a guesser who can make it crash) and sees only its own process's tries
when several serve the same kit. The failures are rows instead: every process reads and
writes the same table, and a restart changes nothing. Each limit is a key (say
``signin:amina:10.0.0.7`` or ``picture-from:10.0.0.7``), a number of failures and a
sliding window; rows older than a day are deleted as new ones arrive, so the table stays
as small as the attacks of the last day.

The kit and the hub each pass their own model (columns ``key`` and ``at``, naive UTC).
"""

import datetime as dt
import math

KEEP = dt.timedelta(days=1)


def utcnow():
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class FailureLog:
    """Count failed tries per key in `model`'s table; answer how long a key must wait."""

    def __init__(self, model, clock=utcnow):
        self.model = model
        self.clock = clock

    def retry_after(self, key, limit, window_s):
        """Seconds until `key` may try again (0 when it may now): it has failed `limit`
        times within the last `window_s` seconds."""
        now, model, limit = self.clock(), self.model, max(1, limit)  # 0 would mean "never": read as 1
        times = [
            row.at
            for row in model.select(model.at)
            .where((model.key == key) & (model.at > now - dt.timedelta(seconds=window_s)))
            .order_by(model.at)
        ]
        if len(times) < limit:
            return 0
        # Free again when enough of them have left the window to be under the limit.
        frees_at = times[len(times) - limit] + dt.timedelta(seconds=window_s)
        return max(1, math.ceil((frees_at - now).total_seconds()))

    def fail(self, *keys):
        """Count one failed try against each key (one transaction)."""
        now = self.clock()
        with self.model._meta.database.atomic():
            self.model.delete().where(self.model.at < now - KEEP).execute()
            for key in keys:
                self.model.create(key=key, at=now)

    def clear(self, key):
        """Forget a key's failures (after a right password for that name)."""
        with self.model._meta.database.atomic():
            self.model.delete().where(self.model.key == key).execute()
