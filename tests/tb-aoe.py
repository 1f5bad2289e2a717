#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/tb-aoe.py: raw AoE probes for the test bed (tests/functions.sh).
#
#   tb-aoe.py config [--ready-file F] [--passive | --set TEXT]
#                    IFACE SHELF SLOT SECONDS
#       Send a broadcast Query Config for SHELF.SLOT on IFACE every 200 ms
#       (not with --passive) and wait for a config reply from that target
#       (an answer or vblade's start-up announcement).  Prints one line
#       describing the reply and exits 0, or exits 1 after SECONDS.
#       --set TEXT sends "set config string" (CCmd 3) with TEXT instead;
#       \xHH in TEXT stands for the byte HH.
#   tb-aoe.py sniff [--ready-file F] [SECONDS]
#       Count AoE frames (EtherType 0x88A2) sent or received on every
#       interface of the current network namespace, until SIGTERM/SIGINT
#       or SECONDS; prints "aoe_frames=N" and one line per frame seen.
#
# Only ever run inside namespaces the test bed created ("config" sends
# frames); "sniff" only listens.  --ready-file F is created once the
# socket is open, so a caller can start the traffic after it.
import argparse
import ctypes
import os
import random
import select
import signal
import socket
import struct
import sys
import time

ETH_P_AOE = 0x88A2
ETH_P_ALL = 0x0003
SO_ATTACH_FILTER = 26
AOE_FLAG_RESPONSE = 0x08
AOE_FLAG_ERROR = 0x04
AOE_CMD_CONFIG = 1
AOE_CCMD_READ = 0
AOE_CCMD_SET = 3
CONFIG_REPLY_MIN = 32      # Ethernet + AoE header + config argument
QUERY_INTERVAL = 0.2       # seconds between Query Config broadcasts
PACKET_TYPES = {0: "host", 1: "broadcast", 2: "multicast", 3: "otherhost",
                4: "outgoing"}


def mac_str(raw):
    """Format 6 bytes as aa:bb:cc:dd:ee:ff."""
    return ":".join("%02x" % b for b in raw)


def mark_ready(path):
    """Create the ready file PATH (if given) to say the socket is open."""
    if path:
        with open(path, "w") as f:
            f.write("%d\n" % os.getpid())


def build_query(src_mac, shelf, slot, tag, config=None):
    """A broadcast Query Config for shelf.slot, padded to 60 bytes: a read,
    or with CONFIG (bytes) a set of the config string."""
    ccmd = AOE_CCMD_READ if config is None else AOE_CCMD_SET
    config = config or b""
    frame = b"\xff" * 6 + src_mac + struct.pack("!H", ETH_P_AOE)
    frame += struct.pack("!BBHBBI", 0x10, 0, shelf, slot, AOE_CMD_CONFIG, tag)
    frame += struct.pack("!HHBBH", 0, 0, 0, ccmd, len(config)) + config
    return frame.ljust(60, b"\0")


def parse_config_reply(frame, shelf, slot):
    """Describe FRAME if it is a config reply from shelf.slot, else None."""
    if len(frame) < CONFIG_REPLY_MIN:
        return None
    etype, verflags, err, major, minor, cmd, tag = struct.unpack_from(
        "!HBBHBBI", frame, 12)
    if etype != ETH_P_AOE or not verflags & AOE_FLAG_RESPONSE:
        return None
    if major != shelf or minor != slot or cmd != AOE_CMD_CONFIG:
        return None
    bufcnt, fw, scnt, verccmd, cslen = struct.unpack_from("!HHBBH", frame, 24)
    config = frame[32:32 + cslen]
    return ("config-reply shelf=%d slot=%d mac=%s dst=%s version=%d error=%d "
            "bufcnt=%d firmware=0x%04x scnt=%d tag=0x%08x config=%r" % (
                major, minor, mac_str(frame[6:12]), mac_str(frame[0:6]),
                verflags >> 4, err if verflags & AOE_FLAG_ERROR else 0,
                bufcnt, fw, scnt, tag, config.decode("latin-1")))


