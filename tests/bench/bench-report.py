#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
"""bench-report.py: turn scripts/bench's measurements into a markdown
report and a throughput chart.

    bench-report.py RESULTS.jsonl META.json OUT.md OUT.png

RESULTS.jsonl holds one JSON object per measurement with at least "path",
"rw", "mtu", "rep", "bytes", "seconds" and "cpu_seconds"; latency runs
add "lat_p50_us"/"lat_p99_us", nbdkit runs "peak_rss_kib".  Paths:

    raw              tests/bench/aoe-raw, sequential (the ceiling)
    libaoe           examples/aoe-bench --mode aio, sequential
    nbd-aoe          nbdcopy through nbdkit aoe
    nbd-file         nbdcopy through nbdkit file (the NBD hop alone)
    lat-raw          aoe-raw, 4 KiB at queue depth 1
    lat-libaoe       aoe-bench --mode aio, 4 KiB at queue depth 1
    lat-libaoe-sync  aoe-bench --mode sync, 4 KiB at queue depth 1

META.json describes the run (see scripts/bench).  Every figure is the
median over the repetitions.  Writes OUT.md, then draws OUT.png with
gnuplot (its data and script go next to OUT.png).  Exit status 1 with a
one-line error on bad input.
"""

import json
import os
import statistics
import subprocess
import sys

PROG = "bench-report"
GIB = 1024 ** 3

# Targets of issue 5: (key, description, limit, True if higher is better).
TARGETS = {
    "libaoe_ratio": ("libaoe sequential read/write vs raw ceiling", 0.95, True),
    "nbd_ratio": ("nbdkit aoe via nbdcopy vs raw ceiling", 0.80, True),
    "lat_ratio": ("4 KiB QD1 latency p50, libaoe vs raw", 1.15, False),
    "cpu_ratio": ("CPU seconds per GiB, libaoe vs raw", 1.30, False),
    "rss_mib": ("nbdkit aoe peak RSS (MiB)", 32.0, False),
}

# Columns of the throughput chart and table: (path, title).
THROUGHPUT_PATHS = [
    ("raw", "raw socket (ceiling)"),
    ("libaoe", "libaoe (aoe-bench)"),
    ("nbd-aoe", "nbdkit aoe + nbdcopy"),
    ("nbd-file", "nbdkit file + nbdcopy (NBD reference)"),
]


def die(message):
    """Print a one-line error and exit 1."""
    print(f"{PROG}: {message}", file=sys.stderr)
    sys.exit(1)


def load_results(path, required=("path", "rw", "mtu", "bytes", "seconds",
                                  "cpu_seconds")):
    """The measurements of RESULTS.jsonl, checked for the keys in
    required (scripts/bench's by default)."""
    results = []
    try:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    r = json.loads(line)
                except json.JSONDecodeError as e:
                    die(f"{path}:{number}: not JSON: {e}")
                for key in required:
                    if key not in r:
                        die(f"{path}:{number}: missing key '{key}'")
                if r["seconds"] <= 0:
                    die(f"{path}:{number}: seconds must be positive")
                results.append(r)
    except OSError as e:
        die(f"cannot read {path}: {e.strerror}")
    if not results:
        die(f"{path}: no measurements")
    return results


