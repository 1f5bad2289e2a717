#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
"""cost-report.py: the table of scripts/bench --cost.

    cost-report.py RESULTS.jsonl OUT.md

RESULTS.jsonl holds one object per run of tests/bench/nbd-cost.sh, tagged
by scripts/bench with "path" (nbd-aoe: nbdkit aoe, nbd-file: nbdkit file,
the NBD hop alone), "build" ("this", or "baseline" with
--baseline-build), "mtu" and "rep".  Every figure is the median over the
repetitions; a ratio (this / baseline) is the median of the ratios paired
within a repetition.  Writes OUT.md and prints it.  Exit status 1 with a
one-line error on bad input.
"""

import statistics
import sys

from report_util import bench_report


_common = bench_report("cost-report")
die = _common.die

# Columns: (key in nbd-cost.sh's object, heading, decimals).
COLUMNS = [
    ("mb_per_s", "MB/s", 0),
    ("cpu_s_per_gib", "nbdkit CPU s/GiB", 2),
    ("switches_per_gib", "nbdkit context switches/GiB", 0),
    ("faults_per_gib", "nbdkit page faults/GiB", 0),
    ("client_cpu_s_per_gib", "fio CPU s/GiB", 2),
    ("target_cpu_s_per_gib", "vblade CPU s/GiB", 2),
    ("frames_tx_per_gib", "frames sent/GiB", 0),
    ("frames_rx_per_gib", "frames received/GiB", 0),
    ("bytes_per_tx_frame", "bytes/frame sent", 0),
    ("bytes_per_rx_frame", "bytes/frame received", 0),
]


def fmt(value, decimals):
    """value with decimals digits, or a dash when it was not measured."""
    if value is None:
        return "-"
    return f"{value:.{decimals}f}"


def median_of(rows, key):
    """Median of key over rows (None if no row measured it)."""
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def paired_ratio(this, base, key):
    """Median over repetitions of this[key] / base[key], paired by rep."""
    by_rep = {r["rep"]: r for r in base}
    ratios = [r[key] / by_rep[r["rep"]][key] for r in this
              if r.get(key) is not None and r["rep"] in by_rep
              and by_rep[r["rep"]].get(key)]
    return statistics.median(ratios) if ratios else None


def load(path):
    """The measurements of RESULTS.jsonl, with scripts/bench's tags."""
    rows = _common.load_results(path)
    for number, row in enumerate(rows, 1):
        for key in ("build", "rep"):
            if key not in row:
                die(f"{path}: measurement {number} has no '{key}'")
    return rows


def report(rows):
    """The markdown text of the report."""
    keys = sorted({(r["mtu"], r["rw"], r["path"]) for r in rows},
                  key=lambda k: (k[0], k[1] != "write", k[2]))
    builds = [b for b in ("baseline", "this") if any(r["build"] == b for r in rows)]
    out = ["| MTU | op | path | build | " +
           " | ".join(c[1] for c in COLUMNS) + " |",
           "|" + "---|" * (4 + len(COLUMNS))]
    for mtu, rw, path in keys:
        group = {b: [r for r in rows if (r["mtu"], r["rw"], r["path"], r["build"])
                     == (mtu, rw, path, b)] for b in builds}
        for b in builds:
            if not group[b]:
                continue
            cells = [fmt(median_of(group[b], c[0]), c[2]) for c in COLUMNS]
            out.append(f"| {mtu} | {rw} | {path} | {b} | " + " | ".join(cells) + " |")
        if len(builds) == 2 and group["baseline"] and group["this"]:
            cells = [fmt(paired_ratio(group["this"], group["baseline"], c[0]), 2)
                     for c in COLUMNS]
            out.append(f"| {mtu} | {rw} | {path} | ratio | " +
                       " | ".join(c + ("x" if c != "-" else "") for c in cells) + " |")
    reps = len({r["rep"] for r in rows})
    out.append("")
    out.append(f"Medians of {reps} repetition(s); ratio rows: this build / "
               "baseline, paired within a repetition.")
    return "\n".join(out) + "\n"


def main():
    """Read the measurements, write and print the report."""
    if len(sys.argv) != 3:
        die("usage: cost-report.py RESULTS.jsonl OUT.md")
    text = report(load(sys.argv[1]))
    try:
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        die(f"cannot write {sys.argv[2]}: {e}")
    print(text, end="")


if __name__ == "__main__":
    main()
