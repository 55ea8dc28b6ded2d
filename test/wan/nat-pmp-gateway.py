#!/usr/bin/env python3
"""The NAT-PMP server (RFC 6886) of a home router of the internet in a box (test/wan/box.ts).

Run inside the router's namespace: python3 nat-pmp-gateway.py <lan ip> <wan ip>
Answers external-address requests (opcode 0) and TCP mapping requests (opcode 2) from hosts of the LAN,
and makes each mapping real in the router's nftables: a DNAT rule in chain `ip nat pmp_pre` and an accept
rule in `ip filter pmp_fwd` (box.ts creates both chains, empty). Lifetime 0 removes a mapping. Expiry is
not enforced (a test outlives no lease). Prints "ready" once listening; logs each request to stderr.
Why not miniupnpd: it refuses to serve an external address in 198.18.0.0/15 ("reserved / private IP
address … Port forwarding is impossible"), the range the box's public segment must use.
"""
import socket
import struct
import subprocess
import sys
import time

lan_ip, wan_ip = sys.argv[1], sys.argv[2]
epoch_start = time.monotonic()
mappings = {}  # (client ip, internal port) -> external port


def apply_rules():
    lines = ["flush chain ip nat pmp_pre", "flush chain ip filter pmp_fwd"]
    for (client, internal), external in mappings.items():
        lines.append(f'add rule ip nat pmp_pre iifname "wan" tcp dport {external} dnat to {client}:{internal}')
        lines.append(f'add rule ip filter pmp_fwd iifname "wan" ip daddr {client} tcp dport {internal} accept')
    subprocess.run(["nft", "-f", "-"], input="\n".join(lines) + "\n", text=True, check=True)


def answer(data, client):
    epoch = int(time.monotonic() - epoch_start)
    if len(data) < 2 or data[0] != 0:
        return struct.pack("!BBHI", 0, 128 + (data[1] if len(data) > 1 else 0), 1, epoch)  # bad version
    op = data[1]
    if op == 0:
        return struct.pack("!BBHI4s", 0, 128, 0, epoch, socket.inet_aton(wan_ip))
    if op != 2 or len(data) < 12:
        return struct.pack("!BBHI", 0, 128 + op, 5, epoch)  # only TCP mappings here
    _, _, _, internal, suggested, lifetime = struct.unpack("!BBHHHI", data[:12])
    key = (client, internal)
    if lifetime == 0:
        mappings.pop(key, None)
        apply_rules()
        return struct.pack("!BBHIHHI", 0, 130, 0, epoch, internal, 0, 0)
    taken = {e for k, e in mappings.items() if k != key}
    external = mappings.get(key) or suggested or internal
    while external in taken:
        external = 1024 + (external + 1) % 64000
    mappings[key] = external
    apply_rules()
    return struct.pack("!BBHIHHI", 0, 130, 0, epoch, internal, external, lifetime)


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((lan_ip, 5351))
print("ready", flush=True)
while True:
    data, (client, port) = sock.recvfrom(64)
    reply = answer(data, client)
    print(f"nat-pmp: {client}:{port} op {data[1] if len(data) > 1 else '?'} -> {len(reply)} bytes", file=sys.stderr)
    sock.sendto(reply, (client, port))