def load_meta(path):
    """The run description of META.json."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        die(f"cannot read {path}: {e.strerror}")
    except json.JSONDecodeError as e:
        die(f"{path}: not JSON: {e}")


class Summary:
    """Medians of the measurements, per (path, mtu, rw)."""

    def __init__(self, results):
        self.groups = {}
        for r in results:
            key = (r["path"], int(r["mtu"]), r["rw"])
            self.groups.setdefault(key, []).append(r)
        self.mtus = sorted({k[1] for k in self.groups})

    def _values(self, path, mtu, rw, fn):
        runs = self.groups.get((path, mtu, rw), [])
        values = [fn(r) for r in runs]
        return [v for v in values if v is not None]

    def median(self, path, mtu, rw, fn):
        """Median of fn over the runs of one point, or None if none."""
        values = self._values(path, mtu, rw, fn)
        return statistics.median(values) if values else None

    def maximum(self, path, fn):
        """Largest value of fn over every run of a path, or None."""
        values = [fn(r) for (p, _, _), runs in self.groups.items()
                  if p == path for r in runs]
        values = [v for v in values if v is not None]
        return max(values) if values else None

    def total(self, path, key):
        """Sum of a counter over every run of a path."""
        return sum(r.get(key, 0) for (p, _, _), runs in self.groups.items()
                   if p == path for r in runs)

    def paired_ratio(self, path, ref, mtu, rw, fn):
        """Median over the repetitions of fn(run of path) / fn(run of ref)
        in the same repetition (measured minutes apart at most, so they
        share the machine's load), or None if no repetition has both."""
        refs = {r.get("rep"): r for r in self.groups.get((ref, mtu, rw), [])}
        ratios = []
        for r in self.groups.get((path, mtu, rw), []):
            other = refs.get(r.get("rep"))
            if other is None:
                continue
            a, b = fn(r), fn(other)
            if a is not None and b:
                ratios.append(a / b)
        return statistics.median(ratios) if ratios else None

    def mb_per_s(self, path, mtu, rw):
        """Median throughput in MB/s (10^6 bytes per second)."""
        return self.median(path, mtu, rw, run_mb_per_s)

    def cpu_per_gib(self, path, mtu, rw):
        """Median CPU seconds per GiB moved."""
        return self.median(path, mtu, rw, run_cpu_per_gib)

    def latency(self, path, mtu, rw, which):
        """Median of the runs' p50 or p99 latency in microseconds."""
        return self.median(path, mtu, rw, lambda r: r.get(f"lat_{which}_us"))


def run_mb_per_s(r):
    """Throughput of one run in MB/s."""
    return r["bytes"] / r["seconds"] / 1e6


def run_cpu_per_gib(r):
    """CPU seconds per GiB of one run, or None if it moved nothing."""
    return r["cpu_seconds"] / (r["bytes"] / GIB) if r["bytes"] else None


def run_p50(r):
    """Median latency of one run in microseconds, or None."""
    return r.get("lat_p50_us")


def fmt(value, digits=1):
    """A number for a table cell, or a dash if missing."""
    return "–" if value is None else f"{value:.{digits}f}"


def pct(r):
    """A ratio as a percentage for a table cell."""
    return "–" if r is None else f"{100 * r:.0f}%"


class Checks:
    """The worst case of each target over the points measured."""

    def __init__(self):
        self.worst = {}

    def add(self, key, value, where):
        """Record one observation of target key at point where."""
        if value is None:
            return
        _, _, higher_is_better = TARGETS[key]
        old = self.worst.get(key)
        if old is None or (value < old[0] if higher_is_better
                           else value > old[0]):
            self.worst[key] = (value, where)

    def rows(self):
        """Markdown rows: target, limit, worst case, verdict."""
        lines = []
        for key, (what, limit, higher) in TARGETS.items():
            worst = self.worst.get(key)
            if worst is None:
                lines.append(f"| {what} | – | not measured | – |")
                continue
            value, where = worst
            ok = value >= limit if higher else value <= limit
            shown = (f"{value:.1f}" if key == "rss_mib"
                     else f"{value:.2f}x" if not higher
                     else f"{100 * value:.0f}%")
            bound = (f"<= {limit:g}" if key == "rss_mib"
                     else f"<= {limit:.2f}x" if not higher
                     else f">= {100 * limit:.0f}%")
            lines.append(f"| {what} | {bound} | {shown} ({where}) | "
                         f"{'PASS' if ok else '**MISS**'} |")
        return lines


def throughput_section(s, checks):
    """The throughput table, with ratios to the raw ceiling."""
    head = " | ".join(title for _, title in THROUGHPUT_PATHS)
    lines = ["## Sequential throughput (MB/s, ratio to the raw ceiling)", "",
             "Medians over the repetitions; each ratio is the median of "
             "the ratios within one repetition (paired runs share the "
             "machine's load at that moment).", "",
             f"| MTU | op | {head} |",
             "|---|---|" + "---|" * len(THROUGHPUT_PATHS)]
    for mtu in s.mtus:
        for rw in ("read", "write"):
            cells = []
            for path, _ in THROUGHPUT_PATHS:
                value = s.mb_per_s(path, mtu, rw)
                r = s.paired_ratio(path, "raw", mtu, rw, run_mb_per_s)
                if path == "raw":
                    cells.append(fmt(value))
                else:
                    cells.append(f"{fmt(value)} ({pct(r)})")
                if path == "libaoe":
                    checks.add("libaoe_ratio", r, f"MTU {mtu} {rw}")
                elif path == "nbd-aoe":
                    checks.add("nbd_ratio", r, f"MTU {mtu} {rw}")
            lines.append(f"| {mtu} | {rw} | " + " | ".join(cells) + " |")
    return lines


def latency_section(s, checks):
    """The 4 KiB queue-depth-1 latency table."""
    lines = ["## 4 KiB queue-depth-1 latency (µs, p50 / p99)", "",
             "| MTU | op | raw socket | libaoe aio | ratio p50 | "
             "libaoe blocking (as nbdkit calls it) | ratio p50 |",
             "|---|---|---|---|---|---|---|"]
    for mtu in s.mtus:
        for rw in ("read", "write"):
            cells = []
            for path in ("lat-raw", "lat-libaoe", "lat-libaoe-sync"):
                p50 = s.latency(path, mtu, rw, "p50")
                p99 = s.latency(path, mtu, rw, "p99")
                cells.append(f"{fmt(p50)} / {fmt(p99)}")
                if path != "lat-raw":
                    r = s.paired_ratio(path, "lat-raw", mtu, rw, run_p50)
                    cells.append("–" if r is None else f"{r:.2f}x")
                if path == "lat-libaoe":
                    checks.add("lat_ratio", r, f"MTU {mtu} {rw}")
            lines.append(f"| {mtu} | {rw} | " + " | ".join(cells) + " |")
    return lines


def cpu_section(s, checks):
    """The CPU-per-GiB table (initiator side), the target's utilisation
    and peak RSS."""
    lines = ["## Initiator CPU seconds per GiB (sequential runs)", "",
             "The raw socket and libaoe: the whole process (getrusage).  "
             "NBD paths: the nbdkit server process (/proc/PID/stat) and "
             "nbdcopy (its parent's children times), separately.", "",
             "| MTU | op | raw socket | libaoe | ratio | nbdkit aoe | "
             "nbdcopy (aoe) | nbdkit file | nbdcopy (file) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for mtu in s.mtus:
        for rw in ("read", "write"):
            raw = s.cpu_per_gib("raw", mtu, rw)
            lib = s.cpu_per_gib("libaoe", mtu, rw)
            r = s.paired_ratio("libaoe", "raw", mtu, rw, run_cpu_per_gib)
            checks.add("cpu_ratio", r, f"MTU {mtu} {rw}")
            cells = [fmt(raw, 2), fmt(lib, 2),
                     "–" if r is None else f"{r:.2f}x"]
            for path in ("nbd-aoe", "nbd-file"):
                cells.append(fmt(s.cpu_per_gib(path, mtu, rw), 2))
                cells.append(fmt(s.median(
                    path, mtu, rw,
                    lambda x: x["client_cpu_seconds"] / (x["bytes"] / GIB)
                    if "client_cpu_seconds" in x and x["bytes"] else None),
                    2))
            lines.append(f"| {mtu} | {rw} | " + " | ".join(cells) + " |")
    lines += ["", "## Target (vblade) CPU, % of one core during the "
              "sequential runs", "",
              "Near 100% the target is the bottleneck and no initiator can "
              "go faster.", "",
              "| MTU | op | raw socket | libaoe | nbdkit aoe + nbdcopy |",
              "|---|---|---|---|---|"]
    for mtu in s.mtus:
        for rw in ("read", "write"):
            cells = [fmt(s.median(path, mtu, rw,
                                  lambda x: 100 * x["target_cpu_seconds"]
                                  / x["seconds"]
                                  if "target_cpu_seconds" in x else None), 0)
                     for path in ("raw", "libaoe", "nbd-aoe")]
            lines.append(f"| {mtu} | {rw} | " + " | ".join(cells) + " |")
    rss = s.maximum("nbd-aoe", lambda r: r.get("peak_rss_kib"))
    rss_file = s.maximum("nbd-file", lambda r: r.get("peak_rss_kib"))
    if rss is not None:
        checks.add("rss_mib", rss / 1024, "largest of all runs")
    lines += ["",
              f"Peak RSS (VmHWM) of nbdkit, largest over all runs: "
              f"aoe {fmt(None if rss is None else rss / 1024)} MiB, "
              f"file {fmt(None if rss_file is None else rss_file / 1024)} "
              f"MiB."]
    return lines


# Paths of scripts/bench --compare-transports: (the same over libpcap,
# default-transport (AF_PACKET) path, title).
TRANSPORT_PAIRS = [
    ("libaoe-pcap", "libaoe", "libaoe (aoe-bench)"),
    ("nbd-aoe-pcap", "nbd-aoe", "nbdkit aoe + nbdcopy"),
]


def run_target_cpu_per_gib(r):
    """vblade's CPU seconds per GiB during one run, or None."""
    if "target_cpu_seconds" not in r or not r["bytes"]:
        return None
    return r["target_cpu_seconds"] / (r["bytes"] / GIB)


def transports_section(s):
    """libpcap against the packet transport (--compare-transports), or
    nothing if the run did not compare them."""
    if not any(p.endswith("-pcap") for p, _, _ in s.groups):
        return []
    lines = ["## Transports: libpcap vs raw AF_PACKET socket (the default)",
             "",
             "MB/s (paired ratio to the raw ceiling) and the target's "
             "(vblade's) CPU seconds per GiB, per transport.", "",
             "| MTU | op | path | pcap MB/s | packet MB/s | "
             "vblade s/GiB: raw | pcap | packet |",
             "|---|---|---|---|---|---|---|---|"]
    for mtu in s.mtus:
        for rw in ("read", "write"):
            raw_cpu = s.median("raw", mtu, rw, run_target_cpu_per_gib)
            for pcap, packet, title in TRANSPORT_PAIRS:
                cells = []
                for path in (pcap, packet):
                    r = s.paired_ratio(path, "raw", mtu, rw, run_mb_per_s)
                    cells.append(f"{fmt(s.mb_per_s(path, mtu, rw))} "
                                 f"({pct(r)})")
                cells.append(fmt(raw_cpu, 2))
                for path in (pcap, packet):
                    cells.append(fmt(s.median(path, mtu, rw,
                                              run_target_cpu_per_gib), 2))
                lines.append(f"| {mtu} | {rw} | {title} | "
                             + " | ".join(cells) + " |")
    return lines + [""]


def run_initiator_cpu_per_gib(r):
    """CPU seconds per GiB of the initiator side of one run (the server
    process and nbdcopy, if any), or None if it moved nothing."""
    if not r["bytes"]:
        return None
    return (r["cpu_seconds"] + r.get("client_cpu_seconds", 0)) / (
        r["bytes"] / GIB)


def run_total_cpu_per_gib(r):
    """CPU seconds per GiB of every process of one run (the initiator,
    nbdcopy if any, vblade), or None if the target's CPU is unknown."""
    target = run_target_cpu_per_gib(r)
    return None if target is None else run_initiator_cpu_per_gib(r) + target


def nbd_floor_cpu_per_gib(s, mtu, rw):
    """The cheapest NBD path this machine could run: the raw ceiling's
    processes (initiator and vblade) plus the NBD hop alone (nbdkit's file
    plugin and nbdcopy).  None unless both were measured."""
    raw = s.median("raw", mtu, rw, run_total_cpu_per_gib)
    hop = s.median("nbd-file", mtu, rw, run_initiator_cpu_per_gib)
    return raw + hop if raw is not None and hop is not None else None


# Paths of the CPU budget table: (path, title).
BUDGET_PATHS = [
    ("raw", "raw socket"),
    ("libaoe", "libaoe (aoe-bench)"),
    ("nbd-aoe", "nbdkit aoe + nbdcopy"),
]


def budget_section(s, cpus):
    """The CPU budget: per path, the CPU seconds per GiB of every process
    involved (initiator side and vblade, which share the machine's CPUs)
    and the throughput the CPUs alone would allow if perfectly shared.
    A path whose bound is near what it measured is CPU-bound."""
    lines = ["## CPU budget: what the machine's CPUs allow", "",
             f"CPU seconds per GiB of all processes of a path (initiator, "
             f"nbdcopy, vblade; all share the {cpus} CPUs), and the "
             f"throughput {cpus} fully busy CPUs would allow at that cost "
             f"(% of the raw ceiling measured).  A bound close to the "
             f"measured figure means the path is CPU-bound on this "
             f"machine.  The NBD floor row adds the NBD hop alone "
             f"(nbdkit's file plugin and nbdcopy, from the reference "
             f"runs) to the raw ceiling's processes: the bound of an NBD "
             f"path whose AoE side cost no more than the minimal raw "
             f"initiator.", "",
             "| MTU | op | path | all CPU s/GiB | CPU bound MB/s | "
             "measured MB/s |",
             "|---|---|---|---|---|---|"]
    for mtu in s.mtus:
        for rw in ("read", "write"):
            raw = s.mb_per_s("raw", mtu, rw)
            rows = [(title, s.median(path, mtu, rw, run_total_cpu_per_gib),
                     fmt(s.mb_per_s(path, mtu, rw)))
                    for path, title in BUDGET_PATHS]
            rows.append(("NBD floor: raw + NBD hop",
                         nbd_floor_cpu_per_gib(s, mtu, rw), "-"))
            for title, total, measured in rows:
                if total is None:
                    continue
                bound = cpus / total * GIB / 1e6
                share = f" ({100 * bound / raw:.0f}%)" if raw else ""
                lines.append(f"| {mtu} | {rw} | {title} | {total:.2f} | "
                             f"{bound:.0f}{share} | {measured} |")
    return lines + [""]


def header_section(meta):
    """Title, warnings and the description of the run."""
    lines = [f"# libaoe benchmark, {meta.get('date', '?')}", ""]
    for warning in meta.get("warnings", []):
        lines += [f"> **Warning:** {warning}", ""]
    lines += [
        f"- Host: {meta.get('cpus', '?')} CPUs ({meta.get('cpu_model', '?')}), "
        f"kernel {meta.get('kernel', '?')}; load average "
        f"{meta.get('load_start', '?')} at start, "
        f"{meta.get('load_end', '?')} at end.",
        f"- Source: {meta.get('commit', '?')}; build {meta.get('build', '?')}.",
        f"- Target: vblade ({meta.get('vblade', '?')}) serving a "
        f"{meta.get('image_size', '?')} image of random bytes (page-cached) "
        f"in its own network namespace; the initiators run in another, over "
        f"one veth pair.",
        f"- {meta.get('reps', '?')} repetitions per point, paths interleaved "
        f"within each repetition; figures are medians.  MB/s = 10^6 bytes "
        f"per second.  {meta.get('mode', '')}",
        "- Commands:",
    ]
    lines += [f"  - {c}" for c in meta.get("commands", [])]
    return lines


def counters_section(s):
    """Retransmits seen by the raw and libaoe runs."""
    return ["## Counters", "",
            f"Retransmits over all runs: raw socket "
            f"{s.total('raw', 'retransmits') + s.total('lat-raw', 'retransmits')}, "
            f"libaoe {s.total('libaoe', 'retransmits') + s.total('lat-libaoe', 'retransmits') + s.total('lat-libaoe-sync', 'retransmits')}."]


def write_markdown(path, meta, s):
    """Write the whole report to path; return its text."""
    checks = Checks()
    body = (throughput_section(s, checks) + [""]
            + latency_section(s, checks) + [""]
            + cpu_section(s, checks) + [""]
            + budget_section(s, int(meta.get("cpus") or 1))
            + transports_section(s)
            + counters_section(s) + [""])
    targets = ["## Targets (issue 5), worst case over the points measured", "",
               "| target | limit | worst case | verdict |",
               "|---|---|---|---|"] + checks.rows() + [""]
    text = "\n".join(header_section(meta) + [""] + targets + body
                     + [f"![throughput per path]({os.path.basename(meta.get('png', 'latest.png'))})", ""])
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        die(f"cannot write {path}: {e.strerror}")
    return text


def draw_chart(png, meta, s):
    """Draw the throughput chart with gnuplot (data and script kept next
    to png)."""
    base = os.path.splitext(png)[0]
    data, script = base + ".dat", base + ".gp"
    with open(data, "w", encoding="utf-8") as f:
        f.write("# group " + " ".join(p for p, _ in THROUGHPUT_PATHS) + "\n")
        for mtu in s.mtus:
            for rw in ("read", "write"):
                values = [s.mb_per_s(p, mtu, rw) for p, _ in THROUGHPUT_PATHS]
                f.write(f'"MTU {mtu} {rw}" '
                        + " ".join("?" if v is None else f"{v:.1f}"
                                   for v in values) + "\n")
    plots = ", ".join(
        f"'{data}' using {i + 2}{':xtic(1)' if i == 0 else ''} "
        f"title '{title}'"
        for i, (_, title) in enumerate(THROUGHPUT_PATHS))
    with open(script, "w", encoding="utf-8") as f:
        f.write(f"""# Generated by tests/bench/bench-report.py
set terminal pngcairo size 1000,560 noenhanced font ",10"
set output '{png}'
set title "AoE throughput per path, median of {meta.get('reps', '?')} ({meta.get('date', '')})"
set ylabel "MB/s (10^6 bytes/s)"
set datafile missing "?"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:*]
set grid ytics
set key outside bottom center horizontal
plot {plots}
""")
    try:
        subprocess.run(["gnuplot", script], check=True,
                       stderr=subprocess.PIPE, text=True)
    except FileNotFoundError:
        die("gnuplot not found (install gnuplot-nox)")
    except subprocess.CalledProcessError as e:
        die(f"gnuplot failed: {e.stderr.strip().splitlines()[-1:] or '?'}")


def main(argv):
    """Entry point: check the arguments, write the report and the chart."""
    if len(argv) != 5:
        die("usage: bench-report.py RESULTS.jsonl META.json OUT.md OUT.png")
    results, meta = load_results(argv[1]), load_meta(argv[2])
    meta["png"] = argv[4]
    s = Summary(results)
    text = write_markdown(argv[3], meta, s)
    draw_chart(argv[4], meta, s)
    print(text)


if __name__ == "__main__":
    main(sys.argv)
