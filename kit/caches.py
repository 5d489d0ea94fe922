"""A bounded dictionary for caches that request threads share.

The learner hot path remembers things that are the same for many requests (a rendered
lesson page, a signed CSRF token, a verified session cookie). Each such cache must stay
bounded on a 1 GB Pi; emptying it when full is enough where an entry is cheap to remake,
and keeps reads free of locks.
"""

import threading


class BoundedDict:
    """A dict emptied when it reaches `limit` entries; writes are serialised."""

    def __init__(self, limit):
        self.limit = limit
        self._items = {}
        self._lock = threading.Lock()

    def get(self, key, default=None):
        return self._items.get(key, default)

    def __contains__(self, key):
        return key in self._items

    def put(self, key, value):
        with self._lock:
            if len(self._items) >= self.limit:
                self._items.clear()
            self._items[key] = value

    def clear(self):
        with self._lock:
            self._items.clear()


class BytesBoundedDict:
    """A dict of bytes values holding at most `limit` bytes of them: a new entry evicts the
    oldest until it fits (one too big for the whole limit is not kept). Unlike emptying
    the whole cache, a working set a little over the limit keeps most of its entries."""

    def __init__(self, limit):
        self.limit = limit
        self.size = 0
        self._items = {}  # insertion-ordered: the first key is the oldest
        self._lock = threading.Lock()

    def get(self, key, default=None):
        return self._items.get(key, default)

    def __len__(self):
        return len(self._items)

    def put(self, key, value):
        if len(value) > self.limit:
            return
        with self._lock:
            if key in self._items:
                return
            while self.size + len(value) > self.limit:
                self.size -= len(self._items.pop(next(iter(self._items))))
            self._items[key] = value
            self.size += len(value)

    def clear(self):
        with self._lock:
            self._items.clear()
            self.size = 0
