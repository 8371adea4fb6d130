#!/usr/bin/env python3
"""Turns a results file of scripts/bench/suite.py into the PNG plots under
docs/img/ and the generated section of docs/benchmarks.md (between the
bench.sh markers; the rest of the file is left as it is).

  report.py RESULTS.json [--docs docs/benchmarks.md] [--img docs/img]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

BEGIN = "<!-- bench.sh: generated section begins (scripts/bench/report.py; edit the script) -->"
END = "<!-- bench.sh: generated section ends -->"
LINE_RATE_10G = 14.88  # Mpps of 64-byte frames at 10 Gb/s (64 + 20 bytes preamble and gap)
PEERS = [("Katran", 5.2, "per core"), ("DPVS", 2.9, "per worker")]


def line_rate_mpps(size):
    return 10e9 / ((size + 20) * 8) / 1e6


def res(step):
    return step.get("result") if step else None


def fmt(x, d=2):
    return "-" if x is None else ("%.*f" % (d, x))


def runs_of(result, who, key="mpps"):
    return " ".join("%.2f" % r[who][key] for r in result["runs"])


def gnuplot(script, img):
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True, capture_output=True)
        return True
    except (OSError, subprocess.CalledProcessError) as e:
        print("gnuplot failed for %s: %s" % (img, getattr(e, "stderr", e)), file=sys.stderr)
        return False


def plot_sizes(rows, img, tmp):
    data = os.path.join(tmp, "sizes.dat")
    with open(data, "w") as f:
        for size, lb, tp in rows:
            f.write("%d %f %f %f %f\n" % (size, lb, tp, lb * size * 8 / 1000, tp * size * 8 / 1000))
    return gnuplot("""
set terminal pngcairo noenhanced size 1100,420 font ",10"
set output '%(img)s'
set multiplot layout 1,2 title "maglb-dataplane, one worker, 10,000 flows, net_pcap input (medians)"
set xlabel "frame size (bytes, FCS included)"
set logscale x 2
set xrange [56:1700]
set xtics (64,128,256,512,1024,1518)
set grid
set key top right
set ylabel "Mpps"
line(x) = 10000.0 / ((x + 20) * 8)
plot line(x) with lines dt 2 lw 2 lc rgb "black" title "10GbE line rate", \\
     '%(data)s' using 1:3 with linespoints lw 2 lc rgb "gray50" title "testpmd macswap (ceiling)", \\
     '%(data)s' using 1:2 with linespoints lw 2 lc rgb "blue" title "maglb-dataplane"
set ylabel "Gb/s (frame bits)"
set key top left
gbps(x) = 10.0 * x / (x + 20)
plot gbps(x) with lines dt 2 lw 2 lc rgb "black" title "10GbE line rate", \\
     '%(data)s' using 1:5 with linespoints lw 2 lc rgb "gray50" title "testpmd macswap (ceiling)", \\
     '%(data)s' using 1:4 with linespoints lw 2 lc rgb "blue" title "maglb-dataplane"
unset multiplot
""" % {"img": img, "data": data}, img)


def plot_flows(pcap_rows, ring_rows, img, tmp):
    dp = os.path.join(tmp, "flows_pcap.dat")
    dr = os.path.join(tmp, "flows_ring.dat")
    with open(dp, "w") as f:
        for n, lb, tp in pcap_rows:
            f.write("%d %f %f\n" % (n, lb, tp))
    with open(dr, "w") as f:
        for n, lb, ms in ring_rows:
            f.write("%d %f %f\n" % (n, lb, ms))
    peers = ", \\\n     ".join(
        "%f with lines dt 3 lw 2 lc rgb '%s' title '%s %.1f Mpps %s'" % (v, c, n, v, w) for (n, v, w), c in zip(PEERS, ["dark-green", "orange"]))
    return gnuplot("""