def cmd_config(args):
    """Wait for a config reply from shelf.slot on an interface."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                         socket.htons(ETH_P_AOE))
    sock.bind((args.iface, ETH_P_AOE))
    src_mac = sock.getsockname()[4]
    mark_ready(args.ready_file)
    deadline = time.monotonic() + args.seconds
    next_query = time.monotonic()
    tag = 0x80000000 | random.getrandbits(16) << 8
    config = None
    if args.set is not None:
        config = args.set.encode("latin-1").decode("unicode_escape").encode("latin-1")
    while True:
        now = time.monotonic()
        if now >= deadline:
            print("no config reply from e%d.%d on %s within %g s" % (
                args.shelf, args.slot, args.iface, args.seconds),
                file=sys.stderr)
            return 1
        if not args.passive and now >= next_query:
            sock.send(build_query(src_mac, args.shelf, args.slot, tag, config))
            tag += 1
            next_query = now + QUERY_INTERVAL
        wait = min(deadline, next_query if not args.passive else deadline)
        ready, _, _ = select.select([sock], [], [], max(0.0, wait - now))
        if ready:
            line = parse_config_reply(sock.recv(65536), args.shelf, args.slot)
            if line:
                print(line, flush=True)
                return 0


def attach_aoe_filter(sock):
    """Keep only EtherType 0x88A2 frames on SOCK (classic BPF)."""
    insns = [(0x28, 0, 0, 12),          # ldh [12]
             (0x15, 0, 1, ETH_P_AOE),   # jeq #0x88a2, accept, drop
             (0x06, 0, 0, 0x40000),     # ret #262144
             (0x06, 0, 0, 0)]           # ret #0
    code = b"".join(struct.pack("HBBI", *i) for i in insns)
    buf = ctypes.create_string_buffer(code, len(code))
    prog = struct.pack("HL", len(insns), ctypes.addressof(buf))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, prog)


def cmd_sniff(args):
    """Count AoE frames on every interface until a signal or a deadline."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                         socket.htons(ETH_P_ALL))
    attach_aoe_filter(sock)
    mark_ready(args.ready_file)
    seen = []
    deadline = time.monotonic() + args.seconds if args.seconds else None
    while not stop:
        timeout = 0.2
        if deadline is not None:
            timeout = min(timeout, deadline - time.monotonic())
            if timeout <= 0:
                break
        try:
            ready, _, _ = select.select([sock], [], [], timeout)
        except InterruptedError:
            continue
        if not ready:
            continue
        frame, addr = sock.recvfrom(65536)
        if len(frame) >= 14 and struct.unpack_from("!H", frame, 12)[0] == ETH_P_AOE:
            seen.append("%s %s %s -> %s" % (
                addr[0], PACKET_TYPES.get(addr[2], addr[2]),
                mac_str(frame[6:12]), mac_str(frame[0:6])))
    print("aoe_frames=%d" % len(seen))
    for line in seen:
        print(line)
    return 0


def ranged(low, high):
    """An argparse type: an integer from LOW to HIGH."""
    def parse(text):
        value = int(text, 0)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                "%s is not in %d-%d" % (text, low, high))
        return value
    return parse


def main():
    """Parse the command line and run the subcommand."""
    parser = argparse.ArgumentParser(description="AoE probes for the test bed")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("config", help="wait for a config reply")
    p.add_argument("--ready-file")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--passive", action="store_true",
                      help="only listen (for vblade's start-up announcement)")
    mode.add_argument("--set", metavar="TEXT",
                      help="set the config string (if none is set yet)")
    p.add_argument("iface")
    p.add_argument("shelf", type=ranged(0, 0xFFFF))
    p.add_argument("slot", type=ranged(0, 0xFF))
    p.add_argument("seconds", type=float)
    p.set_defaults(func=cmd_config)
    p = sub.add_parser("sniff", help="count AoE frames on all interfaces")
    p.add_argument("--ready-file")
    p.add_argument("seconds", type=float, nargs="?", default=0.0)
    p.set_defaults(func=cmd_sniff)
    args = parser.parse_args()
    try:
        return args.func(args)
    except OSError as e:
        print("tb-aoe.py %s: %s" % (args.command, e), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
