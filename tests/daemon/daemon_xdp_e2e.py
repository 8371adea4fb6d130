#!/usr/bin/python3
"""maglbd against the real XDP dataplane, end to end (suite 'e2e').

In a network namespace of its own (a veth pair, addresses in 198.18.0.0/15)
the test runs maglbd with maglb_xdp attached, changes the config through
maglbctl, and checks after every step that the kernel's maps -- read back
with bpftool and decoded here from the ABI layout -- hold exactly the
tables the daemon reports, that the config file was rewritten, and that bad
input is refused without changing anything. Needs root; exits 77 (skipped)
with the reason otherwise. Every wait is for a condition, with a deadline.
"""

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import unittest

from e2e_support import skip, wait_for

MAGLBD = os.environ.get("MAGLBD", "")
MAGLBCTL = os.environ.get("MAGLBCTL", "")
PID = os.getpid() % 1000000
NS = "mgd%d" % PID
IF_LB = "mgd%da" % PID   # XDP here
IF_PEER = "mgd%db" % PID  # packets are sent from here


def pin_dir():
    """Where maglbd pins this namespace's maps: keyed by the namespace's
    inode (controlplane/programmer/programmer_xdp.cc)."""
    return "/sys/fs/bpf/maglb/netns-%d/%s" % (os.stat("/var/run/netns/" + NS).st_ino, IF_LB)
VIP = "198.18.60.100:80/tcp"
CHECKED_VIP = "198.18.60.101:8080/tcp"
MAGLB_SLOT_EMPTY = 0xFFFFFFFF