set terminal pngcairo noenhanced size 900,480 font ",10"
set output '%(img)s'
set title "Throughput against active flows, one worker, 64-byte frames (medians)"
set xlabel "active flows"
set ylabel "Mpps"
set logscale x 10
set logscale y 2
set xrange [500:2e7]
set xtics ("1k" 1000, "10k" 10000, "100k" 100000, "1M" 1000000, "10M" 10000000)
set yrange [1:80]
set grid
set key outside right
plot %(line)f with lines dt 2 lw 2 lc rgb "black" title "10GbE line rate", \\
     %(peers)s, \\
     '%(dp)s' using 1:3 with linespoints lw 2 lc rgb "gray50" title "testpmd macswap, net_pcap", \\
     '%(dp)s' using 1:2 with linespoints lw 2 lc rgb "blue" title "maglb-dataplane, net_pcap", \\
     '%(dr)s' using 1:3 with linespoints lw 2 dt 4 lc rgb "gray30" title "macswap, net_ring harness", \\
     '%(dr)s' using 1:2 with linespoints lw 2 dt 4 lc rgb "red" title "maglb engine, net_ring harness"
""" % {"img": img, "dp": dp, "dr": dr, "line": LINE_RATE_10G, "peers": peers}, img)


def section(r, img_rel, plots):
    m = r["machine"]
    p = r["plan"]
    s = r["steps"]
    out = [BEGIN, "", "## Figures of the last suite run (scripts/bench.sh)", ""]
    out.append("Machine: %s (%s vCPUs%s), %s, kernel %s, DPDK %s, %s. Commit %s%s. "
               "%s run: %d runs of %d s per point, medians. Load average %s at the start, %s at "
               "the end (other helpers were compiling on the same 2 vCPUs); the suite's "
               "processes ran in their own scheduling group (%s)." % (
                   m["cpu"], m["cpus"], ", " + m["hypervisor"] + " guest" if m["hypervisor"] else "",
                   m["memory"], m["kernel"], m["dpdk"], m["compiler"], m["git"],
                   " with %s changed files" % m["git_dirty"] if m["git_dirty"] not in ("", "0") else "",
                   "Quick" if r["quick"] else "Full", p["runs"], p["seconds"],
                   "/".join("%.1f" % x for x in r["load_start"]),
                   "/".join("%.1f" % x for x in r["load_end"]), m["autogroup"] or "?"))
    out.append("")
    out.append("Date %s. Command: `sudo scripts/bench.sh%s` (results in `%s`)." % (
        m["date"], " --quick" if r["quick"] else "", r.get("results_path", "results/")))
    out.append("")

    # Headline: 64 B, 10,000 flows, pcap.
    sizes = [x for x in s.get("pcap_sizes", []) if res(x)]
    flows = [x for x in (s.get("pcap_flows") or []) if x and res(x)]
    head = next((x for x in sizes + flows
                 if res(x)["frame_size"] == 64 and res(x)["frames"] == 10000), None)
    if head is None and flows:
        head = flows[0]
    if head:
        h = res(head)
        md = h["median"]
        out += ["### DPDK dataplane: one worker, 64-byte frames, %s flows" % format(h["frames"], ","),
                "",
                "IPIP to one VIP with 1000 backends behind a gateway (65,537-slot table), "
                "connection tracking on, every flow established before the window, "
                "`net_pcap` `infinite_rx` input, TX dropped. Cycles per packet = TSC Hz x the "
                "worker thread's CPU time (schedstat) / packets, so time other tenants took "
                "from the core is not counted.",
                "",
                "| | Mpps (median) | cycles/packet | runs (Mpps) |",
                "|---|---:|---:|---|",
                "| maglb-dataplane | %s | %s | %s |" % (fmt(md["maglb_mpps"]), fmt(md["maglb_cycles_per_packet"], 0), runs_of(h, "maglb")),
                "| testpmd macswap (ceiling, same run) | %s | %s | %s |" % (fmt(md["testpmd_mpps"]), fmt(md["testpmd_cycles_per_packet"], 0), runs_of(h, "testpmd")),
                "",
                "maglb / testpmd: **%.0f%%** of the Mpps (target: at least 50%%); %.0f%% of 10GbE line "
                "rate (%.2f Mpps); %.1fx Katran's 5.2 Mpps per core and %.1fx DPVS's 2.9 Mpps per "
                "worker (their published figures, other hardware). Command: `%s`." % (
                    100 * md["ratio_mpps"], 100 * md["maglb_mpps"] / LINE_RATE_10G, LINE_RATE_10G,
                    md["maglb_mpps"] / 5.2, md["maglb_mpps"] / 2.9, head["command"]),
                ""]

    if sizes:
        rows = sorted((res(x)["frame_size"], res(x)["median"]["maglb_mpps"],
                       res(x)["median"]["testpmd_mpps"]) for x in sizes)
        out += ["### Packet size (10,000 flows)", "",
                "| frame bytes | maglb Mpps | maglb Gb/s | testpmd Mpps | maglb / testpmd | 10GbE line rate Mpps | maglb / line rate |",
                "|---:|---:|---:|---:|---:|---:|---:|"]
        for size, lb, tp in rows:
            out.append("| %d | %.2f | %.2f | %.2f | %.0f%% | %.2f | %.0f%% |" % (
                size, lb, lb * size * 8 / 1000, tp, 100 * lb / tp if tp else 0,
                line_rate_mpps(size), 100 * lb / line_rate_mpps(size)))
        out += ["", "Gb/s counts frame bits (FCS included, not preamble and gap). The input "
                "comes from memory, not a wire, so rates above a 10GbE port's are possible; the "
                "line-rate columns say what such a port carries. Frames above 1480 bytes fit "
                "because the benchmark's underlay MTU is 9000.", ""]
        if plots.get("sizes"):
            out += ["![throughput against frame size](%s/bench_size.png)" % img_rel, ""]

    ring = [x for x in s.get("ring_flows", []) if res(x)]
    if flows or ring:
        out += ["### Active flows (64-byte frames)", "",
                "`net_pcap`: maglb-dataplane and testpmd on a pcap of one frame per flow "
                "(`infinite_rx` replays it from memory, so at most ~1M flows: the pool needs an "
                "mbuf per frame). `net_ring` harness: the same engine in-process "
                "(`tests/bench/bench_ring`), a sender on the other core writing each frame's "
                "flow into recycled mbufs (any number of flows, no pcap), with a macswap lcore "
                "in the engine's place as that harness's ceiling. RX ring fill near 100% "
                "means the worker, not the sender, set the rate.", "",
                "| flows | pcap: maglb Mpps | cycles/pkt | testpmd Mpps | ratio | ring: maglb Mpps (runs' range) | cycles/pkt | RX ring fill | macswap Mpps (range) | evicted in window |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        by_n = {}
        for x in flows:
            by_n.setdefault(res(x)["frames"], {})["pcap"] = res(x)
        for x in ring:
            by_n.setdefault(res(x)["flows"], {})["ring"] = res(x)
        for n in sorted(by_n):
            pc, rg = by_n[n].get("pcap"), by_n[n].get("ring")
            pm = pc["median"] if pc else {}
            rm = rg["median"] if rg else {}
            ppl = None
            ev = None
            if rg:
                vals = sorted(run["maglb"].get("rx_ring_fill", 0) for run in rg["runs"])
                ppl = 100 * vals[len(vals) // 2]
                ev = max(run["maglb"]["flow_evicted"] for run in rg["runs"])
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                format(n, ","), fmt(pm.get("maglb_mpps")), fmt(pm.get("maglb_cycles_per_packet"), 0),
                fmt(pm.get("testpmd_mpps")),
                "%.0f%%" % (100 * pm["ratio_mpps"]) if pm else "-",
                "%s (%s-%s)" % (fmt(rm["maglb_mpps"]), fmt(min(x["maglb"]["mpps"] for x in rg["runs"]), 1),
                                fmt(max(x["maglb"]["mpps"] for x in rg["runs"]), 1)) if rg else "-",
                fmt(rm.get("maglb_cycles_per_packet"), 0),
                "-" if ppl is None else "%.0f%%" % ppl,
                "%s (%s-%s)" % (fmt(rm["macswap_mpps"]), fmt(min(x["macswap"]["mpps"] for x in rg["runs"]), 1),
                                fmt(max(x["macswap"]["mpps"] for x in rg["runs"]), 1)) if rg else "-",
                ev if ev is not None else "-"))
        out.append("")
        if plots.get("flows"):
            out += ["![throughput against active flows](%s/bench_flows.png)" % img_rel, ""]

    rfc = res(s.get("rfc2544"))
    if rfc:
        out += ["### Zero-loss rate (RFC 2544 manner, net_ring harness)", "",
                "10,000 established flows, 64-byte frames, an RX ring of %d slots (a NIC's RX "
                "descriptors). The sender paces frames from the TSC; a frame is lost if the full "
                "ring refuses it (a NIC's rx_missed) or the dataplane drops it. Binary search "
                "from the unpaced maximum, %s s trials (RFC 2544 asks for 60 s)." % (
                    rfc["rx_slots"], fmt(rfc["trial_seconds"], 0)), "",
                "Unpaced maximum %.2f Mpps; highest rate with no loss: **%.3f Mpps** "
                "(resolution %.3f Mpps). Command: `%s`." % (
                    rfc["unpaced_mpps"], rfc["zero_loss_mpps"], rfc["resolution_mpps"],
                    s["rfc2544"]["command"]), "",
                "| offered Mpps | lost | of which RX ring full | dataplane drops | loss |",
                "|---:|---:|---:|---:|---:|"]
        for t in rfc["trials"]:
            out.append("| %.3f | %d | %d | %d | %.4f%% |" % (
                t["offered_mpps"], t["lost"], t["ring_full"], t["dataplane_drops"],
                100.0 * t["lost"] / t["offered"] if t["offered"] else 0))
        out += ["", "Every loss here is an RX-ring overflow with zero dataplane drops: the "
                "worker's core was taken by other tenants for longer than the ring lasts at "
                "that rate (4096 slots last 0.4 ms at 10 Mpps). A zero-loss figure near the "
                "unpaced maximum needs an isolated core (isolcpus), which this shared VM does "
                "not have.", ""]

    upd = res(s.get("updates"))
    if upd:
        out += ["### Table changes under load (net_ring harness)", "",
                "100,000 established flows forwarded at a fixed rate while a second control "
                "connection installs snapshots (1000 backends reweighted, some draining, 0-100 "
                "spare backends added or removed; 65,537 slots, 300 KB each) back to back; "
                "every output frame is checked against the backend its flow was given before "
                "the changes began.", "",
                "| phase | offered Mpps | installs/s | install ms median / p99 / max | lost | dataplane drops | sender late | misrouted | flow_new | flow_rebalanced |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for b in upd["baselines"]:
            out.append("| no updates | %.3f | 0 | - | %d | - | - | %d | - | - |" % (
                b["offered_mpps"], b["lost"], b["misrouted"]))
        for ph in upd["phases"]:
            pace = "back to back" if not ph["update_interval_s"] else "paced %.1f ms" % (
                1000 * ph["update_interval_s"])
            out.append("| updates, %s | %.3f | %.0f | %.2f / %.2f / %.2f | %d | %d | %d | %d | %d | %d |" % (
                pace, ph["offered_mpps"], ph["updates_per_second"], ph["install_ms_median"],
                ph["install_ms_p99"], ph["install_ms_max"], ph["lost"], ph["counters"]["drops"],
                ph["sender_late"], ph["misrouted"], ph["counters"]["flow_new"],
                ph["counters"]["flow_rebalanced"]))
        out += ["", "Command: `%s`. The rate is the zero-loss rate above. \"Sender late\" counts "
                "the times the sender, which shares lcore 0 with the control thread (validating "
                "each 300 KB blob, then waiting in `rte_rcu_qsbr_synchronize`) and the installer, "
                "fell half a ring behind its schedule; lost frames with zero dataplane drops are "
                "RX-ring overflows that followed. A misrouted frame would be a table change "
                "moving an established flow." % s["updates"]["command"], ""]

    syn = res(s.get("synflood"))
    if syn:
        a, b, c = syn["established_only"], syn["flood_filling"], syn["flood_full"]
        out += ["### SYN flood (net_ring harness)", "",
                "%s established flows; then %.0f%% of the frames are SYNs from sources never seen "
                "before (198.18.128.0/17, a bijection of a counter) until twice the flow table's "
                "%s slots were offered, then the same in steady state with the table full." % (
                    format(syn["established_flows"], ","), 100 * syn["syn_share"],
                    format(syn["flow_capacity"], ",")), "",
                "| phase | Mpps | of which established | cycles/pkt | misrouted | established flows evicted | flow_evicted |",
                "|---|---:|---:|---:|---:|---:|---:|"]
        for name, ph in (("established only", a), ("flood, filling the table", b),
                         ("flood, table full", c)):
            out.append("| %s | %.2f | %.2f | %.0f | %d | %d | %d |" % (
                name, ph["mpps"], ph["established_mpps"], ph["cycles_per_packet"],
                ph["misrouted"], ph["established_reinserted"], ph["counters"]["flow_evicted"]))
        out += ["", "Throughput held under the flood: **%.0f%%** of the established-only rate "
                "(each SYN is a flow-table insert, most of them evicting the least recently used "
                "way). Memory: the process's anonymous memory grew by %.1f MiB when the engine "
                "started with %s flow slots, %.1f bytes per slot (the flow table, see "
                "docs/flow-table.md, plus the engine's fixed allocations such as per-backend "
                "statistics); table occupancy at the end %s. Command: `%s`." % (
                    100 * syn["mpps_held"], syn["rss_anon_growth_bytes"] / 2**20,
                    format(syn["flow_capacity"], ","), syn["bytes_per_flow_slot"],
                    format(syn["flow_occupancy_end"], ","), s["synflood"]["command"]), ""]

    xdp = res(s.get("xdp"))
    if xdp:
        out += ["### XDP program (this run; method in \"XDP program\" below)", "",
                "| case | ns/packet (median) | net of the XDP_PASS floor | runs |",
                "|---|---:|---:|---|"]
        for row in xdp["rows"]:
            out.append("| %s | %.1f | %.1f | %s |" % (row["case"], row["ns"], row["net"],
                                                     " ".join("%.1f" % v for v in row["runs"])))
        out += ["", "Command: `%s`." % s["xdp"]["command"], ""]

    mg = res(s.get("maglev"))
    if mg:
        out += ["### Maglev table build (this run; method in \"Maglev table build\" below)", "",
                "| M | N | build ms, median (min) | remove one: moved / M (ideal) |",
                "|---:|---:|---:|---:|"]
        for row in mg["rows"]:
            out.append("| %d | %d | %s | %s |" % (row["M"], row["N"], row["cells"][2],
                                                 row["cells"][3] if len(row["cells"]) > 3 else "-"))
        out += ["", "Command: `%s`." % s["maglev"]["command"], ""]

    failed = [k for k, v in s.items() if any("error" in x for x in (v if isinstance(v, list) else [v]) if x)]
    if failed:
        out += ["Steps that failed in this run: %s (see the results file)." % ", ".join(failed), ""]
    out.append(END)
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--docs", default="docs/benchmarks.md")
    ap.add_argument("--img", default="docs/img")
    args = ap.parse_args()
    with open(args.results) as f:
        r = json.load(f)
    r["results_path"] = os.path.relpath(args.results, os.path.dirname(os.path.dirname(
        os.path.abspath(args.docs))))
    os.makedirs(args.img, exist_ok=True)
    plots = {}
    with tempfile.TemporaryDirectory() as tmp:
        sizes = sorted((res(x)["frame_size"], res(x)["median"]["maglb_mpps"],
                        res(x)["median"]["testpmd_mpps"])
                       for x in r["steps"].get("pcap_sizes", []) if res(x))
        if sizes:
            plots["sizes"] = plot_sizes(sizes, os.path.join(args.img, "bench_size.png"), tmp)
        pf = sorted((res(x)["frames"], res(x)["median"]["maglb_mpps"],
                     res(x)["median"]["testpmd_mpps"])
                    for x in (r["steps"].get("pcap_flows") or []) if x and res(x))
        rf = sorted((res(x)["flows"], res(x)["median"]["maglb_mpps"],
                     res(x)["median"]["macswap_mpps"])
                    for x in r["steps"].get("ring_flows", []) if res(x))
        if pf or rf:
            plots["flows"] = plot_flows(pf, rf, os.path.join(args.img, "bench_flows.png"), tmp)
    img_rel = os.path.relpath(os.path.abspath(args.img), os.path.dirname(os.path.abspath(args.docs)))
    text = section(r, img_rel, plots)
    doc = open(args.docs).read() if os.path.exists(args.docs) else "# Benchmarks\n"
    if BEGIN in doc and END in doc:
        doc = doc[:doc.index(BEGIN)] + text + doc[doc.index(END) + len(END) + 1:]
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    with open(args.docs, "w") as f:
        f.write(doc)
    print("wrote %s and %s" % (args.docs, ", ".join(k for k, v in plots.items() if v)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
