#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/fault-spoof.py: a hostile host for the fault tests
# (tests/test-fault-spoof.sh).
#
#   fault-spoof.py [--ready-file F] [--mac MAC] IFACE SECONDS
#
# Sniffs AoE ATA requests on IFACE and answers every one at once, from
# MAC (default: a random locally administered address) instead of the
# target's: a well-formed response with the request's tag, shelf and
# slot, ATA status "ready", and for reads the full amount of junk data.
# Runs until SIGTERM/SIGINT or SECONDS, then prints "spoofed=N".
#
# Only ever run inside a network namespace the test bed created: it
# sends frames.  --ready-file F is created once the socket is open.
import argparse
import os
import signal
import socket
import sys
import time

ETH_P_AOE = 0x88A2
AOE_FLAG_RESPONSE = 0x08
AOE_CMD_ATA = 0
ATA_HEADER = 36              # Ethernet + AoE header + ATA argument
READ_COMMANDS = (0x20, 0x24)  # READ SECTORS (EXT)
STATUS_READY = 0x40          # DRDY, no error
SECTOR = 512


def parse_mac(text):
    """Six bytes from aa:bb:cc:dd:ee:ff."""
    parts = text.split(":")
    if len(parts) != 6:
        raise ValueError("bad MAC address: %s" % text)
    return bytes(int(p, 16) for p in parts)


def spoofed_reply(request, mac, junk):
    """The forged answer to one ATA request frame, or None to ignore it."""
    if len(request) < ATA_HEADER:
        return None
    if request[14] & AOE_FLAG_RESPONSE or request[19] != AOE_CMD_ATA:
        return None
    count = request[26]
    command = request[27]
    header = bytearray(request[:ATA_HEADER])
    header[0:6] = request[6:12]        # back to the initiator
    header[6:12] = mac                 # from a stranger
    header[14] = 0x10 | AOE_FLAG_RESPONSE
    header[15] = 0
    header[25] = 0                     # ATA error register
    header[26] = 0                     # sectors remaining
    header[27] = STATUS_READY
    if command in READ_COMMANDS:
        return bytes(header) + junk[:count * SECTOR]
    return bytes(header)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ready-file")
    parser.add_argument("--mac")
    parser.add_argument("iface")
    parser.add_argument("seconds", type=float)
    args = parser.parse_args()
    mac = parse_mac(args.mac) if args.mac else \
        bytes([0x02]) + os.urandom(5)
    junk = os.urandom(255 * SECTOR)

    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                         socket.htons(ETH_P_AOE))
    sock.bind((args.iface, ETH_P_AOE))
    sock.settimeout(0.2)
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write("%d\n" % os.getpid())

    spoofed = 0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    deadline = time.monotonic() + args.seconds
    while not stop and time.monotonic() < deadline:
        try:
            request = sock.recv(65536)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        reply = spoofed_reply(request, mac, junk)
        if reply is not None:
            sock.send(reply)
            spoofed += 1
    print("spoofed=%d" % spoofed)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
