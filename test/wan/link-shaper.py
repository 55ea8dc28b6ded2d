#!/usr/bin/env python3
"""A shaped Ethernet link for the internet in a box, where the kernel has no netem qdisc.

Opens two TAP devices (creating them in the current network namespace) and forwards every frame from one
to the other after a delay, dropping a share of them on a seeded schedule. The harness moves one TAP into
the home's host namespace; the other stays in the home router's namespace as its LAN interface.

Usage: link-shaper.py <tap-a> <tap-b> <seed>
Prints "ready" once both TAPs exist. Each line on stdin is a JSON object that sets the shaping from then on:
{"delayMs": 40, "lossPercent": 1}  (delay applies to each direction). EOF on stdin stops the link.
"""
import errno
import fcntl
import heapq
import json
import os
import random
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
MAX_QUEUED = 20_000  # frames in flight; beyond that the link drops, as a full router queue would


def open_tap(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd


def main() -> None:
    a, b = open_tap(sys.argv[1]), open_tap(sys.argv[2])
    rng = random.Random(int(sys.argv[3]))
    other = {a: b, b: a}
    delay, loss = 0.0, 0.0
    queue: list = []  # (due, seq, fd, frame): the same delay both ways keeps each direction in order
    seq = 0
    stdin = sys.stdin.fileno()
    pending = b""
    print("ready", flush=True)
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 1.0
        readable, _, _ = select.select([a, b, stdin], [], [], timeout)
        for fd in readable:
            if fd == stdin:
                chunk = os.read(stdin, 4096)
                if not chunk:
                    return
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    if line.strip():
                        cfg = json.loads(line)
                        delay = float(cfg.get("delayMs", 0)) / 1000
                        loss = float(cfg.get("lossPercent", 0)) / 100
                continue
            for _ in range(64):  # drain what is there, a bounded batch per wake-up
                try:
                    frame = os.read(fd, 65536)
                except BlockingIOError:
                    break
                except OSError as err:
                    if err.errno == errno.EBADFD:  # the namespace and its TAP are gone: the link ends
                        return
                    raise
                if rng.random() < loss or len(queue) >= MAX_QUEUED:
                    continue
                seq += 1
                heapq.heappush(queue, (time.monotonic() + delay, seq, other[fd], frame))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, fd, frame = heapq.heappop(queue)
            try:
                os.write(fd, frame)
            except OSError:
                pass  # the other side is down or full: the frame is lost, as on a wire


if __name__ == "__main__":
    main()
