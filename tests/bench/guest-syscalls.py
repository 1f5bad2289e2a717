# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
"""guest-syscalls.py PID IFACE NBD OUT COMMAND...: run by
tests/bench/guest-kernel.sh in the guest: count nbdkit's (PID) system
calls, context switches and CPU time per thread with perf stat while
COMMAND (a fio run) runs, and the frames IFACE moved and the requests
block device NBD (nbd0) completed over the same time; write OUT, a
markdown section of
kernel-profile-MTU.txt: the libaoe I/O thread's figures per frame
received (it receives and sends the frames) and the other threads'
(nbdkit's workers: NBD requests in, replies out, submissions) per NBD
request.  The issue asks where the time goes per frame and per NBD
request: this is that count, where perf record's profile says how long
each call takes.

perf attaches before COMMAND starts and is stopped (SIGINT) after it
ended, both while nbdkit idles: attaching to and detaching from threads
busy in system calls once hung the TCG guest for good (soft lockups in
nbdkit and perf).  The count covers the whole run, start-up included,
which adds no frame and next to no CPU."""

import signal
import subprocess
import sys
import time

# The system calls counted (the ones nbdkit aoe makes per frame or per
# NBD request; any other shows up as the CPU left unexplained).
SYSCALLS = ["poll", "recvmmsg", "sendto", "sendmmsg", "clock_gettime",
            "futex", "read", "write", "recvfrom"]


def die(msg):
    """Exit with a one-line error."""
    sys.exit("guest-syscalls.py: " + msg)


def read_int(path):
    """The integer in sysfs file path."""
    with open(path) as f:
        return int(f.read().split()[0])


def counters(iface, nbd):
    """(frames received, frames sent, NBD requests completed) so far."""
    net = "/sys/class/net/%s/statistics/" % iface
    with open("/sys/block/%s/stat" % nbd) as f:
        stat = [int(x) for x in f.read().split()]
    # Fields 1 and 5: reads and writes completed.
    return (read_int(net + "rx_packets"), read_int(net + "tx_packets"),
            stat[0] + stat[4])


def start_perf(pid, output):
    """perf stat --per-thread over nbdkit's threads until interrupted,
    its counts to file output; returns once perf has attached."""
    events = ["cpu-clock", "context-switches"] + [
        "syscalls:sys_enter_" + s for s in SYSCALLS]
    perf = subprocess.Popen(
        ["perf", "stat", "-x,", "--per-thread", "-e", ",".join(events),
         "-p", str(pid), "-o", output], stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    # perf has no "attached" signal; its set-up takes well under this
    # even under TCG, and a count started late only misses idle time.
    time.sleep(2)
    if perf.poll() is not None:
        die("perf stat failed: " + perf.stderr.read().strip())
    return perf


def stop_perf(perf, output):
    """Interrupt perf; {tid: {event: value}} from its output file."""
    perf.send_signal(signal.SIGINT)
    if perf.wait(timeout=60) not in (0, -signal.SIGINT):
        die("perf stat failed: " + perf.stderr.read().strip())
    threads = {}
    with open(output) as f:
        for line in f:
            fields = line.strip().split(",")
            if len(fields) < 4 or not fields[0].startswith("nbdkit-"):
                continue
            try:
                value = float(fields[1])
            except ValueError:      # <not counted>: the thread did not run
                continue
            event = fields[3].replace("syscalls:sys_enter_", "")
            threads.setdefault(fields[0], {})[event] = value
    if not threads:
        die("perf stat counted no nbdkit thread")
    return threads


def row(name, figures, per, unit):
    """A table row: figures (summed over threads) divided by per."""
    cells = ["%.1f µs" % (figures.get("cpu-clock", 0) * 1000 / per),
             "%.3f" % (figures.get("context-switches", 0) / per)]
    cells += ["%.3f" % (figures.get(s, 0) / per) for s in SYSCALLS]
    return "| %s (per %s) | %s |" % (name, unit, " | ".join(cells))


def summed(threads):
    """The figures of threads, summed per event."""
    total = {}
    for figures in threads:
        for event, value in figures.items():
            total[event] = total.get(event, 0) + value
    return total


def main():
    if len(sys.argv) < 6:
        die("usage: guest-syscalls.py PID IFACE NBD OUT COMMAND...")
    pid, iface, nbd, out = sys.argv[1:5]
    command = sys.argv[5:]
    perf_output = out + ".perf"
    perf = start_perf(pid, perf_output)
    before = counters(iface, nbd)
    run = subprocess.run(command)
    after = counters(iface, nbd)
    threads = stop_perf(perf, perf_output)
    if run.returncode != 0:
        die("%s failed (status %d)" % (command[0], run.returncode))
    received, sent, requests = (a - b for a, b in zip(after, before))
    if received == 0 or requests == 0:
        die("no frame or NBD request moved while counting")
    # The I/O thread is the one receiving the frames.
    io_tid = max(threads, key=lambda t: threads[t].get("recvmmsg", 0))
    others = summed(f for t, f in threads.items() if t != io_tid)
    with open(out, "w") as f:
        f.write("## nbdkit's CPU, context switches and system calls "
                "(perf stat --per-thread over the run)\n")
        f.write("%d frames received, %d sent, %d NBD requests "
                "(%.1f frames received each)\n\n"
                % (received, sent, requests, received / requests))
        f.write("| threads | CPU | context switches | %s |\n"
                % " | ".join(SYSCALLS))
        f.write("|---" * (3 + len(SYSCALLS)) + "|\n")
        f.write(row("I/O thread", threads[io_tid], received, "frame") + "\n")
        f.write(row("I/O thread", threads[io_tid], requests, "request")
                + "\n")
        f.write(row("the other %d" % (len(threads) - 1), others, requests,
                    "request") + "\n")


main()
