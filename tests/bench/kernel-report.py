#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
"""kernel-report.py: the tables of scripts/bench --kernel.

    kernel-report.py RESULTS.jsonl META.json OUT.md

RESULTS.jsonl holds one object per fio run of tests/bench/guest-kernel.sh
(path, test, rep, loss, mtu, mb_per_s, cpu_s_per_gib, max_sectors_kb,
lat_p50_us, lat_p99_us).  Every figure is the median over the repetitions; a ratio is
the median of the ratios paired within a repetition (libaoe / kernel, or
a tuned path / libaoe).  Writes OUT.md and prints it.  Exit status 1 with
a one-line error on bad input.
"""

import json
import statistics
import sys

from report_util import bench_report


_common = bench_report("kernel-report")
die = _common.die

# Keys every measurement has.
REQUIRED = ("path", "test", "rep", "loss", "mtu", "seconds", "mb_per_s",
            "cpu_s_per_gib", "max_sectors_kb")
# The sequential tests, in table order, with their headings.
SEQ_TESTS = [("read-qd1", "read QD1"), ("write-qd1", "write QD1"),
             ("read-qd16", "read QD16"), ("write-qd16", "write QD16")]
# The nbd-client tunings and the other send path, with what each one is.
TUNED = [("nbd-mskb", "max_sectors_kb 1024"), ("nbd-conn4", "-C 4"),
         ("nbd-both", "both"),
         ("nbd-sendmmsg", "LIBAOE_TX_RING=0: sendmmsg, no transmit ring")]


def select(rows, **keys):
    """The rows whose fields equal keys, by repetition."""
    return {r["rep"]: r for r in rows
            if all(r.get(k) == v for k, v in keys.items())}


def median(runs, key):
    """The median of key over runs (a dict by repetition), or None."""
    values = [r[key] for r in runs.values() if r.get(key) is not None]
    return statistics.median(values) if values else None


def paired(runs, base, key):
    """The median of runs[rep][key] / base[rep][key] over the repetitions
    both have, or None."""
    ratios = [runs[rep][key] / base[rep][key] for rep in runs
              if rep in base and base[rep].get(key) and
              runs[rep].get(key) is not None]
    return statistics.median(ratios) if ratios else None


def fmt(value, decimals=0, suffix=""):
    """value with decimals digits, or a dash when it was not measured."""
    if value is None:
        return "-"
    return f"{value:.{decimals}f}{suffix}"


def side_by_side(rows, mtus, path="libaoe"):
    """path (libaoe's by default) against the kernel: throughput and CPU
    per GiB."""
    out = [f"| MTU | loss | test | kernel MB/s | {path} MB/s | {path}/kernel "
           f"| kernel CPU s/GiB | {path} CPU s/GiB | {path}/kernel |",
           "|---|---|---|---|---|---|---|---|---|"]
    for mtu in mtus:
        for loss in sorted({r["loss"] for r in rows}):
            for test, heading in SEQ_TESTS:
                k = select(rows, mtu=mtu, loss=loss, test=test, path="kernel")
                a = select(rows, mtu=mtu, loss=loss, test=test, path=path)
                if not k or not a:
                    continue
                out.append(
                    f"| {mtu} | {loss}% | {heading} "
                    f"| {fmt(median(k, 'mb_per_s'))} "
                    f"| {fmt(median(a, 'mb_per_s'))} "
                    f"| {fmt(paired(a, k, 'mb_per_s'), 2, 'x')} "
                    f"| {fmt(median(k, 'cpu_s_per_gib'), 2)} "
                    f"| {fmt(median(a, 'cpu_s_per_gib'), 2)} "
                    f"| {fmt(paired(a, k, 'cpu_s_per_gib'), 2, 'x')} |")
    return out


