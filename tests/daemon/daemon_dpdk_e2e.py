#!/usr/bin/python3
"""maglbd against the real DPDK dataplane process (suite 'e2e').

maglb-dataplane runs on a net_null port without hugepages; maglbd programs
it over its control socket. The test reads the dataplane's own GET_STATS
document through that socket (the framing of dataplane/dpdk/
control_protocol.h, written out here) to check that what the dataplane
holds is what maglbd reports, and that each side recovers when the other
restarts. Needs root (DPDK EAL); exits 77 (skipped) with the reason
otherwise. Every wait is for a condition, with a deadline.
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
DATAPLANE = os.environ.get("MAGLB_DATAPLANE", "")
VIP = "198.18.70.100:80/tcp"

CTL_MAGIC = 0x5443474D
CTL_GET_STATS = 4
CTL_RESPONSE = 0x8000


def dataplane_stats(path):
    """GET_STATS straight from maglb-dataplane, or None if it does not answer."""
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(path)
            s.sendall(struct.pack("<IHHII", CTL_MAGIC, 1, CTL_GET_STATS, 0, 0))
            head = b""
            while len(head) < 16:
                chunk = s.recv(16 - len(head))
                if not chunk:
                    return None
                head += chunk
            magic, _version, rtype, status, length = struct.unpack("<IHHII", head)
            if magic != CTL_MAGIC or rtype != CTL_GET_STATS | CTL_RESPONSE or status != 0:
                return None
            body = b""
            while len(body) < length:
                chunk = s.recv(length - len(body))
                if not chunk:
                    return None
                body += chunk
            return json.loads(body)
    except OSError:
        return None


class DaemonDpdkE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="maglbd-dpdk-e2e-")
        cls.dp_sock = cls.tmp + "/dp.sock"
        cls.sock = cls.tmp + "/maglbd.sock"
        cls.cfg_path = cls.tmp + "/maglb.json"
        cls.dataplane = cls.daemon = None
        cls.logs = []  # open log files, closed at the end
        with open(cls.cfg_path, "w") as f:
            json.dump({
                "dataplane": {"mode": "dpdk", "dpdk": {"socket": cls.dp_sock},
                              "address_v4": "198.18.70.1/24", "gateway_v4": "198.18.70.254",
                              "encap_source_v4": "198.18.70.1"},
                "control": {"socket": cls.sock,
                            "metrics_listen": "127.0.0.1:%d" % (19600 + os.getpid() % 300)},
                "vips": [{"address": "198.18.70.100", "port": 80, "protocol": "tcp",
                          "method": "ipip", "table_size": 17,
                          "backends": [{"address": "198.18.71.11", "name": "a"},
                                       {"address": "198.18.71.12", "name": "b"}]}]}, f)
        cls.start_dataplane()
        cls.start_daemon()

    @classmethod
    def tearDownClass(cls):
        for p in (cls.daemon, cls.dataplane):
            cls.stop(p)
        for f in cls.logs:
            f.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def start_dataplane(cls):
        cls.dp_log = open(cls.tmp + "/dataplane.log", "a")
        cls.logs.append(cls.dp_log)
        cls.dataplane = subprocess.Popen(
            [DATAPLANE, "--no-huge", "-m", "512", "--no-shconf", "--no-pci", "-l", "0-1",
             "--file-prefix=mgdd%d" % os.getpid(), "--log-level=lib.eal:warning",
             "--vdev=net_null0", "--", "--port", "net_null0", "--control-socket", cls.dp_sock,
             "--flows-per-core", "4096"], stdout=cls.dp_log, stderr=cls.dp_log)
        wait_for("maglb-dataplane to answer",
                 lambda: cls.dataplane.poll() is not None or dataplane_stats(cls.dp_sock))
        assert cls.dataplane.poll() is None, "maglb-dataplane exited at start"

    @classmethod
    def start_daemon(cls):
        cls.d_log = open(cls.tmp + "/maglbd.log", "a")
        cls.logs.append(cls.d_log)
        cls.daemon = subprocess.Popen([MAGLBD, "--config", cls.cfg_path],
                                      stdout=cls.d_log, stderr=cls.d_log)
        wait_for("maglbd to answer", lambda: cls.daemon.poll() is not None or
                 cls.ctl_static(cls.sock, "status").returncode == 0)
        assert cls.daemon.poll() is None, "maglbd exited at start"

    @staticmethod
    def stop(proc):
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode if proc else None

    @staticmethod
    def ctl_static(sock, *args):
        return subprocess.run([MAGLBCTL] + list(args) + ["--socket", sock], text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def ctl_json(self, *args):
        r = self.ctl_static(self.sock, *args, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def assert_dataplane_matches_daemon(self):
        """The dataplane's installed generation and backends are maglbd's."""
        show = self.ctl_json("vip", "show", VIP)
        stats = dataplane_stats(self.dp_sock)
        self.assertIsNotNone(stats)
        self.assertEqual(stats["generation"], self.ctl_json("status")["generation"])
        want = {(b["id"], b["address"], b["effective_weight"]) for b in show["backends"]}
        got = {(b["id"], b["address"], b["weight"]) for b in stats["backends"]}
        self.assertEqual(got, want)
        self.assertEqual([v["vip"] for v in stats["vips"]], [VIP])
        return stats

    def test_1_tables_and_changes_reach_the_dataplane(self):
        self.assert_dataplane_matches_daemon()
        self.assertEqual(self.ctl_static(self.sock, "backend", "add", VIP, "198.18.71.13",
                                         "--weight", "40").returncode, 0)
        self.assertEqual(self.ctl_static(self.sock, "backend", "drain", VIP,
                                         "198.18.71.11").returncode, 0)
        stats = self.assert_dataplane_matches_daemon()
        self.assertIn(("198.18.71.11", 0), {(b["address"], b["weight"]) for b in stats["backends"]})
        # maglbctl stats reads the same dataplane through maglbd.
        s = self.ctl_json("stats")
        self.assertEqual(s["dataplane"], "dpdk")
        self.assertEqual(s["dataplane_generation"], stats["generation"])
        self.assertEqual(s["flows"]["capacity"], sum(w["flows"]["capacity"] for w in stats["workers"]))

    def test_2_dataplane_restart_gets_its_tables_back(self):
        generation = self.ctl_json("status")["generation"]
        self.assertEqual(self.stop(self.dataplane), 0)
        self.start_dataplane()
        # maglbd's once-a-second check reconnects and re-sends the tables.
        wait_for("tables re-sent",
                 lambda: (dataplane_stats(self.dp_sock) or {}).get("generation") == generation)
        self.assert_dataplane_matches_daemon()
        with open(self.tmp + "/maglbd.log") as f:
            self.assertIn("re-sent its settings and tables", f.read())

    def test_3_daemon_restart_numbers_above_the_dataplane(self):
        generation = self.ctl_json("status")["generation"]
        self.assertEqual(self.stop(self.daemon), 0)
        # The dataplane keeps its tables while maglbd is away.
        self.assertEqual(dataplane_stats(self.dp_sock)["generation"], generation)
        self.start_daemon()
        self.assertEqual(self.ctl_json("status")["generation"], generation + 1)
        self.assert_dataplane_matches_daemon()


def main():
    if os.geteuid() != 0:
        skip("needs root (DPDK EAL)")
    for path, name in ((MAGLBD, "MAGLBD"), (MAGLBCTL, "MAGLBCTL"), (DATAPLANE, "MAGLB_DATAPLANE")):
        if not os.access(path, os.X_OK):
            skip(name + " must name the built binary")
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
