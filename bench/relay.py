"""A TCP relay that delays every chunk by a fixed time, in both directions, and counts bytes.

This kernel has no netem, so the 2G link's latency comes from here: each chunk read from
one side is written to the other `delay` seconds later, in order. Byte counts (payload,
without TCP/IP headers) are written as JSON to --stats every 0.2 s and at exit.
  python -m bench.relay --listen 10.77.0.2:9000 --to 127.0.0.1:8090 --delay 0.15 --stats s.json
"""

import argparse
import asyncio
import json
import os
import signal

COUNTS = {"up": 0, "down": 0, "connections": 0}


async def pipe(reader, writer, delay, key):
    """Copy reader to writer, each chunk held back `delay` seconds, order kept."""
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, chunk = await queue.get()
            if chunk is None:
                break
            await asyncio.sleep(max(0.0, due - asyncio.get_running_loop().time()))
            writer.write(chunk)
            COUNTS[key] += len(chunk)
            await writer.drain()
        writer.close()

    sender = asyncio.create_task(deliver())
    try:
        while chunk := await reader.read(65536):
            await queue.put((asyncio.get_running_loop().time() + delay, chunk))
    except ConnectionError:
        pass
    await queue.put((0, None))
    try:
        await sender
    except ConnectionError:
        pass


async def serve(listen, target, delay, stats):
    async def handle(client_reader, client_writer):
        COUNTS["connections"] += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*target)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            pipe(client_reader, up_writer, delay, "up"), pipe(up_reader, client_writer, delay, "down")
        )

    server = await asyncio.start_server(handle, *listen)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        while not stop.is_set():
            _write(stats)
            try:
                await asyncio.wait_for(stop.wait(), 0.2)
            except TimeoutError:
                pass
    _write(stats)


def _write(path):
    """Write the counts atomically: the bench reads them while the relay runs."""
    temp = f"{path}.tmp"
    with open(temp, "w") as handle:
        json.dump(COUNTS, handle)
    os.replace(temp, path)


def _address(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listen", required=True)
    parser.add_argument("--to", required=True)
    parser.add_argument("--delay", type=float, default=0.15, help="seconds, each direction")
    parser.add_argument("--stats", required=True)
    args = parser.parse_args(argv)
    asyncio.run(serve(_address(args.listen), _address(args.to), args.delay, args.stats))


if __name__ == "__main__":
    main()