def latency(rows, mtus, path="libaoe"):
    """4 KiB random reads at QD1: p50 and p99, path (libaoe's by default)
    against the kernel."""
    out = [f"| MTU | kernel p50 µs | {path} p50 µs | {path}/kernel "
           f"| kernel p99 µs | {path} p99 µs | {path}/kernel |",
           "|---|---|---|---|---|---|---|"]
    for mtu in mtus:
        k = select(rows, mtu=mtu, loss=0, test="lat", path="kernel")
        a = select(rows, mtu=mtu, loss=0, test="lat", path=path)
        if not k or not a:
            continue
        out.append(f"| {mtu} | {fmt(median(k, 'lat_p50_us'))} "
                   f"| {fmt(median(a, 'lat_p50_us'))} "
                   f"| {fmt(paired(a, k, 'lat_p50_us'), 2, 'x')} "
                   f"| {fmt(median(k, 'lat_p99_us'))} "
                   f"| {fmt(median(a, 'lat_p99_us'))} "
                   f"| {fmt(paired(a, k, 'lat_p99_us'), 2, 'x')} |")
    return out


def tuning(rows, mtus):
    """nbd-client's tunings and libaoe's send path: MB/s, and the ratios
    of MB/s and of guest CPU s/GiB to libaoe's default."""
    out = ["| MTU | test | libaoe (default) MB/s | "
           + " | ".join(f"{name} ({what}) MB/s" for name, what in TUNED)
           + " | kernel MB/s |",
           "|---|---|---|" + "---|" * len(TUNED) + "---|"]
    for mtu in mtus:
        for test, heading in SEQ_TESTS[2:]:
            base = select(rows, mtu=mtu, loss=0, test=test, path="libaoe")
            if not base:
                continue
            cells = []
            for name, _ in TUNED:
                t = select(rows, mtu=mtu, loss=0, test=test, path=name)
                cells.append(f"{fmt(median(t, 'mb_per_s'))} "
                             f"({fmt(paired(t, base, 'mb_per_s'), 2, 'x')}, "
                             f"CPU {fmt(paired(t, base, 'cpu_s_per_gib'), 2, 'x')})")
            k = select(rows, mtu=mtu, loss=0, test=test, path="kernel")
            out.append(f"| {mtu} | {heading} | {fmt(median(base, 'mb_per_s'))} | "
                       + " | ".join(cells) + f" | {fmt(median(k, 'mb_per_s'))} |")
    return out


def cpu_split(rows, mtus):
    """Where the guest's CPU goes on the QD16 tests: nbdkit (the NBD
    paths: libaoe's and nbd-memory's), fio, and the rest (the kernel:
    block layer, nbd or aoe driver, network, softirqs); nbdkit's user
    time is its own code and libaoe's, the rest of its time the kernel's
    on its behalf (system calls).  A note if the run did not record the
    split."""
    if not any("nbdkit_cpu_s_per_gib" in r for r in rows):
        return ["(not recorded in this run)"]
    out = ["| MTU | test | path | guest CPU s/GiB | nbdkit | of which user "
           "| fio | rest (kernel) |",
           "|---|---|---|---|---|---|---|---|"]
    for mtu in mtus:
        for test, heading in SEQ_TESTS[2:]:
            for path in ("libaoe", "nbd-memory", "kernel"):
                runs = select(rows, mtu=mtu, loss=0, test=test, path=path)
                if not runs:
                    continue
                total = median(runs, "cpu_s_per_gib")
                nbdkit = median(runs, "nbdkit_cpu_s_per_gib")
                fio = median(runs, "fio_cpu_s_per_gib")
                rest = None
                if None not in (total, nbdkit, fio):
                    rest = total - nbdkit - fio
                user = median(runs, "nbdkit_user_s_per_gib")
                out.append(f"| {mtu} | {heading} | {path} | {fmt(total, 2)} "
                           f"| {fmt(nbdkit, 2)} | {fmt(user, 2)} "
                           f"| {fmt(fio, 2)} "
                           f"| {fmt(rest, 2)} |")
    return out


