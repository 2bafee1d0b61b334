#!/usr/bin/env python3
"""The machine's floor for a request/response over loopback TCP between two processes.

Blocking sockets, TCP_NODELAY, 50-byte messages, no runtime or thread pool in between: whatever a .NET client and
server add on top of this is theirs. `--gap-ms` idles between round trips (as between turns), so the receiving
threads are asleep when the message arrives. `--busy-poll` makes both sides spin on non-blocking sockets instead of
sleeping in recv() (and the client spin through the gap), which shows what idle wake-ups cost: each side then burns a
core. Usage: python3 bench/tools/loopback_floor.py [--gap-ms 2] [--n 2000] [--busy-poll]
"""
import argparse
import os
import socket
import time


def receive(sock, busy_poll):
    while True:
        try:
            return sock.recv(100)
        except BlockingIOError:
            if not busy_poll:
                raise


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gap-ms", type=float, default=2.0)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--busy-poll", action="store_true")
    args = parser.parse_args()

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    if os.fork() == 0:
        peer, _ = listener.accept()
        peer.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if args.busy_poll:
            peer.setblocking(False)
        while data := receive(peer, args.busy_poll):
            peer.sendall(data)
        os._exit(0)

    client = socket.create_connection(("127.0.0.1", port))
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if args.busy_poll:
        client.setblocking(False)
    sends, trips = [], []
    for _ in range(args.n):
        start = time.perf_counter()
        client.send(b"x" * 50)
        sent = time.perf_counter()
        receive(client, args.busy_poll)
        done = time.perf_counter()
        sends.append((sent - start) * 1e6)
        trips.append((done - start) * 1e6)
        if args.gap_ms and args.busy_poll:
            until = done + args.gap_ms / 1000
            while time.perf_counter() < until:
                pass
        elif args.gap_ms:
            time.sleep(args.gap_ms / 1000)
    client.close()

    def pct(values, q):
        values = sorted(values[len(values) // 10:])  # the first 10 % warm up
        return values[min(len(values) - 1, int(len(values) * q))]

    print(f"{'busy-poll' if args.busy_poll else 'blocking'}, gap {args.gap_ms} ms, n {args.n}: round trip p50 {pct(trips, .5):.1f} p90 {pct(trips, .9):.1f} "
          f"p99 {pct(trips, .99):.1f} us; send() alone p50 {pct(sends, .5):.1f} p90 {pct(sends, .9):.1f} us")


if __name__ == "__main__":
    main()