def run(cmd, check=True, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError("%s -> %d\n%s%s" % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
    return r


def config(vips, metrics_port, sock):
    return {
        "dataplane": {"mode": "xdp", "interfaces": [IF_LB], "address_v4": "198.18.60.1/24",
                      "encap_source_v4": "198.18.60.1",
                      "flow_table": {"entries_per_core": 65536}},
        "control": {"socket": sock, "metrics_listen": "127.0.0.1:%d" % metrics_port},
        "vips": vips,
    }


def base_vips():
    return [
        {"address": "198.18.60.100", "port": 80, "protocol": "tcp", "method": "ipip",
         "table_size": 31, "healthcheck": {"type": "none"},
         "backends": [{"address": "198.18.60.11", "name": "web1"},
                      {"address": "198.18.60.12", "name": "web2"},
                      {"address": "198.18.60.13", "weight": 50, "name": "web3"}]},
        {"address": "198.18.60.101", "port": 8080, "protocol": "tcp", "method": "ipip",
         "table_size": 13,
         "healthcheck": {"type": "tcp", "interval_ms": 200, "timeout_ms": 100,
                         "rise": 1, "fall": 1},
         "backends": [{"address": "198.18.61.21", "name": "live"},
                      {"address": "198.18.61.22", "name": "dead"}]},
    ]


# ------------------------------------------------------------ kernel maps

def bpftool_dump(args):
    out = run(["bpftool", "-j", "map", "dump"] + args).stdout
    return json.loads(out) if out.strip() else []


def raw(field):
    return bytes(int(b, 16) for b in field)


def kernel_vips():
    """maglb_vips: {(addr_text, port, proto): (vip_index, generation, table_size, flags)}."""
    out = {}
    for e in bpftool_dump(["pinned", pin_dir() + "/maglb_vips"]):
        k, v = raw(e["key"]), raw(e["value"])
        family = k[19]
        addr = socket.inet_ntop(socket.AF_INET if family == 4 else socket.AF_INET6,
                                k[:4] if family == 4 else k[:16])
        port = struct.unpack("!H", k[16:18])[0]
        generation, vip_index, table_size, _offset, flags = struct.unpack("<QIIIH", v[:22])
        out[(addr, port, k[18])] = (vip_index, generation, table_size, flags)
    return out


def kernel_backends():
    """maglb_backends: {id: (addr_text, flags, weight)}."""
    out = {}
    for e in bpftool_dump(["pinned", pin_dir() + "/maglb_backends"]):
        v = raw(e["value"])
        bid, family, flags, weight = struct.unpack("<IBBH", v[16:24])
        addr = socket.inet_ntop(socket.AF_INET if family == 4 else socket.AF_INET6,
                                v[:4] if family == 4 else v[:16])
        out[bid] = (addr, flags, weight)
    return out


def kernel_table(vip_index):
    """The inner map of the VIP's table slot: backend id per Maglev slot."""
    for e in bpftool_dump(["pinned", pin_dir() + "/maglb_tables"]):
        if struct.unpack("<I", raw(e["key"]))[0] == vip_index:
            inner = struct.unpack("<I", raw(e["value"]))[0]
            slots = {}
            for s in bpftool_dump(["id", str(inner)]):
                slots[struct.unpack("<I", raw(s["key"]))[0]] = struct.unpack("<I", raw(s["value"]))[0]
            return [slots[i] for i in range(len(slots))]
    return None


def kernel_table_of(vip):
    addr, rest = vip.rsplit(":", 1)
    port, proto = rest.split("/")
    entry = kernel_vips()[(addr, int(port), 6 if proto == "tcp" else 17)]
    return kernel_table(entry[0])


# ------------------------------------------------------------------- test

class DaemonXdpE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="maglbd-e2e-")
        cls.sock = cls.tmp + "/run/maglbd.sock"
        cls.cfg_path = cls.tmp + "/maglb.json"
        cls.metrics_port = 19100 + PID % 500
        cls.daemon = None
        cls.listener = None
        cls.log_path = cls.tmp + "/maglbd.log"
        try:
            run(["ip", "netns", "add", NS])
            ns = ["ip", "-n", NS]
            run(ns + ["link", "add", IF_LB, "type", "veth", "peer", "name", IF_PEER])
            for i in ("lo", IF_LB, IF_PEER):
                run(ns + ["link", "set", i, "up"])
            run(ns + ["addr", "add", "198.18.60.1/24", "dev", IF_LB])
            # Health-checked backends live on lo of the namespace.
            for a in ("198.18.61.21/32", "198.18.61.22/32"):
                run(ns + ["addr", "add", a, "dev", "lo"])
            for key in ("net.ipv4.conf.all.forwarding=1", "net.ipv4.conf.%s.forwarding=1" % IF_LB):
                run(["ip", "netns", "exec", NS, "sysctl", "-q", "-w", key])
        except AssertionError:
            cls.tearDownClass()
            raise
        cls.write_config(config(base_vips(), cls.metrics_port, cls.sock))
        cls.start_listener()
        cls.start_daemon()

    @classmethod
    def tearDownClass(cls):
        cls.stop_daemon()
        cls.stop_listener()
        if os.path.exists("/var/run/netns/" + NS):
            shutil.rmtree(os.path.dirname(pin_dir()), ignore_errors=True)
        subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)
        if os.environ.get("MAGLBD_E2E_KEEP"):
            print("kept " + cls.tmp)
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # ----------------------------------------------------------- helpers

    @classmethod
    def write_config(cls, doc):
        with open(cls.cfg_path, "w") as f:
            json.dump(doc, f, indent=2)

    @classmethod
    def start_daemon(cls):
        # nsenter --net (not `ip netns exec`): no private mount namespace, so
        # the pins land in the host's bpffs, where bpftool and a restarted
        # daemon find them.
        cls.log = open(cls.log_path, "a")
        cls.daemon = subprocess.Popen(
            ["nsenter", "--net=/var/run/netns/" + NS, MAGLBD, "--config", cls.cfg_path],
            stdout=cls.log, stderr=cls.log)
        wait_for("maglbd to answer", lambda: cls.daemon.poll() is not None or
                 cls.ctl_static(cls.sock, "status").returncode == 0)
        if cls.daemon.poll() is not None:
            with open(cls.log_path) as f:
                raise AssertionError("maglbd exited at start:\n" + f.read())

    @classmethod
    def stop_daemon(cls):
        """SIGTERM; returns maglbd's exit status (None if it was not running)."""
        status = None
        if cls.daemon and cls.daemon.poll() is None:
            cls.daemon.send_signal(signal.SIGTERM)
            try:
                cls.daemon.wait(timeout=10)
            except subprocess.TimeoutExpired:
                cls.daemon.kill()
                cls.daemon.wait()
            status = cls.daemon.returncode
        cls.daemon = None
        if getattr(cls, "log", None):
            cls.log.close()
            cls.log = None
        return status

    @classmethod
    def start_listener(cls):
        code = ("import socket,time\n"
                "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                "s.bind(('198.18.61.21', 8080)); s.listen(64)\n"
                "while True:\n c,_=s.accept(); c.close()\n")
        cls.listener = subprocess.Popen(["ip", "netns", "exec", NS, sys.executable, "-c", code])

    @classmethod
    def stop_listener(cls):
        if cls.listener and cls.listener.poll() is None:
            cls.listener.kill()
            cls.listener.wait()
        cls.listener = None

    @staticmethod
    def ctl_static(sock, *args):
        return run([MAGLBCTL] + list(args) + ["--socket", sock], check=False)

    def ctl(self, *args, rc=0):
        r = self.ctl_static(self.sock, *args)
        self.assertEqual(r.returncode, rc, "maglbctl %s\n%s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def ctl_json(self, *args):
        return json.loads(self.ctl(*args, "--json").stdout)

    def generation(self):
        return self.ctl_json("status")["generation"]

    def daemon_table(self, vip):
        return self.ctl_json("table", "dump", vip)["slots"]

    def assert_kernel_matches_daemon(self, vip):
        """The XDP table of `vip` is slot for slot the one maglbd reports, and
        every id in it is a backend of the map with the address maglbd names.
        The daemon's own health checks may install a generation while the
        maps are read: the reads are retried (bounded) until no install
        happened between the first and the last, so the comparison is of one
        generation."""
        for _ in range(50):
            g0 = self.generation()
            result = self._kernel_vs_daemon(vip)
            if self.generation() == g0:
                break
        else:
            self.fail("the generation kept changing while the maps were read")
        dump, table, backends, entry = result
        self.assertEqual(table, dump["slots"])
        for bid in set(table) - {MAGLB_SLOT_EMPTY}:
            self.assertIn(bid, backends)
            self.assertEqual(backends[bid][0], dump["backends"][str(bid)]["address"])
        self.assertEqual(entry[1], g0)
        return table, backends, dump

    def _kernel_vs_daemon(self, vip):
        dump = self.ctl_json("table", "dump", vip)
        table = kernel_table_of(vip)
        backends = kernel_backends()
        entry = [v for k, v in kernel_vips().items()
                 if "%s:%d/tcp" % (k[0], k[1]) == vip and not v[3] & 2][0]
        return dump, table, backends, entry

    def share(self, table, address, dump):
        ids = {int(i) for i, b in dump["backends"].items() if b["address"] == address}
        return sum(1 for s in table if s in ids)

    def file_config(self):
        with open(self.cfg_path) as f:
            return json.load(f)

    def file_backends(self, vip_index=0):
        return {b["address"]: b for b in self.file_config()["vips"][vip_index]["backends"]}

    # -------------------------------------------------------------- tests
    # unittest runs them in name order; each leaves the daemon running.

    def test_01_tables_reach_the_xdp_maps(self):
        table, backends, dump = self.assert_kernel_matches_daemon(VIP)
        self.assertEqual(len(table), 31)
        addresses = {a for a, _, _ in backends.values()}
        self.assertTrue({"198.18.60.11", "198.18.60.12", "198.18.60.13"} <= addresses)
        # Weights 100:100:50 -> about 2:2:1 of the slots.
        self.assertGreater(self.share(table, "198.18.60.11", dump),
                           self.share(table, "198.18.60.13", dump))
        self.assertNotIn(MAGLB_SLOT_EMPTY, table)

    def test_02_health_checks_shape_the_table(self):
        def states():
            b = self.ctl_json("vip", "show", CHECKED_VIP)["backends"]
            return {x["address"]: x["state"] for x in b}
        wait_for("live up, dead down",
                 lambda: states() == {"198.18.61.21": "up", "198.18.61.22": "down"})
        table, _, dump = self.assert_kernel_matches_daemon(CHECKED_VIP)
        self.assertEqual(self.share(table, "198.18.61.21", dump), 13)
        show = self.ctl("vip", "show", CHECKED_VIP).stdout
        self.assertIn("connect refused", show)

    def test_03_all_down_keeps_the_last_table(self):
        before = kernel_table_of(CHECKED_VIP)
        self.stop_listener()
        wait_for("all down", lambda: self.ctl_json("vip", "show", CHECKED_VIP)["all_down"])
        self.assertEqual(kernel_table_of(CHECKED_VIP), before)
        with open(self.log_path) as f:
            log = f.read()
        self.assertIn('level=alert msg="every backend of the VIP is down; keeping its last table',
                      log)
        metrics = self.metrics()
        self.assertIn('maglb_vip_all_backends_down{vip="%s"} 1' % CHECKED_VIP, metrics)
        self.assertIn('maglb_backend_up{vip="%s",backend="198.18.61.21",name="live"} 0'
                      % CHECKED_VIP, metrics)
        self.start_listener()
        wait_for("recovered", lambda: not self.ctl_json("vip", "show", CHECKED_VIP)["all_down"])
        self.assert_kernel_matches_daemon(CHECKED_VIP)

    def test_04_backend_commands_reach_the_kernel_and_the_file(self):
        g = self.generation()
        self.ctl("backend", "add", VIP, "198.18.60.14", "--weight", "100", "--name", "web4")
        self.assertEqual(self.generation(), g + 1)
        table, backends, dump = self.assert_kernel_matches_daemon(VIP)
        self.assertGreater(self.share(table, "198.18.60.14", dump), 0)
        self.assertEqual(self.file_backends()["198.18.60.14"]["name"], "web4")

        self.ctl("backend", "weight", VIP, "198.18.60.14", "300")
        table2, _, dump = self.assert_kernel_matches_daemon(VIP)
        self.assertGreater(self.share(table2, "198.18.60.14", dump),
                           self.share(table, "198.18.60.14", dump))
        self.assertEqual(self.file_backends()["198.18.60.14"]["weight"], 300)

        self.ctl("backend", "drain", VIP, "198.18.60.12")
        table, backends, dump = self.assert_kernel_matches_daemon(VIP)
        self.assertEqual(self.share(table, "198.18.60.12", dump), 0)
        drained = [b for b in backends.values() if b[0] == "198.18.60.12"]
        self.assertEqual(drained, [("198.18.60.12", 1, 0)])  # kept, DRAINING, weight 0
        self.assertEqual(self.file_backends()["198.18.60.12"]["weight"], 0)

        self.ctl("backend", "undrain", VIP, "198.18.60.12")
        table, _, dump = self.assert_kernel_matches_daemon(VIP)
        self.assertGreater(self.share(table, "198.18.60.12", dump), 0)
        self.assertEqual(self.file_backends()["198.18.60.12"]["weight"], 100)

        self.ctl("backend", "remove", VIP, "198.18.60.14")
        _, backends, _ = self.assert_kernel_matches_daemon(VIP)
        self.assertNotIn("198.18.60.14", {b[0] for b in backends.values()})
        self.assertNotIn("198.18.60.14", self.file_backends())

        self.ctl("vip", "add", "198.18.60.102:*/udp", "--method", "gue", "--table-size", "7")
        self.ctl("backend", "add", "198.18.60.102:*/udp", "198.18.60.11")
        self.assertIn(("198.18.60.102", 0, 17), kernel_vips())
        self.ctl("vip", "remove", "198.18.60.102:*/udp")
        self.assertNotIn(("198.18.60.102", 0, 17), kernel_vips())
        self.assertEqual(len(self.file_config()["vips"]), 2)

    def test_05_bad_reload_changes_nothing(self):
        g = self.generation()
        before = kernel_table_of(VIP)
        doc = self.file_config()
        with open(self.cfg_path) as f:
            good_text = f.read()
        doc["vips"][0]["table_size"] = 30
        doc["vips"][0]["backends"].append({"address": "198.18.60.300"})
        self.write_config(doc)
        r = self.ctl("reload", rc=1)
        self.assertIn("vips[0].table_size: must be a prime number", r.stderr)
        self.assertIn("vips[0].backends[3].address: must be an IPv4 or IPv6 address", r.stderr)
        self.assertEqual(self.generation(), g)
        self.assertEqual(kernel_table_of(VIP), before)
        r = self.ctl("backend", "drain", VIP, "198.18.60.11", rc=1)
        self.assertIn("changed on disk", r.stderr)
        with open(self.cfg_path, "w") as f:
            f.write(good_text)
        self.assertIn("no change", self.ctl("reload").stdout)

    def test_06_good_reload_and_sighup(self):
        doc = self.file_config()
        doc["vips"][0]["backends"].append({"address": "198.18.60.15", "name": "web5"})
        self.write_config(doc)
        diff = self.ctl("diff", self.cfg_path).stdout
        self.assertIn("+ backend 198.18.60.15", diff)
        self.assertIn("of new flows move", diff)
        g = self.generation()
        self.ctl("reload")
        self.assertEqual(self.generation(), g + 1)
        table, _, dump = self.assert_kernel_matches_daemon(VIP)
        self.assertGreater(self.share(table, "198.18.60.15", dump), 0)

        doc["vips"][0]["backends"] = [b for b in doc["vips"][0]["backends"]
                                      if b["address"] != "198.18.60.15"]
        self.write_config(doc)
        self.daemon.send_signal(signal.SIGHUP)
        wait_for("SIGHUP reload", lambda: self.generation() == g + 2)
        _, backends, _ = self.assert_kernel_matches_daemon(VIP)
        self.assertNotIn("198.18.60.15", {b[0] for b in backends.values()})

    def test_07_cli_error_paths(self):
        r = self.ctl("vip", "show", "198.18.60.200:80/tcp", rc=1)
        self.assertIn("no VIP 198.18.60.200:80/tcp", r.stderr)
        r = self.ctl("backend", "add", VIP, "198.18.60.300", rc=1)
        self.assertIn("bad address '198.18.60.300'", r.stderr)
        r = self.ctl("backend", "add", "198.18.60.100:80", "198.18.60.16", rc=2)
        self.assertIn("missing /tcp or /udp", r.stderr)
        r = self.ctl_static(self.tmp + "/nowhere.sock", "vip", "list")
        self.assertEqual(r.returncode, 3)
        self.assertIn("is maglbd running?", r.stderr)
        # Garbage on the socket: an error line back, and the daemon carries on.
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        s.connect(self.sock)
        s.sendall(b"\x00\xffnot json at all\n")
        answer = json.loads(s.makefile().readline())
        s.close()
        self.assertFalse(answer["ok"])
        self.assertTrue(answer["error"].startswith("malformed request"))
        self.ctl("status")

        def exchange(payload, shut_write=False):
            """Sends payload on a fresh connection; the one response line."""
            c = socket.socket(socket.AF_UNIX)
            c.settimeout(10)
            c.connect(self.sock)
            c.sendall(payload)
            if shut_write:
                c.shutdown(socket.SHUT_WR)
            line = c.makefile().readline()
            c.close()
            return json.loads(line)
        # Unknown command: an error that lists the known ones.
        answer = exchange(b'{"command": "frobnicate"}\n')
        self.assertFalse(answer["ok"])
        self.assertIn('unknown command "frobnicate"', answer["error"])
        # Oversized: more than the 1 MiB request limit without a newline.
        answer = exchange(b"{" + b" " * (1 << 20) + b"x")
        self.assertFalse(answer["ok"])
        self.assertTrue(answer["error"].startswith("request too large"), answer["error"])
        # Truncated: half a request, then the client closes its side.
        answer = exchange(b'{"command": "sta', shut_write=True)
        self.assertFalse(answer["ok"])
        self.assertIn("truncated request", answer["error"])
        # And the daemon still serves.
        self.ctl("status")
        # Another user cannot even open the socket (mode 0600).
        r = subprocess.run([MAGLBCTL, "status", "--socket", self.sock], text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           preexec_fn=lambda: (os.setgid(65534), os.setuid(65534)))
        self.assertEqual(r.returncode, 3)
        self.assertIn("Permission denied", r.stderr)

    def metrics(self):
        return run(["ip", "netns", "exec", NS, "curl", "-sf",
                    "http://127.0.0.1:%d/metrics" % self.metrics_port]).stdout

    def test_08_metrics_and_top(self):
        m = self.metrics()
        self.assertIn("maglb_snapshot_generation %d\n" % self.generation(), m)
        self.assertIn('maglb_backend_effective_weight{vip="%s",backend="198.18.60.13",name="web3"} 50'
                      % VIP, m)
        self.assertIn('maglb_dataplane_counter_total{name="rx_packets",core="0"}', m)
        top = self.ctl("top", "--iterations", "2").stdout
        self.assertEqual(top.count("maglb top"), 2)

    def test_09_traffic_shows_in_stats(self):
        before = self.ctl_json("stats")
        code = ("from scapy.all import Ether, IP, TCP, sendp\n"
                "sendp([Ether(dst='%s')/IP(src='198.18.60.2', dst='198.18.60.100', ttl=64)/"
                "TCP(sport=40000+i, dport=80, flags='S') for i in range(20)], iface='%s', verbose=0)\n"
                % (self.mac(IF_LB), IF_PEER))
        run(["ip", "netns", "exec", NS, "/usr/bin/python3", "-c", code])

        def grown():
            s = self.ctl_json("stats")
            return s if s["vips"][0]["new_flows"] >= before["vips"][0]["new_flows"] + 20 else None
        after = wait_for("20 new flows counted", grown)
        self.assertGreaterEqual(after["totals"]["rx_packets"], before["totals"]["rx_packets"] + 20)
        self.assertGreaterEqual(after["flows"]["occupancy"], 20)
        per_backend = sum(b["new_flows"] for b in after["vips"][0]["backends"]) - \
            sum(b["new_flows"] for b in before["vips"][0]["backends"])
        self.assertEqual(per_backend, 20)
        self.assertIn("198.18.60.100:80/tcp", self.ctl("stats").stdout)

    def mac(self, ifname):
        out = run(["ip", "-n", NS, "-j", "link", "show", ifname]).stdout
        return json.loads(out)[0]["address"]

    def test_10_restart_keeps_tables_and_state(self):
        g = self.generation()
        table = kernel_table_of(VIP)
        flows_before = self.ctl_json("stats")["flows"]["occupancy"]
        self.assertEqual(self.stop_daemon(), 0)
        self.assertFalse(os.path.exists(self.sock))
        link = run(["ip", "-n", NS, "link", "show", IF_LB]).stdout
        self.assertIn("prog/xdp", link)  # still forwarding while maglbd is away
        self.assertEqual(kernel_table_of(VIP), table)
        self.start_daemon()
        # A restart keeps the dataplane's tables until the first health
        # verdicts (docs/daemon.md, section 3), then installs a new generation.
        wait_for("a table installed after the restart",
                 lambda: self.generation() > g or None)
        self.assertEqual(kernel_table_of(VIP), table)  # same config, same table
        self.assertGreaterEqual(self.ctl_json("stats")["flows"]["occupancy"], flows_before)
        with open(self.log_path) as f:
            log = f.read()
        self.assertIn("reusing the maps pinned in " + pin_dir(), log)
        self.assertIn("keeping it until the first health verdicts", log)


def main():
    if os.geteuid() != 0:
        skip("needs root (network namespace, XDP, bpffs)")
    for tool in ("ip", "nsenter", "bpftool", "curl"):
        if shutil.which(tool) is None:
            skip(tool + " not installed")
    if not (os.access(MAGLBD, os.X_OK) and os.access(MAGLBCTL, os.X_OK)):
        skip("MAGLBD and MAGLBCTL must name the built binaries")
    if not os.path.ismount("/sys/fs/bpf"):
        skip("/sys/fs/bpf is not mounted")
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
