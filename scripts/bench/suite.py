#!/usr/bin/env python3
"""Runs the maglb benchmark suite and writes one JSON results file.

Called by scripts/bench.sh (which builds the binaries, sets up hugepages
and the scheduling priority); see docs/benchmarks.md for what each step
measures and how. Every step records its exact command, its output, its
duration and the load average around it; a step that fails is recorded as
failed and the suite goes on.

  suite.py --build DIR --out FILE [--quick] [--only STEP,...]
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

STEPS = ["pcap_sizes", "pcap_flows", "ring_flows", "rfc2544", "updates", "synflood", "xdp",
         "maglev"]


def plan(quick):
    """Parameters of a full run, or of a short one (--quick)."""
    if quick:
        return dict(runs=2, seconds=2, sizes=[64, 512, 1518], pcap_flows=[1000, 100000],
                    ring_flows=[10000, 1000000], rfc_steps=5, rfc_seconds=1,
                    upd_seconds=2, syn_seconds=2, syn_capacity=262144,
                    xdp=["--calls", "100000", "--runs", "3"],
                    maglev=["--runs", "3", "--sizes", "65537,655373"])
    return dict(runs=5, seconds=5, sizes=[64, 128, 256, 512, 1024, 1280, 1518],
                pcap_flows=[1000, 10000, 100000, 1000000],
                ring_flows=[1000, 10000, 100000, 1000000, 10000000], rfc_steps=8,
                rfc_seconds=5, upd_seconds=5, syn_seconds=5, syn_capacity=1048576,
                xdp=["--calls", "1000000", "--runs", "5"], maglev=[])


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def machine(build):
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    meminfo = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":", 1)
            meminfo[k] = v.strip()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
        "cpu": model,
        "cpus": os.cpu_count(),
        "hypervisor": sh("lscpu | sed -n 's/^Hypervisor vendor: *//p'"),
        "kernel": platform.release(),
        "dpdk": sh("pkg-config --modversion libdpdk"),
        "compiler": sh("c++ --version | head -1"),
        "memory": meminfo.get("MemTotal"),
        "hugepages": meminfo.get("HugePages_Total"),
        "hugepage_size": meminfo.get("Hugepagesize"),
        "tsc": sh("dmesg 2>/dev/null | grep -m1 -o 'tsc: Refined TSC clocksource calibration: .*'"
                  " || dmesg 2>/dev/null | grep -m1 -o 'tsc: Detected .*'"),
        "autogroup": sh("cat /proc/self/autogroup"),
        "git": sh("git -C %s rev-parse --short HEAD" % os.path.dirname(os.path.abspath(build))),
        "git_dirty": sh("git -C %s status --porcelain | wc -l" % os.path.dirname(
            os.path.abspath(build))),
    }


class Runner:
    def __init__(self, build, tmp):
        self.build = build
        self.tmp = tmp
        self.root = os.path.dirname(os.path.abspath(build))

    def run(self, argv, parse, timeout=3600):
        """Runs argv; returns a record with the command, the parsed output or the error."""
        shown = " ".join(a.replace(self.root + "/", "") for a in argv)
        print("== " + shown, file=sys.stderr, flush=True)
        rec = {"command": shown, "load_before": loadavg()}
        t0 = time.time()
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
            rec["stderr_tail"] = p.stderr.strip().splitlines()[-12:]
            for line in rec["stderr_tail"]:
                print("   " + line, file=sys.stderr)
            if p.returncode != 0:
                rec["error"] = "exit status %d" % p.returncode
            else:
                rec["result"] = parse(p.stdout)
        except subprocess.TimeoutExpired:
            rec["error"] = "timed out after %d s" % timeout
        except (ValueError, KeyError) as e:
            rec["error"] = "unreadable output: %s" % e
        rec["seconds"] = round(time.time() - t0, 1)
        rec["load_after"] = loadavg()
        if "error" in rec:
            print("   FAILED: " + rec["error"], file=sys.stderr, flush=True)
        return rec

    def exe(self, path):
        return os.path.join(self.build, path)

    def pcap(self, flows, size):
        path = os.path.join(self.tmp, "f%d_s%d.pcap" % (flows, size))
        if not os.path.exists(path):
            subprocess.run([self.exe("tests/bench/bench_pcap_gen"), "--out", path, "--flows",
                            str(flows), "--size", str(size)], check=True)
        return path


def parse_json(out):
    return json.loads(out)


def parse_xdp(out):
    """Rows of xdp_bench: case, ns/packet, net, runs."""
    rows = []
    for line in out.splitlines():
        m = re.match(r"^(\S.*?)\s{2,}([\d.]+)\s+([\d.-]+)\s+runs:(.*)$", line)
        if m:
            rows.append({"case": m.group(1), "ns": float(m.group(2)), "net": float(m.group(3)),
                         "runs": [float(x) for x in m.group(4).split()]})
    if not rows:
        raise ValueError("no rows in xdp_bench output")
    return {"rows": rows, "header": out.splitlines()[0] if out else ""}


def parse_maglev(out):
    """The markdown rows maglev_bench prints."""
    rows = []
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].isdigit() and cells[1].isdigit():
            m = re.match(r"([\d.]+) \(([\d.]+)\)", cells[2])
            rows.append({"M": int(cells[0]), "N": int(cells[1]),
                         "build_ms_median": float(m.group(1)) if m else None,
                         "build_ms_min": float(m.group(2)) if m else None,
                         "cells": cells})
    if not rows:
        raise ValueError("no rows in maglev_bench output")
    return {"rows": rows}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default=",".join(STEPS))
    args = ap.parse_args()
    only = args.only.split(",")
    p = plan(args.quick)
    tmp = tempfile.mkdtemp(prefix="maglb-bench-")
    r = Runner(args.build, tmp)
    results = {"quick": args.quick, "plan": p, "machine": machine(args.build),
               "load_start": loadavg(), "steps": {}}
    steps = results["steps"]
    dataplane = r.exe("dataplane/dpdk/maglb-dataplane")

    def save():
        results["load_end"] = loadavg()
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)

    def pcap_bench(flows, size):
        return r.run([r.exe("tests/bench/bench_pcap"), "--dataplane", dataplane, "--pcap",
                      r.pcap(flows, size), "--frames", str(flows), "--size", str(size),
                      "--runs", str(p["runs"]), "--seconds", str(p["seconds"])], parse_json)

    try:
        if "pcap_sizes" in only:
            steps["pcap_sizes"] = [pcap_bench(10000, s) for s in p["sizes"]]
            save()
        if "pcap_flows" in only:
            done = {s["result"]["frames"]: s for s in steps.get("pcap_sizes", [])
                    if "result" in s and s["result"]["frame_size"] == 64}
            steps["pcap_flows"] = [done.get(n) or pcap_bench(n, 64) for n in p["pcap_flows"]]
            save()
        if "ring_flows" in only:
            steps["ring_flows"] = [
                r.run([r.exe("tests/bench/bench_ring"), "--mode", "throughput", "--flows", str(n),
                       "--runs", str(p["runs"]), "--seconds", str(p["seconds"])], parse_json)
                for n in p["ring_flows"]]
            save()
        if "rfc2544" in only:
            steps["rfc2544"] = r.run([r.exe("tests/bench/bench_ring"), "--mode", "rfc2544",
                                      "--flows", "10000", "--rx-slots", "4096", "--steps",
                                      str(p["rfc_steps"]), "--seconds", str(p["rfc_seconds"])],
                                     parse_json)
            save()
        if "updates" in only:
            rate = steps.get("rfc2544", {}).get("result", {}).get("zero_loss_mpps", 0)
            steps["updates"] = r.run([r.exe("tests/bench/bench_ring"), "--mode", "updates",
                                      "--flows", "100000", "--rx-slots", "4096", "--rate-mpps",
                                      "%.4f" % rate, "--seconds", str(p["upd_seconds"])],
                                     parse_json)
            save()
        if "synflood" in only:
            steps["synflood"] = r.run([r.exe("tests/bench/bench_ring"), "--mode", "synflood",
                                       "--flows", "10000", "--capacity", str(p["syn_capacity"]),
                                       "--seconds", str(p["syn_seconds"])], parse_json)
            save()
        if "xdp" in only:
            steps["xdp"] = r.run([r.exe("tests/xdp/xdp_bench")] + p["xdp"], parse_xdp)
            save()
        if "maglev" in only:
            steps["maglev"] = r.run([r.exe("controlplane/maglev/maglev_bench")] + p["maglev"],
                                    parse_maglev)
            save()
    finally:
        save()
        shutil.rmtree(tmp, ignore_errors=True)
    failed = [k for k, v in steps.items()
              if any("error" in x for x in (v if isinstance(v, list) else [v]) if x)]
    print("results: %s%s" % (args.out, " (failed: %s)" % ", ".join(failed) if failed else ""),
          file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
