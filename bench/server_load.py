#!/usr/bin/env python3
"""Load on pcapctld (make bench-server): 200 concurrent clients mixing creates, status polls, gets and
lists for a bounded time, then wrk's latency distribution of GET and queryStatus at 200 connections.

Checks: no 5xx (nor any status outside what each request may get), no capture lost or doubled (every
create that got 201 is listed exactly once, by the server and by `pcapctl list`; of two clients racing
for one name exactly one wins). Writes the results between the server-load markers of docs/benchmarks.md.

Run as root; PCAPCTL_BIN_DIR (default .build/release) holds pcapctl and pcapctld. Sends traffic only to
127.0.0.1, and captures run in a network namespace it makes. Bounded: LOAD_SECONDS (default 30) of mixed
load, WRK_SECONDS (default 15) per wrk run.
"""
import collections
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import requests

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(REPO, "Tests", "ServerTests"))
os.environ.setdefault("PCAPCTL_BIN_DIR", os.path.join(REPO, ".build", "release"))
import conftest  # noqa: E402  (the test suite's daemon fixture code, reused)

CLIENTS = 200
CREATORS = 40          # each one capture: 40 agents, each with its 32 MiB kernel ring
RACES = 10             # names two clients race to create
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "30"))
WRK_SECONDS = int(os.environ.get("WRK_SECONDS", "15"))
MARK_BEGIN, MARK_END = "<!-- server-load:begin -->", "<!-- server-load:end -->"


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


class MachineLoad:
    """The machine's load while a phase runs: CPU busy share (all CPUs, from /proc/stat), the 1-minute
    load average's highest value (sampled each second) and pcapctld's own CPU seconds."""

    def __init__(self, pid):
        self.pid, self.samples, self.running = pid, [], True
        self.cpu, self.daemon = self.cpu_times(), self.daemon_seconds()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    @staticmethod
    def cpu_times():
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    def daemon_seconds(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def sample(self):
        while self.running:
            with open("/proc/loadavg") as f:
                self.samples.append(float(f.read().split()[0]))
            time.sleep(1)

    def finish(self):
        self.running = False
        self.thread.join()
        total, idle = self.cpu_times()
        busy = 1 - (idle - self.cpu[1]) / max(1, total - self.cpu[0])
        return {"busy": busy * 100, "load": max(self.samples or [float("nan")]),
                "daemon": self.daemon_seconds() - self.daemon}


def main():
    conftest.run(["ip", "netns", "del", conftest.NAMESPACE])
    conftest.run(["ip", "netns", "add", conftest.NAMESPACE])
    conftest.run(["ip", "-n", conftest.NAMESPACE, "link", "set", "lo", "up"])
    daemon = conftest.Daemon(tempfile.mkdtemp(prefix="pcapctld-load-"))
    daemon.start()
    token = daemon.token()
    base = daemon.base + daemon.captures_path()
    api = "?api-version=2026-03-01"
    headers = {"Authorization": "Bearer " + token}
    target = (f"/subscriptions/{conftest.SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.Compute/"
              f"virtualMachines/{conftest.NAMESPACE}")

    def body(name):
        return {"properties": {"target": target, "timeLimitInSeconds": 600,
                               "storageLocation": {"filePath": f"{daemon.captures}/{name}.cap"}}}

    latencies = collections.defaultdict(list)
    statuses = collections.Counter()
    unexpected = []
    created, race_wins = set(), collections.Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + LOAD_SECONDS
    allowed = {"create": {201, 409}, "get": {200, 404}, "status": {200, 404}, "list": {200}}

    def call(session, kind, method, url, **kw):
        started = time.monotonic()
        r = session.request(method, url, headers=headers, verify=daemon.cert, timeout=60, **kw)
        elapsed = time.monotonic() - started
        with lock:
            latencies[kind].append(elapsed)
            statuses[(kind, r.status_code)] += 1
            if r.status_code not in allowed[kind]:
                unexpected.append((kind, r.status_code, r.text[:200]))
        return r

    def client(index):
        session = requests.Session()
        rng = random.Random(index)
        if index < CREATORS:
            name = f"load-{index}"
            if call(session, "create", "PUT", f"{base}/{name}{api}", json=body(name)).status_code == 201:
                with lock:
                    created.add(name)
        elif index < CREATORS + 2 * RACES:
            name = f"race-{(index - CREATORS) // 2}"
            if call(session, "create", "PUT", f"{base}/{name}{api}", json=body(name)).status_code == 201:
                with lock:
                    created.add(name)
                    race_wins[name] += 1
        while time.monotonic() < deadline:
            choice = rng.random()
            name = f"load-{rng.randrange(CREATORS)}"
            if choice < 0.45:
                call(session, "get", "GET", f"{base}/{name}{api}")
            elif choice < 0.9:
                call(session, "status", "POST", f"{base}/{name}/queryStatus{api}")
            else:
                call(session, "list", "GET", f"{base}{api}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    mixed_load = MachineLoad(daemon.process.pid)
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    mixed_seconds = time.monotonic() - started
    mixed_load = mixed_load.finish()

    listed = [c["name"] for c in requests.get(f"{base}{api}", headers=headers, verify=daemon.cert).json()["value"]]
    cli_listed = [c["name"] for c in json.loads(daemon.pcapctl("list", "-l", "local").stdout)]
    problems = []
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected statuses, e.g. {unexpected[:3]}")
    if sorted(listed) != sorted(created) or len(set(listed)) != len(listed):
        problems.append(f"server list {sorted(listed)} != created {sorted(created)}")
    if sorted(cli_listed) != sorted(created):
        problems.append(f"pcapctl list {sorted(cli_listed)} != created {sorted(created)}")
    if any(race_wins[f"race-{k}"] != 1 for k in range(RACES)):
        problems.append(f"races not won exactly once: {dict(race_wins)}")
    if len(created) != CREATORS + RACES:
        problems.append(f"{len(created)} creates succeeded, expected {CREATORS + RACES}")

    wrk_load = MachineLoad(daemon.process.pid)
    wrk = measure_with_wrk(f"{base}/load-0{api}", token, daemon.cert)
    wrk_load = wrk_load.finish()
    cli = measure_cli(daemon, "load-0")

    for name in created:
        requests.delete(f"{base}/{name}{api}", headers=headers, verify=daemon.cert)
    conftest.wait_for(lambda: not daemon.stored_names(), timeout=120, interval=1)
    daemon.stop()
    shutil.rmtree(daemon.root, ignore_errors=True)
    conftest.run(["ip", "netns", "del", conftest.NAMESPACE])

    five_xx = sum(n for (kind, code), n in statuses.items() if code >= 500)
    lines = [
        f"Measured by `make bench-server` (bench/server_load.py) on {time.strftime('%Y-%m-%d')}, {os.path.basename(conftest.BIN)} build,"
        f" {os.cpu_count()} CPUs shared with other work.",
        "",
        f"Mixed load: {CLIENTS} concurrent clients (Python requests, one connection each) for {mixed_seconds:.0f} s;"
        f" {CREATORS} creates plus {RACES} names raced by two clients each, then get / queryStatus / list"
        f" (45/45/10 %) against {CREATORS} running captures. {sum(statuses.values())} requests, {five_xx} 5xx;"
        f" created {len(created)}, listed by the server {len(listed)} and by `pcapctl list` {len(cli_listed)},"
        f" each once; every race won exactly once: {'yes' if not any(race_wins[f'race-{k}'] != 1 for k in range(RACES)) else 'NO'}.",
        "",
        "| request | count | p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---|",
    ]
    for kind in ("create", "get", "status", "list"):
        values = latencies[kind]
        label = {"status": "queryStatus"}.get(kind, kind)
        lines.append(f"| {label} (mixed, client-side) | {len(values)} | {percentile(values, 50) * 1000:.1f} |"
                     f" {percentile(values, 99) * 1000:.1f} | {max(values) * 1000 if values else float('nan'):.1f} |")
    for label, result in wrk.items():
        lines.append(f"| {label} (wrk, 200 connections, {WRK_SECONDS} s) | {result['requests']} | {result['p50']} |"
                     f" {result['p99']} | {result['max']} |")
    for verb, values in cli.items():
        lines.append(f"| `pcapctl {verb}` (CLI, one process per call, one at a time) | {len(values)} | {percentile(values, 50) * 1000:.1f} |"
                     f" {percentile(values, 99) * 1000:.1f} | {max(values) * 1000:.1f} |")
    lines += ["", "Machine load while each phase ran (all CPUs busy share; highest 1-minute load average; pcapctld's CPU time):", "",
              "| phase | CPU busy % | load average (max) | pcapctld CPU s |", "|---|---|---|---|"]
    for label, load, seconds in (("mixed", mixed_load, mixed_seconds), ("wrk", wrk_load, 2 * WRK_SECONDS)):
        lines.append(f"| {label} ({seconds:.0f} s) | {load['busy']:.0f} | {load['load']:.1f} | {load['daemon']:.1f} |")
    report = "\n".join(lines)
    print(report)
    write_report(report)
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems), file=sys.stderr)
        sys.exit(1)


