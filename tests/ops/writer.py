"""A kit writer for the power-loss tests: appends batches of events, printing each commit.

Run as `python writer.py DATA BATCH SECONDS`; bounded by SECONDS and 100,000 batches.
"""

import sys
import time
import uuid

from kit.datafolder import open_data
from kit.db import write
from kit.models import Event


def main(data, batch, seconds):
    open_data(data)
    deadline = time.monotonic() + seconds
    for number in range(1, 100_001):
        if time.monotonic() > deadline:
            break
        with write():
            Event.insert_many(
                [
                    {
                        "uuid": str(uuid.uuid4()),
                        "kind": "time_spent",
                        "payload": {"batch": number, "pad": "x" * 200},
                    }
                    for _ in range(batch)
                ]
            ).execute()
        print(number, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
