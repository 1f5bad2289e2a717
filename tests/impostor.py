#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/impostor.py: a host claiming another target's shelf.slot, for
# tests/test-shared-impostor.sh.
#
#   impostor.py [--ready-file F] [--silent] [--refuse-set] [--sectors N]
#               IFACE SHELF SLOT SECONDS
#
# Announces SHELF.SLOT on IFACE every 0.5 s (an unsolicited Query Config
# reply to ff:ff:ff:ff:ff:ff, tag 0, buffer count 16, as vblade does at
# start-up).  Unless --silent, it answers every ATA request addressed to
# it: IDENTIFY with what vblade 25 on this host would say for a disk of N
# sectors (model, firmware "V25", serial "SHELF.SLOT:hostname"), so only
# the data can betray it, and reads with junk; writes are acknowledged
# and thrown away.  With --refuse-set it also answers Query Config (an
# empty config string) and refuses every "set" with AoE error 4 ("config
# string present") carrying no string, as some targets do.  Until
# SIGTERM/SIGINT or SECONDS, then prints one
# line: "identifies=N reads=N writes=N other=N" (the ATA requests it got).
#
# Only ever run inside a network namespace the test bed created: it
# sends frames.
import argparse
import os
import socket
import struct
import signal
import sys
import time

ETH_P_AOE = 0x88A2
AOE_FLAG_RESPONSE = 0x08
AOE_CMD_ATA = 0
AOE_CMD_CONFIG = 1
ATA_HEADER = 36
SECTOR = 512
READS = (0x20, 0x24)
WRITES = (0x30, 0x34)
IDENTIFY = 0xEC
ANNOUNCE_INTERVAL = 0.5


def put_string(block, word, length, text):
    """Store TEXT in IDENTIFY words from WORD, LENGTH bytes, byte-swapped
    and space-padded as ATA strings are."""
    raw = text.encode().ljust(length, b" ")[:length]
    for i in range(0, length, 2):
        block[word * 2 + i] = raw[i + 1]
        block[word * 2 + i + 1] = raw[i]


def identify_block(shelf, slot, sectors):
    """The IDENTIFY data vblade 25 sends for a disk of SECTORS sectors."""
    block = bytearray(512)
    for word, value in ((47, 0x8000), (49, 0x0200), (50, 0x4000),
                        (83, 0x5400), (84, 0x4000), (86, 0x1400),
                        (87, 0x4000), (93, 0x400b)):
        struct.pack_into("<H", block, word * 2, value)
    put_string(block, 27, 40, "Coraid EtherDrive vblade")
    put_string(block, 23, 8, "V25")
    serial = ("%d.%d:%s" % (shelf, slot, socket.gethostname()))[:19]
    put_string(block, 10, 20, serial)
    struct.pack_into("<I", block, 120, min(sectors, 0x0FFFFFFF))
    struct.pack_into("<Q", block, 200, sectors)
    return bytes(block)


def announcement(mac, shelf, slot):
    """An unsolicited Query Config reply for shelf.slot from MAC."""
    frame = b"\xff" * 6 + mac + struct.pack("!H", ETH_P_AOE)
    frame += struct.pack("!BBHBBI", 0x10 | AOE_FLAG_RESPONSE, 0, shelf, slot,
                         AOE_CMD_CONFIG, 0)
    frame += struct.pack("!HHBBH", 16, 0x4019, 17, 0x10, 0)
    return frame.ljust(60, b"\0")


def config_answer(request, mac):
    """The reply to a Query Config request: the empty string on a read,
    AoE error 4 with no string on a set (CCmd 3); None for other CCmds."""
    ccmd = request[29] & 0x0F
    if ccmd not in (0, 3):
        return None
    flags = 0x10 | AOE_FLAG_RESPONSE | (0x04 if ccmd == 3 else 0)
    frame = request[6:12] + mac + struct.pack("!H", ETH_P_AOE)
    frame += struct.pack("!BB", flags, 4 if ccmd == 3 else 0) + request[16:24]
    frame += struct.pack("!HHBBH", 16, 0x4019, 17, 0x10 | ccmd, 0)
    return frame.ljust(60, b"\0")


def answer(request, mac, identify, junk):
    """The reply to one ATA request addressed to us (header fields echoed,
    status ready), and what kind of request it was."""
    count = request[26]
    command = request[27]
    header = bytearray(request[:ATA_HEADER])
    header[0:6] = request[6:12]
    header[6:12] = mac
    header[14] = 0x10 | AOE_FLAG_RESPONSE
    header[15] = 0
    header[25] = 0
    header[26] = 0
    header[27] = 0x40
    if command == IDENTIFY:
        return bytes(header) + identify, "identifies"
    if command in READS:
        return bytes(header) + junk[:count * SECTOR], "reads"
    if command in WRITES:
        return bytes(header), "writes"
    return bytes(header), "other"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ready-file")
    parser.add_argument("--silent", action="store_true")
    parser.add_argument("--refuse-set", action="store_true")
    parser.add_argument("--sectors", type=int, default=131072)
    parser.add_argument("iface")
    parser.add_argument("shelf", type=int)
    parser.add_argument("slot", type=int)
    parser.add_argument("seconds", type=float)
    args = parser.parse_args()

    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                         socket.htons(ETH_P_AOE))
    sock.bind((args.iface, ETH_P_AOE))
    mac = sock.getsockname()[4]
    sock.settimeout(0.05)
    identify = identify_block(args.shelf, args.slot, args.sectors)
    junk = os.urandom(255 * SECTOR)
    counts = {"identifies": 0, "reads": 0, "writes": 0, "other": 0}
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write("%d\n" % os.getpid())

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    deadline = time.monotonic() + args.seconds
    next_announce = 0.0
    while not stop and time.monotonic() < deadline:
        if time.monotonic() >= next_announce:
            sock.send(announcement(mac, args.shelf, args.slot))
            next_announce = time.monotonic() + ANNOUNCE_INTERVAL
        try:
            request = sock.recv(65536)
        except (socket.timeout, InterruptedError):
            continue
        if len(request) < 32 or request[14] & AOE_FLAG_RESPONSE:
            continue
        major, minor = struct.unpack_from("!HB", request, 16)
        if (args.refuse_set and request[19] == AOE_CMD_CONFIG
                and major in (args.shelf, 0xFFFF)
                and minor in (args.slot, 0xFF)):
            reply = config_answer(request, mac)
            if reply is not None:
                sock.send(reply)
            continue
        if (len(request) < ATA_HEADER or request[0:6] != mac
                or request[19] != AOE_CMD_ATA
                or (major, minor) != (args.shelf, args.slot)):
            continue
        reply, kind = answer(request, mac, identify, junk)
        counts[kind] += 1
        if not args.silent:
            sock.send(reply)
    print(" ".join("%s=%d" % (k, counts[k])
                   for k in ("identifies", "reads", "writes", "other")))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