def measure_cli(daemon, name, runs=30):
    """`pcapctl show` and `show-status` of the same running capture, one process per call, one at a time
    (what the daemon's get and queryStatus replace), against the same store."""
    times = {}
    for verb in ("show", "show-status"):
        times[verb] = []
        for _ in range(runs):
            started = time.monotonic()
            result = daemon.pcapctl(verb, "-l", "local", "-n", name)
            times[verb].append(time.monotonic() - started)
            if result.returncode != 0:
                raise SystemExit(f"pcapctl {verb}: {result.stderr.strip()}")
    return times


def measure_with_wrk(url, token, cert):
    """wrk's latency percentiles for GET and POST queryStatus of one running capture (wrk does not verify
    certificates; it talks to 127.0.0.1 only)."""
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
    results = {}
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write('wrk.method = "POST"\nwrk.body = ""\nwrk.headers["Content-Length"] = "0"\n')
    script.close()
    for label, target, extra in (("get", url, []),
                                 ("queryStatus", url.replace("?", "/queryStatus?"), ["-s", script.name])):
        out = subprocess.run(["wrk", "-t2", "-c200", f"-d{WRK_SECONDS}s", "--latency", "--timeout", "10s",
                              "-H", f"Authorization: Bearer {token}", *extra, target],
                             capture_output=True, text=True, timeout=WRK_SECONDS + 60).stdout

        def ms(text):
            value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
            return f"{float(value) * {'us': 0.001, 'ms': 1, 's': 1000}[unit]:.1f}"

        dist = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
        maximum = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out).group(1)
        count = re.search(r"(\d+) requests in", out).group(1)
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if non2xx:
            raise SystemExit(f"wrk {label}: {non2xx.group(1)} non-2xx responses")
        results[label] = {"p50": ms(dist["50"]), "p99": ms(dist["99"]), "max": ms(maximum), "requests": count}
    os.unlink(script.name)
    return results


def write_report(report):
    path = os.path.join(REPO, "docs", "benchmarks.md")
    with open(path) as f:
        text = f.read()
    block = f"{MARK_BEGIN}\n{report}\n{MARK_END}"
    if MARK_BEGIN in text:
        text = re.sub(re.escape(MARK_BEGIN) + ".*?" + re.escape(MARK_END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n## The server (pcapctld) under load\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
