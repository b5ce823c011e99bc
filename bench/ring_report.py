#!/usr/bin/env python3
"""Summarises bench/ring.sh's TSV: one row per destination and frame size, and the verdict of issue 16's
ring target (docs/benchmarks.md, target 6): pcapctl's ring of 1 MiB files within 5 % of one file's CPU per
packet (ratio of the medians) and with the same loss (its least-kept run keeps at least as much as the
single file's least-kept run).

    python3 bench/ring_report.py RING.tsv
"""
import csv
import statistics
import sys

TARGET = 1.05


def median(values):
    return statistics.median(values) if values else float("nan")


def spread(values):
    return f"{min(values):.0f}–{max(values):.0f}" if values else "–"


def main(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    cells = {}
    for row in rows:
        cells.setdefault((row["dest"], int(row["size"])), []).append(row)
    print("| dest, size | one file (range; its deletion) | pcapctl ring | ring / file | ring cheaper in "
          "| kept, least (file, ring) | tcpdump `-C 1 -W N` | dumpcap `-b filesize:1024,files:N` | verdict |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    failed = 0
    for (dest, size), runs in sorted(cells.items(), key=lambda c: (c[0][0] != "tmpfs", c[0][1])):
        by_tool = {}
        for run in runs:
            by_tool.setdefault(run["tool"], []).append(run)
        ns = {tool: [float(r["cpu_ns_per_packet"]) for r in rs] for tool, rs in by_tool.items()}
        kept = {tool: min(float(r["fraction"]) for r in rs) for tool, rs in by_tool.items()}
        file_ns, ring_ns = ns.get("pcapctl-file", []), ns.get("pcapctl-ring", [])
        deletions = [float(r["delete_cpu_s"]) * 1e3 for r in by_tool.get("pcapctl-file", []) if r["delete_cpu_s"] != "-"]
        rounds = {r["rep"]: float(r["cpu_ns_per_packet"]) for r in by_tool.get("pcapctl-file", [])}
        paired = [(rounds[r["rep"]], float(r["cpu_ns_per_packet"])) for r in by_tool.get("pcapctl-ring", []) if r["rep"] in rounds]
        cheaper = sum(ring < one for one, ring in paired)
        ratio = median(ring_ns) / median(file_ns) if file_ns and ring_ns else float("nan")
        same_loss = "pcapctl-file" in kept and "pcapctl-ring" in kept and kept["pcapctl-ring"] >= kept["pcapctl-file"]
        ok = ratio <= TARGET and same_loss
        failed += not ok

        def peer(tool):
            if tool not in ns:
                return "–"
            return f"{median(ns[tool]):.0f} (least kept {kept[tool] * 100:.1f} %)"

        print(f"| {dest} {size} B | {median(file_ns):.0f} ({spread(file_ns)}; {median(deletions):.0f} ms) "
              f"| {median(ring_ns):.0f} ({spread(ring_ns)}) | {ratio:.3f} | {cheaper} of {len(paired)} rounds "
              f"| {kept.get('pcapctl-file', float('nan')) * 100:.1f} %, {kept.get('pcapctl-ring', float('nan')) * 100:.1f} % "
              f"| {peer('tcpdump-ring')} | {peer('dumpcap-ring')} | {'PASS' if ok else '**FAIL**'} |")
    print(f"\nCPU ns per captured packet, medians (range) of {len({r['rep'] for r in rows})} rounds (deletion: CPU of "
          f"deleting the single file afterwards, which a ring does as it goes); target: ring / file ≤ {TARGET:.2f} and the ring's least-kept run keeps no less than the file's.")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