def nbd_floor(rows, mtus):
    """The NBD path with nothing under it (nbd-memory: nbdkit's memory
    plugin + nbd-client) against the kernel's aoe driver: what any plugin
    served through /dev/nbd0 costs at least.  Nothing if the run did not
    measure it."""
    if not any(r["path"] == "nbd-memory" for r in rows):
        return []
    return ["## The NBD floor: nbdkit memory + nbd-client, no AoE and no "
            "network (nbd-memory, interleaved with the others), against "
            "the kernel's aoe driver",
            "",
            *side_by_side([r for r in rows if r["loss"] == 0], mtus,
                          "nbd-memory"),
            "",
            *latency(rows, mtus, "nbd-memory"),
            ""]


def request_sizes(rows, mtus):
    """A line naming each path's largest request (max_sectors_kb; one
    figure per MTU, in mtus' order, where they differ).  A path must run
    with one value throughout an MTU: a tuning's value outliving its path
    (sysfs keeps it across nbd-client's disconnect) would make every
    later run of another path a tuned one, so that is an error."""
    sizes = {}
    for r in rows:
        sizes.setdefault(r["path"], {}).setdefault(r["mtu"], set()).add(
            r["max_sectors_kb"])
    parts = []
    for path in sorted(sizes):
        per_mtu = []
        for mtu in mtus:
            values = sorted(sizes[path].get(mtu, ()))
            if len(values) > 1:
                die(f"{path} ran with max_sectors_kb "
                    f"{' and '.join(str(v) for v in values)} at MTU {mtu}: "
                    "a tuning's request size leaked into it")
            per_mtu += values
        shown = per_mtu[:1] if len(set(per_mtu)) == 1 else per_mtu
        parts.append(f"{path} {'/'.join(str(v) for v in shown)}")
    return ["Largest request of each path (max_sectors_kb): "
            + ", ".join(parts) + "."]


def main(argv):
    """Read the results and the run's description, write the report."""
    if len(argv) != 4:
        die("usage: kernel-report.py RESULTS.jsonl META.json OUT.md")
    rows = _common.load_results(argv[1], REQUIRED)
    try:
        with open(argv[2], encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        die(f"cannot read {argv[2]}: {e}")
    mtus = sorted({r["mtu"] for r in rows})
    lines = [
        "# libaoe's path beside the kernel's aoe driver",
        "",
        f"Generated by `scripts/bench --kernel` on {meta.get('date')} "
        f"(commit {meta.get('commit')}, guest kernel {meta.get('guest_kernel')}, "
        f"{meta.get('size')} per test, medians of {meta.get('reps')} "
        f"interleaved repetitions, run {meta.get('run_seconds')} s, load "
        f"average {meta.get('load_start')} at the start, "
        f"{meta.get('load_end')} at the end).",
        "",
    ]
    if meta.get("quick"):
        lines += ["**--quick run: tiny sizes, one repetition; the figures "
                  "mean nothing.**", ""]
    lines += [
        "One guest per MTU (qemu TCG, 2 vCPUs, virtio-net), vblade on the "
        "host.  libaoe: nbdkit aoe + nbd-client -unix, /dev/nbd0; kernel: "
        "the aoe module, /dev/etherd/e0.1.  fio, libaio, O_DIRECT, 1 MiB "
        "sequential requests; CPU: the whole guest's user + system + irq + "
        "softirq time over the run (/proc/stat) per GiB moved.  Ratios are "
        "paired within a repetition.",
        "",
        *request_sizes(rows, mtus),
        "",
        "## Throughput and CPU",
        "",
        *side_by_side(rows, mtus),
        "",
        "## 4 KiB random reads, QD1",
        "",
        *latency(rows, mtus),
        "",
        "## nbd-client tunings and the send path (ratios to libaoe's default, paired, in brackets; nbd-sendmmsg runs interleaved with the default, the tunings after both)",
        "",
        *tuning(rows, mtus),
        "",
        "## Where the guest's CPU goes (QD16, medians)",
        "",
        *cpu_split(rows, mtus),
        "",
        *nbd_floor(rows, mtus),
    ]
    text = "\n".join(lines)
    try:
        with open(argv[3], "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        die(f"cannot write {argv[3]}: {e.strerror}")
    print(text)


if __name__ == "__main__":
    main(sys.argv)
